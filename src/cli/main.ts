// The command line: maps parity's commands and flags onto the library; the only importer of commander
// (through ./commander.js, a lazy bundle: the common forms of `parity start` do without it).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { addCheckCommand } from "./check-command.js";
import { addControlCommands } from "./control-commands.js";
import { addEnvCommand } from "./env-command.js";
import { addExportCommand } from "./export-command.js";
import { EXIT_USAGE, type Io } from "./io.js";
import { addRunCommand } from "./run-command.js";
import { parseStartArgs } from "./start-args.js";
import { addStartCommand, runStart } from "./start-command.js";

type AddCommands = (program: Command, io: Io, setStatus: (code: number) => void) => void;

/** Each function that adds commands, with the names of the commands it adds. */
const COMMANDS: [names: string[], add: AddCommands][] = [
  [["start"], addStartCommand],
  [["run"], addRunCommand],
  [["check"], addCheckCommand],
  [["env"], addEnvCommand],
  [["export"], addExportCommand],
  [["ps", "restart", "stop", "scale", "logs"], addControlCommands],
];

/** Runs parity with `argv` (without node and script); resolves with the exit status. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const start = parseStartArgs(argv);
  if (start) return runStart(start.processes, start.flags, io);
  const { Command, CommanderError } = await import("./commander.js");
  let status = 0;
  const program = new Command("parity")
    .description("Run a Procfile app in development; export it to init systems for production.")
    .version(io.version, "-v, --version")
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // One line per error: commander puts its "(Did you mean …?)" on a line of its own.
      outputError: (s, write) => write(`${s.trim().replaceAll("\n", " ")} (see: parity --help)\n`),
    });
  const setStatus = (code: number) => {
    status = code;
  };
  // Setting up every command costs start-up time: a first word that names a command adds only
  // that one; anything else (help, a flag, a typo to suggest a fix for) gets them all.
  const named = COMMANDS.filter(([names]) => names.includes(argv[0] ?? ""));
  for (const [, add] of named.length > 0 ? named : COMMANDS) add(program, io, setStatus);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw err;
  }
  return status;
}

function defaultIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    version: readVersion(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  };
}

// The bundle has the version built in; the unbundled library reads package.json.
declare const __PARITY_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __PARITY_VERSION__ === "string") return __PARITY_VERSION__;
  try {
    const pkg = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(pkg) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
