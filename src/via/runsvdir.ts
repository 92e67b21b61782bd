// Runs one runsvdir over a private service directory and stops it as `parity start` stops its
// processes: the first stop is runsvdir's HUP (each runsv runs the service's control/t: the stop
// signal, SIGKILL after the stop timeout); a second one, or a deadline, SIGKILLs what is left.
import type { ChildProcess, SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";
import { type ProcessTable, withDescendants } from "../supervisor/process-table.js";
import type { Timers } from "../supervisor/settler.js";

/** Time for control/t's polling, finish scripts and runsv to end, at least (5 % of the stop timeout if longer: control/t's sleeps drift). */
const MIN_GRACE_MS = 3000;
/** After the services were SIGKILLed, time for log/run to pass on the last output and end. */
const RELAY_GRACE_MS = 2000;
/** How long after the last SIGKILL parity gives up waiting for processes to go. */
const GIVE_UP_MS = 10_000;

/** Why the run stops. */
export type ViaStopReason =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "request" }
  | { kind: "output-closed" }
  | { kind: "runsvdir-exit"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "runsvdir-error"; message: string };

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
  /** True while parity's stdout is full: time spent so does not count towards the deadline. */
  isOutputBlocked: () => boolean;
  /** Process groups of the run besides the marker's (a restarted service's old group): found, stopped and killed too. */
  strayGroups: () => Iterable<number>;
  /** Called when the stop begins and at each poll of it: stop what control/t does not reach (the stray groups). */
  stopStrays: () => void;
  /** The log/run relays and their runsv: spared by the deadline's first SIGKILL so the last output gets through. */
  findRelays: (table: ProcessTable) => number[];
}

/** How the run is set up. */
export interface RunsvdirOptions {
  serviceDir: string;
  /** runsvdir's whole environment (every service inherits it); must hold the marker. */
  env: NodeJS.ProcessEnv;
  /** Selects this run's processes in the process table. */
  isOurs: (table: ProcessTable) => number[];
  /** The longest stop timeout of any service; SIGKILL follows it plus a grace. */
  stopTimeoutMs: number;
  /** How often the process table is read while stopping. Default 50. */
  pollMs?: number;
}

interface Stopping {
  /** When the stop began, moved later by the time parity's stdout was blocked. */
  at: number;
  code: number;
  lastPoll: number;
  /** 0: waiting; 1: the services were SIGKILLed; 2: everything was. */
  killed: 0 | 1 | 2;
  killedAt: number;
}

/** A runsvdir run. */
export class RunsvdirRun {
  /** Resolves with the exit status once runsvdir and every process of the run are gone. */
  readonly done: Promise<number>;
  private resolveDone!: (code: number) => void;
  private child: ChildProcess | undefined;
  private exited = false;
  private stopping: Stopping | undefined;
  private timer: unknown;

