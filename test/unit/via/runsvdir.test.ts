// RunsvdirRun with a fake runsvdir, process table and clock: stop order, deadlines, exit statuses.
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ProcessEntry } from "../../../src/supervisor/process-table.js";
import { RunsvdirRun, type ViaEvent } from "../../../src/via/runsvdir.js";

const RUNSVDIR = 100;

/** A fake world: one runsvdir child, a process table the test edits, a clock the test moves. */
function makeWorld(options: { stopTimeoutMs?: number; relays?: number[]; strays?: number[] } = {}) {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const table: ProcessEntry[] = [];
  const signals: [number, string][] = [];
  const events: ViaEvent[] = [];
  const spawned: { command: string; args: string[]; options: unknown }[] = [];
  const child = Object.assign(new EventEmitter(), { pid: RUNSVDIR, stderr: new PassThrough() });
  let exitedServices = 0;
  let strayStops = 0;
  const blocked = { value: false };
  const watched: number[] = [];
  const run = new RunsvdirRun(
    {
      serviceDir: "/tmp/p/service",
      env: { PATH: "/bin", PARITY_RUN: "id/runit" },
      isOurs: (t) => t.filter((p) => p.marker === "id/runit").map((p) => p.pid),
      stopTimeoutMs: options.stopTimeoutMs ?? 2000,
      pollMs: 50,
    },
    {
      spawn: (command, args, opts) => {
        spawned.push({ command, args, options: opts });
        return child as never;
      },
      readTable: () => table.map((p) => ({ ...p })),
      timers: {
        setTimeout: (fn, ms) => {
          const id = nextId++;
          timers.push({ at: now + ms, fn, id });
          return id;
        },
        clearTimeout: (id) => {
          const k = timers.findIndex((t) => t.id === id);
          if (k >= 0) timers.splice(k, 1);
        },
      },
      now: () => now,
      kill: (pid, signal) => {
        signals.push([pid, signal]);
      },
      report: (event) => events.push(event),
      attachMessages: () => undefined,
      watchGroup: (pgid) => watched.push(pgid),
      exitServices: () => {
        exitedServices++;
      },
      isOutputBlocked: () => blocked.value,
      strayGroups: () => options.strays ?? [],
      stopStrays: () => {
        strayStops++;
      },
      findRelays: () => options.relays ?? [],
    },
  );
  let code: number | undefined;
  void run.done.then((c) => {
    code = c;
  });
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > until) break;
      timers.shift();
      now = next.at;
      next.fn();
    }
    now = until;
    await new Promise((r) => setImmediate(r));
  };
  const ours = (pid: number, ppid = RUNSVDIR): ProcessEntry => ({
    pid,
    ppid,
    pgid: pid,
    start: 1,
    marker: "id/runit",
  });
  return {
    run,
    child,
    table,
    signals,
    events,
    spawned,
    watched,
    advance,
    ours,
    code: () => code,
    exitedServices: () => exitedServices,
    strayStops: () => strayStops,
    blocked,
  };
}

