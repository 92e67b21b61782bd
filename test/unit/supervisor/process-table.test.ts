import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  findKnownAlive,
  findMarked,
  findTree,
  type KnownProcesses,
  MARKER_VAR,
  type ProcessEntry,
  type ProcessTable,
  readProcessTable,
  rememberProcesses,
} from "../../../src/supervisor/process-table.js";
import { waitFor } from "../../support/processes.js";

const p = (pid: number, ppid: number, pgid: number, marker?: string, start = 100): ProcessEntry =>
  marker === undefined ? { pid, ppid, pgid, start } : { pid, ppid, pgid, start, marker };

const sorted = (pids: number[]) => [...pids].sort((a, b) => a - b);

// 1 init; 10 the shell parity started (group 10) with children 11 (group 10) and 12, which made
// its own group 12 with child 13; 14 in group 10 whose parent died (reparented to 1); 15 child of
// 14; 20 an unrelated tree; 30 a process that left the tree but carries the marker; 31 its child.
const table: ProcessTable = [
  p(1, 0, 1),
  p(10, 1, 10, "run/web.1"),
  p(11, 10, 10, "run/web.1"),
  p(12, 10, 12),
  p(13, 12, 12),
  p(14, 1, 10),
  p(15, 14, 10),
  p(20, 1, 20, "run/worker.1"),
  p(21, 20, 20),
  p(30, 1, 30, "run/web.1"),
  p(31, 30, 30),
  p(40, 1, 40, "other/web.1"),
];

describe("findTree", () => {
  it("finds the root, its descendants, its group (orphans too) and their children", () => {
    expect(sorted(findTree(table, 10))).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it("adds every process carrying the marker and their descendants", () => {
    expect(sorted(findTree(table, 10, "run/web.1"))).toEqual([10, 11, 12, 13, 14, 15, 30, 31]);
  });

  it("finds only marked processes and their descendants when there is no root", () => {
    // 14 and 15 are in the shell's group but unmarked: without a root the group is not used.
    expect(sorted(findTree(table, undefined, "run/web.1"))).toEqual([10, 11, 12, 13, 30, 31]);
    expect(sorted(findTree(table, undefined, "run/worker.1"))).toEqual([20, 21]);
  });

  it("matches markers exactly, not by prefix", () => {
    expect(findTree(table, undefined, "run/web")).toEqual([]);
    expect(findTree(table, undefined, "run/web.10")).toEqual([]);
  });

  it("finds nothing for an unknown root without a marker, or for an empty marker", () => {
    expect(findTree(table, 999)).toEqual([]);
    expect(findTree(table, undefined)).toEqual([]);
    expect(findTree(table, undefined, "")).toEqual([]);
  });

  it("finds a leaf alone", () => {
    expect(findTree(table, 13)).toEqual([13]);
  });

  it("never includes parity itself, even as a member of the tree", () => {
    const self = process.pid;
    const withSelf: ProcessTable = [
      p(500, 1, 500, "run/a.1"),
      p(self, 500, 500, "run/a.1"),
      p(501, self, 500),
    ];
    expect(sorted(findTree(withSelf, 500, "run/a.1"))).toEqual(sorted([500, 501]));
    expect(findTree(withSelf, self)).not.toContain(self);
  });

  it("survives a cycle in parent links", () => {
    const cyclic: ProcessTable = [p(50, 51, 50), p(51, 50, 50)];
    expect(sorted(findTree(cyclic, 50))).toEqual([50, 51]);
  });
});

describe("findMarked", () => {
  it("finds every process whose marker starts with the prefix (one run)", () => {
    expect(sorted(findMarked(table, "run/"))).toEqual([10, 11, 20, 30]);
    expect(findMarked(table, "other/")).toEqual([40]);
    expect(findMarked(table, "none/")).toEqual([]);
  });

  it("never includes parity itself", () => {
    const t = [p(process.pid, 1, 1, "run/x.1"), p(600, 1, 600, "run/x.1")];
    expect(findMarked(t, "run/")).toEqual([600]);
  });
});

describe("rememberProcesses / findKnownAlive", () => {
  it("remembers only the requested pids, with their start times", () => {
    const known: KnownProcesses = new Map();
    rememberProcesses(known, table, [11, 13, 999]);
    expect([...known]).toEqual([
      [11, 100],
      [13, 100],
    ]);
  });

  it("finds known processes still alive with the same start time", () => {
    const known: KnownProcesses = new Map();
    rememberProcesses(known, table, [11, 13, 21]);
    const later: ProcessTable = [p(11, 1, 10), p(21, 1, 20), p(77, 1, 77)];
    expect(sorted(findKnownAlive(known, later))).toEqual([11, 21]);
  });

  it("does not count a reused pid (different start time) as alive", () => {
    const known: KnownProcesses = new Map();
    rememberProcesses(known, table, [11, 13]);
    const reused: ProcessTable = [p(11, 1, 11, undefined, 9999), p(13, 12, 12)];
    expect(findKnownAlive(known, reused)).toEqual([13]);
  });

  it("finds nothing when nothing is known", () => {
    expect(findKnownAlive(new Map(), table)).toEqual([]);
  });
});

describe("readProcessTable (this machine)", () => {
  const started: ChildProcess[] = [];

  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, "SIGKILL");
      }
    }
  });

  it("contains this process with its parent and a start time", () => {
    const self = readProcessTable(false).find((e) => e.pid === process.pid);
    expect(self).toBeDefined();
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.start).toBeGreaterThan(0);
    expect(self?.marker).toBeUndefined();
  });

  it("leaves out the kernel's threads (kthreadd and its children), keeps the others", () => {
    const table = readProcessTable(false);
    expect(table.some((e) => e.pid === process.pid)).toBe(true);
    expect(table.some((e) => e.pid === 1)).toBe(true);
    // only where pid 2 is the kernel's kthreadd (not in the pid namespace of a container)
    const stat = existsSync("/proc/2/stat") ? readFileSync("/proc/2/stat", "latin1") : "";
    if (stat.startsWith("2 (kthreadd) ")) {
      expect(table.some((e) => e.pid === 2 || e.ppid === 2)).toBe(false);
    }
  });

  it("reads the marker of a process started after this one", async () => {
    const child = spawn("sleep", ["30"], {
      env: { ...process.env, [MARKER_VAR]: "test-xyz/a.1" },
      stdio: "ignore",
    });
    started.push(child);
    const pid = child.pid as number;
    expect(pid).toBeGreaterThan(0);
    const entry = await waitFor(
      () => readProcessTable(true).find((e) => e.pid === pid && e.marker !== undefined),
      5000,
      `pid ${pid} with a marker in the process table`,
    );
    expect(entry.marker).toBe("test-xyz/a.1");
    expect(entry.ppid).toBe(process.pid);
    expect(findMarked(readProcessTable(true), "test-xyz/")).toEqual([pid]);
    const unmarked = readProcessTable(false).find((e) => e.pid === pid);
    expect(unmarked).toBeDefined();
    expect(unmarked?.marker).toBeUndefined();
  });

  it("does not list a process after it is killed and reaped", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    started.push(child);
    const pid = child.pid as number;
    expect(readProcessTable(false).some((e) => e.pid === pid)).toBe(true);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(pid, "SIGKILL");
    await exited;
    expect(readProcessTable(false).some((e) => e.pid === pid)).toBe(false);
  });
});
