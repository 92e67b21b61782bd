// What can be done to a running app's slots by name or type (the control socket, watch): stop,
// restart, start, scale; restart types with the dependents that asked for it.
import type { ProcessSettings } from "../types.js";
import { findDependents, orderByDependencies } from "./dependency-order.js";
import type { InstanceRunner } from "./instance-runner.js";
import type { Slots } from "./slots.js";
import type { StopSequence } from "./stop-sequence.js";

/** What the operations need of the supervisor. */
export interface ControlTarget {
  slots: Slots;
  /** Per process type (the dependencies decide the order of a restart). */
  settings: Map<string, ProcessSettings>;
  settingsOf: (type: string) => ProcessSettings;
  stops: Pick<StopSequence, "stopRun">;
  /** True once the supervisor stops everything. */
  isStopping: () => boolean;
  /** A new decision about a slot: cancels its pending backoff and probe; returns its generation. */
  decide: (r: InstanceRunner) => number;
  /** Forgets the slot's restart history (a start or restart by hand counts anew). */
  forgetRestarts: (r: InstanceRunner) => void;
  /** Starts a new run of the slot. */
  spawnRun: (r: InstanceRunner) => void;
  /** Starts the waiting types whose dependencies are now ready (or not running). */
  startReadyTypes: () => void;
}

/** The operations on slots; each refuses once the supervisor is stopping. */
export class ControlOperations {
  constructor(private readonly target: ControlTarget) {}

  /**
   * Restarts every instance of `types` and of their dependents that asked for it
   * (`depends_on: {x: {restart: true}}`), dependencies first: a type is started again once the
   * types it depends on are back and ready. Stopped instances stay stopped.
   */
  async restartTypes(types: string[]): Promise<void> {
    const { slots, settings } = this.target;
    const all = new Set<string>();
    const add = (type: string) => {
      if (all.has(type) || slots.ofType(type).length === 0) return;
      all.add(type);
      for (const d of findDependents(type, slots.typeNames(), settings)) {
        if (this.target.settingsOf(d).dependsOn.some((x) => x.name === type && x.restart)) add(d);
      }
    };
    for (const t of types) add(t);
    for (const type of orderByDependencies(all, settings)) {
      if (this.target.isStopping()) return;
      const runners = slots.ofType(type).filter((r) => r.state !== "stopped");
      await Promise.all(runners.map((r) => this.restartRunner(r)));
      await Promise.all(runners.map((r) => r.readyWait));
    }
  }

  /** Stops the named slots (they stay stopped until started again); the others are untouched. */
  async stopInstances(names: string[]): Promise<void> {
    this.refuseWhileStopping();
    const runners = this.target.slots.named(names);
    for (const r of runners) {
      this.target.decide(r);
      r.state = "stopped";
    }
    await Promise.all(runners.map((r) => this.target.stops.stopRun(r)));
    // what waited for these may start now: a type that does not run counts as ready
    this.target.startReadyTypes();
  }

  /** Restarts exactly the named slots (a stopped or failed one starts again). */
  async restartInstances(names: string[]): Promise<void> {
    this.refuseWhileStopping();
    await Promise.all(this.target.slots.named(names).map((r) => this.restartRunner(r)));
  }

  /** Starts the named slots that are not running; `web.3` or `worker` adds a slot if there is none. */
  startInstances(names: string[]): void {
    this.refuseWhileStopping();
    const { slots } = this.target;
    // every name is checked before any slot is created or started
    const wanted = names.map((name) => {
      const [type = "", n = "1"] = name.split(".");
      if (!slots.find(name)) slots.check(type, Number(n));
      return { name, type, n: Number(n) };
    });
    for (const { name, type, n } of wanted) {
      const slot = slots.find(name) ?? slots.create(type, n);
      if (slot.state === "running" || slot.state === "backoff") continue;
      this.target.decide(slot);
      this.target.forgetRestarts(slot);
      this.target.spawnRun(slot);
    }
  }

  /** Runs `count` instances of `type`: starts the missing ones, stops and removes those above. */
  async scale(type: string, count: number): Promise<void> {
    this.refuseWhileStopping();
    const { slots } = this.target;
    if (count > 0) slots.check(type, count);
    const wanted = Array.from({ length: count }, (_, k) => `${type}.${k + 1}`);
    this.startInstances(wanted.filter((name) => slots.find(name)?.state !== "running"));
    const extra = slots.ofType(type).filter((r) => r.instance.n > count);
    for (const r of extra) {
      this.target.decide(r);
      r.removed = true;
      r.state = "stopped";
    }
    await Promise.all(extra.map((r) => this.target.stops.stopRun(r)));
    for (const r of extra) slots.remove(r);
    this.target.startReadyTypes();
  }

  // Stops the slot's run and starts a new one, unless another decision about the slot (stop,
  // scale away, another restart) came meanwhile.
  private restartRunner(r: InstanceRunner): Promise<void> {
    const generation = this.target.decide(r);
    return (async () => {
      this.target.forgetRestarts(r);
      await this.target.stops.stopRun(r);
      if (this.target.isStopping() || r.generation !== generation || r.removed) return;
      this.target.spawnRun(r);
    })();
  }

  private refuseWhileStopping(): void {
    if (this.target.isStopping())
      throw new Error("parity is stopping: nothing can be started, stopped or restarted now");
  }
}
