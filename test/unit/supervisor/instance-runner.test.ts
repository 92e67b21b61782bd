import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExitStatus } from "../../../src/supervisor/child.js";
import { InstanceRunner, type RunHandle } from "../../../src/supervisor/instance-runner.js";
import { findMarked, readProcessTable } from "../../../src/supervisor/process-table.js";
import type { Instance } from "../../../src/types.js";
import { isAlive, killAll, waitFor, waitUntilGone } from "../../support/processes.js";

const runIds: string[] = [];
const groups: number[] = [];
const dirs: string[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  const table = readProcessTable(true);
  const left = new Set<number>();
  for (const id of runIds.splice(0)) for (const pid of findMarked(table, `${id}/`)) left.add(pid);
  const pgids = new Set(groups.splice(0));
  for (const p of table) if (pgids.has(p.pgid)) left.add(p.pid);
  killAll([...left]);
  await waitUntilGone([...left], 2000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-runner-"));
  dirs.push(dir);
  return dir;
}

const instance = (name: string, port: number, command: string): Instance => {
  const [type = name, n = "1"] = name.split(".");
  return { type, n: Number(n), name, port, command };
};

/** A runner for one instance, with a fresh run id. */
function makeRunner(name: string, port: number, command: string) {
  const runId = `test-${randomBytes(6).toString("hex")}`;
  runIds.push(runId);
  let t = 1000;
  const runner = new InstanceRunner(instance(name, port, command), runId, {
    spawn,
    now: () => ++t,
  });
  return { runner, runId };
}

/** Starts a run and returns it with its collected output and its exit. */
function startRun(runner: InstanceRunner, cwd: string, env: NodeJS.ProcessEnv = {}) {
  let resolveExit!: (value: { status: ExitStatus; run: RunHandle }) => void;
  const exited = new Promise<{ status: ExitStatus; run: RunHandle }>((r) => {
    resolveExit = r;
  });
  const run = runner.spawn(cwd, { PATH: process.env.PATH, ...env }, (status, r) =>
    resolveExit({ status, run: r }),
  );
  if (run.pid !== undefined) groups.push(run.pid);
  const text = collect(run.output);
  return { run, exited, text };
}

/** Collects a stream's text; the getter returns it so far. */
function collect(stream: Readable): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text;
}

/** Waits until `text()` contains `needle`; returns the text. */
function waitForText(text: () => string, needle: string, timeoutMs = 5000): Promise<string> {
  return waitFor(() => text().includes(needle) && text(), timeoutMs, `output "${needle}"`);
}

describe("InstanceRunner.spawn", () => {
  it("gives each run PORT, PS and PARITY_RUN=<runId>/<name>/<n>, n counting the runs", async () => {
    const { runner, runId } = makeRunner("web.2", 5001, 'echo "$PORT $PS $PARITY_RUN $SHARED"');
    const env = { SHARED: "yes", PORT: "1", PS: "x", PARITY_RUN: "spoofed" };
    const first = startRun(runner, process.cwd(), env);
    expect(first.run.marker).toBe(`${runId}/web.2/1`);
    expect((await first.exited).status).toEqual({ code: 0, signal: null });
    await waitForText(first.text, "\n");
    expect(first.text()).toBe(`5001 web.2 ${runId}/web.2/1 yes\n`);

    const second = startRun(runner, process.cwd(), env);
    expect(second.run.marker).toBe(`${runId}/web.2/2`);
    await second.exited;
    await waitForText(second.text, "\n");
    expect(second.text()).toBe(`5001 web.2 ${runId}/web.2/2 yes\n`);
    expect(second.run.pid).not.toBe(first.run.pid);
  });

  it("runs the command in cwd", async () => {
    const dir = makeDir();
    const { runner } = makeRunner("a.1", 5000, "pwd -P");
    const { exited, text } = startRun(runner, dir);
    await exited;
    const expected = await new Promise<string>((resolve) => {
      const c = spawn("/bin/sh", ["-c", "pwd -P"], { cwd: dir });
      let out = "";
      c.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      c.on("close", () => resolve(out));
    });
    expect(await waitForText(text, "\n")).toBe(expected);
  });

  it("tracks the run: state, startedAt, pid, status, and `exited`", async () => {
    const dir = makeDir();
    const { runner } = makeRunner("a.1", 5000, "while [ ! -e go ]; do sleep 0.02; done; exit 4");
    expect(runner.exited).toBe(true);
    expect(runner.state).toBe("idle");
    const { run, exited } = startRun(runner, dir);
    expect(runner.run).toBe(run);
    expect(runner.state).toBe("running");
    expect(runner.stopRequested).toBe(false);
    expect(run.startedAt).toBe(1001);
    expect(run.pid).toBeGreaterThan(0);
    expect(run.status).toBeUndefined();
    expect(runner.exited).toBe(false);
    writeFileSync(join(dir, "go"), "");
    const result = await exited;
    expect(result).toEqual({ status: { code: 4, signal: null }, run });
    expect(run.status).toEqual({ code: 4, signal: null });
    expect(runner.exited).toBe(true);
  });

  it("reports a run killed by a signal with code null", async () => {
    const { runner } = makeRunner("a.1", 5000, "kill -USR1 $$");
    const { exited } = startRun(runner, process.cwd());
    expect((await exited).status).toEqual({ code: null, signal: "SIGUSR1" });
  });
});

