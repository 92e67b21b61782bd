// Spawns one instance with /bin/sh in its own process group, stdout and stderr merged into one pipe.
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import type { Instance } from "../types.js";
import { buildShellScript } from "./shell-script.js";

/** The spawn function (node's child_process.spawn), passed in. */
export type SpawnFn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

/** How an instance ended: an exit code or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started instance. */
export interface RunningChild {
  readonly pid: number | undefined;
  /** The merged stdout+stderr of the instance. */
  readonly output: Readable;
  /** Resolves when the shell parity started has exited (descendants may still run). */
  readonly exited: Promise<ExitStatus>;
}

/** Starts `instance` in `cwd` with `env`; spawn errors (also thrown ones, such as E2BIG) surface as exit code 127. */
export function spawnChild(
  spawn: SpawnFn,
  instance: Instance,
  cwd: string,
  env: NodeJS.ProcessEnv,
): RunningChild {
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", buildShellScript(instance.command)], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return { pid: undefined, output: endedStream(), exited: Promise.resolve(SPAWN_FAILED) };
  }
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve(SPAWN_FAILED));
  });
  return { pid: child.pid, output: child.stdout ?? endedStream(), exited };
}

const SPAWN_FAILED: ExitStatus = { code: 127, signal: null };

function endedStream(): Readable {
  const stream = new PassThrough();
  stream.end();
  return stream;
}

/** Returns the exit status as a shell would: the code, or 128 + the signal number. */
export function toExitCode(status: ExitStatus): number {
  if (status.code !== null) return status.code;
  if (status.signal) return 128 + signalNumber(status.signal);
  return 1;
}

/** The number of signal `name` here (0 if unknown). */
export function signalNumber(name: NodeJS.Signals): number {
  // node:os only when a signal is named: loading it cost ≈ 0.14 ms of every start
  return process.getBuiltinModule("node:os").constants.signals[name] ?? 0;
}
