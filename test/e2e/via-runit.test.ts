// End-to-end: `parity start --via runit` runs the app's runit export under a real runsvdir, with
// parity's prefixed output and stop semantics, and leaves nothing behind.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  COMPARED,
  dumpUnderParityStart,
  findByCommandLine,
  hasCommand,
  makeExportApp,
  pickCompared,
  readDumps,
  waitForDumps,
} from "../support/export-app.js";
import {
  cleanup,
  FIXTURES_BIN,
  makeApp,
  type ParityProcess,
  runParity,
  runParityToEnd,
  track,
} from "../support/parity.js";
import { findTagged, isAlive, killAll, waitFor, waitUntilGone } from "../support/processes.js";

const missing = ["runsvdir", "runsv", "sv", "chpst"].filter((c) => !hasCommand(c));
const MARKER = "PARITY_RUN";
/** The argument (unique to this test process) that names the stray-group test's background sleeps. */
const STRAY = `97531${process.pid}`;

/** Markers of the runs started by a test: whatever carries one is killed after it. */
const markers: string[] = [];
afterEach(async () => {
  for (const marker of markers.splice(0)) killAll(findTagged(MARKER, marker));
  killAll(findByCommandLine(STRAY)); // the stray-group test's sleeps carry no marker
  await cleanup();
});

/** A private TMPDIR for one parity: where its runit tree goes (and must be gone from afterwards). */
function makeTmp(): string {
  return track(mkdtempSync(join(tmpdir(), "parity-via-tmp-")));
}

/** Starts `parity start --via runit ARGS` in `cwd` with TMPDIR=`tmp`. */
function startVia(cwd: string, tmp: string, args: string[]): ParityProcess {
  return runParity(["start", "--via", "runit", "--no-timestamp", ...args], {
    cwd,
    env: { TMPDIR: tmp },
  });
}

/** The marker every process of the run carries, read from the runsvdir parity started. */
async function findRunMarker(p: ParityProcess): Promise<string> {
  const marker = await waitFor(
    () => {
      for (const name of readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        try {
          const stat = readFileSync(`/proc/${name}/stat`, "latin1");
          const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (Number(fields[1]) !== p.pid || !stat.includes("(runsvdir)")) continue;
          const environ = readFileSync(`/proc/${name}/environ`, "latin1").split("\0");
          return environ.find((e) => e.startsWith(`${MARKER}=`))?.slice(MARKER.length + 1);
        } catch {
          // gone
        }
      }
      return undefined;
    },
    10_000,
    "the runsvdir that parity started",
  );
  markers.push(marker);
  return marker;
}

/** Every process of the run is gone (and stays gone), and the private directory too. */
async function expectNothingLeft(marker: string, tmp: string): Promise<void> {
  const left = await waitUntilGone(findTagged(MARKER, marker), 3000);
  expect(left, "processes of the run left after parity exited").toEqual([]);
  expect(findTagged(MARKER, marker)).toEqual([]);
  expect(readdirSync(tmp), "the private runit tree is removed").toEqual([]);
}

