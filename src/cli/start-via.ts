// `parity start --via runit`: the app's export run by a local init system (mini-prod).
import { accessSync, constants, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { DEFAULT_EXPORT_ENVIRONMENT } from "../app/defaults.js";
import { parseTimeout } from "../app/options.js";
import { suggestName } from "../app/suggest.js";
import type { Problem } from "../types.js";
import {
  type AppFlags,
  emptyFormationProblem,
  loadAppOrReport,
  printProblems,
  withoutShell,
} from "./app-options.js";
import { EXIT_USAGE, type Io } from "./io.js";

/** The init systems `--via` can run an app under. */
export const VIA_SYSTEMS = ["runit"];

/** The start flags `--via` reads. */
export interface ViaFlags extends AppFlags {
  via: string;
  timeout?: string;
  color?: boolean;
  timestamp: boolean;
}

/** Problems with the directory the private tree goes in (TMPDIR, else /tmp). */
function checkPrivateParent(parent: string): Problem[] {
  const problem = (message: string): Problem[] => [
    {
      severity: "error",
      flag: "TMPDIR",
      message: `the temporary directory ${JSON.stringify(parent)} ${message}`,
      fix: "set TMPDIR to an existing, writable directory (or unset it for /tmp)",
    },
  ];
  if (/[\u0000-\u001f\u007f]/.test(parent)) return problem("has a control character in its path");
  try {
    if (!statSync(parent).isDirectory()) return problem("is not a directory");
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (error) {
    return problem(`cannot be used (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return [];
}

/** Problems with --via's value. */
function checkVia(via: string): Problem[] {
  if (VIA_SYSTEMS.includes(via)) return [];
  const near = suggestName(via, VIA_SYSTEMS);
  return [
    {
      severity: "error",
      flag: "--via",
      message: `parity cannot run an app under "${via}"`,
      fix: near ? `did you mean --via ${near}?` : `use --via ${VIA_SYSTEMS.join(" or ")}`,
    },
  ];
}

/**
 * Loads the app as `parity export` does (its env files, none of the shell's values; -E
 * defaults to production), plans its runit tree, checks runit's programs and the ports, then
 * runs it. Every check comes before anything is written or started.
 */
export async function runStartVia(processes: string[], flags: ViaFlags, io: Io): Promise<number> {
  const timeout = parseTimeout(flags.timeout, "-t/--timeout");
  const flagProblems = [...checkVia(flags.via), ...(timeout.ok ? [] : timeout.problems)];
  const app = await loadAppOrReport(flags, withoutShell(io), processes, flagProblems, {
    defaultEnvironment: DEFAULT_EXPORT_ENVIRONMENT,
  });
  if (!app || !timeout.ok) return EXIT_USAGE;
  const problems: Problem[] = [];
  if (app.instances.length === 0) problems.push(emptyFormationProblem(app.environment));
  const { findMissingCommands, RUNIT_TOOLS } = await import("../via/tools.js");
  const missing = findMissingCommands(RUNIT_TOOLS, io.env.PATH);
  if (missing.length > 0) {
    problems.push({
      severity: "error",
      flag: "--via",
      message: `--via runit needs ${missing.join(", ")}, not found on PATH`,
      fix: "install runit (Debian and Ubuntu: apt-get install runit)",
    });
  }
  const parent = resolve(io.cwd, tmpdir());
  const parentProblems = checkPrivateParent(parent);
  problems.push(...parentProblems);
  const { prepareViaRunit, startViaRunit } = await import("../via/start-via-runit.js");
  // Planned only under a usable TMPDIR (a bad one would also fail the export's path checks).
  const prepared =
    parentProblems.length === 0
      ? prepareViaRunit(app, { timeoutSeconds: timeout.value, parent })
      : undefined;
  if (prepared) problems.push(...(prepared.ok ? prepared.warnings : prepared.problems));
  if (!prepared?.ok || problems.some((p) => p.severity === "error")) {
    printProblems(problems, io);
    return EXIT_USAGE;
  }
  const { findBusyPorts } = await import("../supervisor/ports.js");
  const busy = await findBusyPorts(app.instances);
  printProblems([...problems, ...busy], io);
  if (busy.length > 0) return EXIT_USAGE;
  if (app.user !== undefined) {
    io.stderr(
      `note: --via runit runs every process as you; ${app.environment}'s user ${app.user} is left out (chpst -u needs root and that user)\n`,
    );
  }
  const run = startViaRunit(app, prepared.value, {
    timeoutSeconds: timeout.value,
    ...(flags.color !== undefined && { color: flags.color }),
    timestamps: flags.timestamp,
    shellEnv: io.env,
  });
  return run.done;
}
