// `parity start [PROCESS...]`: foreman's flags onto the library's start.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { parseTimeout } from "../app/options.js";
import { getSocketLocation } from "../control/paths.js";
import {
  type AppFlags,
  addAppOptions,
  emptyFormationProblem,
  loadAppOrReport,
  printProblems,
} from "./app-options.js";
import { ask, findAppRoot } from "./control-commands.js";
import { EXIT_USAGE, type Io } from "./io.js";

/** start's flags as commander parses them (start-args.ts reads the common forms without it). */
export interface StartFlags extends AppFlags {
  timeout?: string;
  color?: boolean;
  timestamp: boolean;
  watch: boolean;
  via?: string;
}

/** Adds the start command. */
export function addStartCommand(program: Command, io: Io, setStatus: (code: number) => void): void {
  const command = program
    .command("start")
    .description("start the app's processes (all, or the ones named) with prefixed output")
    .argument("[process...]", "process types to start (default: all)");
  addAppOptions(command)
    .option(
      "-m, --formation <spec>",
      "instances per type: web=2,worker=1 or all=N (default: the manifest's, else all=1)",
    )
    .option("-p, --port <port>", "base port (default: $PORT, else 5000)")
    .option("-t, --timeout <seconds>", "seconds between the stop signal and SIGKILL", "5")
    .option("-c, --color", "colour the output even when stdout is not a terminal")
    .option("--no-color", "never colour the output")
    .option("--no-timestamp", "do not prefix lines with the time")
    .option("--no-watch", "do not restart processes when their watched files change")
    .option(
      "--via <system>",
      "runit: export the app to a private directory and run it under a local runsvdir (-E defaults to production)",
    )
    .action(async (processes: string[], flags: StartFlags) => {
      setStatus(await runStart(processes, flags, io));
    });
}

/** Runs `parity start` with its parsed arguments; resolves with the exit status. */
export async function runStart(processes: string[], flags: StartFlags, io: Io): Promise<number> {
  // --via serves no control socket and may run beside a parity start of the same app (such as
  // the development servers its env files point at): the port check keeps them apart.
  if (flags.via !== undefined) {
    const { runStartVia } = await import("./start-via.js");
    return runStartVia(processes, { ...flags, via: flags.via }, io);
  }
  const running = await findRunningParity(findAppRoot(flags, io), io);
  if (running) return startInRunning(running, processes, io);
  const timeout = parseTimeout(flags.timeout, "-t/--timeout");
  const app = await loadAppOrReport(flags, io, processes, timeout.ok ? [] : timeout.problems);
  if (!app || !timeout.ok) return EXIT_USAGE;

  if (app.instances.length === 0) {
    printProblems([emptyFormationProblem()], io);
    return EXIT_USAGE;
  }
  const { loadColors } = await import("../output/color-choice.js");
  const colors = await loadColors(flags.color);
  // The port check runs while startRun spawns the watchdog: no process is spawned before it passed.
  const { findBusyPorts } = await import("../supervisor/ports.js");
  const busyPorts = findBusyPorts(app.instances);
  const { startRun } = await import("../start-run.js");
  const run = startRun(
    app,
    {
      timeoutSeconds: timeout.value,
      timestamps: flags.timestamp,
      watch: flags.watch && app.watch,
      shellEnv: io.env,
      control: true,
      gate: busyPorts.then((busy) => busy.length === 0),
    },
    colors,
  );
  const busy = await busyPorts;
  if (busy.length > 0) {
    printProblems(busy, io);
    await run.done;
    return EXIT_USAGE;
  }
  return run.done;
}

// `parity start NAME…` against the running parity starts those; a second full start is refused.
async function startInRunning(
  running: { pid: number; socket: string; root: string },
  processes: string[],
  io: Io,
): Promise<number> {
  if (processes.length > 0) {
    const answer = await ask(running.root, { cmd: "start", names: processes }, io);
    if (!answer) return 1;
    io.stdout(`started: ${(answer.result as string[]).join(", ")}\n`);
    return 0;
  }
  printProblems(
    [
      {
        severity: "error",
        message: `parity is already running for this app (pid ${running.pid}, control socket ${running.socket})`,
        fix: `see it with parity ps; start processes in it with parity start NAME; or stop it (kill ${running.pid}) first`,
      },
    ],
    io,
  );
  return EXIT_USAGE;
}

// The parity already running for the app at `root`, if its control socket answers. Most starts
// find no socket file: one access(2), without loading the client.
async function findRunningParity(
  root: string,
  io: Io,
): Promise<{ pid: number; socket: string; root: string } | undefined> {
  const location = getSocketLocation(root, io.env);
  if (!existsSync(location.path)) return undefined;
  const { sendRequest } = await import("../control/client.js");
  try {
    const answer = await sendRequest(location, { cmd: "hello" });
    if (answer.ok)
      return { pid: (answer.result as { pid: number }).pid, socket: location.path, root };
  } catch {
    // a stale socket from a crashed run: start replaces it
  }
  return undefined;
}