  constructor(
    private readonly options: RunsvdirOptions,
    private readonly deps: RunsvdirDeps,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** True once a stop (or cancel) began: nothing may be started any more. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Starts runsvdir in its own session: a Ctrl-C at the terminal reaches parity only. */
  start(): void {
    if (this.stopping || this.child) return;
    const child = this.deps.spawn("runsvdir", ["-P", this.options.serviceDir], {
      env: this.options.env,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    if (child.pid !== undefined) this.deps.watchGroup(child.pid);
    if (child.stderr) this.deps.attachMessages(child.stderr);
    child.once("error", (error) => this.onExit({ kind: "runsvdir-error", message: error.message }));
    child.once("exit", (code, signal) => this.onExit({ kind: "runsvdir-exit", code, signal }));
    if (child.pid !== undefined) this.deps.report({ type: "started", pid: child.pid });
  }

  /** Nothing was started (a check failed first): done resolves with `code`. */
  cancel(code: number): void {
    if (this.child || this.stopping) return;
    this.begin(code);
    this.exited = true;
    this.resolveDone(code);
  }

  /** Stops every service gracefully. */
  stop(reason: ViaStopReason): void {
    if (this.stopping) return;
    const unexpected = reason.kind === "runsvdir-exit" || reason.kind === "runsvdir-error";
    this.begin(unexpected ? 1 : 0);
    this.deps.report({ type: "stopping", reason });
    if (!this.child) {
      this.exited = true;
      this.resolveDone(unexpected ? 1 : 0);
      return;
    }
    if (this.exited) this.deps.exitServices();
    else this.signalRunsvdir("SIGHUP");
    this.deps.stopStrays();
    this.poll();
  }

  /** Kills everything at once (a second signal); the status is 128 + its number. */
  kill(signal: NodeJS.Signals, signalNumber: number): void {
    if (!this.stopping) this.stop({ kind: "signal", signal });
    const stopping = this.stopping;
    if (!stopping || !this.child) return;
    stopping.code = 128 + signalNumber;
    this.killAll(true, []);
    stopping.killed = 2;
    stopping.killedAt = this.deps.now();
    this.poll();
  }

  private begin(code: number): void {
    const now = this.deps.now();
    this.stopping = { at: now, code, lastPoll: now, killed: 0, killedAt: now };
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

  private onExit(reason: ViaStopReason): void {
    if (this.exited) return;
    this.exited = true;
    if (!this.stopping) this.stop(reason);
    else this.poll();
  }

  /**
   * runsvdir, the run's processes (the marker), the members of its stray groups, and every
   * descendant of them (a server may rewrite its environment).
   */
  private findLeft(table: ProcessTable): number[] {
    const seeds = this.options.isOurs(table);
    const pid = this.child?.pid;
    if (pid !== undefined && !this.exited) seeds.push(pid);
    const groups = new Set(this.deps.strayGroups());
    for (const p of table) if (groups.has(p.pgid)) seeds.push(p.pid);
    return withDescendants(table, seeds);
  }

  /** SIGKILL what is left, but `spared`; `forced`: a second signal, not the deadline. */
  private killAll(forced: boolean, spared: number[]): void {
    const stopping = this.stopping;
    if (!stopping) return;
    const table = this.deps.readTable();
    const left = this.findLeft(table).filter((pid) => !spared.includes(pid));
    if (left.length > 0) {
      this.deps.report({
        type: "kill",
        pids: left,
        forced,
        afterMs: this.deps.now() - stopping.at,
      });
    }
    if (!spared.includes(this.child?.pid ?? -1)) this.signalRunsvdir("SIGKILL");
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
    const now = this.deps.now();
    // Output that cannot be written is late, not stuck: a blocked stdout stops the clock.
    if (this.deps.isOutputBlocked()) {
      stopping.at += now - stopping.lastPoll;
      if (stopping.killed > 0) stopping.killedAt += now - stopping.lastPoll;
    }
    stopping.lastPoll = now;
    if (stopping.killed === 0) this.deps.stopStrays();
    const table = this.exited ? this.deps.readTable() : undefined;
    const left = table ? this.findLeft(table) : [undefined];
    if (left.length === 0) {
      this.resolveDone(stopping.code);
      return;
    }
    const timeout = this.options.stopTimeoutMs;
    const deadline = stopping.at + timeout + Math.max(MIN_GRACE_MS, timeout * 0.05);
    if (stopping.killed === 0 && now >= deadline) {
      // The services first: their relays then pass on what is still in the pipes, and end.
      stopping.killed = 1;
      stopping.killedAt = now;
      if (stopping.code === 0) stopping.code = 1;
      this.killAll(false, table ? this.deps.findRelays(table) : []);
    } else if (stopping.killed === 1 && now >= stopping.killedAt + RELAY_GRACE_MS) {
      stopping.killed = 2;
      stopping.killedAt = now;
      this.killAll(false, []);
    } else if (stopping.killed === 2 && now >= stopping.killedAt + GIVE_UP_MS) {
      // A process stuck in the kernel ignores even SIGKILL: parity does not wait for it forever.
      this.resolveDone(stopping.code === 0 ? 1 : stopping.code);
      return;
    }
    this.timer = this.deps.timers.setTimeout(() => this.poll(), this.options.pollMs ?? 50);
  }
}
