// Runs a set of instances: starts them, and stops them all (signal, timeout, SIGKILL) on request.
import { constants } from "node:os";
import type { Readable } from "node:stream";
import type { Instance } from "../types.js";
import { type ExitStatus, type SpawnFn, spawnChild, toExitCode } from "./child.js";
import {
  findKnownAlive,
  findTree,
  type KnownProcesses,
  MARKER_VAR,
  type ProcessTable,
  rememberProcesses,
  signalEach,
  signalGroup,
} from "./process-table.js";
import type { Watchdog } from "./watchdog.js";

/** Why the supervisor is stopping. */
export type StopReason =
  | { kind: "exit"; instance: string; status: ExitStatus }
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "output-closed" }
  | { kind: "request" };

/** Everything the supervisor reports; the output side turns these into `system` lines. */
export type SupervisorEvent =
  | { type: "start"; instance: Instance; pid: number | undefined }
  | { type: "exit"; instance: Instance; status: ExitStatus; stopping: boolean }
  | { type: "stopping"; reason: StopReason; signal: NodeJS.Signals }
  | { type: "kill"; instance: Instance; pids: number[]; forced: boolean }
  | { type: "done"; exitCode: number };

/** Timer functions, passed in. */
export interface SupervisorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The outside world the supervisor needs. */
export interface SupervisorDeps {
  spawn: SpawnFn;
  readTable: () => ProcessTable;
  timers: SupervisorTimers;
  watchdog: Pick<Watchdog, "watchGroup" | "forgetGroup">;
  /** Relays an instance's output; resolves when the stream has ended and every line is written. */
  attachOutput: (instance: Instance, stream: Readable) => Promise<void>;
  /** True while parity's stdout is full (a paused reader): output is late, not stuck. */
  isOutputBlocked: () => boolean;
  report: (event: SupervisorEvent) => void;
}

/** What to run and how to stop it. */
export interface SupervisorOptions {
  instances: Instance[];
  cwd: string;
  /** Environment shared by every instance; PORT, PS and the run marker are added per instance. */
  env: NodeJS.ProcessEnv;
  runId: string;
  /** Milliseconds between the stop signal and SIGKILL. */
  timeoutMs: number;
  stopSignal: NodeJS.Signals;
}

interface State {
  instance: Instance;
  marker: string;
  pid: number | undefined;
  status: ExitStatus | undefined;
  /** Exited, and no process carrying its marker is left. */
  settled: boolean;
  output: Promise<void>;
  stream: Readable | undefined;
  /** Every process seen in its tree when it was signalled: found again even after leaving the tree. */
  known: KnownProcesses;
}

/** How often leftovers are looked for while stopping. */
const POLL_MS = 50;

/** How long an output pipe may stay open after every process is gone. */
const OUTPUT_GRACE_MS = 1000;

/** A running set of instances. */
export class Supervisor {
  private readonly states: State[] = [];
  private reason: StopReason | undefined;
  private killTimer: unknown;
  private cachedTable: ProcessTable | undefined;
  private pollTimer: unknown;
  private killedAfterTimeout = false;
  private forcedBy: NodeJS.Signals | undefined;
  private finished = false;
  private resolveDone!: (code: number) => void;
  /** Resolves with parity's exit code once everything has stopped and all output is written. */
  readonly done: Promise<number> = new Promise((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private readonly options: SupervisorOptions,
    private readonly deps: SupervisorDeps,
  ) {}

  // One snapshot of the process table serves everything done in the same turn of the event loop.
  private readTable(): ProcessTable {
    if (!this.cachedTable) {
      this.cachedTable = this.deps.readTable();
      setImmediate(() => {
        this.cachedTable = undefined;
      });
    }
    return this.cachedTable;
  }

  /** True once a stop was requested. */
  get stopping(): boolean {
    return this.reason !== undefined;
  }

  /** Starts every instance, in order. */
  start(): void {
    for (const instance of this.options.instances) {
      if (this.stopping) break;
      this.startOne(instance);
    }
    if (this.states.length === 0) this.stop({ kind: "request" });
  }

  /** Stops everything: the stop signal now, SIGKILL after the timeout. Later calls are ignored. */
  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    const signal = this.options.stopSignal;
    this.deps.report({ type: "stopping", reason, signal });
    const table = this.readTable();
    for (const s of [...this.states].reverse()) this.signalState(s, table, signal);
    this.killTimer = this.deps.timers.setTimeout(() => this.killAll(false), this.options.timeoutMs);
    this.poll();
  }

  /** Kills everything at once with SIGKILL (a second Ctrl-C). */
  kill(signal: NodeJS.Signals): void {
    if (!this.reason) this.stop({ kind: "signal", signal });
    if (this.forcedBy || this.finished) return;
    this.forcedBy = signal;
    this.killAll(true);
  }