describe("InstanceRunner.findProcesses", () => {
  it("finds the shell and its grandchild, and the grandchild by its marker after the shell is gone", async () => {
    const { runner } = makeRunner("a.1", 5000, "sleep 30 & echo $!; wait");
    const { run, exited, text } = startRun(runner, process.cwd());
    const sleepPid = Number((await waitForText(text, "\n")).trim());
    expect(sleepPid).toBeGreaterThan(0);
    const pids = runner.findProcesses(readProcessTable(true));
    expect(pids).toContain(run.pid);
    expect(pids).toContain(sleepPid);

    process.kill(run.pid as number, "SIGKILL");
    await exited;
    expect(isAlive(sleepPid)).toBe(true);
    expect(runner.findProcesses(readProcessTable(true))).toEqual([sleepPid]);

    runner.signal(readProcessTable(true), "SIGKILL");
    expect(await waitUntilGone([sleepPid], 2000)).toEqual([]);
    expect(runner.findProcesses(readProcessTable(true))).toEqual([]);
  });

  it("finds nothing before the first run", () => {
    const { runner } = makeRunner("a.1", 5000, "true");
    expect(runner.findProcesses(readProcessTable(true))).toEqual([]);
    expect(runner.signal(readProcessTable(true), "SIGTERM")).toEqual([]);
  });
});

describe("InstanceRunner.signal", () => {
  it("delivers SIGTERM to the process group once: a trap counting TERMs counts 1", async () => {
    const counter = [
      "n=0",
      `trap 'n=$((n+1)); echo "TERM $n"' TERM`,
      `trap 'echo "count $n"; exit 0' USR1`,
      "sleep 30 &",
      'echo "ready $!"',
      "while :; do sleep 0.05; done",
    ].join("\n");
    const { runner } = makeRunner("a.1", 5000, counter);
    const { run, exited, text } = startRun(runner, process.cwd());
    const sleepPid = Number(/ready (\d+)/.exec(await waitForText(text, "ready "))?.[1]);
    await waitForText(text, "\n");
    const kill = vi.spyOn(process, "kill");
    const found = runner.signal(readProcessTable(true), "SIGTERM");
    const calls = kill.mock.calls.map(([pid, sig]) => `${pid} ${sig}`);
    kill.mockRestore();
    expect(found).toContain(run.pid);
    expect(found).toContain(sleepPid);
    // One signal to the group; nothing to its members one by one.
    expect(calls).toEqual([`${-(run.pid as number)} SIGTERM`]);
    await waitForText(text, "TERM 1\n");
    expect(await waitUntilGone([sleepPid], 2000)).toEqual([]);
    process.kill(run.pid as number, "SIGUSR1");
    await exited;
    await waitForText(text, "count ");
    expect(text()).toMatch(/count 1\n$/);
    expect(text()).not.toContain("TERM 2");
  });

  it("signals a descendant that left the group on its own, and remembers it", async () => {
    const { runner } = makeRunner("a.1", 5000, "setsid sleep 30 & echo $!; wait");
    const { run, exited, text } = startRun(runner, process.cwd());
    const loner = Number((await waitForText(text, "\n")).trim());
    await waitFor(
      () => readProcessTable(false).find((p) => p.pid === loner && p.pgid === loner),
      2000,
      "the sleep in its own session",
    );
    const kill = vi.spyOn(process, "kill");
    runner.signal(readProcessTable(true), "SIGTERM");
    const calls = kill.mock.calls.map(([pid, sig]) => `${pid} ${sig}`);
    kill.mockRestore();
    expect(calls).toEqual([`${-(run.pid as number)} SIGTERM`, `${loner} SIGTERM`]);
    expect(run.known.has(loner)).toBe(true);
    expect(await waitUntilGone([loner], 2000)).toEqual([]);
    await exited;
  });

  it("signals the leftovers of a run that has exited one by one", async () => {
    const { runner } = makeRunner("a.1", 5000, "sleep 30 & echo $!");
    const { run, exited, text } = startRun(runner, process.cwd());
    const orphan = Number((await waitForText(text, "\n")).trim());
    await exited;
    expect(isAlive(orphan)).toBe(true);
    const kill = vi.spyOn(process, "kill");
    const found = runner.signal(readProcessTable(true), "SIGTERM", run);
    const calls = kill.mock.calls.map(([pid, sig]) => `${pid} ${sig}`);
    kill.mockRestore();
    expect(found).toEqual([orphan]);
    expect(calls).toEqual([`${orphan} SIGTERM`]);
    expect(await waitUntilGone([orphan], 2000)).toEqual([]);
  });
});

