// The instance slots of a run (web.1, web.2, worker.1): found by name and type, added and removed.
import type { Instance, ProcessType } from "../types.js";
import type { InstanceRunner } from "./instance-runner.js";

/** Instances of one type at most: each type has a block of 100 ports. */
export const MAX_INSTANCES = 100;

/** One instance slot as `parity ps` shows it. */
export interface SlotInfo {
  name: string;
  type: string;
  pid: number | null;
  state: "waiting" | "running" | "backoff" | "exited" | "failed" | "stopped";
  /** Milliseconds since its current run started (null when not running). */
  uptimeMs: number | null;
  restarts: number;
  port: number;
  ready: boolean;
}

/** Every slot of a run, by type too, in the order they were added. */
export class Slots {
  readonly all: InstanceRunner[] = [];
  private readonly byType = new Map<string, InstanceRunner[]>();

  constructor(
    private readonly make: (instance: Instance) => InstanceRunner,
    private readonly types: ProcessType[] = [],
    private readonly basePort = 5000,
  ) {}

  /** The types that have slots. */
  typeNames(): string[] {
    return [...this.byType.keys()];
  }

  /** The slots of `type` (empty when none). */
  ofType(type: string): InstanceRunner[] {
    return this.byType.get(type) ?? [];
  }

  /** The slot called `name` (`web.2`), if there is one. */
  find(name: string): InstanceRunner | undefined {
    return this.all.find((r) => r.instance.name === name);
  }

  /** The slots called `names` that exist. */
  named(names: string[]): InstanceRunner[] {
    return names.map((n) => this.find(n)).filter((r): r is InstanceRunner => r !== undefined);
  }

  /** Adds a slot for `instance`. */
  add(instance: Instance): InstanceRunner {
    const r = this.make(instance);
    this.all.push(r);
    const list = this.byType.get(instance.type);
    if (list) list.push(r);
    else this.byType.set(instance.type, [r]);
    return r;
  }

  /** Adds slot n of `type` with its formation port (checked with `check` first). */
  create(type: string, n: number): InstanceRunner {
    const processType = this.check(type, n);
    return this.add({
      type,
      n,
      name: `${type}.${n}`,
      port: this.portOf(processType, n),
      command: processType.command,
    });
  }

  /** Throws unless slot n of `type` may exist: a Procfile type, n within its block of ports. */
  check(type: string, n: number): ProcessType {
    const processType = this.types.find((t) => t.name === type);
    if (!processType) throw new Error(`"${type}" is not a process type of the Procfile`);
    if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES) {
      throw new Error(
        `${type} may have 1 to ${MAX_INSTANCES} instances (each type has a block of ${MAX_INSTANCES} ports)`,
      );
    }
    const port = this.portOf(processType, n);
    if (port > 65535) throw new Error(`${type}.${n} would get port ${port}, above 65535`);
    return processType;
  }

  /** Takes a slot out of the run. */
  remove(r: InstanceRunner): void {
    this.all.splice(this.all.indexOf(r), 1);
    const list = this.byType.get(r.instance.type) ?? [];
    list.splice(list.indexOf(r), 1);
    if (list.length === 0) this.byType.delete(r.instance.type);
  }

  /** Every slot as `parity ps` shows it, in Procfile order then instance number. */
  describe(now: number): SlotInfo[] {
    const index = new Map(this.types.map((t) => [t.name, t.index]));
    return [...this.all]
      .sort(
        (a, b) =>
          (index.get(a.instance.type) ?? 0) - (index.get(b.instance.type) ?? 0) ||
          a.instance.n - b.instance.n,
      )
      .map((r) => ({
        name: r.instance.name,
        type: r.instance.type,
        pid: r.state === "running" ? (r.run?.pid ?? null) : null,
        state: r.state === "idle" ? "waiting" : r.state,
        uptimeMs: r.state === "running" && r.run ? now - r.run.startedAt : null,
        restarts: r.restarts,
        port: r.instance.port,
        ready: r.state === "running" && r.ready,
      }));
  }

  private portOf(type: ProcessType, n: number): number {
    return this.basePort + 100 * type.index + n - 1;
  }
}