describe("RunsvdirRun", () => {
  it("starts runsvdir -P in its own session with the given environment, watched by the watchdog", () => {
    const w = makeWorld();
    w.run.start();
    expect(w.spawned).toEqual([
      {
        command: "runsvdir",
        args: ["-P", "/tmp/p/service"],
        options: {
          env: { PATH: "/bin", PARITY_RUN: "id/runit" },
          detached: true,
          stdio: ["ignore", "ignore", "pipe"],
        },
      },
    ]);
    expect(w.watched).toEqual([RUNSVDIR]);
    expect(w.events).toEqual([{ type: "started", pid: RUNSVDIR }]);
  });

  it("stop: HUP to runsvdir, then done with 0 once runsvdir exited and no process of the run is left", async () => {
    const w = makeWorld();
    w.run.start();
    w.table.push(w.ours(101), w.ours(102, 101));
    w.run.stop({ kind: "signal", signal: "SIGINT" });
    w.run.stop({ kind: "signal", signal: "SIGINT" }); // a second stop is the same stop
    expect(w.signals).toEqual([[RUNSVDIR, "SIGHUP"]]);
    w.child.emit("exit", 111, null);
    await w.advance(500);
    expect(w.code()).toBeUndefined(); // runsv and its service still run
    w.table.splice(0);
    await w.advance(50);
    expect(w.code()).toBe(0);
    expect(w.events.filter((e) => e.type === "kill")).toEqual([]);
  });

  it("after the longest stop timeout plus 3 s: SIGKILL to the services, then to the relays; status 1", async () => {
    // 102 is a service; 104 its log/run relay (spared at first: the last output gets through).
    const w = makeWorld({ stopTimeoutMs: 2000, relays: [104] });
    w.run.start();
    // 103 lost its marker (a server that rewrote its environment) but is 102's child: found too.
    w.table.push(
      w.ours(101),
      w.ours(102, 101),
      { ...w.ours(103, 102), marker: undefined },
      w.ours(104, 101),
    );
    w.run.stop({ kind: "request" });
    const strayStops = w.strayStops();
    expect(strayStops).toBeGreaterThanOrEqual(1);
    w.child.emit("exit", 111, null);
    await w.advance(100);
    expect(w.strayStops()).toBeGreaterThan(strayStops); // again at each poll of the stop
    await w.advance(4850);
    expect(w.signals.filter(([, s]) => s === "SIGKILL")).toEqual([]);
    await w.advance(100);
    expect(w.signals.filter(([, s]) => s === "SIGKILL").map(([p]) => p)).toEqual([101, 102, 103]);
    expect(w.events.at(-1)).toMatchObject({ type: "kill", pids: [101, 102, 103], forced: false });
    w.table.splice(0, 3);
    await w.advance(1900);
    expect(w.signals.filter(([, s]) => s === "SIGKILL").map(([p]) => p)).toEqual([101, 102, 103]);
    await w.advance(200);
    expect(w.signals.at(-1)).toEqual([104, "SIGKILL"]);
    w.table.splice(0);
    await w.advance(50);
    expect(w.code()).toBe(1);
  });

  it("time while parity's stdout is blocked does not count towards the deadline", async () => {
    const w = makeWorld({ stopTimeoutMs: 2000 });
    w.run.start();
    w.table.push(w.ours(101));
    w.run.stop({ kind: "request" });
    w.child.emit("exit", 111, null);
    w.blocked.value = true;
    await w.advance(20_000);
    expect(w.signals.filter(([, s]) => s === "SIGKILL")).toEqual([]);
    w.blocked.value = false;
    await w.advance(4900);
    expect(w.signals.filter(([, s]) => s === "SIGKILL")).toEqual([]);
    await w.advance(200);
    expect(w.signals.filter(([, s]) => s === "SIGKILL")).toEqual([[101, "SIGKILL"]]);
  });

  it("members of the stray groups (a restarted service's old group) are waited for and killed too", async () => {
    const w = makeWorld({ stopTimeoutMs: 0, strays: [300] });
    w.run.start();
    w.table.push({ pid: 301, ppid: 1, pgid: 300, start: 1 });
    w.run.stop({ kind: "request" });
    w.child.emit("exit", 111, null);
    await w.advance(2000);
    expect(w.code()).toBeUndefined();
    await w.advance(1100);
    expect(w.signals).toContainEqual([301, "SIGKILL"]);
    w.table.splice(0);
    await w.advance(50);
    expect(w.code()).toBe(1);
  });

  it("a second signal kills everything at once: status 128 + its number", async () => {
    const w = makeWorld();
    w.run.start();
    w.table.push(w.ours(101));
    w.run.stop({ kind: "signal", signal: "SIGINT" });
    w.run.kill("SIGINT", 2);
    expect(w.signals).toContainEqual([RUNSVDIR, "SIGKILL"]);
    expect(w.events.at(-1)).toMatchObject({ type: "kill", pids: [101, RUNSVDIR], forced: true });
    w.child.emit("exit", null, "SIGKILL");
    w.table.splice(0);
    await w.advance(50);
    expect(w.code()).toBe(130);
  });

  it("runsvdir exiting by itself stops every service with sv exit; the status is 1", async () => {
    const w = makeWorld();
    w.run.start();
    w.table.push(w.ours(101));
    w.child.emit("exit", null, "SIGKILL");
    expect(w.events.at(-1)).toEqual({
      type: "stopping",
      reason: { kind: "runsvdir-exit", code: null, signal: "SIGKILL" },
    });
    expect(w.exitedServices()).toBe(1);
    expect(w.signals).toEqual([]);
    w.table.splice(0);
    await w.advance(50);
    expect(w.code()).toBe(1);
  });

  it("runsvdir that cannot be spawned: the reason names the error; status 1", async () => {
    const w = makeWorld();
    w.run.start();
    w.child.emit("error", new Error("spawn runsvdir EACCES"));
    expect(w.events.at(-1)).toEqual({
      type: "stopping",
      reason: { kind: "runsvdir-error", message: "spawn runsvdir EACCES" },
    });
    await w.advance(50);
    expect(w.code()).toBe(1);
  });

  it("cancel before start resolves at once and starts nothing; a stop before start too", async () => {
    const w = makeWorld();
    w.run.cancel(2);
    w.run.start();
    await w.advance(0);
    expect(w.code()).toBe(2);
    expect(w.spawned).toEqual([]);
    const v = makeWorld();
    v.run.stop({ kind: "signal", signal: "SIGTERM" });
    v.run.start();
    await v.advance(0);
    expect(v.code()).toBe(0);
    expect(v.spawned).toEqual([]);
  });

  it("gives up 10 s after the last SIGKILL when a process ignores even SIGKILL (stuck in the kernel)", async () => {
    const w = makeWorld({ stopTimeoutMs: 1000 });
    w.run.start();
    w.table.push(w.ours(101));
    w.run.stop({ kind: "request" });
    w.child.emit("exit", 111, null);
    await w.advance(4000 + 2000 + 9_900);
    expect(w.code()).toBeUndefined();
    await w.advance(200);
    expect(w.code()).toBe(1);
  });
});
