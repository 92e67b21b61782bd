// Golden files: the exports of a small app, byte for byte (UPDATE_GOLDEN=1 rewrites them after a deliberate change).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadApp } from "../../../src/app/load.js";
import { exportApp } from "../../../src/export/index.js";
import { formatMode, type Plan, renderPlanJson } from "../../../src/export/plan.js";
import type { App } from "../../../src/types.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(here, "../../fixtures/export/app");
const GOLDEN = resolve(here, "../../fixtures/export/golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** The fixture app as production would load it, its root placed at /srv/shop (the same on every machine). */
async function loadGoldenApp(): Promise<App> {
  const loaded = await loadApp(
    { root: FIXTURE, defaultEnvironment: "production" },
    { cwd: FIXTURE, env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { ...loaded.value, root: "/srv/shop" };
}

/** The list of a plan's directories and files with their modes, one per line. */
function listPlan(plan: Plan): string {
  const dirs = plan.dirs.map((d) => `${formatMode(d.mode)} ${d.path}/\n`);
  const files = plan.files.map((f) => `${formatMode(f.mode)} ${f.path}\n`);
  return [...dirs, ...files].join("");
}

/** Compare `actual` with the golden file (or write it when updating). */
function expectGolden(path: string, actual: string | Buffer): void {
  const full = join(GOLDEN, path);
  if (UPDATE) {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, actual);
    return;
  }
  expect(existsSync(full), `${full} is missing (run with UPDATE_GOLDEN=1)`).toBe(true);
  const expected = readFileSync(full);
  const bytes = typeof actual === "string" ? Buffer.from(actual) : actual;
  expect(bytes.toString("utf8"), path).toBe(expected.toString("utf8"));
  expect(bytes.equals(expected), path).toBe(true);
}

/** Every file under a golden directory, relative to it. */
function listGolden(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listGolden(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

const CASES = [
  { format: "systemd", location: "/etc/systemd/system" },
  { format: "runit", location: "/etc/sv" },
  { format: "supervisord", location: "/etc/supervisor/conf.d" },
  { format: "launchd", location: "/Library/LaunchDaemons" },
];

describe.each(CASES)("golden files: $format", ({ format, location }) => {
  it("matches the golden files byte for byte, with the same paths and modes", async () => {
    const app = await loadGoldenApp();
    const result = exportApp(app, { format, location, user: "deploy", timeoutSeconds: 5 });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.warnings).toEqual([]);
    const { plan } = result.value;
    if (UPDATE) rmSync(join(GOLDEN, format), { recursive: true, force: true });
    expectGolden(`${format}.plan`, listPlan(plan));
    for (const file of plan.files) expectGolden(join(format, file.path), file.contents);
    expect(listGolden(join(GOLDEN, format)).sort()).toEqual(plan.files.map((f) => f.path).sort());
    expectGolden(`${format}.plan.json`, renderPlanJson(plan, result.value));
  });

  it("is deterministic: the same inputs give the same bytes", async () => {
    const first = exportApp(await loadGoldenApp(), { format, location, user: "deploy" });
    const second = exportApp(await loadGoldenApp(), { format, location, user: "deploy" });
    if (!first.ok || !second.ok) throw new Error("export failed");
    expect(renderPlanJson(second.value.plan, second.value)).toBe(
      renderPlanJson(first.value.plan, first.value),
    );
  });
});
