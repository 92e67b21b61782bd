// Stopping runs: one run (its stop signal, SIGKILL after its timeout, orphans by marker), every
// run in reverse dependency order, or all at once with SIGKILL; and parity's exit code after.
import type { ProcessSettings } from "../types.js";
import { signalNumber, toExitCode } from "./child.js";
import { findStoppable } from "./dependency-order.js";
import type { StopReason, SupervisorEvent } from "./events.js";
import type { InstanceRunner, RunHandle } from "./instance-runner.js";
import type { ProcessTable } from "./process-table.js";
import type { Settler, Timers } from "./settler.js";
import type { Slots } from "./slots.js";
import type { Watchdog } from "./watchdog.js";

/** What stopping needs of the supervisor and of the outside world. */
export interface StopSequenceDeps {
  slots: Pick<Slots, "all" | "typeNames" | "ofType">;
  /** Per process type (the dependencies decide the order of the waves). */
  settings: Map<string, ProcessSettings>;
  settingsOf: (type: string) => ProcessSettings;
  /** Milliseconds between the stop signal and SIGKILL, unless a process type sets its own. */
  timeoutMs: number;
  readTable: () => ProcessTable;
  settler: Pick<Settler, "poll" | "waitFor">;
  timers: Timers;
  watchdog: Pick<Watchdog, "forgetGroup">;
  report: (event: SupervisorEvent) => void;
  /** True once the supervisor stops everything. */
  isStopping: () => boolean;
}

/** Stops runs, one or all, and remembers what the exit code needs (forced, killed). */
export class StopSequence {
  /** The signal that asked to kill everything at once (a second Ctrl-C). */
  forcedBy: NodeJS.Signals | undefined;
  private killedAfterTimeout = false;

  constructor(private readonly deps: StopSequenceDeps) {}

  // Stops one run (default: the slot's current one) and resolves when nothing of it is left.
  async stopRun(r: InstanceRunner, run: RunHandle | undefined = r.run): Promise<void> {
    if (!run) return;
    if (run === r.run) r.stopRequested = true;
    const settings = this.deps.settingsOf(r.instance.type);
    const table = this.deps.readTable();
    if (this.forcedBy) r.signal(table, "SIGKILL", run);
    else r.signalStop(table, settings.stopSignal, run);
    const timeoutMs = settings.stopTimeoutMs ?? this.deps.timeoutMs;
    const timer = this.deps.timers.setTimeout(
      () => this.killRun(r, run, false, timeoutMs),
      timeoutMs,
    );
    await this.deps.settler.waitFor((t) => {
      // processes orphaned since the first signal (their parent stopped) get it now
      if (!this.forcedBy) r.signalStop(t, settings.stopSignal, run);
      return run.status !== undefined && r.findProcesses(t, run).length === 0;
    });
    this.deps.timers.clearTimeout(timer);
    if (run.pid !== undefined) this.deps.watchdog.forgetGroup(run.pid);
  }

  /** Kills every run at once with SIGKILL (once): `signal` asked for it. */
  killAll(signal: NodeJS.Signals): void {
    this.forcedBy = signal;
    for (const r of this.deps.slots.all) this.killRun(r, r.run, true);
  }

  private killRun(
    r: InstanceRunner,
    run: RunHandle | undefined,
    forced: boolean,
    afterMs = 0,
  ): void {
    if (!run) return;
    const pids = r.signal(this.deps.readTable(), "SIGKILL", run);
    if (pids.length > 0) {
      if (!forced && this.deps.isStopping()) this.killedAfterTimeout = true;
      this.deps.report({ type: "kill", instance: r.instance, pids, forced, afterMs });
    }
    this.deps.settler.poll();
  }

  // Stops the process types in waves: a type stops once nothing still running depends on it.
  async stopInOrder(): Promise<void> {
    const remaining = new Set(this.deps.slots.typeNames());
    while (remaining.size > 0) {
      const wave = findStoppable(remaining, this.deps.settings);
      const types = wave.length > 0 ? wave : [...remaining];
      await Promise.all(
        types.flatMap((t) => this.deps.slots.ofType(t).map((r) => this.stopRun(r))),
      );
      for (const t of types) remaining.delete(t);
    }
  }

  /** Parity's exit code after stopping for `reason`. */
  exitCode(reason: StopReason | undefined): number {
    let code = 0;
    if (reason?.kind === "exit") code = toExitCode(reason.status);
    if (reason?.kind === "not-ready") code = 1;
    if (reason?.kind === "finished" && this.deps.slots.all.some((r) => r.state === "failed"))
      code = 1;
    if (code === 0 && this.forcedBy) code = 128 + signalNumber(this.forcedBy);
    if (code === 0 && this.killedAfterTimeout) code = 1;
    return code;
  }
}
