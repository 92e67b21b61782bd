import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDefaultSettings } from "../../../src/app/defaults.js";
import { type LoadOptions, loadApp } from "../../../src/app/load.js";
import type { App, Problem, Result } from "../../../src/types.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  dir.remove();
});

const load = (
  options: LoadOptions = {},
  env: Record<string, string | undefined> = {},
  cwd = dir.path,
) => loadApp(options, { cwd, env });

function appOf(result: Result<App>): App {
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.value;
}

function problemsOf(result: Result<App>): Problem[] {
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("loadApp defaults", () => {
  it("loads ./Procfile with one instance of each type from port 5000", async () => {
    const procfile = dir.write("Procfile", "web: npm start\nworker: npm run worker\n");
    const result = await load();
    expect(result).toEqual({
      ok: true,
      warnings: [],
      value: {
        root: dir.path,
        procfile,
        name: expect.stringMatching(/^parity-app-/),
        environment: "development",
        types: [
          { name: "web", command: "npm start", index: 0, line: 1 },
          { name: "worker", command: "npm run worker", index: 1, line: 2 },
        ],
        envFiles: [],
        env: new Map(),
        formation: new Map([
          ["web", 1],
          ["worker", 1],
        ]),
        basePort: 5000,
        instances: [
          { type: "web", n: 1, name: "web.1", port: 5000, command: "npm start" },
          { type: "worker", n: 1, name: "worker.1", port: 5100, command: "npm run worker" },
        ],
        settings: new Map([
          ["web", getDefaultSettings()],
          ["worker", getDefaultSettings()],
        ]),
        manifest: undefined,
        user: undefined,
        log: undefined,
        watch: true,
        sources: {
          environment: { kind: "default" },
          envFiles: { kind: "default" },
          formation: { kind: "default" },
          user: { kind: "default" },
          log: { kind: "default" },
          watch: { kind: "default" },
        },
      },
    });
  });

  it("names the app after the root directory unless given a name", async () => {
    dir.write("shop/Procfile", "web: a\n");
    expect(appOf(await load({ root: "shop" })).name).toBe("shop");
    expect(appOf(await load({ root: "shop", appName: "store" })).name).toBe("store");
  });

  it("runs the foreman port example: -p 6000 -m web=2,worker=3", async () => {
    dir.write("Procfile", "web: a\nworker: b\n");
    const app = appOf(await load({ port: "6000", formation: "web=2,worker=3" }));
    expect(app.instances.map((i) => `${i.name} ${i.port}`)).toEqual([
      "web.1 6000",
      "web.2 6001",
      "worker.1 6100",
      "worker.2 6101",
      "worker.3 6102",
    ]);
    expect(app.formation).toEqual(
      new Map([
        ["web", 2],
        ["worker", 3],
      ]),
    );
  });

  it("carries warnings through on success", async () => {
    dir.write("Procfile", "web: a\nworker : b\n");
    const result = await load();
    expect(result.ok && result.warnings.map((w) => [w.line, w.message])).toEqual([
      [2, 'entry "worker" ignored: space before the colon'],
    ]);
  });
});

describe("loadApp paths (foreman's rules)", () => {
  it("finds the Procfile under -d/--root, relative to cwd", async () => {
    const procfile = dir.write("app/Procfile", "web: a\n");
    const app = appOf(await load({ root: "app" }));
    expect(app.procfile).toBe(procfile);
    expect(app.root).toBe(join(dir.path, "app"));
  });

  it("takes -f/--procfile relative to cwd and makes its directory the root", async () => {
    const procfile = dir.write("config/Procfile.dev", "web: a\n");
    const app = appOf(await load({ procfile: "config/Procfile.dev" }));
    expect(app.procfile).toBe(procfile);
    expect(app.root).toBe(join(dir.path, "config"));
  });

  it("keeps -d/--root when -f/--procfile is also given", async () => {
    dir.write("Procfile.dev", "web: a\n");
    dir.write("app/.env", "A=1\n");
    const app = appOf(await load({ procfile: "Procfile.dev", root: "app" }));
    expect(app.root).toBe(join(dir.path, "app"));
    expect(app.envFiles).toEqual([join(dir.path, "app", ".env")]);
  });

  it("reads the default env files from the root, not from cwd", async () => {
    dir.write("app/Procfile", "web: a\n");
    dir.write("app/.env", "FROM=root\n");
    dir.write(".env", "FROM=cwd\n");
    expect(appOf(await load({ procfile: "app/Procfile" })).env.get("FROM")?.value).toBe("root");
  });

  it("reports a missing Procfile by path, with the fix", async () => {
    const path = join(dir.path, "Procfile");
    expect(await load()).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "Procfile not found",
          file: path,
          fix: "create one, or point at it with -f/--procfile",
        },
      ],
    });
  });

  it("reports a -d/--root that is not a directory, next to the Procfile problem", async () => {
    dir.write("Procfile.dev", "web: a\n");
    dir.write("file", "");
    expect(problemsOf(await load({ procfile: "Procfile.dev", root: "file" }))).toEqual([
      {
        severity: "error",
        message: `app root "${join(dir.path, "file")}" is not a directory`,
        flag: "-d/--root",
        fix: "point -d/--root at the directory the commands should run in",
      },
    ]);
  });

  it("reports a Procfile path that is a directory", async () => {
    dir.write("Procfile/keep", "");
    expect(problemsOf(await load())).toEqual([
      {
        severity: "error",
        message: "cannot read Procfile (EISDIR)",
        file: join(dir.path, "Procfile"),
        fix: "point -f/--procfile at a readable file",
      },
    ]);
  });
});

