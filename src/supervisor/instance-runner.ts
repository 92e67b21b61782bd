// One instance slot (web.1) across its runs: spawn, exit, signals to its whole process tree.
import type { Readable } from "node:stream";
import type { Instance } from "../types.js";
import { type ExitStatus, type SpawnFn, spawnChild } from "./child.js";
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

/** Where a slot is in its life. */
export type RunnerState = "idle" | "running" | "backoff" | "exited" | "failed" | "stopped";

/** One run (incarnation) of a slot. */
export interface RunHandle {
  pid: number | undefined;
  marker: string;
  startedAt: number;
  status: ExitStatus | undefined;
  output: Readable;
  /** Every process seen in its tree when it was signalled. */
  known: KnownProcesses;
  /** Processes already sent the stop signal (by pid): each gets it once. */
  stopSignalled: Set<number>;
}

/** The world a runner needs. */
export interface RunnerDeps {
  spawn: SpawnFn;
  now: () => number;
}

/** A slot: the current run, and what the supervisor has decided about it. */
export class InstanceRunner {
  state: RunnerState = "idle";
  /** Passed its readiness probe (or has none) since its current run started. */
  ready = false;
  /** Runs started after the first (by the restart policy, watch or by hand). */
  restarts = 0;
  /** Counts the decisions taken about this slot: work started for an older one is dropped. */
  generation = 0;
  /** Taken out of the run (scaled away). */
  removed = false;
  /** The pending restart after a backoff. */
  backoffTimer: unknown;
  /** Cancels the current run's readiness probe. */
  probeAbort: AbortController | undefined;
  /** Resolves when the current run passed its probe (true), or will not (false). */
  readyWait: Promise<boolean> | undefined;
  run: RunHandle | undefined;
  /** Set while the supervisor stops this slot on purpose: its exit is not a crash. */
  stopRequested = false;
  private runs = 0;
  private lineListeners = new Set<(line: string) => void>();
  /** The output tap of the current run while there are line listeners. */
  private tap: { stream: Readable; onData: (chunk: Buffer) => void } | undefined;

  constructor(
    readonly instance: Instance,
    private readonly runId: string,
    private readonly deps: RunnerDeps,
  ) {}

  /** Starts a new run with `env` in `cwd`; `onExit` is called with its status. */
  spawn(
    cwd: string,
    env: NodeJS.ProcessEnv,
    onExit: (status: ExitStatus, run: RunHandle) => void,
  ): RunHandle {
    if (this.runs > 0) this.restarts++;
    this.runs++;
    this.ready = false;
    const marker = `${this.runId}/${this.instance.name}/${this.runs}`;
    const child = spawnChild(this.deps.spawn, this.instance, cwd, {
      ...env,
      PORT: String(this.instance.port),
      PS: this.instance.name,
      [MARKER_VAR]: marker,
    });
    const run: RunHandle = {
      pid: child.pid,
      marker,
      startedAt: this.deps.now(),
      status: undefined,
      output: child.output,
      known: new Map(),
      stopSignalled: new Set(),
    };
    this.run = run;
    this.state = "running";
    this.stopRequested = false;
    this.untap();
    if (this.lineListeners.size > 0) this.tapLines(run.output);
    void child.exited.then((status) => {
      run.status = status;
      onExit(status, run);
    });
    return run;
  }

  /** True when the current run's process has exited (or there is no run). */
  get exited(): boolean {
    return this.run === undefined || this.run.status !== undefined;
  }

  /** The run's processes: its tree while it runs, its marked processes, and the ones seen before. */
  findProcesses(table: ProcessTable, run: RunHandle | undefined = this.run): number[] {
    if (!run) return [];
    // Once its shell has exited, the run's pid may be reused, but not its process group id while
    // the group has members: they are still found by the group.
    const running = run.status === undefined;
    const pids = findTree(table, running ? run.pid : undefined, run.marker, run.pid);
    for (const pid of findKnownAlive(run.known, table)) if (!pids.includes(pid)) pids.push(pid);
    return pids;
  }

  /** Sends `signal` once to every process of the run; returns the pids found. */
  signal(
    table: ProcessTable,
    signal: NodeJS.Signals,
    run: RunHandle | undefined = this.run,
  ): number[] {
    if (!run) return [];
    const running = run.status === undefined;
    const grouped = running && run.pid !== undefined && signalGroup(run.pid, signal);
    const pids = this.findProcesses(table, run);
    rememberProcesses(run.known, table, pids);
    // Members of the signalled group already got it: a second copy would run their trap twice.
    const inGroup = new Set(
      grouped ? table.filter((p) => p.pgid === run.pid).map((p) => p.pid) : [],
    );
    signalEach(
      pids.filter((pid) => !inGroup.has(pid)),
      signal,
    );
    return pids;
  }

  /**
   * Sends the stop signal the way a process tree expects it: to the run's process group, and to
   * each of its processes that has no parent in the tree any more (it left the group and its
   * parent is gone: nobody else will stop it). A process whose parent still runs is left to that
   * parent (a database server shuts its own workers down). Called again while the run stops, it
   * signals the processes orphaned since, each once.
   */
  signalStop(
    table: ProcessTable,
    signal: NodeJS.Signals,
    run: RunHandle | undefined = this.run,
  ): void {
    if (!run) return;
    const pids = this.findProcesses(table, run);
    rememberProcesses(run.known, table, pids);
    if (run.status === undefined && run.pid !== undefined && !run.stopSignalled.has(run.pid)) {
      if (signalGroup(run.pid, signal)) {
        for (const p of table) if (p.pgid === run.pid) run.stopSignalled.add(p.pid);
      }
    }
    if (pids.length === 0) return;
    const inTree = new Set(pids);
    const byPid = new Map(table.map((p) => [p.pid, p]));
    const orphans = pids.filter((pid) => {
      if (run.stopSignalled.has(pid)) return false;
      const parent = byPid.get(pid)?.ppid;
      return parent === undefined || !inTree.has(parent);
    });
    for (const pid of orphans) run.stopSignalled.add(pid);
    signalEach(orphans, signal);
  }

  /** Subscribes to the slot's output lines (across runs); returns the unsubscribe function. */
  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    if (!this.tap && this.run && this.run.status === undefined) this.tapLines(this.run.output);
    return () => {
      this.lineListeners.delete(listener);
      if (this.lineListeners.size === 0) this.untap();
    };
  }

  // Splits a run's output into lines for the line listeners (a log readiness probe). Each run
  // has its own tap: an unfinished last line of one run is never joined to the next run's.
  private tapLines(stream: Readable): void {
    let partial = "";
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = (lines.pop() ?? "").slice(-65536);
      for (const line of lines) {
        const text = line.endsWith("\r") ? line.slice(0, -1) : line;
        for (const l of [...this.lineListeners]) l(text);
      }
    };
    stream.on("data", onData);
    this.tap = { stream, onData };
  }

  private untap(): void {
    if (this.tap) this.tap.stream.off("data", this.tap.onData);
    this.tap = undefined;
  }
}
