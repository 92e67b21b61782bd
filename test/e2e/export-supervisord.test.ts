// End-to-end: `parity export supervisord` run by a real supervisord (-n) in a temp directory, as root.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

const missing = ["supervisord", "supervisorctl"].filter((c) => !hasCommand(c));
const isRoot = process.getuid?.() === 0;
const skipReason =
  missing.length > 0
    ? ` (skipped: needs ${missing.join(", ")}; CI installs Debian's supervisor)`
    : !isRoot
      ? " (skipped: supervisord is run as root, as on a node)"
      : "";

/** A supervisord running in the foreground on a conf that includes the export, tagged. */
interface Supervision {
  child: ChildProcess;
  tag: string;
  conf: string;
}

const running: Supervision[] = [];
const tmps: string[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    supervisorctl(s, "shutdown");
    const left = await waitUntilGone(findTagged(TAG_KEY, s.tag), 10_000);
    killAll([...left, s.child.pid ?? 0].filter(Boolean));
  }
  await cleanup();
  for (const dir of tmps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Write DIR/supervisord.conf (socket, pid file and log under DIR; the export's APP.conf
 * included) and start `supervisord -n` on it with a tag every process under it inherits.
 * LOCATION must have no whitespace: supervisord splits `[include] files=` on whitespace.
 */
function superviseWith(dir: string, location: string): Supervision {
  const conf = join(dir, "supervisord.conf");
  writeFileSync(
    conf,
    [
      "[unix_http_server]",
      `file=${join(dir, "supervisor.sock")}`,
      "[supervisord]",
      `pidfile=${join(dir, "supervisord.pid")}`,
      `logfile=${join(dir, "supervisord.log")}`,
      `childlogdir=${dir}`,
      "[rpcinterface:supervisor]",
      "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
      "[supervisorctl]",
      `serverurl=unix://${join(dir, "supervisor.sock")}`,
      "[include]",
      `files=${location}/*.conf`,
      "",
    ].join("\n"),
  );
  const tag = `supervisord-${process.pid}-${Date.now()}`;
  const child = spawn("supervisord", ["-n", "-c", conf], {
    env: { ...process.env, [TAG_KEY]: tag },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const s = { child, tag, conf };
  running.push(s);
  return s;
}

/** `supervisorctl -c CONF ARGS` → its output (exit status 3 when a process is not running: the output says which). */
function supervisorctl(s: Supervision, ...args: string[]): string {
  const result = spawnSync("supervisorctl", ["-c", s.conf, ...args], { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim();
}

/** `supervisorctl status` as program name → state. */
function readStates(s: Supervision): Record<string, string> {
  const states: Record<string, string> = {};
  for (const line of supervisorctl(s, "status").split("\n")) {
    const [name, state] = line.split(/\s+/);
    if (name?.includes(":") && state) states[name.slice(name.indexOf(":") + 1)] = state;
  }
  return states;
}

/** Wait until each program is in `state`. */
async function waitForStates(
  s: Supervision,
  programs: string[],
  state: string,
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    () => {
      const states = readStates(s);
      return programs.every((p) => states[p] === state);
    },
    timeoutMs,
    () => `${programs.join(", ")} to be ${state} (now: ${supervisorctl(s, "status")})`,
  );
}

/** `supervisorctl shutdown`, then prove nothing supervisord started is left. */
async function shutdown(s: Supervision): Promise<void> {
  const exited = new Promise((res) => s.child.once("exit", res));
  supervisorctl(s, "shutdown");
  await exited;
  const left = await waitUntilGone(findTagged(TAG_KEY, s.tag), 5000);
  expect(left, "processes left after supervisorctl shutdown").toEqual([]);
  running.splice(running.indexOf(s), 1);
}

async function exportSupervisord(cwd: string, location: string, args: string[]): Promise<void> {
  const result = await runParityToEnd(["export", "supervisord", location, ...args], { cwd });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

describe.skipIf(skipReason !== "")(
  `parity export supervisord, run by supervisord${skipReason}`,
  () => {
    it("gives every process what parity start gives it, logs, stops with the stop signal and timeout, leaves nothing", async () => {
      const app: ExportApp = makeExportApp();
      tmps.push(app.tmp);
      const expected = await dumpUnderParityStart(app, 48600);
      const logs = join(app.tmp, "logs");
      mkdirSync(logs);
      const location = join(app.tmp, "supervisor");
      await exportSupervisord(app.root, location, ["-p", "48600", "-t", "3", "-l", logs]);
      const s = superviseWith(app.tmp, location);
      const program = (name: string) => `envtest-${name.replace(".", "-")}`;
      const all = [...COMPARED, "stopper.1", "stubborn.1"].map(program);
      await waitForDumps(app.dump, COMPARED, 30_000);
      await waitFor(() => existsSync(join(app.dump, "started-stopper.1")), 20_000, "the stopper");
      await waitForStates(s, all, "RUNNING");
      const got = readDumps(app.dump, COMPARED);
      for (const name of COMPARED) {
        expect(pickCompared(got[name]!), name).toEqual(pickCompared(expected[name]!));
      }
      expect(got["web.1"]!.env.V_PERCENT).toBe("100% %h %n %% %i %");
      expect(got["web.1"]!.env.V_HASH).toBe("a # not a comment");
      expect(got["web.1"]!.env.V_SEMICOLON).toBe("a; b;");
      expect(got["web.1"]!.env.V_TRAILING_SPACE).toBe("trail ");
      expect(existsSync(app.injected), "the injection attempt ran").toBe(false);
      // Secrets: the wrappers are 0700 and the env file 0600; the conf holds no value.
      expect(statSync(join(location, "envtest.env")).mode & 0o777).toBe(0o600);
      expect(statSync(join(location, "envtest-web-1.sh")).mode & 0o777).toBe(0o700);
      expect(readFileSync(join(location, "envtest.conf"), "utf8")).not.toContain("héllo");
      // stdout_logfile: each program's output in the log directory.
      await waitFor(
        () => {
          const file = join(logs, "envtest-web-1.log");
          return existsSync(file) && readFileSync(file, "utf8").includes("dumped web.1");
        },
        10_000,
        "web.1's output in its log file",
      );
      // Stop: SIGKILL for the stubborn one after its 1 s (stopwaitsecs=1), SIGINT for the stopper.
      const t0 = Date.now();
      expect(supervisorctl(s, "stop", `envtest:${program("stubborn.1")}`)).toMatch(/stopped/);
      const stubbornMs = Date.now() - t0;
      expect(stubbornMs).toBeGreaterThanOrEqual(900);
      expect(stubbornMs).toBeLessThan(5000);
      expect(supervisorctl(s, "stop", `envtest:${program("stopper.1")}`)).toMatch(/stopped/);
      expect(readFileSync(join(app.dump, "stopped-stopper.1"), "utf8")).toBe("SIGINT\n");
      await shutdown(s);
      expect(findByCommandLine(app.tag), "app processes left after shutdown").toEqual([]);
    });

    it("maps restart never, on-failure and always onto autorestart", async () => {
      const { cwd, count } = makeRestartApp(1.5, "restarts");
      tmps.push(cwd);
      const location = join(cwd, "conf");
      await exportSupervisord(cwd, location, ["-p", "48700"]);
      const s = superviseWith(cwd, location);
      // Each run lasts 1.5 s (past startsecs=1: a run, not a failed start).
      await waitFor(() => count("crash") >= 2 && count("again") >= 2, 10_000, "restarts");
      await waitForStates(s, ["restarts-clean-1", "restarts-once-1"], "EXITED", 10_000);
      // What must not happen (a restart) can only be shown by waiting: longer than a run.
      await new Promise((r) => setTimeout(r, 2000));
      expect(count("clean"), "on-failure after exit 0: not restarted").toBe(1);
      expect(count("once"), "never: not restarted").toBe(1);
      expect(count("crash"), "on-failure after exit 3: restarted").toBeGreaterThanOrEqual(2);
      await shutdown(s);
    });

    it("runs the processes as the user given with -u (the wrapper reads its env file as root, then setpriv), with USER, LOGNAME and HOME", async () => {
      const app: ExportApp = makeExportApp();
      tmps.push(app.tmp);
      const location = join(app.tmp, "supervisor");
      await exportSupervisord(app.root, location, [
        "-p",
        "48800",
        "-u",
        "nobody",
        "-m",
        "web=1,worker=0,stopper=0,stubborn=0",
      ]);
      const s = superviseWith(app.tmp, location);
      await waitForDumps(app.dump, ["web.1"], 20_000);
      await waitForStates(s, ["envtest-web-1"], "RUNNING");
      const dump = readDumps(app.dump, ["web.1"])["web.1"]!;
      expectRunAsNobody(dump);
      expect(dump.env.V_QUOTE_NEWLINE).toBe("it's\nnew");
      // The env file and the wrapper stay root's: nobody cannot read them.
      expect(statSync(join(location, "envtest.env")).uid).toBe(0);
      expect(statSync(join(location, "envtest.env")).mode & 0o777).toBe(0o600);
      await shutdown(s);
    });
  },
);
