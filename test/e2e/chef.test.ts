// examples/chef: the cookbook's Ruby parses, the JSON plan it consumes is stable, and its recipe
// (run against a stub of the Chef DSL) declares the resources the README promises.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PARITY_BIN } from "../support/parity.js";

const repo = resolve(import.meta.dirname, "../..");
const COOKBOOK = join(repo, "examples/chef/parity_app");
const HARNESS = join(repo, "test/fixtures/chef/harness.rb");
const FIXTURE_APP = join(repo, "test/fixtures/export/app");
const LOCATION = "/etc/systemd/system";

// Debian's `ruby` (CI installs it: .ci/run). Without it the Ruby checks are skipped, saying why.
const hasRuby = spawnSync("ruby", ["--version"]).status === 0;
const describeRuby = hasRuby ? describe : describe.skip;
if (!hasRuby)
  console.warn("chef.test.ts: `ruby` is not installed; skipping the ruby -c and recipe checks");

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-chef-"));
  temps.push(dir);
  return dir;
}

/** The plan the recipe reads: the built CLI's `export systemd LOCATION --format json`. */
function plan(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(
    process.execPath,
    [PARITY_BIN, "export", "systemd", LOCATION, "--format", "json", "-d", FIXTURE_APP, ...args],
    { cwd, env: { PATH: process.env.PATH, ...env }, encoding: "utf8" },
  );
}

/** Every .rb file under `dir`. */
function rubyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith(".rb"))
    .map((p) => join(dir, p));
}

describe("the JSON plan the Chef recipe consumes", () => {
  const args = ["-a", "shop", "-u", "shop", "-m", "all=0,web=2"];

  it("is byte-identical across runs, working directories and shell environments", () => {
    const first = plan(args, repo);
    expect(plan(args, repo)).toBe(first);
    // Another cwd, and a shell whose values must not leak into the plan (exports read env files only).
    expect(plan(args, tempDir(), { SECRET_KEY_BASE: "from-the-shell", HOME: "/nowhere" })).toBe(
      first,
    );
  });

  it("has the fields the recipe reads: format, dirs, and each file's path, mode string and contents", () => {
    const data = JSON.parse(plan(args, repo));
    expect(Object.keys(data)).toEqual(["app", "format", "location", "dirs", "files"]);
    expect(data).toMatchObject({ app: "shop", format: "systemd", location: LOCATION, dirs: [] });
    const files = data.files as { path: string; mode: string; contents: string }[];
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["shop-web.1.service", "0644"],
      ["shop-web.2.service", "0644"],
      ["shop.env", "0600"],
      ["shop.target", "0644"],
    ]);
    for (const file of files) {
      // Text contents, no base64 for systemd; modes as four-digit octal strings, never numbers.
      expect(Object.keys(file)).toEqual(["path", "mode", "contents"]);
      expect(file.mode).toMatch(/^0[0-7]{3}$/);
      expect(typeof file.contents).toBe("string");
      expect(file.path).not.toMatch(/^\/|(^|\/)\.\.(\/|$)/);
    }
    // The secrets are in the 0600 file only, and the units name it where it will be.
    const env = files.find((f) => f.path === "shop.env");
    expect(env?.contents).toContain("SECRET_KEY_BASE=");
    for (const file of files.filter((f) => f.mode !== "0600")) {
      expect(file.contents).not.toContain("s3cr3t");
    }
    expect(files[0]?.contents).toContain(`EnvironmentFile=${LOCATION}/shop.env\n`);
  });
});

