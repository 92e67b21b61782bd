// End-to-end: a running parity is controlled over its Unix socket (ps, restart, stop, start, scale, logs).
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, runParityToEnd, track } from "../support/parity.js";
import { isAlive, waitFor } from "../support/processes.js";

afterEach(cleanup);

const PROCFILE =
  "web: echo web up; exec sleep 100\nworker: echo worker up; exec sleep 100\nclock: exec sleep 100\n";

interface Slot {
  name: string;
  pid?: number;
  state: string;
  restarts: number;
  port: number;
  ready: boolean;
}

/** Runs `check` until it resolves true, for at most `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ps(cwd: string): Promise<Slot[]> {
  const r = await runParityToEnd(["ps", "--json"], { cwd });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Slot[];
}

/** Starts the app (formation given) and waits until ps shows `count` running slots. */
async function startApp(cwd: string, args: string[], count: number) {
  const p = runParity(["start", "--no-timestamp", ...args], { cwd });
  await waitFor(
    () => p.lines().filter((l) => /started with pid/.test(l)).length >= count || undefined,
    10_000,
    "every process started",
  );
  // the control socket answers (a stale socket file from a killed run may be there before)
  await until(async () => (await runParityToEnd(["ps"], { cwd })).code === 0, 10_000);
  return p;
}

function existsSocket(cwd: string): boolean {
  try {
    return statSync(join(cwd, ".parity", "parity.sock")).isSocket();
  } catch {
    return false;
  }
}