  private startOne(instance: Instance): void {
    const marker = `${this.options.runId}/${instance.name}`;
    const env = {
      ...this.options.env,
      PORT: String(instance.port),
      PS: instance.name,
      [MARKER_VAR]: marker,
    };
    const child = spawnChild(this.deps.spawn, instance, this.options.cwd, env);
    const state: State = {
      instance,
      marker,
      pid: child.pid,
      status: undefined,
      settled: false,
      output: Promise.resolve(),
      stream: child.output,
      known: new Map(),
    };
    this.states.push(state);
    if (child.pid !== undefined) this.deps.watchdog.watchGroup(child.pid);
    this.deps.report({ type: "start", instance, pid: child.pid });
    state.output = this.deps.attachOutput(instance, child.output);
    void state.output.then(() => {
      state.stream = undefined;
    });
    void child.exited.then((status) => this.onExit(state, status));
  }

  private onExit(state: State, status: ExitStatus): void {
    state.status = status;
    this.deps.report({ type: "exit", instance: state.instance, status, stopping: this.stopping });
    if (!this.stopping) this.stop({ kind: "exit", instance: state.instance.name, status });
    else this.poll();
  }

  private signalState(s: State, table: ProcessTable, signal: NodeJS.Signals): number[] {
    const running = s.status === undefined;
    const grouped = running && s.pid !== undefined && signalGroup(s.pid, signal);
    const pids = this.findProcesses(s, table);
    rememberProcesses(s.known, table, pids);
    // Members of the signalled group already got it: a second copy would run their trap twice.
    const inGroup = new Set(grouped ? table.filter((p) => p.pgid === s.pid).map((p) => p.pid) : []);
    signalEach(
      pids.filter((pid) => !inGroup.has(pid)),
      signal,
    );
    return pids;
  }

  // The instance's processes: its tree while its shell runs, its marked processes, and every
  // process seen in its tree before (a child that cleared its environment and left the tree).
  private findProcesses(s: State, table: ProcessTable): number[] {
    const running = s.status === undefined;
    const pids = findTree(table, running ? s.pid : undefined, s.marker);
    for (const pid of findKnownAlive(s.known, table)) if (!pids.includes(pid)) pids.push(pid);
    return pids;
  }

  private killAll(forced: boolean): void {
    if (this.finished) return;
    const table = this.readTable();
    for (const s of this.states) {
      if (s.settled) continue;
      const pids = this.signalState(s, table, "SIGKILL");
      if (pids.length > 0) {
        if (!forced) this.killedAfterTimeout = true;
        this.deps.report({ type: "kill", instance: s.instance, pids, forced });
      }
    }
    this.poll();
  }

  // Marks instances settled once their shell exited and nothing with their marker is left.
  private poll(): void {
    if (this.finished) return;
    if (this.pollTimer !== undefined) this.deps.timers.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    const waiting = this.states.filter((s) => !s.settled);
    if (waiting.some((s) => s.status !== undefined)) {
      const table = this.readTable();
      for (const s of waiting) {
        if (s.status === undefined) continue;
        if (this.findProcesses(s, table).length === 0) {
          s.settled = true;
          if (s.pid !== undefined) this.deps.watchdog.forgetGroup(s.pid);
        }
      }
    }
    if (this.states.every((s) => s.settled)) void this.finish();
    else this.pollTimer = this.deps.timers.setTimeout(() => this.poll(), POLL_MS);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.deps.timers.clearTimeout(this.killTimer);
    await this.drainOutputs();
    const exitCode = this.computeExitCode();
    this.deps.report({ type: "done", exitCode });
    this.resolveDone(exitCode);
  }

  // Waits for every output pipe to reach its end. A pipe still open when every process parity
  // knows of is gone is held by a stranger (a process that left the tree and cleared its
  // environment): it is closed after OUTPUT_GRACE_MS without data, unless stdout is only slow.
  private async drainOutputs(): Promise<void> {
    const all = Promise.all(this.states.map((s) => s.output));
    for (;;) {
      let timer: unknown;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = this.deps.timers.setTimeout(() => resolve(true), OUTPUT_GRACE_MS);
        }),
      ]);
      this.deps.timers.clearTimeout(timer);
      if (!timedOut) return;
      if (this.deps.isOutputBlocked()) continue;
      for (const s of this.states) s.stream?.destroy();
    }
  }

  private computeExitCode(): number {
    const reason = this.reason;
    let code = 0;
    if (reason?.kind === "exit") code = toExitCode(reason.status, constants.signals);
    if (code === 0 && this.forcedBy) code = 128 + (constants.signals[this.forcedBy] ?? 0);
    if (code === 0 && this.killedAfterTimeout) code = 1;
    return code;
  }
}
