// End-to-end: `parity export runit` service directories run by a real runsvdir in a temp directory.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  COMPARED,
  dumpUnderParityStart,
  type ExportApp,
  expectRunAsNobody,
  findByCommandLine,
  hasCommand,
  makeExportApp,
  pickCompared,
  readDumps,
  waitForDumps,
} from "../support/export-app.js";
import { cleanup, runParityToEnd, TAG_KEY } from "../support/parity.js";
import { findTagged, killAll, waitFor, waitUntilGone } from "../support/processes.js";
import { makeRestartApp } from "../support/restart-app.js";

const missing = ["runsvdir", "runsv", "sv", "chpst", "svlogd"].filter((c) => !hasCommand(c));
const isRoot = process.getuid?.() === 0;

/** A runsvdir supervising a LOCATION, tagged so that everything it starts can be found. */
interface Supervision {
  child: ChildProcess;
  tag: string;
  location: string;
}

const running: Supervision[] = [];
const tmps: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.child.kill("SIGHUP");
    const left = await waitUntilGone(findTagged(TAG_KEY, s.tag), 5000);
    killAll([...left, s.child.pid ?? 0].filter(Boolean));
  }
  await cleanup();
  for (const dir of tmps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Start `runsvdir -P LOCATION` with a tag every process under it inherits. */
function superviseWith(location: string): Supervision {
  const tag = `runit-${process.pid}-${Date.now()}`;
  const child = spawn("runsvdir", ["-P", location], {
    env: { ...process.env, [TAG_KEY]: tag },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const s = { child, tag, location };
  running.push(s);
  return s;
}

/** `sv ARGS` → its output (sv exits non-zero for a timeout or failure: the output says which). */
function sv(...args: string[]): string {
  const result = spawnSync("sv", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim();
}

/** Wait until `sv status` of a service starts with `state` (run, down). */
async function waitForState(path: string, state: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    () => {
      const status = sv("status", path);
      return status.startsWith(`${state}:`) ? status : undefined;
    },
    timeoutMs,
    `${path} to be ${state} (now: ${sv("status", path)})`,
  );
}

/** Stop runsvdir the way export-rules.md says (HUP: runsv stops each service) and prove nothing is left. */
async function stopSupervision(s: Supervision): Promise<void> {
  const exited = new Promise((res) => s.child.once("exit", res));
  s.child.kill("SIGHUP");
  await exited;
  const left = await waitUntilGone(findTagged(TAG_KEY, s.tag), 5000);
  expect(left, "processes left after runsvdir's HUP").toEqual([]);
  running.splice(running.indexOf(s), 1);
}

/** Export runit service directories with the given flags. */
async function exportRunit(cwd: string, location: string, args: string[]): Promise<void> {
  const result = await runParityToEnd(["export", "runit", location, ...args], { cwd });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

describe.skipIf(missing.length > 0)(
  `parity export runit, run by runsvdir${missing.length > 0 ? ` (skipped: needs ${missing.join(", ")})` : ""}`,
  () => {
    it("gives every process what parity start gives it, logs through svlogd, waits for dependencies, stops with control/t, leaves nothing", async () => {
      const app: ExportApp = makeExportApp();
      tmps.push(app.tmp);
      const expected = await dumpUnderParityStart(app, 48300);
      const logs = join(app.tmp, "logs");
      await exportRunit(app.root, app.location, ["-p", "48300", "-t", "3", "-l", logs]);
      const s = superviseWith(app.location);
      const service = (name: string) => join(app.location, `envtest-${name}`);
      await waitForDumps(app.dump, COMPARED, 30_000);
      await waitFor(() => existsSync(join(app.dump, "started-stopper.1")), 20_000, "the stopper");
      for (const name of [...COMPARED, "stopper.1", "stubborn.1"])
        await waitForState(service(name), "run");
      const got = readDumps(app.dump, COMPARED);
      for (const name of COMPARED) {
        expect(pickCompared(got[name]!), name).toEqual(pickCompared(expected[name]!));
      }
      // Values chpst -e cannot carry came through env/.values.sh, the rest through env/.
      expect(got["web.1"]!.env.V_TRAILING_SPACE).toBe("trail ");
      expect(got["web.1"]!.env.V_SPACE_NEWLINE).toBe("a \nb ");
      expect(got["web.1"]!.env.V_EMPTY).toBe("");
      expect(got["web.1"]!.env.V_NEWLINE).toBe("line1\nline2");
      expect(existsSync(join(service("web.1"), "env", ".values.sh"))).toBe(true);
      expect(statSync(join(service("web.1"), "env")).mode & 0o777).toBe(0o700);
      expect(statSync(join(service("web.1"), "env", "V_SPACES")).mode & 0o777).toBe(0o600);
      // depends_on: worker's run waited (sv start, which runs web's check script) until both webs were ready.
      expect(got["worker.1"]!.startedAt).toBeGreaterThanOrEqual(got["web.1"]!.readyAt);
      expect(got["worker.1"]!.startedAt).toBeGreaterThanOrEqual(got["web.2"]!.readyAt);
      // log/run: svlogd writes each service's output into the log directory.
      await waitFor(
        () => {
          const current = join(logs, "envtest-web.1", "current");
          return existsSync(current) && readFileSync(current, "utf8").includes("dumped web.1");
        },
        10_000,
        "web.1's output in its svlogd directory",
      );
      // sv restart: web.1 exits 0 on SIGTERM; restart on-failure must still bring it back (not a clean exit of its own).
      const before = got["web.1"]!.pid;
      rmSync(join(app.dump, "web.1.json"));
      sv("restart", service("web.1"));
      await waitForDumps(app.dump, ["web.1"]);
      expect(readDumps(app.dump, ["web.1"])["web.1"]!.pid).not.toBe(before);
      await waitForState(service("web.1"), "run");
      // Stop: SIGINT for the stopper (it ignores SIGTERM), SIGKILL for the stubborn one after its 1 s.
      const t0 = Date.now();
      expect(sv("-w", "10", "down", service("stubborn.1"))).toMatch(/^ok: down:/);
      const stubbornMs = Date.now() - t0;
      expect(stubbornMs).toBeGreaterThanOrEqual(900);
      expect(stubbornMs).toBeLessThan(4000);
      expect(sv("-w", "10", "down", service("stopper.1"))).toMatch(/^ok: down:/);
      expect(readFileSync(join(app.dump, "stopped-stopper.1"), "utf8")).toBe("SIGINT\n");
      for (const name of COMPARED)
        expect(sv("-w", "10", "down", service(name))).toMatch(/^ok: down:/);
      expect(findByCommandLine(app.tag), "app processes left after sv down").toEqual([]);
      await stopSupervision(s);
    });

    it("maps restart never, on-failure and always onto runsv (finish and sv once)", async () => {
      const { cwd, count } = makeRestartApp(0.2);
      tmps.push(cwd);
      const location = join(cwd, "sv");
      await exportRunit(cwd, location, ["-p", "48500", "-l", join(cwd, "logs")]);
      const s = superviseWith(location);
      // runsv restarts after about a second: within 4 s the restarted ones ran at least twice.
      await waitFor(() => count("crash") >= 2 && count("again") >= 2, 8000, "restarts");
      await waitForState(join(location, `${cwd.split("/").pop()}-clean.1`), "down", 8000);
      await waitForState(join(location, `${cwd.split("/").pop()}-once.1`), "down", 8000);
      // What must not happen (a restart) can only be shown by waiting: longer than runsv's 1 s pause.
      await new Promise((r) => setTimeout(r, 1500));
      expect(count("clean"), "on-failure after exit 0: not restarted").toBe(1);
      expect(count("once"), "never: not restarted").toBe(1);
      expect(count("crash"), "on-failure after exit 3: restarted").toBeGreaterThanOrEqual(2);
      await stopSupervision(s);
    });

    it.skipIf(!isRoot)(
      "runs the processes as the user given with -u (chpst -u), with USER, LOGNAME and HOME",
      async () => {
        const app: ExportApp = makeExportApp();
        tmps.push(app.tmp);
        const logs = join(app.tmp, "logs");
        await exportRunit(app.root, app.location, [
          "-p",
          "48400",
          "-u",
          "nobody",
          "-l",
          logs,
          "-m",
          "web=1,worker=0,stopper=0,stubborn=0",
        ]);
        const s = superviseWith(app.location);
        await waitForDumps(app.dump, ["web.1"], 20_000);
        const dump = readDumps(app.dump, ["web.1"])["web.1"]!;
        expectRunAsNobody(dump);
        // The env directory stays root's (0700): chpst read it before dropping privileges.
        expect(statSync(join(app.location, "envtest-web.1", "env")).uid).toBe(0);
        await waitFor(() => existsSync(join(logs, "envtest-web.1", "current")), 10_000, "the log");
        expect(statSync(join(logs, "envtest-web.1")).uid).toBe(65534);
        await stopSupervision(s);
      },
    );
  },
);
