import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type App, formatProblem, loadApp, type Run, start } from "../../../src/index.js";
import { FIXTURES_BIN } from "../../support/parity.js";
import { findTagged, killAll, waitUntilGone } from "../../support/processes.js";
import { AutoFlushSink } from "../output/fakes.js";

const FOREVER = `${FIXTURES_BIN}/forever`;
const TAG_KEY = "PARITY_API_TEST_TAG";

const dirs: string[] = [];
const runs: Run[] = [];
let watchdogsBefore = new Set<number>();
let tag = "";

/** Makes a temp app directory holding `files`. */
function makeApp(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-api-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Loads an app that must load. */
async function load(dir: string, options: Parameters<typeof loadApp>[0] = {}): Promise<App> {
  const result = await loadApp({ root: dir, ...options }, { cwd: dir, env: {} });
  if (!result.ok) throw new Error(result.problems.map((p) => formatProblem(p)).join("\n"));
  return result.value;
}

/** The watchdog shells started by this process (start() runs one per run). */
function findWatchdogs(): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "latin1");
      if (ppid === process.pid && cmdline.includes("parity-watchdog")) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Processes tagged by this test, except the watchdog and what its script runs (its group). */
function findAppProcesses(): number[] {
  const watchdogs = new Set(findWatchdogs());
  return findTagged(TAG_KEY, tag).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      return !watchdogs.has(pgid);
    } catch {
      return false;
    }
  });
}

/** Starts `app` writing to a fake sink, with no signal handling; children are tagged. */
function startApp(app: App) {
  const sink = new AutoFlushSink();
  const run = start(app, {
    sink,
    signals: null,
    timestamps: false,
    color: false,
    timeoutSeconds: 5,
    shellEnv: { ...process.env, [TAG_KEY]: tag },
  });
  runs.push(run);
  return { run, sink };
}

beforeEach(() => {
  tag = Math.random().toString(36).slice(2);
  watchdogsBefore = new Set(findWatchdogs());
});

