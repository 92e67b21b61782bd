// The flags every command shares for finding the app (-f -d -e -E --manifest), and loading it with them.
import type { Command } from "commander";
import { formatProblem } from "../app/format-problem.js";
import { type LoadOptions, loadApp } from "../app/load.js";
import { parseEnvFileList } from "../app/options.js";
import type { App, Problem } from "../types.js";
import type { Io } from "./io.js";

/** The shared flags as commander parses them. */
export interface AppFlags {
  procfile?: string;
  root?: string;
  env?: string;
  environment?: string;
  manifest?: string;
  formation?: string;
  port?: string;
}

/** Adds -f, -d, -e, -E and --manifest to `command` (-E's default named in the help). */
export function addAppOptions(command: Command, defaultEnvironment = "development"): Command {
  return command
    .option(
      "-f, --procfile <file>",
      "the Procfile (default: the manifest's procfile, else ROOT/Procfile or ./Procfile)",
    )
    .option(
      "-d, --root <dir>",
      "the app root, where commands run (default: the Procfile's directory)",
    )
    .option(
      "-e, --env <files>",
      "comma-separated env files, replacing the manifest's or the default list",
    )
    .option(
      "-E, --environment <name>",
      `environment: its manifest settings and .env.NAME files (default: $PARITY_ENV or ${defaultEnvironment})`,
    )
    .option("--manifest <file>", "the manifest (default: parity.yml in the root, if any)");
}

/** Maps the flags onto the loader's options. */
export function toLoadOptions(flags: AppFlags, io: Io, processes?: string[]): LoadOptions {
  const options: LoadOptions = {};
  if (flags.procfile !== undefined) options.procfile = flags.procfile;
  if (flags.root !== undefined) options.root = flags.root;
  if (flags.env !== undefined) options.envFiles = parseEnvFileList(flags.env, io.cwd);
  if (flags.environment !== undefined) options.environment = flags.environment;
  if (flags.manifest !== undefined) options.manifest = flags.manifest;
  if (flags.formation !== undefined) options.formation = flags.formation;
  if (flags.port !== undefined) options.port = flags.port;
  if (processes && processes.length > 0) options.processes = processes;
  return options;
}

/** Prints problems to stderr, one line each. */
export function printProblems(problems: Problem[], io: Io): void {
  for (const p of problems) io.stderr(`${formatProblem(p, io.cwd)}\n`);
}

/**
 * Loads the app and prints its warnings; on errors (its own, or `flagProblems` found by the
 * caller) prints every problem and returns undefined.
 */
export async function loadAppOrReport(
  flags: AppFlags,
  io: Io,
  processes?: string[],
  flagProblems: Problem[] = [],
  extra: Partial<LoadOptions> = {},
): Promise<App | undefined> {
  const options = { ...toLoadOptions(flags, io, processes), ...extra };
  const result = await loadApp(options, { cwd: io.cwd, env: io.env });
  const problems = result.ok ? result.warnings : result.problems;
  printProblems([...flagProblems, ...problems], io);
  return result.ok && flagProblems.length === 0 ? result.value : undefined;
}

/**
 * The world an export (and --via) loads the app in: production has no developer shell, so the
 * processes get the env files' values; PARITY_ENV still picks the environment.
 */
export function withoutShell(io: Io): Io {
  return { ...io, env: io.env.PARITY_ENV === undefined ? {} : { PARITY_ENV: io.env.PARITY_ENV } };
}

/** The error of a formation that starts nothing (naming the environment when given). */
export function emptyFormationProblem(environment?: string): Problem {
  return {
    severity: "error",
    flag: "-m/--formation",
    message: `the formation ${environment === undefined ? "" : `of ${environment} `}starts no process (every count is 0)`,
    fix: "give at least one process type a count above 0, such as -m web=1",
  };
}

/** Ends `text` with exactly one newline. */
export function endLine(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
