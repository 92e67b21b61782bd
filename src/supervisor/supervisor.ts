// Runs an app's instances: starts them in dependency order, spawns and probes each run, and
// hands exits to restart-on-exit.ts, stopping to stop-sequence.ts, the control operations to
// control-operations.ts.
import type { Readable } from "node:stream";
import { getDefaultSettings } from "../app/defaults.js";
import type { Instance, ProcessSettings, ProcessType } from "../types.js";
import type { ExitStatus, SpawnFn } from "./child.js";
import { ControlOperations } from "./control-operations.js";
import { findStartable } from "./dependency-order.js";
import type { StopReason, SupervisorEvent } from "./events.js";
import { InstanceRunner, type RunHandle } from "./instance-runner.js";
import { OutputDrain } from "./output-drain.js";
import { MARKER_VAR, type ProcessTable } from "./process-table.js";
import { waitUntilReady } from "./readiness.js";
import { RestartOnExit } from "./restart-on-exit.js";
import { Settler, type Timers } from "./settler.js";
import { type SlotInfo, Slots } from "./slots.js";
import { StopSequence } from "./stop-sequence.js";
import type { Watchdog } from "./watchdog.js";

export type { Timers as SupervisorTimers } from "./settler.js";
export type { StopReason, SupervisorEvent };

/** The outside world the supervisor needs. */
export interface SupervisorDeps {
  spawn: SpawnFn;
  readTable: () => ProcessTable;
  timers: Timers;
  now: () => number;
  random?: () => number;
  watchdog: Pick<Watchdog, "watchGroup" | "forgetGroup">;
  /** Relays an instance's output; resolves when the stream has ended and every line is written. */
  attachOutput: (instance: Instance, stream: Readable) => Promise<void>;
  /** True while parity's stdout is full (a paused reader): output is late, not stuck. */
  isOutputBlocked: () => boolean;
  report: (event: SupervisorEvent) => void;
}

export type { SlotInfo } from "./slots.js";

/** What to run and how. */
export interface SupervisorOptions {
  instances: Instance[];
  /** Every type of the Procfile (instances can be added later: scale, start NAME). */
  types?: ProcessType[];
  /** The formation's base port: PORT of a new instance n of a type = base + 100 × index + n − 1. */
  basePort?: number;
  /** Per process type; a type without an entry gets the defaults. */
  settings: Map<string, ProcessSettings>;
  cwd: string;
  /** Environment shared by every instance; PORT, PS and the run marker are added per instance. */
  env: NodeJS.ProcessEnv;
  runId: string;
  /** Milliseconds between the stop signal and SIGKILL, unless a process type sets its own. */
  timeoutMs: number;
}

/** How long an exit waits for the process's output to end before it is reported. */
const EXIT_REPORT_GRACE_MS = 100;

// A type without settings (a library caller's app) gets the defaults.
const FALLBACK_SETTINGS: ProcessSettings = getDefaultSettings();

