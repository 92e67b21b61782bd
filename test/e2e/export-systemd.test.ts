// End-to-end: `parity export systemd` units verified by systemd-analyze and run by a real systemd (systemd-sandbox).
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  COMPARED,
  dumpUnderParityStart,
  type ExportApp,
  findByCommandLine,
  hasCommand,
  makeExportApp,
  pickCompared,
  readDumps,
} from "../support/export-app.js";
import { cleanup, runParityToEnd } from "../support/parity.js";
import { killAll, waitFor } from "../support/processes.js";

const here = dirname(fileURLToPath(import.meta.url));
const SANDBOX =
  process.env.SYSTEMD_SANDBOX ?? resolve(here, "../../../shared/tools/systemd-sandbox");
const isRoot = process.getuid?.() === 0;
const missing = [
  !isRoot && "root",
  !hasCommand("systemd-analyze") && "systemd-analyze",
  !existsSync("/lib/systemd/systemd") && !existsSync("/usr/lib/systemd/systemd") && "systemd",
  !existsSync(SANDBOX) && `systemd-sandbox (${SANDBOX})`,
].filter(Boolean);
/** Shown in the suite's name when it is skipped. */
const skipReason = missing.length > 0 ? ` (skipped: needs ${missing.join(", ")})` : "";

const apps: ExportApp[] = [];
afterEach(async () => {
  await cleanup();
  for (const app of apps.splice(0)) {
    killAll(findByCommandLine(app.tag));
    rmSync(app.tmp, { recursive: true, force: true });
  }
});

/** Export the app's systemd units; returns the unit file names. */
async function exportUnits(app: ExportApp, args: string[] = []): Promise<string[]> {
  const result = await runParityToEnd(
    ["export", "systemd", app.location, "-p", "48100", "-t", "3", ...args],
    { cwd: app.root },
  );
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return readdirSync(app.location).filter((name) => /\.(service|target)$/.test(name));
}

/** The sandbox's script: start the target, wait for the processes, show properties, stop, wait for the test's check. */
const SCRIPT = `
set -u
systemctl --user start "$APP.target" || { echo "== start failed"; systemctl --user --no-pager status "$APP-*" 2>&1; }
i=0
until [ -f "$DUMP/web.1.json" ] && [ -f "$DUMP/web.2.json" ] && [ -f "$DUMP/worker.1.json" ] && [ -f "$DUMP/started-stopper.1" ]; do
  i=$((i + 1)); [ $i -gt 300 ] && { echo "== timeout waiting for dumps"; break; }; sleep 0.1
done
for unit in $UNITS; do
  echo "== show $unit"
  systemctl --user show -p Restart,RestartUSec,ActiveState,Result,ActiveEnterTimestampMonotonic,ExecMainStartTimestampMonotonic,After,Wants,PartOf,KillSignal,KillMode,TimeoutStopUSec,ExecStartPre,ExecStartPost,WorkingDirectory,StartLimitBurst,StartLimitIntervalUSec "$unit"
done
t0=$(date +%s%N)
systemctl --user stop "$APP.target"
# The target stops first (it is ordered after its units); its units stop in the background.
i=0
while systemctl --user is-active $UNITS | grep -qE '^(active|activating|deactivating|reloading)$'; do
  i=$((i + 1)); [ $i -gt 300 ] && { echo "== timeout waiting for the stop"; break; }; sleep 0.05
done
t1=$(date +%s%N)
echo "== stop-ms $(( (t1 - t0) / 1000000 ))"
for unit in $UNITS; do echo "== after $unit"; systemctl --user show -p ActiveState,Result,NRestarts "$unit"; done
: > "$DUMP/.stopped"
i=0
until [ -f "$DUMP/.checked" ]; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
`;

/** Parse the script's output into sections: `== name` → its lines as key=value. */
function parseSections(output: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const line of output.split("\n")) {
    const header = /^== (.*)$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] as string, current);
    } else if (line.includes("=")) {
      const at = line.indexOf("=");
      current.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  return sections;
}