describe("loadApp environment", () => {
  it("layers .env, .env.local, .env.development, .env.development.local", async () => {
    dir.write("Procfile", "web: a\n");
    const base = dir.write(".env", "A=base\nB=base\nC=base\nD=base\n");
    const local = dir.write(".env.local", "B=local\n");
    const dev = dir.write(".env.development", "C=dev\n");
    const devLocal = dir.write(".env.development.local", "D=devlocal\n");
    dir.write(".env.production", "A=prod\n");
    const app = appOf(await load());
    expect(app.envFiles).toEqual([base, local, dev, devLocal]);
    expect(Object.fromEntries([...app.env].map(([k, e]) => [k, e.value]))).toEqual({
      A: "base",
      B: "local",
      C: "dev",
      D: "devlocal",
    });
  });

  it("chooses the environment from the option, then PARITY_ENV, then development", async () => {
    dir.write("Procfile", "web: a\n");
    dir.write(".env.production", "WHO=production\n");
    dir.write(".env.staging", "WHO=staging\n");
    expect(
      appOf(await load({ environment: "staging" }, { PARITY_ENV: "production" })).env.get("WHO")
        ?.value,
    ).toBe("staging");
    const fromEnv = appOf(await load({}, { PARITY_ENV: "production" }));
    expect(fromEnv.environment).toBe("production");
    expect(fromEnv.env.get("WHO")?.value).toBe("production");
    expect(appOf(await load({}, { PARITY_ENV: "" })).environment).toBe("development");
  });

  it("refuses an environment name that would leave the root", async () => {
    dir.write("Procfile", "web: a\n");
    expect(problemsOf(await load({ environment: "../../etc/x" }))).toEqual([
      {
        severity: "error",
        message: 'invalid environment name "../../etc/x"',
        flag: "-E/--environment",
        fix: "use letters, digits, _, . and - only, such as development or production",
      },
    ]);
    expect(problemsOf(await load({}, { PARITY_ENV: "a/b" }))[0]?.flag).toBe("PARITY_ENV");
  });

  it("reads exactly the -e/--env files, each required", async () => {
    dir.write("Procfile", "web: a\n");
    dir.write(".env", "A=default\n");
    const custom = dir.write("custom.env", "A=custom\n");
    const app = appOf(await load({ envFiles: [custom] }));
    expect(app.envFiles).toEqual([custom]);
    expect(app.env.get("A")?.value).toBe("custom");
    const missing = join(dir.path, "missing.env");
    expect(problemsOf(await load({ envFiles: [custom, missing] }))).toEqual([
      {
        severity: "error",
        message: "env file not found",
        file: missing,
        fix: "create the file, or correct the path given to -e/--env",
      },
    ]);
  });

  it("lets the shell win over files, and leaves shell-only keys out", async () => {
    dir.write("Procfile", "web: a\n");
    const env = dir.write(".env", "A=file\nB=file\n");
    const app = appOf(await load({}, { A: "shell", HOME: "/root" }));
    expect(app.env.get("A")).toEqual({
      value: "shell",
      source: { kind: "shell" },
      overridden: [{ kind: "file", file: env, line: 1 }],
    });
    expect(app.env.get("B")?.value).toBe("file");
    expect(app.env.has("HOME")).toBe(false);
  });
});

