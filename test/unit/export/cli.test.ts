// `parity export` through the CLI, in process: --dry-run, --check, --format json, errors, the environment it exports.
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { makeTempDir, type TempDir } from "../app/temp-dir.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(here, "../../fixtures/export/app");

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A copy of the golden app in a temp dir; LOCATION is `out` inside it. */
function makeApp(): { root: string; out: string } {
  const dir = makeTempDir();
  dirs.push(dir);
  cpSync(FIXTURE, dir.path, { recursive: true });
  return { root: dir.path, out: join(dir.path, "out") };
}

/** Run `parity ARGS` in `cwd` with a shell environment; returns status and output. */
async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const status = await main(args, {
    cwd,
    env,
    version: "test",
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { status, stdout, stderr };
}

/** Every path under `dir` with its mode and mtime: a snapshot to prove nothing changed. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((p) => {
      const stat = statSync(join(dir, p));
      return `${p} ${stat.mode.toString(8)} ${stat.mtimeMs}`;
    });
}

describe("parity export: writing", () => {
  it("writes the units and says what it did", async () => {
    const { root, out } = makeApp();
    const result = await run(["export", "systemd", "out"], root);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        "create  shop-db.1.service (0644)",
        "create  shop-web.1.service (0644)",
        "create  shop-web.2.service (0644)",
        "create  shop-worker.1.service (0644)",
        "create  shop.env (0600)",
        "create  shop.target (0644)",
        "create  .parity-export.json (0644)",
        `exported shop (systemd) to ${out}: 7 created, 0 unchanged`,
        "",
      ].join("\n"),
    );
    const again = await run(["export", "systemd", "out"], root);
    expect(again.stdout).toBe(`exported shop (systemd) to ${out}: 7 unchanged\n`);
  });

  it("writes supervisord's conf, 0700 wrappers and 0600 env file, and launchd's 0600 plists", async () => {
    const { root, out } = makeApp();
    const result = await run(["export", "supervisord", "out"], root);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const modes = (dir: string) =>
      readdirSync(dir)
        .sort()
        .map((name) => `${(statSync(join(dir, name)).mode & 0o777).toString(8)} ${name}`);
    expect(modes(out)).toEqual([
      "644 .parity-export.json",
      "700 shop-db-1.sh",
      "700 shop-web-1.sh",
      "700 shop-web-2.sh",
      "700 shop-worker-1.sh",
      "644 shop.conf",
      "600 shop.env",
    ]);
    const launchd = await run(["export", "launchd", "plists", "-r", "/x"], root);
    expect(launchd.stderr).toBe(
      "warning: -r/--run: -r/--run is used by runit exports only; launchd exports name their files by absolute path.\n",
    );
    expect(launchd.status).toBe(0);
    expect(modes(join(root, "plists"))).toEqual([
      "644 .parity-export.json",
      "600 shop-db-1.plist",
      "600 shop-web-1.plist",
      "600 shop-web-2.plist",
      "600 shop-worker-1.plist",
    ]);
  });

  it("exports the env files' values, not the shell's, and defaults to the production environment", async () => {
    const { root, out } = makeApp();
    writeFileSync(join(root, ".env.production"), "FROM_PRODUCTION=1\n");
    writeFileSync(join(root, ".env.development"), "FROM_DEVELOPMENT=1\n");
    await run(["export", "systemd", "out"], root, { RACK_ENV: "from the shell", PORT: "7000" });
    const env = readFileSync(join(out, "shop.env"), "utf8");
    expect(env).toContain('RACK_ENV="production"\n');
    expect(env).toContain('FROM_PRODUCTION="1"\n');
    expect(env).not.toContain("FROM_DEVELOPMENT");
    // The base port is the env files' PORT (1234), not the shell's.
    expect(readFileSync(join(out, "shop-web.1.service"), "utf8")).toContain("PORT=1234 PS=web.1");
    await run(["export", "systemd", "out2"], root, { PARITY_ENV: "development" });
    expect(readFileSync(join(root, "out2", "shop.env"), "utf8")).toContain("FROM_DEVELOPMENT");
  });

  it("maps -a, -u, -m, -p and -t", async () => {
    const { root, out } = makeApp();
    const result = await run(
      [
        "export",
        "systemd",
        out,
        "-a",
        "store",
        "-u",
        "www-data",
        "-m",
        "web=1,worker=0",
        "-p",
        "6000",
        "-t",
        "2.5",
      ],
      root,
    );
    expect(result.stderr).toBe("");
    expect(readdirSync(out).sort()).toEqual([
      ".parity-export.json",
      "store-db.1.service",
      "store-web.1.service",
      "store.env",
      "store.target",
    ]);
    const db = readFileSync(join(out, "store-db.1.service"), "utf8");
    expect(db).toContain("User=www-data\n");
    expect(db).toContain("PORT=6200 PS=db.1");
    expect(db).toContain("TimeoutStopSec=2500ms\n");
    // web's own stop_timeout (10 s) wins over -t.
    expect(readFileSync(join(out, "store-web.1.service"), "utf8")).toContain(
      "TimeoutStopSec=10s\n",
    );
  });
});

describe("parity export --dry-run", () => {
  it("prints what would change and touches nothing", async () => {
    const { root, out } = makeApp();
    const result = await run(["export", "runit", "out", "--dry-run"], root);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^create {2}shop-web\.1\/env\/ \(0700\)$/m);
    expect(result.stdout).toMatch(/dry run: 63 to create, 0 unchanged; nothing written\n$/);
    expect(existsSync(out)).toBe(false);
    await run(["export", "runit", "out"], root);
    const procfile = readFileSync(join(root, "Procfile"), "utf8");
    writeFileSync(join(root, "Procfile"), procfile.replace("bundle exec puma", "rackup"));
    writeFileSync(
      join(root, "parity.yml"),
      readFileSync(join(root, "parity.yml"), "utf8").replace(
        "policy: on-failure",
        "policy: always",
      ),
    );
    const before = snapshot(out);
    const second = await run(["export", "runit", "out", "--dry-run"], root);
    expect(second.stdout).toMatch(/^update {2}shop-web\.1\/run \(0755\)$/m);
    expect(second.stdout).toMatch(/^remove {2}shop-worker\.1\/finish$/m);
    expect(snapshot(out)).toEqual(before);
  });
});

describe("parity export --check", () => {
  it("exits 1 with a diff when LOCATION is out of date, 0 when it matches", async () => {
    const { root, out } = makeApp();
    const missing = await run(["export", "systemd", "out", "--check"], root);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(
      `--- /dev/null\n+++ ${out}/shop.target (export)\n@@ -0,0 +1,10 @@\n+# Generated`,
    );
    expect(existsSync(out)).toBe(false);
    await run(["export", "systemd", "out"], root);
    const fresh = await run(["export", "systemd", "out", "--check"], root);
    expect(fresh).toEqual({
      status: 0,
      stdout: `${out} is up to date (shop, systemd)\n`,
      stderr: "",
    });
    const unit = join(out, "shop-web.1.service");
    writeFileSync(
      unit,
      readFileSync(unit, "utf8").replace("KillSignal=SIGINT", "KillSignal=SIGTERM"),
    );
    const edited = await run(["export", "systemd", "out", "--check"], root);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toBe(
      [
        `--- ${unit} (on disk)`,
        `+++ ${unit} (export)`,
        "@@ -15,5 +15,5 @@",
        ' ExecStart=/bin/sh -c "exec 2>&1; exec bundle exec puma -p $$PORT -e \\"$$RACK_ENV\\" 100%%"',
        " KillMode=control-group",
        "-KillSignal=SIGTERM",
        "+KillSignal=SIGINT",
        " TimeoutStopSec=10s",
        " Restart=always",
        `${out} is out of date: 1 to update, 6 unchanged (run parity export without --check to update it)`,
        "",
      ].join("\n"),
    );
  });

  it("never shows a secret file's contents, and shows what would be removed", async () => {
    const { root, out } = makeApp();
    await run(["export", "systemd", "out", "-m", "web=2"], root);
    writeFileSync(join(root, ".env"), "SECRET_KEY_BASE=new-secret\n");
    const result = await run(["export", "systemd", "out", "-m", "web=1", "--check"], root);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `--- ${out}/shop.env (on disk)\n+++ ${out}/shop.env (export)\ncontents differ (contents not shown: the file is mode 0600)\n`,
    );
    expect(result.stdout).not.toContain("new-secret");
    expect(result.stdout).not.toContain("s3cr3t");
    expect(result.stdout).toContain(`--- ${out}/shop-web.2.service (on disk)\n+++ /dev/null\n`);
  });
});

describe("parity export --format json", () => {
  it("prints the plan, the same bytes every time, and writes nothing", async () => {
    const { root, out } = makeApp();
    const first = await run(["export", "systemd", "out", "--format", "json"], root);
    const second = await run(["export", "systemd", "out", "--format", "json"], root);
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(existsSync(out)).toBe(false);
    const plan = JSON.parse(first.stdout) as {
      app: string;
      format: string;
      location: string;
      files: { path: string; mode: string; contents: string }[];
    };
    expect([plan.app, plan.format, plan.location]).toEqual(["shop", "systemd", out]);
    expect(plan.files.find((f) => f.path === "shop.env")?.mode).toBe("0600");
    expect(plan.files.find((f) => f.path === "shop.target")?.contents).toContain(
      "Wants=shop-web.1.service\n",
    );
  });
});

describe("parity export: user errors", () => {
  it.each([
    [
      ["export", "systemdd", "out"],
      'error: FORMAT: unknown export format "systemdd". Did you mean systemd?\n',
    ],
    [
      ["export", "upstart", "out"],
      'error: FORMAT: unknown export format "upstart". Fix: use one of systemd, runit, supervisord, launchd.\n',
    ],
    [
      ["export", "systemd", "out", "--dry-run", "--check"],
      "error: --dry-run: --dry-run and --check cannot be combined. Fix: give one of --dry-run, --check and --format json.\n",
    ],
    [
      ["export", "systemd", "out", "--format", "yaml"],
      'error: --format: unknown output format "yaml". Fix: use --format json.\n',
    ],
    [
      ["export", "systemd", "out", "-t", "soon"],
      'error: -t/--timeout: invalid timeout "soon". Fix: give a number of seconds from 0 to 2147483, such as 5 or 2.5.\n',
    ],
    [
      ["export", "systemd", "out", "-u", "Root"],
      'error: -u/--user: user name "Root" cannot be exported. Fix: use lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters (systemd\'s rule), such as deploy.\n',
    ],
    [
      ["export", "runit", "out", "-l", "/var/log/\nx"],
      'error: -l/--log: log directory "/var/log/\\nx" contains a line break or NUL character. Fix: choose a path without line breaks.\n',
    ],
  ])("%j: one clear line, status 2, nothing written", async (args, message) => {
    const { root, out } = makeApp();
    const result = await run(args, root);
    expect(result).toEqual({ status: 2, stdout: "", stderr: message });
    expect(existsSync(out)).toBe(false);
  });

  it("a file in the way is refused with status 2 and nothing written", async () => {
    const { root, out } = makeApp();
    await run(["export", "systemd", "out", "-m", "web=1"], root);
    writeFileSync(join(out, "shop-web.2.service"), "[Unit]\n");
    const before = snapshot(out);
    const result = await run(["export", "systemd", "out"], root);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^error: .*shop-web\.2\.service: the file exists and was not written by the export of "shop"/,
    );
    expect(snapshot(out)).toEqual(before);
  });

  it("a LOCATION that cannot be written is a user error, not a hang or a stack trace", async () => {
    const { root } = makeApp();
    const result = await run(["export", "systemd", "/proc/1/parity-export-test"], root);
    expect(result).toEqual({
      status: 2,
      stdout: "",
      stderr:
        "error: LOCATION: cannot write /proc/1/parity-export-test (ENOENT). Fix: check the permissions (an export to a system directory needs root); an interrupted export is completed and pruned by the next one.\n",
    });
  });

  it("-r with systemd is a warning: runit uses it", async () => {
    const { root } = makeApp();
    const result = await run(["export", "systemd", "out", "-r", "/etc/sv"], root);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      "warning: -r/--run: -r/--run is used by runit exports only; systemd units name their files by absolute path.\n",
    );
  });
});