/** Run the units under systemd-sandbox; while they are stopped (before the sandbox ends), report what is left. */
async function runInSandbox(
  app: ExportApp,
  units: string[],
): Promise<{ output: string; left: number[]; status: number | null }> {
  const child = spawn(SANDBOX, [app.location, "--", "sh", "-c", SCRIPT], {
    env: { ...process.env, APP: "envtest", DUMP: app.dump, UNITS: units.join(" ") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  let left: number[] = [];
  try {
    await waitFor(
      () => existsSync(join(app.dump, ".stopped")),
      45_000,
      `the units to stop\n${output}`,
    );
    left = findByCommandLine(app.tag);
    for (const pid of left) {
      try {
        output += `\nLEFT ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
      } catch {}
    }
  } finally {
    writeFileSync(join(app.dump, ".checked"), "");
  }
  const status = await exited;
  return { output, left, status };
}

describe.skipIf(missing.length > 0)(`parity export systemd, run by systemd${skipReason}`, () => {
  it("passes systemd-analyze verify with no output at all", async () => {
    const app = makeExportApp();
    apps.push(app);
    const units = await exportUnits(app, ["-u", "deploy"]);
    expect(units.sort()).toEqual([
      "envtest-stopper.1.service",
      "envtest-stubborn.1.service",
      "envtest-web.1.service",
      "envtest-web.2.service",
      "envtest-worker.1.service",
      "envtest.target",
    ]);
    const verify = spawnSync(
      "systemd-analyze",
      ["verify", "--man=no", "--recursive-errors=yes", ...units.map((u) => join(app.location, u))],
      { encoding: "utf8" },
    );
    expect(verify.stdout + verify.stderr).toBe("");
    expect(verify.status).toBe(0);
    // The golden units too (User=, PartOf= a dependency, SuccessExitStatus=, ExecStartPost=).
    const golden = resolve(here, "../fixtures/export/golden/systemd");
    const goldenUnits = readdirSync(golden).filter((name) => /\.(service|target)$/.test(name));
    const verifyGolden = spawnSync(
      "systemd-analyze",
      ["verify", "--man=no", "--recursive-errors=yes", ...goldenUnits.map((u) => join(golden, u))],
      { encoding: "utf8" },
    );
    expect(verifyGolden.stdout + verifyGolden.stderr).toBe("");
    expect(verifyGolden.status).toBe(0);
  });

  it("gives every process what parity start gives it, stops with the stop signal and timeout, orders by depends_on, leaves nothing", async () => {
    const app = makeExportApp();
    apps.push(app);
    const expected = await dumpUnderParityStart(app, 48100);
    const files = await exportUnits(app);
    const units = files.filter((f) => f.endsWith(".service")).sort();
    // The sandbox's manager runs as nobody: it reads the EnvironmentFile as that user.
    chownSync(join(app.location, "envtest.env"), 65534, 65534);
    const { output, left, status } = await runInSandbox(app, units);
    expect(status, output).toBe(0);
    expect(output).not.toMatch(/== (start failed|timeout)/);
    expect(left, `processes left after systemctl stop\n${output}`).toEqual([]);
    const got = readDumps(app.dump, COMPARED);
    for (const name of COMPARED) {
      expect(pickCompared(got[name]!), name).toEqual(pickCompared(expected[name]!));
    }
    // Spot checks of what was compared: the values really are the nasty ones.
    expect(got["web.1"]!.env.V_TRAILING_BACKSLASH).toBe("ends with \\");
    expect(got["web.1"]!.env.V_PERCENT).toBe("100% %h %n %% %i %");
    expect(got["web.2"]!.env.PORT).toBe("48101");
    expect(got["worker.1"]!.env.PORT).toBe("48200");
    expect(got["worker.1"]!.cwd).toBe(join(app.root, "sub"));
    expect(got["web.1"]!.argv).toEqual([
      "arg with  spaces",
      '100% "q" $HOME',
      "$PORT",
      "48100",
      "%n",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd must not expand it
      "${V_SPACES}",
      "tab\there",
    ]);
    expect(got["web.1"]!.env.V_INJECT).toContain("\nExecStartPre=/bin/touch ");
    expect(existsSync(app.injected)).toBe(false);

    const sections = parseSections(output);
    const show = (unit: string) => sections.get(`show ${unit}`) ?? new Map<string, string>();
    const after = (unit: string) => sections.get(`after ${unit}`) ?? new Map<string, string>();
    for (const unit of units) {
      expect(show(unit).get("ActiveState"), `${unit}\n${output}`).toBe("active");
      expect(show(unit).get("ExecStartPre") ?? "", unit).toBe("");
      // The stubborn one had to be SIGKILLed after its timeout: systemd says so, as parity start's status would.
      const stopped = unit.includes("stubborn") ? ["failed", "timeout"] : ["inactive", "success"];
      expect([after(unit).get("ActiveState"), after(unit).get("Result")], unit).toEqual(stopped);
    }
    expect(show("envtest-web.1.service").get("WorkingDirectory")).toBe(app.root);
    // Restart policies: production's default (on-failure) and the manifest's always with a 2 s backoff.
    expect(show("envtest-web.1.service").get("Restart")).toBe("on-failure");
    expect(show("envtest-worker.1.service").get("Restart")).toBe("always");
    expect(show("envtest-worker.1.service").get("RestartUSec")).toBe("2s");
    expect(show("envtest-worker.1.service").get("StartLimitBurst")).toBe("6");
    expect(show("envtest-worker.1.service").get("StartLimitIntervalUSec")).toBe("1min");
    // depends_on: worker wants and comes after both web instances, and started once they were ready.
    const worker = show("envtest-worker.1.service");
    expect(worker.get("Wants")?.split(" ").sort()).toEqual([
      "envtest-web.1.service",
      "envtest-web.2.service",
    ]);
    expect(worker.get("After")).toContain("envtest-web.1.service");
    expect(worker.get("After")).toContain("envtest-web.2.service");
    const workerStart = Number(worker.get("ExecMainStartTimestampMonotonic"));
    for (const web of ["envtest-web.1.service", "envtest-web.2.service"]) {
      expect(workerStart).toBeGreaterThan(Number(show(web).get("ActiveEnterTimestampMonotonic")));
    }
    expect(got["worker.1"]!.startedAt).toBeGreaterThanOrEqual(got["web.1"]!.readyAt);
    expect(got["worker.1"]!.startedAt).toBeGreaterThanOrEqual(got["web.2"]!.readyAt);
    // Stop: SIGINT reached the stopper (it ignores SIGTERM); the stubborn one was killed after its 1 s.
    expect(show("envtest-stopper.1.service").get("KillSignal")).toBe("2");
    expect(readFileSync(join(app.dump, "stopped-stopper.1"), "utf8")).toBe("SIGINT\n");
    expect(show("envtest-stubborn.1.service").get("TimeoutStopUSec")).toBe("1s");
    // The whole stop took the stubborn one's 1 s, not the stopper's 5 s nor systemd's default 90 s.
    const stopMs = Number(/== stop-ms (\d+)/.exec(output)?.[1]);
    expect(stopMs).toBeGreaterThanOrEqual(900);
    expect(stopMs).toBeLessThan(4500);
  });
});