describe.skipIf(missing.length > 0)(
  `parity start --via runit${missing.length > 0 ? ` (skipped: needs ${missing.join(", ")})` : ""}`,
  () => {
    it("gives every process what parity start -E production gives it, prefixes its output, stops everything on SIGINT", async () => {
      const app = makeExportApp();
      track(app.tmp);
      const expected = await dumpUnderParityStart(app, 48600);
      const tmp = makeTmp();
      // -E defaults to production under --via, as for export.
      const p = startVia(app.root, tmp, ["-p", "48600", "-t", "3"]);
      const marker = await findRunMarker(p);
      await waitForDumps(app.dump, COMPARED, 30_000);
      const got = readDumps(app.dump, COMPARED);
      for (const name of COMPARED) {
        expect(pickCompared(got[name]!), name).toEqual(pickCompared(expected[name]!));
      }
      // Nothing of the shell reaches the processes: runsvdir gets PATH only, as on a node.
      expect(got["web.1"]!.home).toBeUndefined();
      expect(got["web.1"]!.uid).toBe(process.getuid?.());
      // depends_on: worker started once both webs were ready (their check scripts passed).
      expect(got["worker.1"]!.startedAt).toBeGreaterThanOrEqual(got["web.2"]!.readyAt);
      for (const name of COMPARED) await p.waitForLine(new RegExp(`^${name} +\\| dumped ${name}$`));
      await p.waitForLine(/^stubborn\.1 +\| ignoring TERM/);
      await p.waitForLine(/^web\.1 +\| started with pid \d+$/);
      const stubborn = Number(
        p
          .lines()
          .find((l) => l.includes("ignoring TERM"))
          ?.split("pid ")[1],
      );
      const stopAt = Date.now();
      process.kill(p.pid, "SIGINT");
      const exit = await p.waitForExit(20_000);
      expect(exit.code, p.stdout()).toBe(0);
      expect(p.stdout()).toContain("SIGINT received, stopping every service");
      // stubborn ignores SIGTERM: control/t SIGKILLed it after its stop_timeout (1 s), not before.
      expect(isAlive(stubborn)).toBe(false);
      expect(Date.now() - stopAt).toBeGreaterThanOrEqual(1000);
      // stopper's stop signal is SIGINT: it wrote its marker file on it.
      expect(readdirSync(app.dump)).toContain("stopped-stopper.1");
      await expectNothingLeft(marker, tmp);
      expect(findByCommandLine(app.tag)).toEqual([]);
    });

    it("loses no output: every line in order, the last without a newline, output written on the stop signal", async () => {
      const root = track(
        makeApp({
          Procfile: [
            "flood: seq 1 200000; printf 'last line without newline'",
            "bye: print-on-term 5000",
            "",
          ].join("\n"),
        }),
      );
      const tmp = makeTmp();
      const p = startVia(root, tmp, ["-p", "48620"]);
      const marker = await findRunMarker(p);
      await p.waitForLine(/^flood\.1 +\| last line without newline$/, 30_000);
      await p.waitForLine(/^bye\.1 +\| waiting for TERM$/);
      process.kill(p.pid, "SIGTERM");
      const exit = await p.waitForExit(20_000);
      expect(exit.code, p.stderr()).toBe(0);
      const flood = p
        .lines()
        .filter((l) => l.startsWith("flood.1 "))
        .map((l) => l.slice(l.indexOf("| ") + 2))
        .filter((l) => /^\d+$/.test(l));
      expect(flood.length).toBe(200_000);
      expect(flood.every((line, k) => line === String(k + 1))).toBe(true);
      const bye = p.lines().filter((l) => /^bye\.1 +\| bye \d+$/.test(l));
      expect(bye.length).toBe(5000);
      expect(bye.at(-1)).toMatch(/bye 5000$/);
      await expectNothingLeft(marker, tmp);
    });

    it("kills at once on a second signal (status 130) and when parity is SIGKILLed (the watchdog)", async () => {
      const root = track(makeApp({ Procfile: "stubborn: ignore-term\nplain: forever\n" }));
      const tmp = makeTmp();
      const p = startVia(root, tmp, ["-p", "48630", "-t", "30"]);
      const marker = await findRunMarker(p);
      await p.waitForLine(/^stubborn\.1 +\| ignoring TERM/);
      process.kill(p.pid, "SIGINT");
      await p.waitForLine(/SIGINT received/);
      process.kill(p.pid, "SIGINT");
      const exit = await p.waitForExit(10_000);
      expect(exit.code).toBe(130);
      expect(p.stdout()).toMatch(/sending SIGKILL to the \d+ processes left/);
      await expectNothingLeft(marker, tmp);

      const q = startVia(root, tmp, ["-p", "48630"]);
      const second = await findRunMarker(q);
      await q.waitForLine(/^stubborn\.1 +\| ignoring TERM/);
      await q.waitForLine(/^plain\.1 +\| started with pid/);
      const running = findTagged(MARKER, second);
      expect(running.length).toBeGreaterThanOrEqual(6); // runsvdir, 2 runsv, 2 log/run, 2 services
      process.kill(q.pid, "SIGKILL");
      await q.waitForExit();
      const left = await waitUntilGone(running, 3000);
      expect(left, "processes left after parity was SIGKILLed").toEqual([]);
      // The watchdog also removes the private directory once the run's processes are gone.
      await waitFor(() => readdirSync(tmp).length === 0, 3000, "the private directory to go");
    });

    it("holds a flooding service back while parity's stdout is not read (bounded memory), and stops when stdout closes", async () => {
      const line = "y".repeat(99);
      const root = track(makeApp({ Procfile: `flood: exec yes ${line}\n` }));
      const tmp = makeTmp();
      const p = runParity(["start", "--via", "runit", "--no-timestamp", "-p", "48650"], {
        cwd: root,
        env: { TMPDIR: tmp },
        readStdout: false,
      });
      const marker = await findRunMarker(p);
      const yes = await waitFor(
        () =>
          findTagged(MARKER, marker).find((pid) =>
            readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("yes"),
          ),
        10_000,
        "the yes process",
      );
      const written = () =>
        Number(readFileSync(`/proc/${yes}/io`, "utf8").match(/wchar: (\d+)/)?.[1] ?? 0);
      const rss = () =>
        Number(readFileSync(`/proc/${p.pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)?.[1]) /
        1024;
      let previous = -1;
      let peak = 0;
      await waitFor(
        () => {
          peak = Math.max(peak, rss());
          const now = written();
          const stalled = now === previous && now > 0;
          previous = now;
          return stalled;
        },
        20_000,
        "yes to be blocked: parity stopped reading its pipe, cat blocked, then yes",
      );
      expect(written()).toBeLessThan(200 * 1024 * 1024);
      expect(peak).toBeLessThan(150);
      // Read 64 MiB: whole, prefixed lines; then close the pipe as `| head` would.
      let read = 0;
      let carry = "";
      let bad = "";
      await new Promise<void>((resolve) => {
        const stdout = p.child.stdout;
        stdout?.on("data", (chunk: Buffer) => {
          read += chunk.length;
          const lines = (carry + chunk.toString("latin1")).split("\n");
          carry = lines.pop() ?? "";
          bad ||=
            lines.find(
              (l) =>
                l !== `flood.1 | ${line}` && !/^(system|flood\.1) +\| (runsvdir|started)/.test(l),
            ) ?? "";
          if (read >= 64 * 1024 * 1024) {
            stdout.destroy();
            resolve();
          }
        });
      });
      expect(bad).toBe("");
      // The pipe is closed: parity's next write fails (EPIPE), and it stops everything.
      const code = await new Promise<number | null>((resolve) => {
        if (p.child.exitCode !== null) resolve(p.child.exitCode);
        else p.child.once("exit", (c) => resolve(c));
      });
      expect(code).toBe(0);
      await expectNothingLeft(marker, tmp);
    });

    it("loses nothing while parity's stdout is not read during the stop: the deadline waits for it", async () => {
      const root = track(
        makeApp({ Procfile: "flood: seq 1 100000; exec sleep 1000\nbye: print-on-term 5000\n" }),
      );
      const tmp = makeTmp();
      const p = runParity(
        ["start", "--via", "runit", "--no-timestamp", "-p", "48660", "-t", "0.5"],
        { cwd: root, env: { TMPDIR: tmp }, readStdout: false },
      );
      const marker = await findRunMarker(p);
      await waitFor(
        () =>
          findTagged(MARKER, marker).some((pid) =>
            readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("sleep\u00001000"),
          ),
        20_000,
        "flood to have written everything (parity holds part of it back)",
      );
      const stopAt = Date.now();
      process.kill(p.pid, "SIGINT");
      // Longer than the stop timeout and the grace (0.5 s + 3 s) with stdout blocked: the
      // deadline must not fire, since output that cannot be written is late, not stuck.
      await waitFor(() => Date.now() - stopAt > 5000, 10_000, "5 s with stdout blocked");
      let out = "";
      p.child.stdout?.on("data", (d: Buffer) => {
        out += d.toString("latin1");
      });
      const exit = await new Promise<number | null>((resolve) => {
        if (p.child.exitCode !== null) resolve(p.child.exitCode);
        else p.child.once("exit", (c) => resolve(c));
      });
      await new Promise<void>((resolve) =>
        p.child.stdout?.readableEnded ? resolve() : p.child.stdout?.once("close", () => resolve()),
      );
      expect(exit, out.slice(-500)).toBe(0);
      expect(out).not.toContain("SIGKILL");
      const lines = out.split("\n");
      const flood = lines.filter((l) => /^flood\.1 +\| \d+$/.test(l));
      expect(flood.length).toBe(100_000);
      expect(lines.filter((l) => /^bye\.1 +\| bye \d+$/.test(l)).length).toBe(5000);
      await expectNothingLeft(marker, tmp);
    });

    it("stops what a restarted service left in its old process group (no marker, reparented): nothing left", async () => {
      const root = track(
        makeApp({
          Procfile: `web: env -i sleep ${STRAY} >/dev/null 2>&1 & sleep 0.5; exit 1\n`,
          "parity.yml": "processes:\n  web:\n    restart: always\n",
        }),
      );
      const tmp = makeTmp();
      const p = startVia(root, tmp, ["-p", "48670"]);
      const marker = await findRunMarker(p);
      await waitFor(
        () => p.lines().filter((l) => /^web\.1 +\| started with pid/.test(l)).length >= 2,
        20_000,
        "web.1 to be restarted once",
      );
      const strays = await waitFor(
        () => {
          const found = findByCommandLine(STRAY);
          return found.length >= 2 ? found : undefined;
        },
        10_000,
        "the background sleeps of two runs",
      );
      process.kill(p.pid, "SIGINT");
      const exit = await p.waitForExit(20_000);
      expect(exit.code, p.stdout()).toBe(0);
      expect(await waitUntilGone(strays, 3000)).toEqual([]);
      expect(findByCommandLine(STRAY)).toEqual([]);
      await expectNothingLeft(marker, tmp);
    });

    it("refuses before writing or starting anything: an unknown --via, missing runit, a busy port, an empty formation", async () => {
      const root = track(makeApp({ Procfile: "web: forever\n" }));
      const tmp = makeTmp();
      const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
        runParityToEnd(["start", ...args], { cwd: root, env: { TMPDIR: tmp, ...env } });

      const unknown = await run(["--via", "runnit"]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(
        'error: --via: parity cannot run an app under "runnit". Did you mean --via runit?\n',
      );
      expect(unknown.stdout).toBe("");

      const noRunit = await run(["--via", "runit"], { PATH: FIXTURES_BIN });
      expect(noRunit.code).toBe(2);
      expect(noRunit.stderr).toContain("--via runit needs runsvdir, runsv, sv, chpst, cat, mkfifo");
      expect(noRunit.stderr).toContain("apt-get install runit");

      const noTmp = await run(["--via", "runit"], { TMPDIR: join(tmp, "nope") });
      expect(noTmp.code).toBe(2);
      expect(noTmp.stderr).toBe(
        `error: TMPDIR: the temporary directory "${join(tmp, "nope")}" cannot be used (ENOENT). Fix: set TMPDIR to an existing, writable directory (or unset it for /tmp).\n`,
      );

      const zero = await run(["--via", "runit", "-m", "web=0"]);
      expect(zero.code).toBe(2);
      expect(zero.stderr).toContain("the formation of production starts no process");

      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(48640, "0.0.0.0", resolve));
      const busy = await run(["--via", "runit", "-p", "48640"]);
      blocker.close();
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain("port 48640 (PORT of web.1) is already in use");
      for (const r of [unknown, noRunit, noTmp, zero, busy]) {
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(r.stdout).not.toContain("started with pid");
      }
      expect(readdirSync(tmp), "nothing written").toEqual([]);
    });
  },
);
