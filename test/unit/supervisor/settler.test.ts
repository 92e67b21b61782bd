import { describe, expect, it } from "vitest";
import type { ProcessTable } from "../../../src/supervisor/process-table.js";
import { Settler, type Timers } from "../../../src/supervisor/settler.js";

/** Timers that only run when the test says so. */
function makeTimers() {
  let next = 1;
  const armed = new Map<number, { fn: () => void; ms: number }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = next++;
      armed.set(id, { fn, ms });
      return id;
    },
    clearTimeout(handle) {
      armed.delete(handle as number);
    },
  };
  return {
    timers,
    armed,
    /** Delays of the timers armed now. */
    delays: () => [...armed.values()].map((t) => t.ms),
    /** Fires every armed timer once. */
    fire() {
      const due = [...armed];
      armed.clear();
      for (const [, t] of due) t.fn();
    },
  };
}

/** A process table that the test edits, counting reads. */
function makeTable(pids: number[]) {
  const state = { pids, reads: 0 };
  const readTable = (): ProcessTable => {
    state.reads++;
    return state.pids.map((pid) => ({ pid, ppid: 1, pgid: pid, start: 0 }));
  };
  return { state, readTable };
}

/** Lets promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const gone = (pid: number) => (table: ProcessTable) => !table.some((p) => p.pid === pid);

describe("Settler", () => {
  it("resolves at once, without a timer, when the check passes on the first look", async () => {
    const { timers, armed } = makeTimers();
    const { state, readTable } = makeTable([]);
    const settler = new Settler(readTable, timers, 50);
    await settler.waitFor(gone(42));
    expect(state.reads).toBe(1);
    expect(armed.size).toBe(0);
    expect(settler.pending).toBe(0);
  });

  it("polls every pollMs while a waiter's check fails, and resolves once it passes", async () => {
    const { timers, armed, delays, fire } = makeTimers();
    const { state, readTable } = makeTable([42]);
    const settler = new Settler(readTable, timers, 50);
    let resolved = false;
    void settler.waitFor(gone(42)).then(() => {
      resolved = true;
    });
    expect(settler.pending).toBe(1);
    expect(delays()).toEqual([50]);
    fire();
    fire();
    expect(state.reads).toBe(3);
    expect(delays()).toEqual([50]);
    await flush();
    expect(resolved).toBe(false);
    state.pids = [];
    fire();
    await flush();
    expect(resolved).toBe(true);
    expect(settler.pending).toBe(0);
    expect(armed.size).toBe(0);
    expect(state.reads).toBe(4);
  });

  it("arms no timer and reads nothing when no one waits", () => {
    const { timers, armed } = makeTimers();
    const { state, readTable } = makeTable([1]);
    const settler = new Settler(readTable, timers);
    settler.poll();
    settler.poll();
    expect(settler.pending).toBe(0);
    expect(armed.size).toBe(0);
    expect(state.reads).toBe(0);
  });

  it("poll() checks at once and keeps a single timer armed", async () => {
    const { timers, armed, delays } = makeTimers();
    const { state, readTable } = makeTable([42]);
    const settler = new Settler(readTable, timers, 80);
    let resolved = false;
    void settler.waitFor(gone(42)).then(() => {
      resolved = true;
    });
    settler.poll();
    settler.poll();
    expect(state.reads).toBe(3);
    expect(delays()).toEqual([80]);
    state.pids = [];
    settler.poll();
    await flush();
    expect(resolved).toBe(true);
    expect(armed.size).toBe(0);
  });

  it("resolves each waiter when its own check passes, from one table per look", async () => {
    const { timers, armed, fire } = makeTimers();
    const { state, readTable } = makeTable([1, 2]);
    const settler = new Settler(readTable, timers, 50);
    const done: number[] = [];
    void settler.waitFor(gone(1)).then(() => done.push(1));
    void settler.waitFor(gone(2)).then(() => done.push(2));
    expect(settler.pending).toBe(2);
    expect(armed.size).toBe(1);
    const reads = state.reads;
    state.pids = [2];
    fire();
    expect(state.reads).toBe(reads + 1);
    await flush();
    expect(done).toEqual([1]);
    expect(settler.pending).toBe(1);
    expect(armed.size).toBe(1);
    state.pids = [];
    fire();
    await flush();
    expect(done).toEqual([1, 2]);
    expect(settler.pending).toBe(0);
    expect(armed.size).toBe(0);
  });

  it("uses 50 ms by default", () => {
    const { timers, delays } = makeTimers();
    const { readTable } = makeTable([42]);
    void new Settler(readTable, timers).waitFor(gone(42));
    expect(delays()).toEqual([50]);
  });
});