describe("loadApp base port", () => {
  it("takes -p/--port over the shell's and the files' PORT", async () => {
    dir.write("Procfile", "web: a\n");
    dir.write(".env", "PORT=3000\n");
    expect(appOf(await load({ port: "4000" }, { PORT: "8000" })).basePort).toBe(4000);
  });

  it("takes the shell's PORT over the files'", async () => {
    dir.write("Procfile", "web: a\n");
    dir.write(".env", "PORT=3000\n");
    const app = appOf(await load({}, { PORT: "8000" }));
    expect(app.basePort).toBe(8000);
    expect(app.env.get("PORT")?.value).toBe("8000");
    expect(app.env.get("PORT")?.overridden).toHaveLength(1);
  });

  it("takes the files' PORT when the shell has none", async () => {
    dir.write("Procfile", "web: a\n");
    dir.write(".env", "PORT=3000\n");
    dir.write(".env.local", "PORT=3500\n");
    expect(appOf(await load()).basePort).toBe(3500);
  });

  it("ignores an empty shell PORT", async () => {
    dir.write("Procfile", "web: a\n");
    expect(appOf(await load({}, { PORT: "" })).basePort).toBe(5000);
  });

  it("reports a bad -p/--port, shell PORT or file PORT where it came from", async () => {
    dir.write("Procfile", "web: a\n");
    const env = dir.write(".env", "A=1\nPORT=http\n");
    expect(problemsOf(await load({ port: "99999" }))).toEqual([
      {
        severity: "error",
        message: 'invalid port "99999"',
        flag: "-p/--port",
        fix: "use a whole number from 1 to 65535",
      },
    ]);
    expect(problemsOf(await load({}, { PORT: "abc" }))[0]?.flag).toBe(
      "PORT in the shell environment",
    );
    expect(problemsOf(await load())).toEqual([
      {
        severity: "error",
        message: 'invalid port "http"',
        file: env,
        line: 2,
        fix: "use a whole number from 1 to 65535",
      },
    ]);
  });

  it("reports ports past 65535", async () => {
    dir.write("Procfile", "web: a\nworker: b\n");
    expect(problemsOf(await load({ port: "65500" }))).toEqual([
      {
        severity: "error",
        message: "worker.1 would get port 65600, above 65535",
        flag: "-p/--port",
        fix: "choose a base port of at most 65435 with -p/--port",
      },
    ]);
  });
});

describe("loadApp formation and processes", () => {
  it("runs only the named processes, keeping their ports", async () => {
    dir.write("Procfile", "web: a\nworker: b\nclock: c\n");
    const app = appOf(await load({ processes: ["clock"], formation: "all=2" }));
    expect(app.instances.map((i) => `${i.name} ${i.port}`)).toEqual([
      "clock.1 5200",
      "clock.2 5201",
    ]);
    expect(app.formation).toEqual(
      new Map([
        ["web", 0],
        ["worker", 0],
        ["clock", 2],
      ]),
    );
  });

  it("reports unknown process names once, also when the formation is bad", async () => {
    dir.write("Procfile", "web: a\nworker: b\n");
    expect(
      problemsOf(await load({ processes: ["db"], formation: "web=x" })).map((p) => p.message),
    ).toEqual(['invalid count "x" for "web"', 'unknown process "db"']);
  });

  it("reports unknown process names with a suggestion", async () => {
    dir.write("Procfile", "web: a\nworker: b\n");
    expect(problemsOf(await load({ processes: ["wokrer"] }))).toEqual([
      {
        severity: "error",
        message: 'unknown process "wokrer"',
        flag: "PROCESS argument",
        fix: 'did you mean "worker"?',
      },
    ]);
  });
});

describe("loadApp collects every problem", () => {
  it("reports Procfile, env file, port and formation problems together", async () => {
    dir.write("Procfile", "web: a\nweb.1: b\nweb: c\n");
    dir.write(".env", Buffer.from([0x41, 0x3d, 0xff]));
    const result = await load({ formation: "wbe=x", port: "0" });
    expect(
      problemsOf(result).map((p) => `${p.severity} ${p.line ?? p.flag}: ${p.message}`),
    ).toEqual([
      'warning 2: entry "web.1" ignored: invalid name',
      'error 3: duplicate process name "web" (first defined on line 1)',
      "error 1: not UTF-8 text",
      'error -p/--port: invalid port "0"',
    ]);
  });

  it("checks the formation and process names when only the env files fail", async () => {
    dir.write("Procfile", "web: a\n");
    const result = await load({
      formation: "wbe=1",
      processes: ["wrk"],
      envFiles: [join(dir.path, "nope.env")],
    });
    expect(problemsOf(result).map((p) => `${p.flag ?? p.file}: ${p.message}`)).toEqual([
      `${join(dir.path, "nope.env")}: env file not found`,
      '-m/--formation: unknown process "wbe"',
      'PROCESS argument: unknown process "wrk"',
    ]);
  });

  it("checks the env files when the Procfile is missing", async () => {
    dir.write(".env", "OK=1\n");
    const result = await load({ envFiles: [join(dir.path, "nope.env")], port: "x" });
    expect(problemsOf(result).map((p) => p.message)).toEqual([
      "Procfile not found",
      "env file not found",
      'invalid port "x"',
    ]);
  });

  it("keeps warnings alongside errors", async () => {
    dir.write("Procfile", "web: a\n  worker: b\n");
    const result = await load({ formation: "web=-1" });
    expect(problemsOf(result).map((p) => p.severity)).toEqual(["warning", "error"]);
  });
});
