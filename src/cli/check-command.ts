// `parity check [--json] [--strict]`: validates everything, starts nothing.
import type { Command } from "commander";
import { loadApp } from "../app/load.js";
import { renderCheck } from "../app/render.js";
import { type AppFlags, addAppOptions, endLine, toLoadOptions } from "./app-options.js";
import type { Io } from "./io.js";

interface CheckFlags extends AppFlags {
  json?: boolean;
  strict?: boolean;
}

/** Adds the check command. */
export function addCheckCommand(program: Command, io: Io, setStatus: (code: number) => void): void {
  const command = program
    .command("check")
    .description("validate the Procfile, env files, formation and ports without starting anything");
  addAppOptions(command)
    .option("-m, --formation <spec>", "instances per type: web=2,worker=1 or all=N")
    .option("-p, --port <port>", "base port (default: $PORT, else 5000)")
    .option("--json", "print the result as JSON")
    .option("--strict", "treat warnings (ignored Procfile lines) as errors")
    .action(async (flags: CheckFlags) => {
      let result = await loadApp(toLoadOptions(flags, io), { cwd: io.cwd, env: io.env });
      // What start would refuse, check reports too: a port something already listens on.
      if (result.ok) {
        const { findBusyPorts } = await import("../supervisor/ports.js");
        const busy = await findBusyPorts(result.value.instances);
        if (busy.length > 0) result = { ok: false, problems: [...result.warnings, ...busy] };
      }
      const report = renderCheck(result, {
        json: flags.json === true,
        strict: flags.strict === true,
        cwd: io.cwd,
      });
      if (report.ok || flags.json) io.stdout(endLine(report.text));
      else io.stderr(endLine(report.text));
      setStatus(report.ok ? 0 : 1);
    });
}
