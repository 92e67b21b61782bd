// After a run exits on its own, its type's restart policy is applied: a restart after a backoff,
// giving up (failed), done, or stopping everything; the restart history of each slot.
import type { ProcessSettings } from "../types.js";
import type { ExitStatus } from "./child.js";
import type { StopReason, SupervisorEvent } from "./events.js";
import type { InstanceRunner, RunHandle } from "./instance-runner.js";
import { createRestartHistory, decideAfterExit, type RestartHistory } from "./restart-policy.js";
import type { Timers } from "./settler.js";
import type { Slots } from "./slots.js";
import type { StopSequence } from "./stop-sequence.js";

/** What applying the policy needs of the supervisor and of the outside world. */
export interface RestartTarget {
  slots: Pick<Slots, "all">;
  settingsOf: (type: string) => ProcessSettings;
  stops: Pick<StopSequence, "stopRun">;
  timers: Timers;
  now: () => number;
  random: (() => number) | undefined;
  report: (event: SupervisorEvent) => void;
  /** True once the supervisor stops everything. */
  isStopping: () => boolean;
  /** A new decision about a slot: cancels its pending backoff and probe; returns its generation. */
  decide: (r: InstanceRunner) => number;
  /** Starts a new run of the slot. */
  spawnRun: (r: InstanceRunner) => void;
  /** Stops everything. */
  stop: (reason: StopReason) => void;
}

/** Applies the restart policy to exits, remembering each slot's restarts. */
export class RestartOnExit {
  private readonly histories = new Map<InstanceRunner, RestartHistory>();

  constructor(private readonly target: RestartTarget) {}

  /** Forgets the slot's restart history (a start or restart by hand counts anew). */
  forget(r: InstanceRunner): void {
    this.histories.delete(r);
  }

  /** `run`, the slot's current run, exited with `status` without being asked to stop. */
  afterExit(r: InstanceRunner, status: ExitStatus, run: RunHandle): void {
    const settings = this.target.settingsOf(r.instance.type);
    let history = this.histories.get(r);
    if (!history) {
      history = createRestartHistory();
      this.histories.set(r, history);
    }
    const now = this.target.now();
    const decision = decideAfterExit(
      settings.restart,
      status,
      now - run.startedAt,
      now,
      history,
      this.target.random,
    );
    switch (decision.action) {
      case "stop-all":
        this.target.stop({ kind: "exit", instance: r.instance.name, status });
        return;
      case "restart": {
        r.state = "backoff";
        this.target.report({
          type: "restarting",
          instance: r.instance,
          delayMs: decision.delayMs,
          attempt: decision.attempt,
        });
        void this.target.stops.stopRun(r, run);
        const generation = this.target.decide(r);
        r.backoffTimer = this.target.timers.setTimeout(() => {
          r.backoffTimer = undefined;
          if (!this.target.isStopping() && r.state === "backoff" && r.generation === generation) {
            this.target.spawnRun(r);
          }
        }, decision.delayMs);
        return;
      }
      case "failed":
        r.state = "failed";
        this.target.report({
          type: "failed",
          instance: r.instance,
          restarts: decision.restarts,
          windowMs: decision.windowMs,
        });
        break;
      case "done":
        r.state = "exited";
        break;
    }
    void this.target.stops.stopRun(r, run);
    if (this.target.slots.all.every((x) => x.state === "exited" || x.state === "failed"))
      this.target.stop({ kind: "finished" });
  }
}
