// The mini-prod tree is the runit export: the same files, bytes and modes, except log/run and the user.
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { loadApp } from "../../../src/app/load.js";
import { exportApp } from "../../../src/export/index.js";
import type { App } from "../../../src/types.js";
import { prepareViaRunit } from "../../../src/via/start-via-runit.js";
import { type ExportApp, makeExportApp } from "../../support/export-app.js";
import { makeTempDir, type TempDir } from "../app/temp-dir.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

async function load(root: string, extra: { user?: string } = {}): Promise<App> {
  const loaded = await loadApp(
    { root, defaultEnvironment: "production", port: "48100" },
    { cwd: root, env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { ...loaded.value, ...(extra.user !== undefined && { user: extra.user }) };
}

function nastyApp(): ExportApp {
  const fixture = makeExportApp();
  cleanups.push(() => rmSync(fixture.tmp, { recursive: true, force: true }));
  return fixture;
}

describe("the mini-prod runit tree", () => {
  it("is the export of the same app to the same place, file for file, but for log/run", async () => {
    const fixture = nastyApp();
    const app = await load(fixture.root);
    const prepared = prepareViaRunit(app, { timeoutSeconds: 3, parent: "/tmp/x" });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    const { dir, tree } = prepared.value;
    expect(dir).toMatch(/^\/tmp\/x\/parity-runit-[0-9a-z]+$/);
    expect(tree.serviceDir).toBe(`${dir}/service`);
    const exported = exportApp(app, {
      format: "runit",
      location: tree.serviceDir,
      log: `${dir}/log`,
      timeoutSeconds: 3,
    });
    if (!exported.ok) throw new Error(JSON.stringify(exported.problems));
    const plan = exported.value.plan;
    expect(tree.plan.dirs).toEqual(plan.dirs);
    expect(tree.plan.files.map((f) => [f.path, f.mode])).toEqual(
      plan.files.map((f) => [f.path, f.mode]),
    );
    const logRuns = tree.plan.files.filter((f) => f.path.endsWith("/log/run"));
    expect(logRuns.map((f) => f.path)).toEqual(
      tree.services.map((s) => `${s.instance.service}/log/run`).sort(),
    );
    for (const file of tree.plan.files) {
      const original = plan.files.find((f) => f.path === file.path);
      if (file.path.endsWith("/log/run")) {
        const service = tree.services.find((s) => file.path === `${s.instance.service}/log/run`);
        expect(file.contents).toBe(
          `#!/bin/sh\n# Written by parity start --via runit: the service's output to parity (the export runs svlogd here).\nexec cat >'${service?.fifo}'\n`,
        );
        expect(original?.contents).toMatch(/svlogd/);
      } else {
        expect(file.contents, file.path).toEqual(original?.contents);
      }
    }
    expect(tree.services.map((s) => [s.instance.name, s.dir, s.fifo])).toEqual(
      app.instances.map((i) => [
        i.name,
        `${dir}/service/envtest-${i.name}`,
        `${dir}/output/envtest-${i.name}`,
      ]),
    );
    expect(tree.services.map((s) => s.instance.name)).toEqual([
      "web.1",
      "web.2",
      "worker.1",
      "stopper.1",
      "stubborn.1",
    ]);
  });

  it("switches to no user: the environment's user needs root and that user", async () => {
    const fixture = nastyApp();
    const app = await load(fixture.root, { user: "shop" });
    const prepared = prepareViaRunit(app, { parent: "/tmp/x" });
    if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
    const scripts = prepared.value.tree.plan.files.map((f) => f.contents.toString()).join("\n");
    expect(scripts).not.toMatch(/chpst[^\n]* -u /);
    expect(scripts).not.toContain("shop");
    // The export of the same app does switch: the difference is the mini-prod's, on purpose.
    const exported = exportApp(app, { format: "runit", location: "/etc/sv" });
    if (!exported.ok) throw new Error(JSON.stringify(exported.problems));
    expect(exported.value.plan.files.map((f) => f.contents.toString()).join("\n")).toMatch(
      /chpst -P -u 'shop'/,
    );
  });

  it("refuses what the export refuses: a Procfile name no service can carry", async () => {
    const dir: TempDir = makeTempDir();
    cleanups.push(() => dir.remove());
    dir.write("Procfile", "web: forever\n");
    const app = await load(dir.path);
    const prepared = prepareViaRunit({ ...app, name: "bad/name" }, { parent: "/tmp/x" });
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.problems.map((p) => p.message).join("\n")).toMatch(/bad\/name/);
  });
});
