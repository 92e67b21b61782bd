import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getDefaultSettings } from "../../../src/app/defaults.js";
import { readProcessTable } from "../../../src/supervisor/process-table.js";
import type { ProcessSettings } from "../../../src/types.js";
import { isAlive, killAll, waitFor, waitUntilGone } from "../../support/processes.js";
import {
  FOREVER,
  type Harness,
  IGNORE_TERM,
  instance,
  killRuns,
  leftovers,
  makeSupervisor,
} from "../../support/supervisor-harness.js";

/** A type's settings: the defaults with `overrides`, restart fields merged. */
function settings(
  overrides: Partial<Omit<ProcessSettings, "restart">> & {
    restart?: Partial<ProcessSettings["restart"]>;
  } = {},
): ProcessSettings {
  const base = getDefaultSettings();
  return { ...base, ...overrides, restart: { ...base.restart, ...overrides.restart } };
}

/** A shell loop that announces itself and runs until a signal ends it (traps come first). */
const loop = (traps: string[], word: string) =>
  [...traps, `echo ${word}`, "while :; do sleep 0.05; done"].join("\n");

const dirs: string[] = [];
const pidFiles: string[] = [];

function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-policies-"));
  dirs.push(dir);
  return dir;
}

/** Index of the first timeline entry with exactly `text` (-1 when absent). */
const indexOf = (h: Harness, text: string) => h.timeline.findIndex((e) => e.text === text);

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

