// End-to-end: stopping parity stops every process tree it started, and the exit status says why.
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, track } from "../support/parity.js";
import { findTagged, isAlive, killAll, waitFor, waitUntilGone } from "../support/processes.js";

afterEach(cleanup);

const TREE_PROCFILE = [
  "tree: tree",
  "setsid: setsid-children",
  "plain: forever plain-ready",
  "",
].join("\n");

/** Starts the tree/setsid/plain app and returns parity plus every descendant pid it reported. */
async function startTrees(extraArgs: string[] = []) {
  const cwd = track(makeApp({ Procfile: TREE_PROCFILE }));
  const p = runParity(["start", "--no-timestamp", "-p", "43000", ...extraArgs], { cwd });
  const tree = await p.waitForLine(/tree pids \d+ \d+/);
  const setsid = await p.waitForLine(/setsid pid \d+/);
  const forked = await p.waitForLine(/forked pid \d+/);
  await p.waitForLine(/plain-ready/);
  const pids = [tree, setsid, forked].flatMap((l) =>
    (l.slice(l.indexOf("|") + 1).match(/\d+/g) ?? []).map(Number),
  );
  expect(pids).toHaveLength(4);
  for (const pid of pids) expect(isAlive(pid)).toBe(true);
  return { p, pids };
}