/** A running app. */
export class Supervisor {
  private readonly slots: Slots;
  private readonly waitingTypes: Set<string>;
  private readonly readyTypes = new Set<string>();
  /** Aborted by stop(); made for the first readiness probe (aborting one costs ≈ 0.2 ms on the stop path). */
  private stopAbort: AbortController | undefined;
  private readonly settler: Settler;
  private readonly stops: StopSequence;
  private readonly drain: OutputDrain;
  private readonly control: ControlOperations;
  private readonly restarts: RestartOnExit;
  private cachedTable: ProcessTable | undefined;
  /** Keeps the event loop alive while the supervisor runs, even with every process stopped. */
  private keepAlive: unknown;
  private reason: StopReason | undefined;
  private finished = false;
  private resolveDone!: (code: number) => void;
  /** Resolves with parity's exit code once everything has stopped and all output is written. */
  readonly done: Promise<number> = new Promise((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    private readonly options: SupervisorOptions,
    private readonly deps: SupervisorDeps,
  ) {
    this.slots = new Slots(
      (instance) =>
        new InstanceRunner(instance, options.runId, { spawn: deps.spawn, now: deps.now }),
      options.types,
      options.basePort,
    );
    for (const instance of options.instances) this.slots.add(instance);
    this.waitingTypes = new Set(this.slots.typeNames());
    this.settler = new Settler(() => this.readTable(), deps.timers);
    this.stops = new StopSequence({
      slots: this.slots,
      settings: options.settings,
      settingsOf: (type) => this.settingsOf(type),
      timeoutMs: options.timeoutMs,
      readTable: () => this.readTable(),
      settler: this.settler,
      timers: deps.timers,
      watchdog: deps.watchdog,
      report: (event) => deps.report(event),
      isStopping: () => this.stopping,
    });
    this.drain = new OutputDrain(deps.timers, () => deps.isOutputBlocked());
    this.restarts = new RestartOnExit({
      slots: this.slots,
      settingsOf: (type) => this.settingsOf(type),
      stops: this.stops,
      timers: deps.timers,
      now: () => deps.now(),
      random: deps.random,
      report: (event) => deps.report(event),
      isStopping: () => this.stopping,
      decide: (r) => this.decide(r),
      spawnRun: (r) => this.spawnRun(r),
      stop: (reason) => this.stop(reason),
    });
    this.control = new ControlOperations({
      slots: this.slots,
      settings: options.settings,
      settingsOf: (type) => this.settingsOf(type),
      stops: this.stops,
      isStopping: () => this.stopping,
      decide: (r) => this.decide(r),
      forgetRestarts: (r) => this.restarts.forget(r),
      spawnRun: (r) => this.spawnRun(r),
      startReadyTypes: () => this.startReadyTypes(),
    });
  }

  /** True once a stop was requested. */
  get stopping(): boolean {
    return this.reason !== undefined;
  }

  /** Starts every process type whose dependencies are ready; the others when theirs become ready. */
  start(): void {
    const stayAlive = () => {
      this.keepAlive = this.deps.timers.setTimeout(stayAlive, 2 ** 31 - 1);
    };
    stayAlive();
    if (this.slots.all.length === 0) {
      this.stop({ kind: "request" });
      return;
    }
    const running = new Set(this.slots.typeNames());
    for (const type of this.waitingTypes) {
      const on = this.settingsOf(type)
        .dependsOn.map((d) => d.name)
        .filter((d) => running.has(d));
      if (on.length > 0) this.deps.report({ type: "waiting", processType: type, on });
    }
    this.startReadyTypes();
  }

  /** Gives up before anything was started: done resolves with `exitCode`, nothing is reported. */
  cancel(exitCode: number): void {
    if (this.slots.all.some((r) => r.run !== undefined) || this.finished) return;
    this.finished = true;
    this.reason = { kind: "request" };
    this.resolveDone(exitCode);
  }

  /** Stops everything: dependents first, each with its stop signal, SIGKILL after its timeout. */
  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.stopAbort?.abort();
    for (const r of this.slots.all) this.cancelSlot(r);
    const signals = new Set(this.slots.all.map((r) => this.settingsOf(r.instance.type).stopSignal));
    const signal =
      signals.size <= 1 ? ([...signals][0] ?? FALLBACK_SETTINGS.stopSignal) : undefined;
    this.deps.report({ type: "stopping", reason, signal });
    void this.stops.stopInOrder().then(() => this.finish());
  }

  /** Kills everything at once with SIGKILL (a second Ctrl-C). */
  kill(signal: NodeJS.Signals): void {
    if (!this.reason) this.stop({ kind: "signal", signal });
    if (this.stops.forcedBy || this.finished) return;
    this.stops.killAll(signal);
  }

  /** Every slot, in Procfile order then instance number. */
  list(): SlotInfo[] {
    return this.slots.describe(this.deps.now());
  }

  /** Stops the named slots (they stay stopped until started again); the others are untouched. */
  stopInstances(names: string[]): Promise<void> {
    return this.control.stopInstances(names);
  }

  /** Restarts exactly the named slots (a stopped or failed one starts again). */
  restartInstances(names: string[]): Promise<void> {
    return this.control.restartInstances(names);
  }

  /** Starts the named slots that are not running; `web.3` or `worker` adds a slot if there is none. */
  startInstances(names: string[]): void {
    this.control.startInstances(names);
  }

  /** Runs `count` instances of `type`: starts the missing ones, stops and removes those above. */
  scale(type: string, count: number): Promise<void> {
    return this.control.scale(type, count);
  }

  /** Restarts `types` and the dependents that asked for it, dependencies first. */
  restartTypes(types: string[]): Promise<void> {
    return this.control.restartTypes(types);
  }

  // A new decision about a slot: cancels its pending backoff and probe; returns its generation.
  private decide(r: InstanceRunner): number {
    this.cancelSlot(r);
    r.generation++;
    return r.generation;
  }

  private cancelSlot(r: InstanceRunner): void {
    if (r.backoffTimer !== undefined) this.deps.timers.clearTimeout(r.backoffTimer);
    r.backoffTimer = undefined;
    r.probeAbort?.abort();
    r.probeAbort = undefined;
  }

  // The signal stop() aborts (already aborted once stopping).
  private stopSignal(): AbortSignal {
    this.stopAbort ??= new AbortController();
    if (this.stopping) this.stopAbort.abort();
    return this.stopAbort.signal;
  }

