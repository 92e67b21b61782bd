// Runs one runsvdir over a private service directory and stops it as `parity start` stops its
// processes: the first stop is runsvdir's HUP (each runsv runs the service's control/t: the stop
// signal, SIGKILL after the stop timeout); a second one, or a deadline, SIGKILLs what is left.
import type { ChildProcess, SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";
import type { ProcessTable } from "../supervisor/process-table.js";
import type { Timers } from "../supervisor/settler.js";

/** How long after the SIGKILL deadline parity gives up waiting for processes to go. */
const GIVE_UP_MS = 10_000;

/** Why the run stops. */
export type ViaStopReason =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "request" }
  | { kind: "output-closed" }
  | { kind: "runsvdir-exit"; code: number | null; signal: NodeJS.Signals | null };

/** What the console says about the run. */
export type ViaEvent =
  | { type: "started"; pid: number | undefined }
  | { type: "stopping"; reason: ViaStopReason }
  | { type: "kill"; pids: number[]; forced: boolean; afterMs: number };

/** The outside world. */
export interface RunsvdirDeps {
  spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  readTable: () => ProcessTable;
  timers: Timers;
  now: () => number;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  report: (event: ViaEvent) => void;
  /** runsvdir's and runsv's own messages (their stderr). */
  attachMessages: (stream: Readable) => void;
  /** Tells the watchdog about runsvdir's process group. */
  watchGroup: (pgid: number) => void;
  /** Asks each runsv to stop its service and exit (`sv exit`), when runsvdir is gone. */
  exitServices: () => void;
}

/** How the run is set up. */
export interface RunsvdirOptions {
  serviceDir: string;
  /** runsvdir's whole environment (every service inherits it); must hold the marker. */
  env: NodeJS.ProcessEnv;
  /** Selects this run's processes in the process table. */
  isOurs: (table: ProcessTable) => number[];
  /** The longest stop timeout of any service; SIGKILL follows it plus `graceMs`. */
  stopTimeoutMs: number;
  /** Time for control/t's polling, finish scripts, log/run and runsv to end. Default 3000. */
  graceMs?: number;
  /** How often the process table is read while stopping. Default 50. */
  pollMs?: number;
}

/** A runsvdir run. */
export class RunsvdirRun {
  /** Resolves with the exit status once runsvdir and every process of the run are gone. */
  readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;
  private child: ChildProcess | undefined;
  private exited = false;
  private stopping: { at: number; code: number } | undefined;
  private killed = false;
  private timer: unknown;

  constructor(
    private readonly options: RunsvdirOptions,
    private readonly deps: RunsvdirDeps,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Starts runsvdir in its own session: a Ctrl-C at the terminal reaches parity only. */
  start(): void {
    if (this.stopping) return;
    const child = this.deps.spawn("runsvdir", ["-P", this.options.serviceDir], {
      env: this.options.env,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    if (child.pid !== undefined) this.deps.watchGroup(child.pid);
    if (child.stderr) this.deps.attachMessages(child.stderr);
    child.once("error", () => this.onExit(null, null));
    child.once("exit", (code, signal) => this.onExit(code, signal));
    this.deps.report({ type: "started", pid: child.pid });
  }

  /** Nothing was started (a check failed first): done resolves with `code`. */
  cancel(code: number): void {
    if (this.child || this.stopping) return;
    this.stopping = { at: this.deps.now(), code };
    this.exited = true;
    this.resolveDone(code);
  }

  /** Stops every service gracefully. */
  stop(reason: ViaStopReason): void {
    if (this.stopping) return;
    this.stopping = { at: this.deps.now(), code: reason.kind === "runsvdir-exit" ? 1 : 0 };
    this.deps.report({ type: "stopping", reason });
    if (!this.child) {
      this.exited = true;
      this.resolveDone(this.stopping.code);
      return;
    }
    if (this.exited) this.deps.exitServices();
    else this.signalRunsvdir("SIGHUP");
    this.poll();
  }

  /** Kills everything at once (a second signal); the status is 128 + its number. */
  kill(signal: NodeJS.Signals, signalNumber: number): void {
    if (!this.stopping) this.stop({ kind: "signal", signal });
    if (!this.stopping) return;
    this.stopping.code = 128 + signalNumber;
    this.killEverything(true);
    this.poll();
  }

  private signalRunsvdir(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.exited) return;
    try {
      this.deps.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    if (!this.stopping) this.stop({ kind: "runsvdir-exit", code, signal });
    else this.poll();
  }

  /** runsvdir and the run's processes, plus every descendant of them (a server may rewrite its environment). */
  private findLeft(table: ProcessTable): number[] {
    const left = new Set(this.options.isOurs(table));
    const pid = this.child?.pid;
    if (pid !== undefined && !this.exited) left.add(pid);
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of table) {
        if (left.has(p.ppid) && !left.has(p.pid)) {
          left.add(p.pid);
          grew = true;
        }
      }
    }
    return [...left];
  }

  private killEverything(forced: boolean): void {
    if (!this.stopping) return;
    const left = this.findLeft(this.deps.readTable());
    if (left.length > 0) {
      this.deps.report({
        type: "kill",
        pids: left,
        forced,
        afterMs: this.deps.now() - this.stopping.at,
      });
    }
    this.signalRunsvdir("SIGKILL");
    for (const pid of left) {
      if (pid === this.child?.pid) continue;
      try {
        this.deps.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  private poll(): void {
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const stopping = this.stopping;
    if (!stopping) return;
    const left = this.exited ? this.findLeft(this.deps.readTable()) : [undefined];
    if (left.length === 0) {
      this.resolveDone(stopping.code);
      return;
    }
    const deadline = stopping.at + this.options.stopTimeoutMs + (this.options.graceMs ?? 3000);
    // A process stuck in the kernel ignores even SIGKILL: parity does not wait for it forever.
    if (this.deps.now() >= deadline + GIVE_UP_MS) {
      this.resolveDone(stopping.code === 0 ? 1 : stopping.code);
      return;
    }
    if (!this.killed && this.deps.now() >= deadline) {
      this.killed = true;
      if (stopping.code === 0) stopping.code = 1;
      this.killEverything(false);
    }
    this.timer = this.deps.timers.setTimeout(() => this.poll(), this.options.pollMs ?? 50);
  }
}
