// The encoders on the nasty app: every value and command read back from the generated files by independent decoders.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { loadApp } from "../../../src/app/load.js";
import { exportApp } from "../../../src/export/index.js";
import type { Plan } from "../../../src/export/plan.js";
import { getRestartDelayMs } from "../../../src/export/systemd.js";
import { buildShellScript } from "../../../src/supervisor/shell-script.js";
import type { App } from "../../../src/types.js";
import {
  type ExportApp,
  makeExportApp,
  makeInjection,
  NASTY_VALUES,
} from "../../support/export-app.js";
import { decodeEnvDirFile, decodeEnvironmentFile, decodeExecLine } from "./decoders.js";

const apps: ExportApp[] = [];
afterEach(() => {
  for (const app of apps.splice(0)) rmSync(app.tmp, { recursive: true, force: true });
});

/** The nasty app, loaded for production without a shell environment. */
async function loadNastyApp(): Promise<{ app: App; fixture: ExportApp }> {
  const fixture = makeExportApp();
  apps.push(fixture);
  const loaded = await loadApp(
    { root: fixture.root, defaultEnvironment: "production", port: "48100" },
    { cwd: fixture.root, env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { app: loaded.value, fixture };
}

/** The values every process must get: the env files' (production wins), PORT and PS excluded. */
function expectedEnv(fixture: ExportApp): Record<string, string> {
  return {
    ...NASTY_VALUES,
    V_INJECT: makeInjection(fixture.injected),
    V_SPACES: "overridden in production",
    V_FROM_PRODUCTION: "yes",
  };
}

function exportPlan(app: App, format: string, location: string): Plan {
  const result = exportApp(app, { format, location });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value.plan;
}

function fileOf(plan: Plan, path: string): string {
  const file = plan.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the plan`);
  return file.contents.toString();
}

describe("systemd encoder", () => {
  it("the EnvironmentFile holds exactly the env files' values, read back by systemd's rules", async () => {
    const { app, fixture } = await loadNastyApp();
    const plan = exportPlan(app, "systemd", "/etc/systemd/system");
    const env = decodeEnvironmentFile(fileOf(plan, "envtest.env"));
    expect(Object.fromEntries(env)).toEqual(expectedEnv(fixture));
    expect(plan.files.find((f) => f.path === "envtest.env")?.mode).toBe(0o600);
  });

  it("every ExecStart reads back as /bin/sh -c with parity start's script", async () => {
    const { app } = await loadNastyApp();
    const plan = exportPlan(app, "systemd", "/etc/systemd/system");
    for (const instance of app.instances) {
      const unit = fileOf(plan, `envtest-${instance.name}.service`);
      const line = unit.split("\n").find((l) => l.startsWith("ExecStart="));
      expect(decodeExecLine(line!.slice("ExecStart=".length))).toEqual([
        "/bin/sh",
        "-c",
        buildShellScript(instance.command),
      ]);
      expect(unit).toContain(`Environment=PORT=${instance.port} PS=${instance.name}\n`);
    }
  });

  it("no value reaches a unit file, and the injection attempt adds no directive anywhere", async () => {
    const { app } = await loadNastyApp();
    const plan = exportPlan(app, "systemd", "/etc/systemd/system");
    for (const file of plan.files.filter((f) => f.path !== "envtest.env")) {
      const text = file.contents.toString();
      for (const value of ["héllo wörld", "overridden in production", "a # not a comment"]) {
        expect(text, file.path).not.toContain(value);
      }
      expect(text, file.path).not.toMatch(/^ExecStartPre=/m);
    }
    const envFile = fileOf(plan, "envtest.env");
    expect(decodeEnvironmentFile(envFile).has("ExecStartPre")).toBe(false);
  });

  it("maps backoff, limit and window onto RestartSec and the start limits", () => {
    const policy = {
      policy: "on-failure" as const,
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      resetAfterMs: 30_000,
      limit: 5,
      windowMs: 60_000,
    };
    // The mean of 0.5, 1, 2, 4 and 8 s: five restarts take as long as parity start's.
    expect(getRestartDelayMs(policy)).toBe(3100);
    expect(getRestartDelayMs({ ...policy, maxBackoffMs: 1000 })).toBe(900);
    expect(getRestartDelayMs({ ...policy, limit: 0 })).toBe(500);
  });
});

describe("runit encoder", () => {
  it("env/ and env/.values.sh give every instance exactly the env files' values plus PORT and PS", async () => {
    const { app, fixture } = await loadNastyApp();
    const plan = exportPlan(app, "runit", "/etc/sv");
    for (const instance of app.instances) {
      const dir = `envtest-${instance.name}/env/`;
      const got: Record<string, string> = {};
      for (const file of plan.files.filter((f) => f.path.startsWith(dir))) {
        expect(file.mode, file.path).toBe(0o600);
        const name = file.path.slice(dir.length);
        if (name === ".values.sh") continue;
        const value = decodeEnvDirFile(file.contents.toString());
        if (value !== undefined) got[name] = value;
      }
      const sourced = fileOf(plan, `${dir}.values.sh`);
      const keys = [...sourced.matchAll(/^export ([A-Z_0-9]+)=/gm)].map((m) => m[1] as string);
      const script = `${sourced}node -e 'const o={};for(const k of process.argv.slice(1))o[k]=process.env[k];process.stdout.write(JSON.stringify(o))' ${keys.join(" ")}`;
      Object.assign(got, JSON.parse(execFileSync("/bin/sh", ["-c", script]).toString()));
      expect(got).toEqual({
        ...expectedEnv(fixture),
        PORT: String(instance.port),
        PS: instance.name,
      });
      expect(plan.dirs.find((d) => d.path === dir.slice(0, -1))?.mode).toBe(0o700);
    }
  });

  it("every script is valid /bin/sh and the run script execs parity start's script in its own process group", async () => {
    const { app } = await loadNastyApp();
    const plan = exportPlan(app, "runit", "/etc/sv");
    for (const file of plan.files.filter((f) => f.mode === 0o755)) {
      execFileSync("/bin/sh", ["-n", "-c", file.contents.toString()]);
      expect(file.contents.toString().startsWith("#!/bin/sh\n"), file.path).toBe(true);
    }
    for (const instance of app.instances) {
      const run = fileOf(plan, `envtest-${instance.name}/run`);
      const last = run.trimEnd().split("\n").at(-1) ?? "";
      expect(last).toMatch(/^exec chpst -P -e '\/etc\/sv\/envtest-[a-z]+\.\d\/env' \/bin\/sh -c '/);
      // The shell word after -c reads back (through a real sh) as the exact script.
      const word = last.slice(last.indexOf("/bin/sh -c ") + "/bin/sh -c ".length);
      const decoded = execFileSync("/bin/sh", ["-c", `printf %s ${word}`]).toString();
      expect(decoded).toBe(buildShellScript(instance.command));
    }
  });

  it("waits for every instance of a dependency with the dependency's readiness timeout", async () => {
    const { app } = await loadNastyApp();
    const run = fileOf(exportPlan(app, "runit", "/etc/sv"), "envtest-worker.1/run");
    expect(run).toContain(
      "sv -w 20 start '/etc/sv/envtest-web.1' '/etc/sv/envtest-web.2' || exit 1\n",
    );
  });
});
