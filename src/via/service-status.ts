// Watches runsv's supervise/pid and supervise/stat of each service and reports each change: the
// pids `parity start` would print, and the processes' groups for the watchdog.

/** What runsv says about one service. */
export interface ServiceState {
  /** The pid of ./run (0: none). */
  pid: number;
  /** run, down or finish (empty before runsv wrote it). */
  stat: string;
}

/** The outside world. */
export interface StatusDeps {
  /** Reads a small text file; undefined when it does not exist (yet). */
  readText: (path: string) => string | undefined;
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

/** Reads one service's state from its supervise directory. */
export function readServiceState(
  dir: string,
  readText: StatusDeps["readText"],
): ServiceState | undefined {
  const stat = readText(`${dir}/supervise/stat`);
  if (stat === undefined) return undefined;
  const pid = Number.parseInt(readText(`${dir}/supervise/pid`) ?? "", 10);
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, stat: stat.trim() };
}

/**
 * Polls every `pollMs` (runsv writes these files with a rename; polling a few small files is
 * cheaper and simpler than a watcher per directory) and calls `onChange` with each new state.
 * Returns `refresh` (read now) and `stop` (stop polling after one last read).
 */
export function watchServices<T extends { dir: string }>(
  services: T[],
  onChange: (service: T, state: ServiceState, before: ServiceState | undefined) => void,
  deps: StatusDeps,
  pollMs = 200,
): { refresh: () => void; stop: () => void } {
  const known = new Map<T, ServiceState>();
  let timer: unknown;
  const read = () => {
    for (const service of services) {
      const state = readServiceState(service.dir, deps.readText);
      const before = known.get(service);
      if (!state || (before && before.pid === state.pid && before.stat === state.stat)) continue;
      known.set(service, state);
      onChange(service, state, before);
    }
  };
  const tick = () => {
    read();
    timer = deps.timers.setTimeout(tick, pollMs);
  };
  tick();
  return {
    refresh: read,
    stop: () => {
      deps.timers.clearTimeout(timer);
      read();
    },
  };
}