describe("parity start: shutdown", () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`${signal} to parity alone stops grandchildren, setsid children and forked-away children; exit 0`, async () => {
      const { p, pids } = await startTrees();
      const tagged = findTagged("PARITY_TEST_TAG", p.tag);
      expect(tagged.length).toBeGreaterThanOrEqual(8);
      process.kill(p.pid, signal);
      const result = await p.waitForExit();
      expect(result.code).toBe(0);
      expect(p.stdout()).toContain(`${signal} received, sending SIGTERM to all processes`);
      expect(await waitUntilGone([...pids, ...tagged], 2000)).toEqual([]);
      expect(p.stderr()).toBe("");
    });
  }

  it("kills a child that ignores SIGTERM at -t seconds, not earlier, and exits non-zero", async () => {
    const cwd = track(makeApp({ Procfile: "stubborn: ignore-term\nother: forever\n" }));
    const p = runParity(["start", "-t", "2", "-p", "43100"], { cwd });
    const line = await p.waitForLine(/ignoring TERM, pid \d+/);
    const pid = Number(line.match(/pid (\d+)/)?.[1]);
    const sentAt = Date.now();
    process.kill(p.pid, "SIGTERM");
    await p.waitForLine(/sending SIGKILL to stubborn\.1: still running after 2s/, 10_000);
    const killedAfter = Date.now() - sentAt;
    const result = await p.waitForExit();
    expect(killedAfter).toBeGreaterThanOrEqual(1900);
    expect(result.code).toBe(1);
    expect(isAlive(pid)).toBe(false);
  });

  it("a child that cleared its environment, left the tree and ignores SIGTERM is still killed at -t", async () => {
    const cwd = track(
      makeApp({
        Procfile: `escapee: env -i /usr/bin/setsid /bin/sh -c 'trap "" TERM HUP; echo "escapee $$"; exec sleep 1000' & wait\n`,
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-t", "1", "-p", "43150"], { cwd });
    const line = await p.waitForLine(/escapee \d+/);
    const pid = Number(line.match(/escapee (\d+)/)?.[1]);
    try {
      process.kill(p.pid, "SIGTERM");
      await p.waitForExit();
      expect(p.stdout()).toMatch(/sending SIGKILL to escapee\.1/);
      expect(await waitUntilGone([pid], 2000)).toEqual([]);
    } finally {
      killAll([pid]);
    }
  });

  it("a process whose parent still runs is left to that parent; the group and orphans get the signal", async () => {
    const cwd = track(makeApp({ Procfile: "boss: boss\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "43160"], { cwd });
    await p.waitForLine(/child up/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
    expect(p.stdout()).toMatch(/boss\.1 +\| child got USR1/);
    expect(p.stdout()).not.toMatch(/child got TERM/);
    expect(p.stdout()).toMatch(/boss\.1 +\| boss done/);
  });

  it("a second Ctrl-C kills at once, without waiting for the timeout", async () => {
    const cwd = track(makeApp({ Procfile: "stubborn: ignore-term\n" }));
    const p = runParity(["start", "-t", "60", "-p", "43200"], { cwd });
    await p.waitForLine(/ignoring TERM/);
    process.kill(p.pid, "SIGINT");
    await p.waitForLine(/SIGINT received/);
    const secondAt = Date.now();
    process.kill(p.pid, "SIGINT");
    const result = await p.waitForExit(10_000);
    expect(Date.now() - secondAt).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    expect(p.stdout()).toMatch(/sending SIGKILL to stubborn\.1/);
  });

  it("when parity is SIGKILLed, every process it started is gone within about a second", async () => {
    const { p, pids } = await startTrees(["-t", "30"]);
    const stubborn = findTagged("PARITY_TEST_TAG", p.tag).filter((pid) => pid !== p.pid);
    process.kill(p.pid, "SIGKILL");
    await p.waitForExit();
    const killedAt = Date.now();
    const left = await waitUntilGone([...pids, ...stubborn], 3000);
    expect(left).toEqual([]);
    // the watchdog reports how fast: well inside the 3 s deadline above
    expect(Date.now() - killedAt).toBeLessThan(3000);
  });
});

describe("parity start: exit status", () => {
  it("is the status of the process whose exit started the shutdown", async () => {
    const cwd = track(makeApp({ Procfile: "fail: sleep 0.3; exit 3\nother: forever\n" }));
    const p = runParity(["start", "-p", "43300"], { cwd });
    const result = await p.waitForExit();
    expect(result.code).toBe(3);
    expect(p.stdout()).toMatch(/fail\.1 +\| exited with code 3/);
    expect(p.stdout()).toMatch(/fail\.1 exited with code 3, sending SIGTERM to all processes/);
    // `forever` replaced the shell (exec): the status is the command's own
    expect(p.stdout()).toMatch(/other\.1 +\| terminated by SIGTERM/);
  });

  it("is 128+N when a signal killed that process", async () => {
    const cwd = track(makeApp({ Procfile: "victim: sleep 0.2; kill -KILL $$\nother: forever\n" }));
    const result = await runParity(["start", "-p", "43400"], { cwd }).waitForExit();
    expect(result.code).toBe(137);
  });

  it("is 0 when a process exits cleanly and the rest stop in time", async () => {
    const cwd = track(makeApp({ Procfile: "once: echo done\nother: forever\n" }));
    const p = runParity(["start", "-p", "43500"], { cwd });
    const result = await p.waitForExit();
    expect(result.code).toBe(0);
    expect(p.stdout()).toMatch(/once\.1 +\| done/);
  });

  it("a background process left by an exited shell is stopped too", async () => {
    const cwd = track(
      makeApp({ Procfile: 'leaver: sleep 1000 & echo "left $!"\nother: forever\n' }),
    );
    const p = runParity(["start", "-p", "43600"], { cwd });
    const line = await p.waitForLine(/left \d+/);
    const pid = Number(line.match(/left (\d+)/)?.[1]);
    const result = await p.waitForExit();
    expect(result.code).toBe(0);
    expect(await waitUntilGone([pid], 2000)).toEqual([]);
  });

  it("a process that cleared its environment but stayed in the group is stopped after its shell exited", async () => {
    const cwd = track(
      makeApp({ Procfile: "a: env -i /bin/sleep 1234 & sleep 0.3; exit 0\nb: exec sleep 100\n" }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "43650"], { cwd });
    const line = await p.waitForLine(/^a\.1 +\| started with pid \d+/);
    const group = Number(line.match(/pid (\d+)/)?.[1]);
    const inGroup = () =>
      readdirSync("/proc")
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
          try {
            const stat = readFileSync(`/proc/${n}/stat`, "latin1");
            return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === group;
          } catch {
            return false;
          }
        })
        .map(Number);
    try {
      expect((await p.waitForExit()).code).toBe(0);
      expect(await waitUntilGone(inGroup(), 2000)).toEqual([]);
    } finally {
      killAll(inGroup());
    }
  });

  it("no process is left after every test (the tag scan itself finds live processes)", async () => {
    const cwd = track(makeApp({ Procfile: "a: forever\n" }));
    const p = runParity(["start", "-p", "43700"], { cwd });
    await p.waitForLine(/running/);
    // the scan used by cleanup() sees parity, its shell and the watchdog while they run
    const seen = await waitFor(
      () => {
        const t = findTagged("PARITY_TEST_TAG", p.tag);
        return t.length >= 3 ? t : undefined;
      },
      5000,
      "three tagged processes",
    );
    expect(seen).toContain(p.pid);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });
});

describe("parity start: the shell around a command", () => {
  it("a simple command replaces the shell: the pid parity reports is the command's own", async () => {
    const cwd = track(makeApp({ Procfile: `self: sh -c 'echo "my pid $$"; exec sleep 100'\n` }));
    const p = runParity(["start", "--no-timestamp", "-p", "43800"], { cwd });
    const started = await p.waitForLine(/started with pid \d+/);
    const mine = await p.waitForLine(/my pid \d+/);
    expect(started.match(/pid (\d+)/)?.[1]).toBe(mine.match(/pid (\d+)/)?.[1]);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("a compound line's commands get the stop signal and parity waits for them; a loop stops", async () => {
    const handler = `node -e "process.on('SIGTERM', () => { console.log('cleaning up'); setTimeout(() => { console.log('clean'); process.exit(4) }, 300) }); console.log('up'); setInterval(() => {}, 1000)"`;
    const cwd = track(
      makeApp({ Procfile: `compound: cd . && ${handler}\nloop: while :; do sleep 0.1; done\n` }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "43900"], { cwd });
    await p.waitForLine(/compound\.1 +\| up/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
    const out = p.stdout();
    expect(out).toMatch(/compound\.1 +\| cleaning up\n(.*\n)*compound\.1 +\| clean\n/);
    expect(out).not.toMatch(/SIGKILL/);
    expect(out).not.toMatch(/Terminated/);
    expect(out).toMatch(/loop\.1 +\| terminated by SIGTERM/);
  });
});
