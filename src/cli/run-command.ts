// `parity run COMMAND...` / `parity run web`: one command in the app's environment (foreman run).
import type { Command } from "commander";
import { type AppFlags, addAppOptions, loadAppOrReport } from "./app-options.js";
import { EXIT_USAGE, type Io } from "./io.js";

/** Adds the run command. */
export function addRunCommand(program: Command, io: Io, setStatus: (code: number) => void): void {
  const command = program
    .command("run")
    .description("run one command (or a Procfile entry by name) in the app's environment")
    .argument(
      "<command...>",
      "a Procfile process name, a shell command line, or a program and its arguments",
    )
    .passThroughOptions();
  addAppOptions(command).action(async (words: string[], flags: AppFlags) => {
    const app = await loadAppOrReport(flags, io, undefined, [], { procfileOptional: true });
    if (!app) return setStatus(EXIT_USAGE);
    const { runOne } = await import("../run.js");
    setStatus(await runOne(app, words, { shellEnv: io.env }));
  });
}
