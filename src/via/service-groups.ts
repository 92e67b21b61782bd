// The process groups of a runit run's services: every group a service's ./run ever led stays
// known (to the watchdog too) until it is empty, so that what a restarted service left behind
// in its old group is stopped and killed with the rest, as `parity start` does.

/** The outside world. */
export interface GroupDeps {
  watchGroup(pgid: number): void;
  forgetGroup(pgid: number): void;
  /** True while the process group has a member. */
  groupExists(pgid: number): boolean;
  /** True while the process is alive. */
  isAlive(pid: number): boolean;
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
}

/** The groups of the services of type S. */
export class ServiceGroups<S> {
  private readonly groups = new Map<number, S>();
  private readonly current = new Map<S, number>();
  private readonly signalled = new Set<number>();

  constructor(private readonly deps: GroupDeps) {}

  /** The service's ./run now has `pid` (0: none); chpst -P made it its group's leader. */
  update(service: S, pid: number): void {
    if (pid > 0) {
      this.current.set(service, pid);
      if (!this.groups.has(pid)) {
        this.groups.set(pid, service);
        this.deps.watchGroup(pid);
      }
    } else this.current.delete(service);
    this.prune();
  }

  /** Every known group. */
  all(): number[] {
    return [...this.groups.keys()];
  }

  /**
   * Sends the stop signal, once, to each group whose leader (a ./run) is gone: control/t reaches
   * only the group of the ./run alive when the stop comes. Called again while the stop goes on: a
   * ./run that ends just before its control/t runs leaves its group to this.
   */
  stopStrays(signalOf: (service: S) => NodeJS.Signals): void {
    this.prune();
    for (const [pgid, service] of this.groups) {
      if (this.signalled.has(pgid) || this.deps.isAlive(pgid)) continue;
      this.signalled.add(pgid);
      this.deps.signalGroup(pgid, signalOf(service));
    }
  }

  /** Forgets the groups that are empty (their id may be reused). */
  private prune(): void {
    for (const [pgid, service] of this.groups) {
      if (this.current.get(service) === pgid || this.deps.groupExists(pgid)) continue;
      this.groups.delete(pgid);
      this.signalled.delete(pgid);
      this.deps.forgetGroup(pgid);
    }
  }
}