afterEach(async () => {
  for (const run of runs.splice(0)) run.kill();
  const left = findAppProcesses();
  const watchdogs = findWatchdogs().filter((pid) => !watchdogsBefore.has(pid));
  killAll([...left, ...watchdogs]);
  await waitUntilGone([...left, ...watchdogs], 2000);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("loadApp", () => {
  it("loads an app from a directory: types, formation, ports, env", async () => {
    const dir = makeApp({
      Procfile: "web: node web.js\nworker: node worker.js --queue=default\n",
      ".env": "GREETING=hello\n",
    });
    const result = await loadApp(
      { root: dir, formation: "web=2", port: "6000" },
      { cwd: dir, env: {} },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const app = result.value;
    expect(app.root).toBe(dir);
    expect(app.procfile).toBe(join(dir, "Procfile"));
    expect(app.name).toBe(basename(dir));
    expect(app.environment).toBe("development");
    expect(app.types.map((t) => [t.name, t.index, t.line])).toEqual([
      ["web", 0, 1],
      ["worker", 1, 2],
    ]);
    expect(app.instances).toEqual([
      { type: "web", n: 1, name: "web.1", port: 6000, command: "node web.js" },
      { type: "web", n: 2, name: "web.2", port: 6001, command: "node web.js" },
      {
        type: "worker",
        n: 1,
        name: "worker.1",
        port: 6100,
        command: "node worker.js --queue=default",
      },
    ]);
    expect(Object.fromEntries(app.formation)).toEqual({ web: 2, worker: 1 });
    expect(app.basePort).toBe(6000);
    expect(app.env.get("GREETING")?.value).toBe("hello");
    expect(app.envFiles).toEqual([join(dir, ".env")]);
    expect(result.warnings).toEqual([]);
  });

  it("defaults to base port 5000, or PORT from the shell", async () => {
    const dir = makeApp({ Procfile: "web: serve\n" });
    expect((await load(dir)).instances.map((i) => i.port)).toEqual([5000]);
    const fromShell = await loadApp({ root: dir }, { cwd: dir, env: { PORT: "7000" } });
    expect(fromShell.ok && fromShell.value.instances.map((i) => i.port)).toEqual([7000]);
  });

  it("returns a missing Procfile as a problem, without throwing", async () => {
    const dir = makeApp({});
    const result = await loadApp({ root: dir }, { cwd: dir, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        severity: "error",
        message: "Procfile not found",
        file: join(dir, "Procfile"),
      }),
    ]);
  });

  it("returns a bad formation and a bad port as problems naming their flags", async () => {
    const dir = makeApp({ Procfile: "web: serve\n" });
    const result = await loadApp(
      { root: dir, formation: "wbe=2", port: "x" },
      { cwd: dir, env: {} },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const flags = result.problems.map((p) => p.flag);
    expect(flags).toContain("-m/--formation");
    expect(flags).toContain("-p/--port");
    expect(result.problems.every((p) => p.severity === "error")).toBe(true);
  });

  it("returns a duplicate process name as a problem naming the file", async () => {
    const dir = makeApp({ Procfile: "web: a\nweb: b\n" });
    const result = await loadApp({ root: dir }, { cwd: dir, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.file === join(dir, "Procfile") && p.line === 2)).toBe(
      true,
    );
  });

  it("returns a Procfile that is not UTF-8 as a problem", async () => {
    const dir = makeApp({ Procfile: Buffer.from([0x77, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) });
    const result = await loadApp({ root: dir }, { cwd: dir, env: {} });
    expect(result.ok).toBe(false);
  });

  it("returns an invalid environment name and a missing -e file as problems", async () => {
    const dir = makeApp({ Procfile: "web: serve\n" });
    const badName = await loadApp({ root: dir, environment: "../x" }, { cwd: dir, env: {} });
    expect(badName.ok).toBe(false);
    if (!badName.ok) expect(badName.problems[0]?.flag).toBe("-E/--environment");
    const missing = await loadApp(
      { root: dir, envFiles: [join(dir, "nope.env")] },
      { cwd: dir, env: {} },
    );
    expect(missing.ok).toBe(false);
  });

  it("returns problems for a root that does not exist", async () => {
    const result = await loadApp(
      { root: join(tmpdir(), `parity-none-${tag}`) },
      { cwd: tmpdir(), env: {} },
    );
    expect(result.ok).toBe(false);
  });
});

describe("start", () => {
  it("runs the app, writes prefixed lines to the sink, and resolves with the first exit's code", async () => {
    const dir = makeApp({
      Procfile: `web: echo "hello from $PS on $PORT"; exit 3\nworker: ${FOREVER} working\n`,
    });
    const { run, sink } = startApp(await load(dir, { port: "6000" }));
    expect(await run.done).toBe(3);
    const lines = sink.text().split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines).toContain("web.1    | hello from web.1 on 6000");
    expect(lines).toContain("web.1    | exited with code 3");
    expect(lines).toContain(
      "system   | web.1 exited with code 3, sending SIGTERM to all processes",
    );
    expect(lines).toContain("worker.1 | terminated by SIGTERM");
    expect(
      lines.filter((l) => /^(web\.1 {3}|worker\.1) \| started with pid \d+$/.test(l)),
    ).toHaveLength(2);
    expect(lines.indexOf("web.1    | exited with code 3")).toBeGreaterThan(
      lines.indexOf("web.1    | hello from web.1 on 6000"),
    );
    expect(sink.text()).not.toMatch(/\x1b\[/);
    expect(sink.flushes).toBe(1);
  });

  it("stop() stops a long-running app gracefully, with exit 0", async () => {
    const dir = makeApp({ Procfile: `web: ${FOREVER} ready\n` });
    const { run, sink } = startApp(await load(dir));
    await sink.waitForText("web.1  | ready\n");
    run.stop();
    expect(await run.done).toBe(0);
    const lines = sink.text().split("\n");
    expect(lines).toContain("system | sending SIGTERM to all processes");
    expect(lines).toContain("web.1  | terminated by SIGTERM");
    expect(findAppProcesses()).toEqual([]);
  });

  it("kill() kills a long-running app at once, with 128+9", async () => {
    const dir = makeApp({ Procfile: `web: ${FOREVER} ready\n` });
    const { run, sink } = startApp(await load(dir));
    await sink.waitForText("web.1  | ready\n");
    run.kill();
    expect(await run.done).toBe(137);
    expect(sink.text()).toContain("system | sending SIGKILL to web.1\n");
  });

  it("gives children the app's env files under the shell's environment, and no colour flags", async () => {
    const dir = makeApp({
      Procfile: 'web: echo "$FROM_FILE/$FORCE_COLOR/$PARITY_RUN"\n',
      ".env": "FROM_FILE=file\n",
    });
    const { run, sink } = startApp(await load(dir));
    expect(await run.done).toBe(0);
    expect(sink.text()).toMatch(/^web\.1 {2}\| file\/\/[0-9a-z]{12,}\/web\.1\/1$/m);
  });
});
