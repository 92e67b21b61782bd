// End-to-end: parity.yml drives readiness, dependency order, restarts, watch, stop signals and environments.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, runParityToEnd, track } from "../support/parity.js";
import { isAlive, waitFor } from "../support/processes.js";

afterEach(cleanup);

const indexOfLine = (lines: string[], pattern: RegExp) => lines.findIndex((l) => pattern.test(l));

describe("parity.yml: depends_on and readiness", () => {
  it("starts a process only after its dependency is ready, and says when it became ready", async () => {
    const cwd = track(
      makeApp({
        Procfile: [
          "web: test -f db.ready && echo 'web saw db ready' || echo 'web started too early'; exec sleep 100",
          "db: sleep 0.5; touch db.ready; echo 'db accepting connections'; exec sleep 100",
          "",
        ].join("\n"),
        "parity.yml": [
          "processes:",
          "  db:",
          "    ready: { log: 'accepting connections$', interval: 0.1s, timeout: 10s }",
          "  web:",
          "    depends_on: [db]",
          "",
        ].join("\n"),
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47000"], { cwd });
    await p.waitForLine(/web\.1 +\| web (saw db ready|started too early)/);
    const lines = p.lines();
    expect(lines).toContainEqual(
      expect.stringMatching(/^system +\| web waits for db to be ready$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^web\.1 +\| web saw db ready$/));
    const ready = indexOfLine(lines, /^system +\| db\.1 ready after \d+(\.\d)?s$/);
    const webStarted = indexOfLine(lines, /^web\.1 +\| started with pid/);
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(webStarted).toBeGreaterThan(ready);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("a probe that does not pass in its timeout stops the run with a clear message and status 1", async () => {
    const cwd = track(
      makeApp({
        Procfile: "db: exec sleep 100\nweb: exec sleep 100\n",
        "parity.yml":
          "processes:\n  db:\n    ready: { tcp: 47199, interval: 0.1s, timeout: 1s }\n  web:\n    depends_on: [db]\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47100"], { cwd });
    const result = await p.waitForExit(15_000);
    expect(result.code).toBe(1);
    expect(p.stdout()).toMatch(
      /^system +\| db\.1 not ready after 1s \(tcp localhost:47199\), sending SIGTERM to all processes$/m,
    );
    expect(p.stdout()).not.toMatch(/web\.1 +\| started/);
  });

  it("stops dependents before their dependencies", async () => {
    const cwd = track(
      makeApp({
        Procfile: [
          "db: trap 'echo db got TERM; exit 0' TERM; echo db up; while :; do sleep 0.1; done",
          "web: trap 'sleep 0.3; echo web got TERM; exit 0' TERM; echo web up; while :; do sleep 0.1; done",
          "",
        ].join("\n"),
        "parity.yml": "processes:\n  web:\n    depends_on: [db]\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47200"], { cwd });
    await p.waitForLine(/web\.1 +\| web up/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
    const lines = p.lines();
    const webDone = indexOfLine(lines, /^web\.1 +\| web got TERM/);
    const dbTerm = indexOfLine(lines, /^db\.1 +\| db got TERM/);
    expect(webDone).toBeGreaterThanOrEqual(0);
    expect(dbTerm).toBeGreaterThan(webDone);
  });
});

describe("parity.yml: restart with backoff", () => {
  it("restarts a crashing process a bounded number of times, marks it failed, and the sibling keeps running", async () => {
    const cwd = track(
      makeApp({
        Procfile: "crash: echo crashing; exit 1\nsteady: echo steady; exec sleep 100\n",
        "parity.yml": [
          "processes:",
          "  crash:",
          "    restart: { policy: on-failure, backoff: 0.1s, max_backoff: 0.4s, limit: 3, window: 1m }",
          "",
        ].join("\n"),
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47300"], { cwd });
    const steady = await p.waitForLine(/^steady\.1 +\| started with pid \d+/);
    const steadyPid = Number(steady.match(/pid (\d+)/)?.[1]);
    await p.waitForLine(
      /^system +\| crash\.1 failed: more than 3 restarts in 60s; not restarting it/,
      15_000,
    );
    const lines = p.lines();
    expect(lines.filter((l) => /^crash\.1 +\| started with pid/.test(l))).toHaveLength(4);
    const delays = lines
      .map((l) =>
        l.match(/^system +\| crash\.1 restarting in ([\d.]+)s \(restart (\d) in a row\)$/),
      )
      .filter((m) => m !== null)
      .map((m) => [Number(m?.[1]), Number(m?.[2])]);
    expect(delays.map(([, n]) => n)).toEqual([1, 2, 3]);
    // 0.1 s doubling (±20 %), capped at 0.4 s
    expect(delays[0]?.[0]).toBeLessThanOrEqual(0.2);
    expect(delays[2]?.[0]).toBeLessThanOrEqual(0.4);
    expect(isAlive(steadyPid)).toBe(true);
    expect(lines.filter((l) => /^steady\.1 +\| started/.test(l))).toHaveLength(1);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("restart: always brings back a process that exits cleanly", async () => {
    const cwd = track(
      makeApp({
        Procfile: "tick: echo tick\nsteady: exec sleep 100\n",
        "parity.yml":
          "processes:\n  tick:\n    restart: { policy: always, backoff: 0.05s, limit: 100 }\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47400"], { cwd });
    await waitFor(
      () => p.lines().filter((l) => /^tick\.1 +\| tick$/.test(l)).length >= 3,
      10_000,
      "three ticks",
    );
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });
});

describe("parity.yml: watch", () => {
  it("restarts the process whose files changed, and not the other", async () => {
    const cwd = track(
      makeApp({
        Procfile: "web: echo web up; exec sleep 100\nworker: echo worker up; exec sleep 100\n",
        "parity.yml": "processes:\n  web:\n    watch: ['src/**/*.js']\n",
      }),
    );
    const src = join(cwd, "src");
    mkdirSync(src);
    writeFileSync(join(src, "app.js"), "1");
    const p = runParity(["start", "--no-timestamp", "-p", "47500"], { cwd });
    const web1 = await p.waitForLine(/^web\.1 +\| started with pid \d+/);
    const worker1 = await p.waitForLine(/^worker\.1 +\| started with pid \d+/);
    await p.waitForLine(/web up/);
    // the watcher is ready when its initial scan is done: write again every 0.5 s until the
    // change is seen (changes closer together than the debounce would keep postponing it)
    let lastWrite = 0;
    await waitFor(
      () => {
        if (Date.now() - lastWrite > 500) {
          writeFileSync(join(src, "app.js"), String(Date.now()));
          lastWrite = Date.now();
        }
        return p.lines().some((l) => /changed: restarting web$/.test(l));
      },
      10_000,
      "the change to be seen",
    );
    await waitFor(
      () => p.lines().filter((l) => /^web\.1 +\| started with pid/.test(l)).length >= 2,
      10_000,
      "web restarted",
    );
    const webPids = p.lines().filter((l) => /^web\.1 +\| started with pid/.test(l));
    expect(webPids[1]).not.toBe(web1);
    expect(p.lines().filter((l) => /^worker\.1 +\| started with pid/.test(l))).toEqual([worker1]);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });
});

describe("parity.yml: stop signal and timeout", () => {
  it("sends each process its own stop signal", async () => {
    const cwd = track(
      makeApp({
        Procfile:
          "intonly: trap '' TERM; trap 'echo got INT; exit 0' INT; echo up; while :; do sleep 0.1; done\n",
        "parity.yml": "processes:\n  intonly:\n    stop_signal: SIGINT\n    stop_timeout: 10\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "47600"], { cwd });
    await p.waitForLine(/intonly\.1 +\| up/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
    expect(p.stdout()).toMatch(/sending SIGINT to all processes/);
    expect(p.stdout()).toMatch(/intonly\.1 +\| got INT/);
    expect(p.stdout()).not.toMatch(/SIGKILL/);
  });

  it("kills at the process's own stop_timeout", async () => {
    const cwd = track(
      makeApp({
        Procfile: "stubborn: ignore-term\n",
        "parity.yml": "processes:\n  stubborn:\n    stop_timeout: 0.5s\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-t", "30", "-p", "47700"], { cwd });
    await p.waitForLine(/ignoring TERM/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit(10_000)).code).toBe(1);
    expect(p.stdout()).toMatch(/sending SIGKILL to stubborn\.1: still running after 0\.5s/);
  });
});

describe("parity.yml: environments", () => {
  const files = {
    Procfile:
      'web: echo "$PS $GREETING"; exec sleep 100\nworker: echo "$PS $GREETING"; exec sleep 100\n',
    ".env.shared": "GREETING=shared\n",
    ".env.prod": "GREETING=production\n",
    "parity.yml": [
      "environments:",
      "  development:",
      "    env_files: [.env.shared]",
      "  production:",
      "    env_files: [.env.shared, .env.prod]",
      "    formation: { web: 2, worker: 0 }",
      "",
    ].join("\n"),
  };

  it("switches env files and formation with -E and PARITY_ENV", async () => {
    const cwd = track(makeApp(files));
    const dev = runParity(["start", "--no-timestamp", "-p", "47800"], { cwd });
    await dev.waitForLine(/worker\.1 +\| worker\.1 shared/);
    await dev.waitForLine(/web\.1 +\| web\.1 shared/);
    process.kill(dev.pid, "SIGTERM");
    await dev.waitForExit();

    const prod = runParity(["start", "--no-timestamp", "-p", "47800", "-E", "production"], { cwd });
    await prod.waitForLine(/web\.2 +\| web\.2 production/);
    await prod.waitForLine(/web\.1 +\| web\.1 production/);
    expect(prod.stdout()).not.toMatch(/worker/);
    process.kill(prod.pid, "SIGTERM");
    await prod.waitForExit();

    const viaEnv = runParity(["start", "--no-timestamp", "-p", "47800"], {
      cwd,
      env: { PARITY_ENV: "production" },
    });
    await viaEnv.waitForLine(/web\.2 +\| web\.2 production/);
    process.kill(viaEnv.pid, "SIGTERM");
    await viaEnv.waitForExit();
  });

  it("parity env --explain -E production shows each value's source", async () => {
    const cwd = track(makeApp(files));
    const r = await runParityToEnd(["env", "--explain", "-E", "production"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^GREETING=production +# from \.env\.prod:1 \(overrides \.env\.shared:1\)$/m,
    );
    expect(r.stdout).toMatch(/production/);
  });

  it("parity check reports every manifest problem at once with parity.yml:LINE:COL", async () => {
    const cwd = track(
      makeApp({
        Procfile: "web: a\nworker: b\n",
        "parity.yml":
          "processes:\n  web:\n    restart: sometimes\n    depends_on: [wrker]\n  worker:\n    stop_timeout: soon\n",
      }),
    );
    const r = await runParityToEnd(["check"], { cwd });
    expect(r.code).toBe(1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    expect(errors).toHaveLength(3);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^error: parity\.yml:3:14: processes\.web\.restart: "sometimes" is not a restart policy\./,
        ),
        expect.stringMatching(
          /^error: parity\.yml:4:18: .*unknown process "wrker"\. Did you mean "worker"\?/,
        ),
        expect.stringMatching(
          /^error: parity\.yml:6:19: processes\.worker\.stop_timeout: "soon" is not a duration\./,
        ),
      ]),
    );
  });
});