describeRuby("examples/chef/parity_app (Ruby)", () => {
  it("every .rb file passes ruby -c (the cookbook and the test harness)", () => {
    const files = [...rubyFiles(COOKBOOK), HARNESS];
    expect(files.map((f) => f.slice(COOKBOOK.length + 1)).sort()).toEqual(
      expect.arrayContaining(["attributes/default.rb", "metadata.rb", "recipes/default.rb"]),
    );
    for (const file of files) {
      const result = spawnSync("ruby", ["-c", file], { encoding: "utf8" });
      expect(result.stderr, file).toBe("");
      expect(result.stdout, file).toBe("Syntax OK\n");
    }
  });

  /** Run recipes/default.rb against the stub DSL with the real plan; the declared resources. */
  function converge(formation: string, previousFiles?: string[]) {
    const dir = tempDir();
    const planFile = join(dir, "plan.json");
    writeFileSync(planFile, plan(["-a", "shop", "-u", "shop", "-m", formation], repo));
    if (previousFiles) {
      const state = { app: "shop", location: LOCATION, files: previousFiles };
      writeFileSync(join(dir, "shop.json"), JSON.stringify(state));
    }
    const overrides = { parity_app: { formation, state_dir: dir } };
    const out = execFileSync("ruby", [HARNESS, COOKBOOK, JSON.stringify(overrides), planFile], {
      encoding: "utf8",
    });
    return {
      dir,
      ...(JSON.parse(out) as {
        commands: string[][];
        resources: {
          type: string;
          name: string;
          action?: string[];
          mode?: string;
          content?: string;
          sensitive?: boolean;
          notifies: { action: string; target: string; timing: string }[];
        }[];
      }),
    };
  }

  const reload = {
    action: "run",
    target: "execute[systemctl daemon-reload]",
    timing: "immediately",
  };
  const restart = { action: "restart", target: "service[shop.target]", timing: "delayed" };

  it("a web node: runs parity export with the node's attributes and declares each planned file", () => {
    const { commands, resources } = converge("all=0,web=2");
    expect(commands).toEqual([
      [
        "parity",
        "export",
        "systemd",
        LOCATION,
        "--format",
        "json",
        "-d",
        "/srv/shop",
        "-a",
        "shop",
        "-E",
        "production",
        "-u",
        "shop",
        "-m",
        "all=0,web=2",
      ],
    ]);
    const files = resources.filter((r) => r.type === "file" && r.name.startsWith(LOCATION));
    expect(files.map((r) => [r.name, r.mode, r.sensitive ?? false])).toEqual([
      [`${LOCATION}/shop-web.1.service`, "0644", false],
      [`${LOCATION}/shop-web.2.service`, "0644", false],
      [`${LOCATION}/shop.env`, "0600", true],
      [`${LOCATION}/shop.target`, "0644", false],
    ]);
    const planned = JSON.parse(plan(["-a", "shop", "-u", "shop", "-m", "all=0,web=2"], repo));
    for (const [i, r] of files.entries()) {
      expect(r.content).toBe(planned.files[i].contents);
      expect(r.notifies).toEqual([reload, restart]);
    }
    expect(resources.find((r) => r.name === "systemctl daemon-reload")?.action).toEqual([
      "nothing",
    ]);
    // The target is enabled and started after every file is in place, and nothing is removed.
    expect(resources.at(-1)).toMatchObject({
      type: "service",
      name: "shop.target",
      action: ["enable", "start"],
    });
    expect(resources.filter((r) => r.action?.includes("delete"))).toEqual([]);
  });

  it("a worker node exports worker only", () => {
    const { resources } = converge("all=0,worker=3");
    const units = resources.filter((r) => r.type === "file" && r.name.endsWith(".service"));
    expect(units.map((r) => r.name)).toEqual(
      [1, 2, 3].map((n) => `${LOCATION}/shop-worker.${n}.service`),
    );
  });

  it("removes only the files of its previous plan that this plan no longer has, stopping their services", () => {
    const previous = [
      "shop-web.1.service",
      "shop-web.2.service",
      "shop-web.3.service",
      "shop.env",
      "shop.target",
    ];
    const { dir, resources } = converge("all=0,web=1", previous);
    const removing = resources.filter(
      (r) => r.action?.includes("delete") || r.action?.includes("stop"),
    );
    expect(removing.map((r) => [r.type, r.name, r.action])).toEqual([
      ["service", "shop-web.2.service", ["stop"]],
      ["file", `${LOCATION}/shop-web.2.service`, ["delete"]],
      ["service", "shop-web.3.service", ["stop"]],
      ["file", `${LOCATION}/shop-web.3.service`, ["delete"]],
    ]);
    for (const r of removing.filter((r) => r.type === "file")) expect(r.notifies).toEqual([reload]);
    // The new list is recorded (after the files) for the next run.
    const state = resources.find((r) => r.name === join(dir, "shop.json"));
    expect(JSON.parse(state?.content ?? "")).toEqual({
      app: "shop",
      location: LOCATION,
      files: ["shop-web.1.service", "shop.env", "shop.target"],
    });
    const index = (name: string) => resources.findIndex((r) => r.name === name);
    expect(index(join(dir, "shop.json"))).toBeGreaterThan(index(`${LOCATION}/shop-web.3.service`));
  });
});