describe("control socket", () => {
  it("serves .parity/parity.sock (0600 in a 0700 directory) and removes it on exit", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48000", "-m", "clock=0"], 2);
    expect(statSync(join(cwd, ".parity")).mode & 0o777).toBe(0o700);
    expect(statSync(join(cwd, ".parity", "parity.sock")).mode & 0o777).toBe(0o600);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
    expect(existsSocket(cwd)).toBe(false);
  });

  it("ps lists name, pid, state, uptime, restarts, port, ready as a table and as JSON", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48100", "-m", "web=2,clock=0"], 3);
    const table = await runParityToEnd(["ps"], { cwd });
    expect(table.stdout.split("\n")[0]).toMatch(
      /^NAME +PID +STATE +UPTIME +RESTARTS +PORT +READY$/,
    );
    expect(table.stdout).toMatch(/^web\.2 +\d+ +running +\d+s +0 +48101 +yes$/m);
    const slots = await ps(cwd);
    expect(slots.map((s) => [s.name, s.state, s.port])).toEqual([
      ["web.1", "running", 48100],
      ["web.2", "running", 48101],
      ["worker.1", "running", 48200],
    ]);
    for (const s of slots) expect(isAlive(s.pid ?? -1)).toBe(true);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("restart changes only that process's pid", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48200", "-m", "web=2,clock=0"], 3);
    const before = await ps(cwd);
    const r = await runParityToEnd(["restart", "web.2"], { cwd });
    expect(r.stdout).toBe("restarted: web.2\n");
    const now = await ps(cwd);
    const pid = (slots: Slot[], name: string) => slots.find((s) => s.name === name)?.pid;
    expect(pid(now, "web.2")).not.toBe(pid(before, "web.2"));
    expect(now.find((s) => s.name === "web.2")?.restarts).toBe(1);
    expect(pid(now, "web.1")).toBe(pid(before, "web.1"));
    expect(pid(now, "worker.1")).toBe(pid(before, "worker.1"));
    expect(isAlive(pid(before, "web.2") ?? -1)).toBe(false);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("stop keeps a process stopped (parity keeps running); start brings it back, also a type left out at boot", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48300", "web"], 1);
    expect((await runParityToEnd(["stop", "web"], { cwd })).stdout).toBe("stopped: web.1\n");
    expect((await ps(cwd)).map((s) => [s.name, s.state])).toEqual([["web.1", "stopped"]]);
    expect(isAlive(p.pid)).toBe(true);
    const started = await runParityToEnd(["start", "web", "worker"], { cwd });
    expect(started.code).toBe(0);
    expect(started.stdout).toBe("started: web.1, worker.1\n");
    await waitFor(
      () => p.lines().some((l) => /worker\.1 +\| worker up/.test(l)) || undefined,
      5000,
      "worker up",
    );
    expect((await ps(cwd)).map((s) => [s.name, s.state, s.port])).toEqual([
      ["web.1", "running", 48300],
      ["worker.1", "running", 48400],
    ]);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("scale adds instances with their formation ports and removes the highest ones", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48500", "-m", "clock=0"], 2);
    const up = await runParityToEnd(["scale", "web=3", "clock=1"], { cwd });
    expect(up.code).toBe(0);
    let slots = await ps(cwd);
    expect(slots.map((s) => [s.name, s.port])).toEqual([
      ["web.1", 48500],
      ["web.2", 48501],
      ["web.3", 48502],
      ["worker.1", 48600],
      ["clock.1", 48700],
    ]);
    const web3 = slots.find((s) => s.name === "web.3")?.pid ?? -1;
    await runParityToEnd(["scale", "web=1"], { cwd });
    slots = await ps(cwd);
    expect(slots.map((s) => s.name)).toEqual(["web.1", "worker.1", "clock.1"]);
    expect(isAlive(web3)).toBe(false);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("logs prints recent lines, and -f follows new ones", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "48800", "-m", "clock=0"], 2);
    await p.waitForLine(/worker\.1 +\| worker up/);
    await p.waitForLine(/web\.1 +\| web up/);
    const recent = await runParityToEnd(["logs"], { cwd });
    expect(recent.stdout).toBe("web.1    | web up\nworker.1 | worker up\n");
    const follower = runParity(["logs", "-f", "-n", "0", "web"], { cwd });
    // restart web until the follower (subscribed some time after it started) shows its new line
    await until(async () => {
      await runParityToEnd(["restart", "web"], { cwd });
      return follower.lines().some((l) => /^web\.1 +\| web up$/.test(l));
    }, 10_000);
    expect(follower.lines().every((l) => /^web\.1 +\| web up$/.test(l))).toBe(true);
    process.kill(follower.pid, "SIGTERM");
    await follower.waitForExit();
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("after parity is killed with SIGKILL, the stale socket is replaced by the next start", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const first = await startApp(cwd, ["-p", "48900", "-m", "clock=0"], 2);
    process.kill(first.pid, "SIGKILL");
    await first.waitForExit();
    expect(existsSocket(cwd)).toBe(true);
    const stale = await runParityToEnd(["ps"], { cwd });
    expect(stale.code).toBe(1);
    const second = await startApp(cwd, ["-p", "48900", "-m", "clock=0"], 2);
    expect((await ps(cwd)).length).toBe(2);
    process.kill(second.pid, "SIGTERM");
    await second.waitForExit();
  });

  it("a second parity start for the same app refuses and says how to reach the running one", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const p = await startApp(cwd, ["-p", "49000", "-m", "clock=0"], 2);
    const second = await runParityToEnd(["start", "-p", "49500"], { cwd });
    expect(second.code).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toBe(
      `error: parity is already running for this app (pid ${p.pid}, control socket ${join(cwd, ".parity", "parity.sock")}). Fix: see it with parity ps; start processes in it with parity start NAME; or stop it (kill ${p.pid}) first.\n`,
    );
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("client errors are one line and a non-zero exit: nothing running, unknown name", async () => {
    const cwd = track(makeApp({ Procfile: PROCFILE }));
    const none = await runParityToEnd(["ps"], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /^error: no parity is running for .* \(no control socket at .*parity\.sock\)\. Fix: .*\n$/,
    );
    const p = await startApp(cwd, ["-p", "49100", "-m", "clock=0"], 2);
    const unknown = await runParityToEnd(["restart", "wbe"], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'error: unknown process "wbe" (did you mean "web"?); running: web.1, worker.1\n',
    );
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("an app root too long for a Unix socket path uses a short path that clients find", async () => {
    const base = track(makeApp({}));
    const deep = join(base, "a".repeat(60), "b".repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, "Procfile"), "web: exec sleep 100\n");
    expect(join(deep, ".parity", "parity.sock").length).toBeGreaterThan(108);
    const p = runParity(["start", "--no-timestamp", "-p", "49200"], { cwd: deep });
    await p.waitForLine(/started with pid/);
    let listed: Slot[] = [];
    await until(async () => {
      const r = await runParityToEnd(["ps", "--json"], { cwd: deep });
      if (r.code === 0) listed = JSON.parse(r.stdout) as Slot[];
      return r.code === 0;
    }, 10_000);
    expect(listed.map((s) => s.name)).toEqual(["web.1"]);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });
});
