// The library API of exports: loadApp (no shell environment) → exportApp → writePlan.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { exportApp, loadApp, writePlan } from "../../../src/index.js";
import { makeTempDir, type TempDir } from "../app/temp-dir.js";

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

it("exports through the public API, as the README shows", async () => {
  const dir = makeTempDir();
  dirs.push(dir);
  dir.write("Procfile", "web: node web.js\n");
  dir.write(".env", "TOKEN=abc\n");
  const loaded = await loadApp(
    { root: dir.path, defaultEnvironment: "production" },
    { cwd: dir.path, env: {} },
  );
  if (!loaded.ok) throw new Error("load failed");
  const location = join(dir.path, "units");
  const result = exportApp(loaded.value, { format: "systemd", location, app: "shop" });
  if (!result.ok) throw new Error("export failed");
  expect(result.value.plan.files.map((f) => f.path)).toEqual([
    "shop-web.1.service",
    "shop.env",
    "shop.target",
  ]);
  const written = writePlan(result.value.plan, { location, app: "shop", format: "systemd" });
  expect(written.ok).toBe(true);
  expect(readFileSync(join(location, "shop.env"), "utf8")).toContain('TOKEN="abc"\n');
});
