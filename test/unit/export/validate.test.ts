// Names and values an export refuses (never rewrites), with the exact messages the CLI prints.
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../../src/app/format-problem.js";
import { loadApp } from "../../../src/app/load.js";
import { type ExportOptions, exportApp } from "../../../src/export/index.js";
import type { App } from "../../../src/types.js";
import { makeTempDir, type TempDir } from "../app/temp-dir.js";

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** Load an app made of `files` (production, no shell environment unless given). */
async function load(
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ app: App; dir: TempDir }> {
  const dir = makeTempDir();
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) dir.write(name, text);
  const loaded = await loadApp(
    { root: dir.path, defaultEnvironment: "production" },
    { cwd: dir.path, env },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { app: loaded.value, dir };
}

/** The export's problems, formatted as the CLI prints them (paths relative to the app). */
function problemsOf(app: App, dir: TempDir, options: Partial<ExportOptions> = {}): string[] {
  const result = exportApp(app, {
    format: "systemd",
    location: "/etc/systemd/system",
    app: "shop",
    ...options,
  });
  const problems = result.ok ? result.warnings : result.problems;
  return problems.map((p) => formatProblem(p, dir.path));
}

describe("names an export refuses", () => {
  it("an app name given with -a that cannot name units", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    expect(problemsOf(app, dir, { app: "my app" })).toEqual([
      'error: -a/--app: app name "my app" cannot be used in unit and file names. Fix: use letters, digits, _, . and -, starting with a letter or digit, such as shop.',
    ]);
    expect(problemsOf(app, dir, { app: "../x" })).toHaveLength(1);
    expect(problemsOf(app, dir, { app: ".hidden" })).toHaveLength(1);
    expect(problemsOf(app, dir, { app: "-flag" })).toHaveLength(1);
    expect(problemsOf(app, dir, { app: "shop.v2_a-b" })).toEqual([]);
  });

  it("the app root's directory name, when nothing names the app", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    const renamed = { ...app, name: "app dir %h" };
    const result = exportApp(renamed, { format: "runit", location: "/etc/sv" });
    expect(result.ok ? [] : result.problems.map((p) => formatProblem(p, dir.path))).toEqual([
      `error: -a/--app: app name "app dir %h" cannot be used in unit and file names (the app root's directory name). Fix: name the app with -a/--app or the manifest's app: use letters, digits, _, . and -, starting with a letter or digit, such as shop.`,
    ]);
  });

  it("the manifest's app name, at the manifest", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n", "parity.yml": "app: shop\n" });
    const result = exportApp({ ...app, name: "sh op" }, { format: "systemd", location: "/x" });
    expect(result.ok ? [] : result.problems.map((p) => formatProblem(p, dir.path))).toEqual([
      'error: parity.yml: app name "sh op" cannot be used in unit and file names. Fix: use letters, digits, _, . and -, starting with a letter or digit, such as shop.',
    ]);
  });

  it("env keys that are not shell variable names, at their file and line", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n", ".env": "OK=1\nmy.key=2\n1ST=3\n" });
    expect(problemsOf(app, dir)).toEqual([
      'error: .env:2: env key "my.key" cannot be exported: init systems and /bin/sh need a shell variable name. Fix: rename it to letters, digits and _, not starting with a digit.',
      'error: .env:3: env key "1ST" cannot be exported: init systems and /bin/sh need a shell variable name. Fix: rename it to letters, digits and _, not starting with a digit.',
    ]);
  });

  it("a user name systemd could misread, from -u or from the manifest", async () => {
    const { app: loaded, dir } = await load({
      Procfile: "web: run\n",
      "parity.yml": "environments:\n  production:\n    user: deploy\n",
    });
    // The manifest itself now refuses such a name (parity check); an app built by the API can still carry one.
    const app = { ...loaded, user: "Deploy" };
    expect(problemsOf(app, dir)).toEqual([
      'error: parity.yml:3:11: user name "Deploy" cannot be exported. Fix: use lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters (systemd\'s rule), such as deploy.',
    ]);
    expect(problemsOf(app, dir, { user: "0day" })).toEqual([
      'error: -u/--user: user name "0day" cannot be exported. Fix: use lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters (systemd\'s rule), such as deploy.',
    ]);
    expect(problemsOf(app, dir, { user: "deploy" })).toEqual([]);
  });

  it("directories that are not absolute or hold a line break", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    expect(problemsOf(app, dir, { log: "logs" })).toEqual([
      'error: -l/--log: log directory "logs" is not an absolute path. Fix: give an absolute path, starting with /.',
    ]);
    expect(problemsOf(app, dir, { run: "/etc/\nsv" })).toEqual([
      'error: -r/--run: service directory "/etc/\\nsv" contains a line break or NUL character. Fix: choose a path without line breaks.',
    ]);
  });

  it("a LOCATION systemd's EnvironmentFile= cannot name (a backslash); runit takes it", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    expect(problemsOf(app, dir, { location: "/etc/sys\\temd" })).toEqual([
      'error: LOCATION: LOCATION "/etc/sys\\temd" contains a backslash, which systemd\'s EnvironmentFile= cannot name. Fix: choose a directory without backslashes.',
    ]);
    expect(problemsOf(app, dir, { location: "/etc/s\\v", format: "runit" })).toEqual([]);
  });

  it("supervisord: a LOCATION or log directory with ; or # after whitespace (a comment in the conf)", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    expect(problemsOf(app, dir, { format: "supervisord", location: "/etc/sup #1" })).toEqual([
      'error: LOCATION: LOCATION "/etc/sup #1" has a ";" or "#" after whitespace, which supervisord reads as the start of a comment. Fix: choose a directory without whitespace before ; or #.',
    ]);
    expect(problemsOf(app, dir, { format: "supervisord", log: "/var/log/a ;b" })).toEqual([
      'error: -l/--log: log directory "/var/log/a ;b" has a ";" or "#" after whitespace, which supervisord reads as the start of a comment. Fix: choose a directory without whitespace before ; or #.',
    ]);
    expect(problemsOf(app, dir, { format: "supervisord", location: "/etc/a#b;c %d" })).toEqual([]);
  });

  it("launchd: control characters other than TAB and LF, naming the key", async () => {
    const { app, dir } = await load({
      Procfile: "web: run\n",
      ".env": 'OK="a\\tb\\nc"\nBAD="a\x07b"\n',
    });
    expect(problemsOf(app, dir, { format: "launchd", location: "/Library/LaunchDaemons" })).toEqual(
      [
        'error: the value of "BAD" (env files) contains the control character U+0007, which a launchd property list cannot hold. Fix: remove it (only TAB and line feed can appear in a plist string).',
      ],
    );
  });

  it("a value that came from the shell of the export rather than from the env files", async () => {
    const { app, dir } = await load(
      { Procfile: "web: run\n", ".env": "A=1\nB=from file\n" },
      { B: "from shell" },
    );
    expect(problemsOf(app, dir)).toEqual([
      'error: .env:2: the value of "B" comes from the shell that runs the export, not from the env files. Fix: load the app with an empty shell environment ({ env: {} }) so that exports get the env files\' values.',
    ]);
  });

  it("an unknown format", async () => {
    const { app, dir } = await load({ Procfile: "web: run\n" });
    expect(problemsOf(app, dir, { format: "upstart" })).toEqual([
      'error: FORMAT: export format "upstart" is not available. Fix: use one of systemd, runit, supervisord, launchd.',
    ]);
  });
});

describe("what an export cannot carry: warnings", () => {
  it("a tcp, http or log probe that a dependent waits for", async () => {
    const { app, dir } = await load({
      Procfile: "web: run\ndb: run\n",
      "parity.yml": "processes:\n  db: { ready: { tcp: $PORT } }\n  web: { depends_on: [db] }\n",
    });
    expect(problemsOf(app, dir)).toEqual([
      'warning: parity.yml: the tcp readiness probe of "db" is not exported: its dependents start once it has started, not once it is ready. Fix: use an exec probe (such as pg_isready or curl -fs) if dependents must wait for it.',
    ]);
  });
});