describe("InstanceRunner.onLine", () => {
  it("delivers complete lines across chunks, and nothing after unsubscribe", async () => {
    const dir = makeDir();
    const script = [
      "printf 'one\\ntw'",
      "sleep 0.1",
      "printf 'o\\nthr'",
      "sleep 0.1",
      "printf 'ee\\n'",
      "while [ ! -e go ]; do sleep 0.02; done",
      "echo four",
      "echo done",
    ].join("; ");
    const { runner } = makeRunner("a.1", 5000, script);
    const lines: string[] = [];
    const unsubscribe = runner.onLine((line) => lines.push(line));
    const { exited, text } = startRun(runner, dir);
    await waitFor(() => lines.length >= 3, 5000, "three lines");
    expect(lines).toEqual(["one", "two", "three"]);
    unsubscribe();
    writeFileSync(join(dir, "go"), "");
    await exited;
    await waitForText(text, "done\n");
    expect(lines).toEqual(["one", "two", "three"]);
  });

  it("subscribes to the run in progress and to later runs", async () => {
    const dir = makeDir();
    const { runner } = makeRunner(
      "a.1",
      5000,
      "echo early; while [ ! -e go ]; do sleep 0.02; done; echo late",
    );
    const first = startRun(runner, dir);
    await waitForText(first.text, "early\n");
    const lines: string[] = [];
    const unsubscribe = runner.onLine((line) => lines.push(line));
    writeFileSync(join(dir, "go"), "");
    await first.exited;
    await waitFor(() => lines.length >= 1, 5000, "a line");
    const second = startRun(runner, dir);
    await second.exited;
    await waitFor(() => lines.length >= 3, 5000, "the second run's lines");
    unsubscribe();
    expect(lines).toEqual(["late", "early", "late"]);
  });

  it("gives every listener every line", async () => {
    const { runner } = makeRunner("a.1", 5000, "echo a; echo b");
    const one: string[] = [];
    const two: string[] = [];
    runner.onLine((l) => one.push(l));
    runner.onLine((l) => two.push(l));
    const { exited } = startRun(runner, process.cwd());
    await exited;
    await waitFor(() => one.length >= 2 && two.length >= 2, 5000, "both lines");
    expect(one).toEqual(["a", "b"]);
    expect(two).toEqual(["a", "b"]);
  });

  // Bug (src/supervisor/instance-runner.ts, onLine/tapLines): the data handler of tapLines only
  // detaches itself at the next chunk after the last listener left. A listener that subscribes
  // again before that chunk counts as the "first" one and taps the stream a second time: both
  // handlers deliver every line and share one partialLine: "hel" then "lo\n" comes out as
  // ["helhello", "lo"] instead of ["hello"] (["hello", "hello"] when it arrives in one chunk).
  it("delivers each line once after an unsubscribe and a new subscribe", async () => {
    const dir = makeDir();
    const { runner } = makeRunner(
      "a.1",
      5000,
      "echo up; while [ ! -e go ]; do sleep 0.02; done; printf 'hel'; sleep 0.1; echo lo",
    );
    const { exited, text } = startRun(runner, dir);
    await waitForText(text, "up\n");
    runner.onLine(() => undefined)();
    const lines: string[] = [];
    runner.onLine((line) => lines.push(line));
    writeFileSync(join(dir, "go"), "");
    await exited;
    await waitForText(text, "hello\n");
    await waitFor(() => lines.length >= 1, 5000, "a line");
    expect(lines).toEqual(["hello"]);
  });

  // Bug (src/supervisor/instance-runner.ts, tapLines): partialLine belongs to the slot, not to
  // the run. A run that ends with an unfinished line (no newline) leaves it behind, and the next
  // run's first line is glued to it: a `log` readiness probe for /^up$/ never sees "up".
  it("does not glue a run's unfinished last line to the next run's first line", async () => {
    const { runner } = makeRunner(
      "a.1",
      5000,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
      'if [ "$PARITY_RUN" = "${PARITY_RUN%/1}" ]; then echo up; else printf crash; fi',
    );
    const lines: string[] = [];
    runner.onLine((line) => lines.push(line));
    const first = startRun(runner, process.cwd());
    await first.exited;
    await waitForText(first.text, "crash");
    const second = startRun(runner, process.cwd());
    await second.exited;
    await waitForText(second.text, "up\n");
    await waitFor(() => lines.length >= 1, 5000, "a line");
    expect(lines).toEqual(["up"]);
  });
});
