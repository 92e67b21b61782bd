// Polls the process table while anyone waits for processes to be gone; idle (no timer) otherwise.
import type { ProcessTable } from "./process-table.js";

/** Timer functions, passed in. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Waiter {
  check: (table: ProcessTable) => boolean;
  resolve: () => void;
}

/** Resolves waiters once their check passes on a fresh snapshot of the process table. */
export class Settler {
  private readonly waiters = new Set<Waiter>();
  private timer: unknown;

  constructor(
    private readonly readTable: () => ProcessTable,
    private readonly timers: Timers,
    private readonly pollMs = 50,
  ) {}

  /** Resolves when `check` returns true (checked now, then every pollMs). */
  waitFor(check: (table: ProcessTable) => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.add({ check, resolve });
      this.poll();
    });
  }

  /** Checks every waiter now (after something happened, such as an exit). */
  poll(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiters.size === 0) return;
    const table = this.readTable();
    for (const w of [...this.waiters]) {
      if (w.check(table)) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
    if (this.waiters.size > 0) this.timer = this.timers.setTimeout(() => this.poll(), this.pollMs);
  }

  /** Number of waiters (for tests: nothing left behind). */
  get pending(): number {
    return this.waiters.size;
  }
}
