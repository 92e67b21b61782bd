// End-to-end: a slow or closed stdout bounds parity's memory and shuts it down cleanly.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  cleanup,
  FIXTURES_BIN,
  makeApp,
  PARITY_BIN,
  runParity,
  TAG_KEY,
  track,
} from "../support/parity.js";
import { findTagged, waitFor } from "../support/processes.js";

afterEach(cleanup);

/** Resident memory of `pid` in MB. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

/** Bytes `pid` has written so far (all file descriptors). */
function bytesWritten(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/io`, "utf8").match(/wchar: (\d+)/)?.[1] ?? 0);
}

const LINE = "x".repeat(99);

describe("parity start: backpressure", () => {
  it("stops reading from a child while its stdout is not read, and relays gigabytes in bounded memory", async () => {
    const cwd = track(makeApp({ Procfile: `flood: exec yes ${LINE}\n` }));
    const p = runParity(["start", "--no-timestamp", "-p", "45500"], { cwd, readStdout: false });
    const yesPid = await waitFor(
      () =>
        findTagged(TAG_KEY, p.tag).find((pid) =>
          readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("yes"),
        ),
      10_000,
      "the yes process",
    );
    // Nobody reads parity's stdout: the child must end up blocked (its write count stops growing).
    let previous = -1;
    let peak = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, rssMb(p.pid));
        const now = bytesWritten(yesPid);
        const stalled = now === previous && now > 0;
        previous = now;
        return stalled;
      },
      20_000,
      "the child to be blocked by backpressure",
    );
    const blockedAt = bytesWritten(yesPid);
    expect(blockedAt).toBeLessThan(200 * 1024 * 1024);
    expect(peak).toBeLessThan(150);

    // Now read 1 GiB through parity, sampling its memory all along.
    const target = 1024 * 1024 * 1024;
    let read = 0;
    let badLine = "";
    let carry = "";
    await new Promise<void>((resolve) => {
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(p.pid));
      }, 50);
      const stdout = p.child.stdout;
      const onData = (chunk: Buffer) => {
        read += chunk.length;
        if (!badLine && read < 50 * 1024 * 1024) {
          const lines = (carry + chunk.toString("latin1")).split("\n");
          carry = lines.pop() ?? "";
          badLine =
            lines.find((l) => l !== `flood.1 | ${LINE}` && !l.includes("started with pid")) ?? "";
        }
        if (read >= target) {
          clearInterval(sampler);
          stdout?.off("data", onData);
          stdout?.pause();
          resolve();
        }
      };
      stdout?.on("data", onData);
    });
    expect(badLine).toBe("");
    expect(bytesWritten(yesPid)).toBeGreaterThan(blockedAt + target * 0.9);
    expect(peak).toBeLessThan(150);

    process.kill(p.pid, "SIGTERM");
    p.child.stdout?.resume();
    expect((await p.waitForExit(20_000)).code).toBe(0);
  });

  it("keeps holding a pipe whose shell exited while a descendant still floods it", async () => {
    const cwd = track(
      makeApp({
        Procfile: `a: sh -c 'trap "" TERM; exec yes ${LINE}' & sleep 0.3; exit 3\nb: exec sleep 100\n`,
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-t", "3", "-p", "45550"], {
      cwd,
      readStdout: false,
    });
    const yesPid = await waitFor(
      () =>
        findTagged(TAG_KEY, p.tag).find((pid) =>
          readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("yes"),
        ),
      10_000,
      "the yes process",
    );
    // Until the yes (which ignores SIGTERM) is killed at -t, parity must not read it unboundedly.
    let peak = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, rssMb(p.pid));
        return !findTagged(TAG_KEY, p.tag).includes(yesPid);
      },
      20_000,
      "the flooding descendant to be killed at -t",
    );
    expect(peak).toBeLessThan(150);
    p.child.stdout?.resume();
    expect((await p.waitForExit(20_000)).code).toBe(3);
  });

  it("exits with the right status when stdout is read late (a pager that waits)", async () => {
    const cwd = track(makeApp({ Procfile: "a: seq 1 60000; exit 3\nb: exec sleep 100\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "45560"], { cwd, readStdout: false });
    // wait until every child is gone: only parity (blocked on its output) and its watchdog remain
    await waitFor(
      () => {
        const left = findTagged(TAG_KEY, p.tag).filter((pid) => pid !== p.pid);
        return left.every((pid) =>
          readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("/bin/sh"),
        );
      },
      10_000,
      "the children to be gone",
    );
    let lines = 0;
    p.child.stdout?.on("data", (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    expect((await p.waitForExit(20_000)).code).toBe(3);
    expect(lines).toBeGreaterThan(60_000);
  });

  it("`parity start | head -1` prints one line and shuts everything down cleanly", async () => {
    const cwd = track(makeApp({ Procfile: "flood: yes\nother: exec sleep 1000\n" }));
    const tag = `head-${process.pid}-${Date.now()}`;
    const child = spawn(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${PARITY_BIN}" start --no-timestamp -p 45600 | head -1; echo "status=\${PIPESTATUS[0]}"`,
      ],
      {
        cwd,
        env: { ...process.env, PATH: `${FIXTURES_BIN}:${process.env.PATH}`, [TAG_KEY]: tag },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((res) => child.once("close", (c) => res(c)));
    expect(code).toBe(0);
    const lines = out.split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^(flood|other)\.1 +\| /);
    expect(lines[1]).toBe("status=0");
    expect(err).toBe("");
    const left = await waitFor(
      () => findTagged(TAG_KEY, tag).length === 0 || undefined,
      3000,
      "no processes left",
    ).catch(() => findTagged(TAG_KEY, tag));
    expect(left).toBe(true);
  });
});