afterEach(async () => {
  await killRuns();
  const probes = pidFiles.splice(0).flatMap((f) => readPid(f) ?? []);
  killAll(probes);
  await waitUntilGone(probes, 2000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("Supervisor: restart policies", () => {
  it("restarts an on-failure instance with growing backoff; its sibling is untouched", async () => {
    const dir = makeDir();
    // Fails its first two runs, then stays up.
    const flaky = [
      "n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > count",
      'if [ $n -le 2 ]; then echo "fail $n"; exit 1; fi',
      'echo "up $n"',
      "exec sleep 30",
    ].join("\n");
    const h = makeSupervisor(
      [instance("a.1", 5000, flaky), instance("b.1", 5100, `${FOREVER} b`)],
      {
        cwd: dir,
        settings: new Map([
          ["a", settings({ restart: { policy: "on-failure", initialBackoffMs: 50, limit: 5 } })],
        ]),
      },
    );
    h.supervisor.start();
    await h.waitForOutput("a.1", "up 3\n");
    await h.waitForOutput("b.1", "b\n");
    expect(h.described()).toEqual([
      "start a.1",
      "start b.1",
      "exit a.1 1",
      "restarting a.1 #1 in 50",
      "start a.1",
      "exit a.1 1",
      "restarting a.1 #2 in 100",
      "start a.1",
    ]);
    // Each restart waited for its delay.
    const starts = h.timeline.filter((e) => e.text === "start a.1");
    const restarts = h.timeline.filter((e) => e.text.startsWith("restarting a.1"));
    expect(starts[1]!.at - restarts[0]!.at).toBeGreaterThanOrEqual(49);
    expect(starts[2]!.at - restarts[1]!.at).toBeGreaterThanOrEqual(99);
    // Three different runs of a; one run of b, still alive.
    const aPids = h.pidsOf("a.1");
    expect(new Set(aPids).size).toBe(3);
    const [bPid] = h.pidsOf("b.1");
    expect(h.pidsOf("b.1")).toHaveLength(1);
    expect(isAlive(bPid!)).toBe(true);
    expect(isAlive(aPids[2]!)).toBe(true);
    expect(h.supervisor.stopping).toBe(false);

    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(leftovers(h)).toEqual([]);
  });

  it("restarts an `always` instance after a clean exit too", async () => {
    const dir = makeDir();
    const once = [
      "n=$(cat count 2>/dev/null || echo 0); n=$((n + 1)); echo $n > count",
      '[ $n -le 1 ] && exit 0; echo "up $n"; exec sleep 30',
    ].join("\n");
    const h = makeSupervisor([instance("a.1", 5000, once)], {
      cwd: dir,
      settings: new Map([["a", settings({ restart: { policy: "always", initialBackoffMs: 20 } })]]),
    });
    h.supervisor.start();
    await h.waitForOutput("a.1", "up 2\n");
    expect(h.described()).toEqual([
      "start a.1",
      "exit a.1 0",
      "restarting a.1 #1 in 20",
      "start a.1",
    ]);
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
  });

  it("restarts with the initial delay again after a run that lasted resetAfterMs", async () => {
    const h = makeSupervisor([instance("a.1", 5000, "exit 1")], {
      settings: new Map([
        [
          "a",
          settings({
            restart: { policy: "on-failure", initialBackoffMs: 20, resetAfterMs: 0, limit: 3 },
          }),
        ],
      ]),
    });
    h.supervisor.start();
    await h.waitForEvent("failed a.1 after 3 in 60000");
    expect(h.described().filter((e) => e.startsWith("restarting"))).toEqual([
      "restarting a.1 #1 in 20",
      "restarting a.1 #1 in 20",
      "restarting a.1 #1 in 20",
    ]);
  });

  it("marks a crash-looping instance failed after `limit` restarts; the rest keep running", async () => {
    const h = makeSupervisor(
      [instance("a.1", 5000, "echo crash; exit 1"), instance("b.1", 5100, `${FOREVER} b`)],
      {
        settings: new Map([
          [
            "a",
            settings({
              restart: { policy: "on-failure", initialBackoffMs: 20, limit: 2, windowMs: 60_000 },
            }),
          ],
        ]),
      },
    );
    h.supervisor.start();
    await h.waitForEvent("failed a.1 after 2 in 60000");
    await h.waitForOutput("b.1", "b\n");
    expect(h.described()).toEqual([
      "start a.1",
      "start b.1",
      "exit a.1 1",
      "restarting a.1 #1 in 20",
      "start a.1",
      "exit a.1 1",
      "restarting a.1 #2 in 40",
      "start a.1",
      "exit a.1 1",
      "failed a.1 after 2 in 60000",
    ]);
    expect(h.events.find((e) => e.type === "failed")).toMatchObject({
      instance: { name: "a.1" },
      restarts: 2,
      windowMs: 60_000,
    });
    expect(h.supervisor.stopping).toBe(false);
    expect(isAlive(h.pidsOf("b.1")[0]!)).toBe(true);

    // Asked to stop, and everything stopped: 0, although a failed.
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(h.described().slice(-3)).toEqual([
      "stopping request SIGTERM",
      "exit b.1 SIGTERM stopping",
      "done 0",
    ]);
    expect(h.pidsOf("a.1")).toHaveLength(3);
    expect(leftovers(h)).toEqual([]);
  });

  it("finishes with 0 when every on-failure instance exits cleanly", async () => {
    const onFailure = settings({ restart: { policy: "on-failure" } });
    const h = makeSupervisor([instance("a.1", 5000, "echo a"), instance("b.1", 5100, "echo b")], {
      settings: new Map([
        ["a", onFailure],
        ["b", onFailure],
      ]),
    });
    h.supervisor.start();
    expect(await h.supervisor.done).toBe(0);
    const seen = h.described();
    expect(seen.filter((e) => e.startsWith("restarting"))).toEqual([]);
    expect(seen.slice(-2)).toEqual(["stopping finished SIGTERM", "done 0"]);
    expect(h.events.find((e) => e.type === "stopping")).toMatchObject({
      reason: { kind: "finished" },
    });
    expect(h.output.get("a.1")).toBe("a\n");
    expect(h.output.get("b.1")).toBe("b\n");
  });

  it("finishes with 1 when the others exited cleanly but one had failed", async () => {
    const dir = makeDir();
    const h = makeSupervisor(
      [
        instance("a.1", 5000, "exit 1"),
        instance("b.1", 5100, "echo b; while [ ! -e go ]; do sleep 0.02; done"),
      ],
      {
        cwd: dir,
        settings: new Map([
          ["a", settings({ restart: { policy: "on-failure", initialBackoffMs: 10, limit: 1 } })],
          ["b", settings({ restart: { policy: "on-failure" } })],
        ]),
      },
    );
    h.supervisor.start();
    await h.waitForEvent("failed a.1 after 1 in 60000");
    await h.waitForOutput("b.1", "b\n");
    expect(h.supervisor.stopping).toBe(false);
    // b ends cleanly on its own: an on-failure exit 0 is done, and nothing is left to run.
    writeFileSync(join(dir, "go"), "");
    expect(await h.supervisor.done).toBe(1);
    expect(h.described().slice(-3)).toEqual(["exit b.1 0", "stopping finished SIGTERM", "done 1"]);
  });
});

describe("Supervisor: dependencies and readiness", () => {
  it("starts a dependent only after its dependency's log probe passed", async () => {
    const h = makeSupervisor(
      [
        instance("a.1", 5000, "sleep 0.3; echo up; exec sleep 30"),
        instance("b.1", 5100, `${FOREVER} b`),
        instance("c.1", 5200, `${FOREVER} c`),
      ],
      {
        settings: new Map([
          [
            "a",
            settings({
              ready: {
                check: { kind: "log", pattern: "^up$" },
                intervalMs: 100,
                timeoutMs: 10_000,
              },
            }),
          ],
          ["b", settings({ dependsOn: [{ name: "a", restart: false }] })],
        ]),
      },
    );
    h.supervisor.start();
    await h.waitForOutput("b.1", "b\n");
    expect(h.described()).toEqual([
      "waiting b on a",
      "start a.1",
      "start c.1",
      "ready a.1",
      "start b.1",
    ]);
    const ready = h.events.find((e) => e.type === "ready");
    expect(ready?.type === "ready" && ready.elapsedMs).toBeGreaterThanOrEqual(250);
    // The line that made a ready was printed before b started.
    expect(indexOf(h, "out a.1 | up")).toBeLessThan(indexOf(h, "start b.1"));
    expect(h.timeline[indexOf(h, "start b.1")]!.at).toBeGreaterThanOrEqual(
      h.timeline[indexOf(h, "ready a.1")]!.at,
    );
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
  });

  it("starts a dependent at once when its dependency is not part of the run", async () => {
    const h = makeSupervisor([instance("b.1", 5100, `${FOREVER} b`)], {
      settings: new Map([["b", settings({ dependsOn: [{ name: "db", restart: false }] })]]),
    });
    h.supervisor.start();
    await h.waitForOutput("b.1", "b\n");
    expect(h.described()).toEqual(["start b.1"]);
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
  });

  it("stops the run with exit code 1 when a probe does not pass in its timeout", async () => {
    const h = makeSupervisor(
      [instance("a.1", 5000, `${FOREVER} starting`), instance("b.1", 5100, `${FOREVER} b`)],
      {
        settings: new Map([
          [
            "a",
            settings({
              ready: { check: { kind: "log", pattern: "^up$" }, intervalMs: 100, timeoutMs: 300 },
            }),
          ],
          ["b", settings({ dependsOn: [{ name: "a", restart: false }] })],
        ]),
      },
    );
    h.supervisor.start();
    expect(await h.supervisor.done).toBe(1);
    expect(h.events.find((e) => e.type === "stopping")).toEqual({
      type: "stopping",
      reason: {
        kind: "not-ready",
        instance: "a.1",
        reason: "not ready after 0.3s (a line matching /^up$/)",
      },
      signal: "SIGTERM",
    });
    expect(h.described()).toEqual([
      "waiting b on a",
      "start a.1",
      "stopping not-ready SIGTERM",
      "exit a.1 SIGTERM stopping",
      "done 1",
    ]);
    expect(leftovers(h)).toEqual([]);
  });

  it("stops dependents first: a's stop signal waits until b has exited", async () => {
    const h = makeSupervisor(
      [
        instance("a.1", 5000, loop([`trap 'echo got TERM; exit 0' TERM`], "a ready")),
        // b takes a while to stop: were both signalled at once, a's line would come first.
        instance("b.1", 5100, loop([`trap 'sleep 0.3; echo b bye; exit 0' TERM`], "b ready")),
      ],
      { settings: new Map([["b", settings({ dependsOn: [{ name: "a", restart: false }] })]]) },
    );
    h.supervisor.start();
    await h.waitForOutput("a.1", "a ready\n");
    await h.waitForOutput("b.1", "b ready\n");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    const bExit = indexOf(h, "exit b.1 0 stopping");
    const aTerm = indexOf(h, "out a.1 | got TERM");
    expect(indexOf(h, "out b.1 | b bye")).toBeGreaterThan(-1);
    expect(bExit).toBeGreaterThan(-1);
    expect(aTerm).toBeGreaterThan(bExit);
    expect(h.described().slice(-3)).toEqual([
      "exit b.1 0 stopping",
      "exit a.1 0 stopping",
      "done 0",
    ]);
  });
});

describe("Supervisor: per-type stop signal and timeout", () => {
  it("stops a type with its own stop signal (SIGINT), without a kill", async () => {
    const h = makeSupervisor(
      [instance("a.1", 5000, loop(["trap '' TERM", `trap 'echo got INT; exit 0' INT`], "ready"))],
      { timeoutMs: 300, settings: new Map([["a", settings({ stopSignal: "SIGINT" })]]) },
    );
    h.supervisor.start();
    await h.waitForOutput("a.1", "ready\n");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(h.described()).toEqual([
      "start a.1",
      "stopping request SIGINT",
      "exit a.1 0 stopping",
      "done 0",
    ]);
    expect(h.output.get("a.1")).toMatch(/^ready\n/);
    expect(h.output.get("a.1")).toMatch(/got INT\n$/);
  });

  it("sends each type its own signal; the stopping event names none when they differ", async () => {
    const h = makeSupervisor(
      [
        instance("a.1", 5000, loop(["trap '' TERM", `trap 'echo got INT; exit 0' INT`], "a ready")),
        instance(
          "b.1",
          5100,
          loop(["trap '' INT", `trap 'echo got TERM; exit 0' TERM`], "b ready"),
        ),
      ],
      { timeoutMs: 300, settings: new Map([["a", settings({ stopSignal: "SIGINT" })]]) },
    );
    h.supervisor.start();
    await h.waitForOutput("a.1", "a ready\n");
    await h.waitForOutput("b.1", "b ready\n");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(h.events.find((e) => e.type === "stopping")).toMatchObject({ signal: undefined });
    expect(h.described().filter((e) => e.startsWith("kill"))).toEqual([]);
    expect(h.output.get("a.1")).toContain("got INT\n");
    expect(h.output.get("b.1")).toContain("got TERM\n");
  });

  it("SIGKILLs after the type's own stopTimeoutMs, not the run's timeout", async () => {
    const h = makeSupervisor([instance("a.1", 5000, IGNORE_TERM)], {
      timeoutMs: 60_000,
      settings: new Map([["a", settings({ stopTimeoutMs: 300 })]]),
    });
    h.supervisor.start();
    await h.waitForOutput("a.1", "ignoring TERM");
    const started = Date.now();
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(h.described()).toEqual([
      "start a.1",
      "stopping request SIGTERM",
      "kill a.1",
      "exit a.1 SIGKILL stopping",
      "done 1",
    ]);
  });

  it("waits the type's longer stopTimeoutMs before a SIGKILL", async () => {
    const slow = loop([`trap 'sleep 0.5; echo bye; exit 0' TERM`], "ready");
    const h = makeSupervisor([instance("a.1", 5000, slow)], {
      timeoutMs: 100,
      settings: new Map([["a", settings({ stopTimeoutMs: 10_000 })]]),
    });
    h.supervisor.start();
    await h.waitForOutput("a.1", "ready\n");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(h.described().filter((e) => e.startsWith("kill"))).toEqual([]);
    // (dash reports the loop's `sleep`, killed by the group's SIGTERM, as "Terminated".)
    expect(h.output.get("a.1")).toMatch(/^ready\n(Terminated\n)?bye\n$/);
  });
});

describe("Supervisor.restartTypes", () => {
  function makeTrio() {
    const h = makeSupervisor(
      [
        instance("a.1", 5000, `${FOREVER} a`),
        instance("b.1", 5100, `${FOREVER} b`),
        instance("c.1", 5200, `${FOREVER} c`),
      ],
      {
        settings: new Map([
          ["b", settings({ dependsOn: [{ name: "a", restart: true }] })],
          ["c", settings({ dependsOn: [{ name: "a", restart: false }] })],
        ]),
      },
    );
    return h;
  }

  it("restarts a type and the dependents that asked for it, not the others", async () => {
    const h = makeTrio();
    h.supervisor.start();
    for (const n of ["a", "b", "c"]) await h.waitForOutput(`${n}.1`, `${n}\n`);
    const before = h.timeline.length;
    await h.supervisor.restartTypes(["a"]);
    const after = h.timeline
      .slice(before)
      .map((e) => e.text)
      .filter((t) => !t.startsWith("out "));
    expect(after).toEqual(["exit a.1 SIGTERM", "start a.1", "exit b.1 SIGTERM", "start b.1"]);
    const [a1, a2] = h.pidsOf("a.1");
    const [b1, b2] = h.pidsOf("b.1");
    expect(a2).toBeDefined();
    expect(a2).not.toBe(a1);
    expect(b2).toBeDefined();
    expect(b2).not.toBe(b1);
    expect(isAlive(a1!)).toBe(false);
    expect(isAlive(b1!)).toBe(false);
    expect(h.pidsOf("c.1")).toHaveLength(1);
    expect(isAlive(h.pidsOf("c.1")[0]!)).toBe(true);
    // Stopped on purpose: the default policy (never) did not stop the run.
    expect(h.supervisor.stopping).toBe(false);
    await h.waitForOutput("a.1", "a\na\n");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
  });

  it("restarts nothing for an unknown type", async () => {
    const h = makeTrio();
    h.supervisor.start();
    await h.waitForOutput("c.1", "c\n");
    const before = h.events.length;
    await h.supervisor.restartTypes(["nope"]);
    expect(h.events.length).toBe(before);
  });

  // Bug (src/supervisor/supervisor.ts, restartTypes): the types are restarted in the order
  // given, each dependent right after the type that added it. Asked for ["b", "a"] (as a watch
  // that saw b's file change first would ask), b is stopped and started again while the old a
  // still runs, then a is restarted, and b is not restarted after it: b's new run talks to the
  // a that is then stopped. "In dependency order" means a (the dependency) first, then b.
  it("restarts a dependency before its dependents whatever the order asked", async () => {
    const h = makeTrio();
    h.supervisor.start();
    for (const n of ["a", "b", "c"]) await h.waitForOutput(`${n}.1`, `${n}\n`);
    const before = h.timeline.length;
    await h.supervisor.restartTypes(["b", "a"]);
    const after = h.timeline
      .slice(before)
      .map((e) => e.text)
      .filter((t) => t.startsWith("start "));
    expect(after).toEqual(["start a.1", "start b.1"]);
  });
  // Bug (src/supervisor/supervisor.ts, restartTypes): two restarts of the same type that overlap
  // (a watch event, or `parity restart a`, while the previous restart still waits for the old
  // run to stop) both await stopRun() of the same run and then both call spawnRun(): two new
  // runs start, r.run keeps only the second, and the first is no longer tracked. stop() never
  // signals it, `done` resolves (exit code 0) while it still runs.
  it("runs one instance after two overlapping restarts, and stops it", async () => {
    const h = makeTrio();
    h.supervisor.start();
    for (const n of ["a", "b", "c"]) await h.waitForOutput(`${n}.1`, `${n}\n`);
    await Promise.all([h.supervisor.restartTypes(["c"]), h.supervisor.restartTypes(["c"])]);
    const table = readProcessTable(true);
    const alive = h.pidsOf("c.1").filter((pid) => table.some((p) => p.pid === pid));
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(leftovers(h)).toEqual([]);
    expect(alive).toHaveLength(1);
  });
});

describe("Supervisor: readiness probes when stopping", () => {
  // Bug (src/supervisor/readiness.ts + probes.ts, see readiness.test.ts): the abort signal does
  // not reach an exec probe in flight. When the run stops while a probe command runs, `done`
  // resolves with the probe command still alive (it is killed only at the attempt's own
  // timeout); bin/parity.js then calls process.exit() and the probe command is orphaned.
  it("leaves no exec probe command running once done", async () => {
    const dir = makeDir();
    const pidFile = join(dir, "probe.pid");
    pidFiles.push(pidFile);
    const h = makeSupervisor([instance("a.1", 5000, `${FOREVER} a`)], {
      settings: new Map([
        [
          "a",
          settings({
            ready: {
              check: { kind: "exec", command: `echo $$ > '${pidFile}'; exec sleep 30` },
              intervalMs: 5000,
              timeoutMs: 60_000,
            },
          }),
        ],
      ]),
    });
    h.supervisor.start();
    const probePid = await waitFor(() => readPid(pidFile), 5000, "the probe's pid");
    h.supervisor.stop({ kind: "request" });
    expect(await h.supervisor.done).toBe(0);
    expect(isAlive(probePid)).toBe(false);
  });
});
