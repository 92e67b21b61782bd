// `parity env [--explain] [--show-secrets]`: the app's resolved environment.
import type { Command } from "commander";
import { renderEnv } from "../app/render.js";
import { type AppFlags, addAppOptions, endLine, loadAppOrReport } from "./app-options.js";
import { EXIT_USAGE, type Io } from "./io.js";

interface EnvFlags extends AppFlags {
  explain?: boolean;
  showSecrets?: boolean;
}

/** Adds the env command. */
export function addEnvCommand(program: Command, io: Io, setStatus: (code: number) => void): void {
  const command = program
    .command("env")
    .description("print the app's environment as its processes get it (secrets masked)");
  addAppOptions(command)
    .option("--explain", "say which file and line (or the shell) each value came from")
    .option("--show-secrets", "print secret-looking values instead of masking them")
    .action(async (flags: EnvFlags) => {
      const app = await loadAppOrReport(flags, io, undefined, [], { procfileOptional: true });
      if (!app) return setStatus(EXIT_USAGE);
      const text = renderEnv(app, {
        explain: flags.explain === true,
        showSecrets: flags.showSecrets === true,
        cwd: io.cwd,
      });
      if (text !== "") io.stdout(endLine(text));
      setStatus(0);
    });
}