  private settingsOf(type: string): ProcessSettings {
    return this.options.settings.get(type) ?? FALLBACK_SETTINGS;
  }

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

  // Types with an instance that runs or will: a dependency on any other type counts as met.
  private runningTypes(): Set<string> {
    return new Set(this.slots.all.filter((r) => r.state !== "stopped").map((r) => r.instance.type));
  }

  private startReadyTypes(): void {
    const running = this.runningTypes();
    const startable = findStartable(
      this.waitingTypes,
      this.options.settings,
      running,
      this.readyTypes,
    );
    // Taken off the waiting list first: starting one can start others (markReady) meanwhile.
    for (const type of startable) this.waitingTypes.delete(type);
    for (const type of startable) {
      if (this.stopping) return;
      this.startType(type);
    }
  }

  private startType(type: string): void {
    const runners = this.slots.ofType(type).filter((r) => r.state === "idle");
    for (const r of runners) this.spawnRun(r);
    void Promise.all(runners.map((r) => r.readyWait ?? true)).then((ready) => {
      if (ready.every(Boolean) && !this.stopping) this.markReady(type);
    });
  }

  // Probes a new run until it is ready. Failing at the first start of its type stops the run
  // (SPEC: a probe that does not pass in time is an error); later (a restart), it is reported.
  private async probeRun(r: InstanceRunner, abort: AbortController): Promise<boolean> {
    const probe = this.settingsOf(r.instance.type).ready;
    if (!probe) return true;
    const result = await waitUntilReady(
      probe,
      {
        port: r.instance.port,
        cwd: this.options.cwd,
        env: {
          ...this.options.env,
          PORT: String(r.instance.port),
          PS: r.instance.name,
          // the probe's processes are the run's too: the watchdog finds them by this marker
          [MARKER_VAR]: `${this.options.runId}/probe/${r.instance.name}`,
        },
        onLine: (listener) => r.onLine(listener),
      },
      AbortSignal.any([this.stopSignal(), abort.signal]),
      this.deps.now,
    );
    if (result.ready) {
      r.ready = true;
      this.deps.report({ type: "ready", instance: r.instance, elapsedMs: result.elapsedMs });
    } else if (result.reason !== "stopped" && !this.stopping && !abort.signal.aborted) {
      if (this.readyTypes.has(r.instance.type)) {
        this.deps.report({ type: "unready", instance: r.instance, reason: result.reason });
      } else this.stop({ kind: "not-ready", instance: r.instance.name, reason: result.reason });
    }
    return result.ready;
  }

  private markReady(type: string): void {
    this.readyTypes.add(type);
    this.startReadyTypes();
  }

  private spawnRun(r: InstanceRunner): void {
    let output: Promise<void> = Promise.resolve();
    const run = r.spawn(this.options.cwd, this.options.env, (status, exited) => {
      // Report the exit after the process's last output (or a moment later, if a descendant
      // keeps the pipe open), so that the exit line follows what it wrote.
      let timer: unknown;
      const grace = new Promise<void>((resolve) => {
        timer = this.deps.timers.setTimeout(resolve, EXIT_REPORT_GRACE_MS);
      });
      void Promise.race([output, grace]).then(() => {
        this.deps.timers.clearTimeout(timer);
        this.onExit(r, status, exited);
      });
    });
    if (run.pid !== undefined) this.deps.watchdog.watchGroup(run.pid);
    this.cancelSlot(r);
    if (this.settingsOf(r.instance.type).ready) {
      const abort = new AbortController();
      r.probeAbort = abort;
      r.readyWait = this.probeRun(r, abort);
    } else {
      r.ready = true;
      r.readyWait = undefined;
    }
    this.deps.report({ type: "start", instance: r.instance, pid: run.pid });
    output = this.drain.track(run.output, () => this.deps.attachOutput(r.instance, run.output));
  }

  private onExit(r: InstanceRunner, status: ExitStatus, run: RunHandle): void {
    this.deps.report({ type: "exit", instance: r.instance, status, stopping: this.stopping });
    this.settler.poll();
    if (r.run === run && r.state === "running" && (this.stopping || r.stopRequested)) {
      r.state = "exited";
    }
    if (this.stopping || r.stopRequested || r.run !== run) return;
    this.restarts.afterExit(r, status, run);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.deps.timers.clearTimeout(this.keepAlive);
    await this.drain.drain();
    const exitCode = this.stops.exitCode(this.reason);
    this.deps.report({ type: "done", exitCode });
    this.resolveDone(exitCode);
  }
}
