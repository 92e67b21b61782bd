import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { getDefaultSettings } from "../../../src/app/defaults.js";
import { renderCheck, renderEnv } from "../../../src/app/render.js";
import type { App, EnvEntry, Problem, ProcessSettings, Result } from "../../../src/types.js";

const root = "/srv/shop";
const file = (name: string, line: number) => ({
  kind: "file" as const,
  file: `${root}/${name}`,
  line,
});

function makeApp(env: [string, EnvEntry][] = []): App {
  return {
    root,
    procfile: `${root}/Procfile`,
    name: "shop",
    environment: "development",
    types: [
      { name: "web", command: "node web.js", index: 0, line: 1 },
      { name: "worker", command: "node worker.js", index: 1, line: 2 },
      { name: "clock", command: "node clock.js", index: 2, line: 4 },
    ],
    envFiles: [`${root}/.env`, `${root}/.env.development`],
    env: new Map(env),
    formation: new Map([
      ["web", 2],
      ["worker", 1],
      ["clock", 1],
    ]),
    basePort: 5000,
    instances: [
      { type: "web", n: 1, name: "web.1", port: 5000, command: "node web.js" },
      { type: "web", n: 2, name: "web.2", port: 5001, command: "node web.js" },
      { type: "worker", n: 1, name: "worker.1", port: 5100, command: "node worker.js" },
      { type: "clock", n: 1, name: "clock.1", port: 5200, command: "node clock.js" },
    ],
    settings: new Map(["web", "worker", "clock"].map((name) => [name, getDefaultSettings()])),
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
  };
}

const env: [string, EnvEntry][] = [
  ["ZED", { value: "last", source: file(".env", 1), overridden: [] }],
  ["API_TOKEN", { value: "t0k3n", source: file(".env", 2), overridden: [] }],
  [
    "GREETING",
    {
      value: 'hello "world"\nbye',
      source: file(".env.development", 3),
      overridden: [file(".env", 2), file(".env.local", 7)],
    },
  ],
  ["EDITOR", { value: "vim", source: { kind: "shell" }, overridden: [file(".env", 5)] }],
  ["PLAIN", { value: "two words", source: file(".env", 4), overridden: [] }],
];

describe("renderEnv", () => {
  it("prints sorted KEY=value lines, quoting when needed and masking secrets", () => {
    expect(renderEnv(makeApp(env), { explain: false, showSecrets: false, cwd: root })).toBe(
      [
        "API_TOKEN=********",
        "EDITOR=vim",
        "GREETING='hello \"world\"\nbye'",
        'PLAIN="two words"',
        "ZED=last",
      ].join("\n"),
    );
  });

  it("shows secrets when asked", () => {
    const text = renderEnv(makeApp(env), { explain: false, showSecrets: true, cwd: root });
    expect(text.split("\n")[0]).toBe("API_TOKEN=t0k3n");
  });

  it("prints output that dotenv reads back to the same values", () => {
    const text = renderEnv(makeApp(env), { explain: false, showSecrets: true, cwd: root });
    expect(parse(text)).toEqual(Object.fromEntries(env.map(([key, entry]) => [key, entry.value])));
  });

  it("explains where every value came from, relative to cwd", () => {
    expect(renderEnv(makeApp(env), { explain: true, showSecrets: false, cwd: root })).toBe(
      [
        "# environment development (default); no manifest",
        "# env files read: .env, .env.development (the default layering)",
        "# formation: web=2, worker=1, clock=1 (default)",
        "# watch: on (default)",
        "API_TOKEN=********  # from .env:2",
        "EDITOR=vim  # from the shell (overrides .env:5)",
        "GREETING='hello \"world\"\nbye'  # from .env.development:3 (overrides .env:2, .env.local:7)",
        'PLAIN="two words"  # from .env:4',
        "ZED=last  # from .env:1",
      ].join("\n"),
    );
  });

  it("keeps explained output readable by dotenv, secrets masked", () => {
    const text = renderEnv(makeApp(env), { explain: true, showSecrets: false, cwd: root });
    expect(parse(text)).toEqual({
      API_TOKEN: "********",
      EDITOR: "vim",
      GREETING: 'hello "world"\nbye',
      PLAIN: "two words",
      ZED: "last",
    });
  });

  it("shows absolute paths outside cwd and says when no file was read", () => {
    const app = { ...makeApp(env), envFiles: [] };
    const text = renderEnv(app, { explain: true, showSecrets: false, cwd: "/elsewhere" });
    expect(text.split("\n")[1]).toBe("# env files read: none (the default layering)");
    expect(text).toContain("ZED=last  # from /srv/shop/.env:1");
  });

  it("explains the manifest's settings with their positions", () => {
    const manifest = `${root}/parity.yml`;
    const at = (line: number, column: number) => ({
      kind: "manifest" as const,
      file: manifest,
      line,
      column,
    });
    const app: App = {
      ...makeApp(),
      environment: "production",
      manifest,
      user: "deploy",
      log: "/var/log/shop",
      watch: false,
      sources: {
        environment: { kind: "flag", flag: "-E/--environment" },
        envFiles: at(14, 16),
        formation: { kind: "flag", flag: "-m/--formation" },
        user: at(15, 11),
        log: at(16, 10),
        watch: { kind: "default" },
      },
    };
    const text = renderEnv(app, { explain: true, showSecrets: false, cwd: root });
    expect(text.split("\n")).toEqual([
      "# environment production (from -E/--environment); manifest parity.yml",
      "# env files read: .env, .env.development (from parity.yml:14:16)",
      "# formation: web=2, worker=1, clock=1 (from -m/--formation)",
      "# user: deploy (from parity.yml:15:11)",
      "# log: /var/log/shop (from parity.yml:16:10)",
      "# watch: off (default)",
    ]);
  });

  it("prints nothing for an empty environment", () => {
    expect(renderEnv(makeApp(), { explain: false, showSecrets: false, cwd: root })).toBe("");
  });
});

describe("renderCheck text", () => {
  const ok = (app: App, warnings: Problem[] = []): Result<App> => ({
    ok: true,
    value: app,
    warnings,
  });
  const opts = { json: false, strict: false, cwd: root };
  const warning: Problem = {
    severity: "warning",
    message: 'entry "web" ignored: space before the colon',
    file: `${root}/Procfile`,
    line: 3,
    fix: "remove the space before the colon",
  };

  it("summarises a valid app in one line", () => {
    expect(renderCheck(ok(makeApp()), opts)).toEqual({
      ok: true,
      text: "ok: Procfile defines 3 process types (web, worker, clock); 4 instances on ports 5000-5200; environment development; env files: .env, .env.development",
    });
  });

  it("names the manifest in the summary", () => {
    const app = { ...makeApp(), manifest: `${root}/parity.yml` };
    expect(renderCheck(ok(app), opts).text).toMatch(
      /; env files: \.env, \.env\.development; manifest parity\.yml$/,
    );
  });

  it("uses singular forms and says when no env file was read", () => {
    const app: App = {
      ...makeApp(),
      types: [{ name: "web", command: "x", index: 0, line: 1 }],
      instances: [{ type: "web", n: 1, name: "web.1", port: 5000, command: "x" }],
      envFiles: [],
    };
    expect(renderCheck(ok(app), opts).text).toBe(
      "ok: Procfile defines 1 process type (web); 1 instance on port 5000; environment development; env files: none",
    );
    expect(renderCheck(ok({ ...app, instances: [] }), opts).text).toContain("; no instances;");
  });

  it("prints warnings above the summary and counts them", () => {
    const result = renderCheck(ok(makeApp(), [warning, { ...warning, line: 5 }]), opts);
    expect(result.ok).toBe(true);
    expect(result.text.split("\n")).toEqual([
      'warning: Procfile:3: entry "web" ignored: space before the colon. Fix: remove the space before the colon.',
      'warning: Procfile:5: entry "web" ignored: space before the colon. Fix: remove the space before the colon.',
      expect.stringMatching(/; 2 warnings$/),
    ]);
    expect(renderCheck(ok(makeApp(), [warning]), opts).text).toMatch(/; 1 warning$/);
  });

  it("turns warnings into errors with --strict", () => {
    expect(renderCheck(ok(makeApp(), [warning]), { ...opts, strict: true })).toEqual({
      ok: false,
      text: 'error: Procfile:3: entry "web" ignored: space before the colon. Fix: remove the space before the colon.',
    });
    expect(renderCheck(ok(makeApp()), { ...opts, strict: true }).ok).toBe(true);
  });

  it("prints every problem, one per line", () => {
    const problems: Problem[] = [
      warning,
      {
        severity: "error",
        message: 'duplicate process name "web" (first defined on line 1)',
        file: `${root}/Procfile`,
        line: 4,
        fix: "rename one of them: both would run under one label and one PORT",
      },
      {
        severity: "error",
        message: 'unknown process "wbe"',
        flag: "-m/--formation",
        fix: 'did you mean "web"?',
      },
    ];
    expect(renderCheck({ ok: false, problems }, opts)).toEqual({
      ok: false,
      text: [
        'warning: Procfile:3: entry "web" ignored: space before the colon. Fix: remove the space before the colon.',
        'error: Procfile:4: duplicate process name "web" (first defined on line 1). Fix: rename one of them: both would run under one label and one PORT.',
        'error: -m/--formation: unknown process "wbe". Did you mean "web"?',
      ].join("\n"),
    });
  });
});

describe("renderCheck JSON", () => {
  const opts = { json: true, strict: false, cwd: root };
  const defaultJson = {
    ready: null,
    dependsOn: [],
    stopSignal: "SIGTERM",
    stopTimeoutMs: null,
    restart: {
      policy: "never",
      initialBackoffMs: 500,
      maxBackoffMs: 30000,
      resetAfterMs: 30000,
      limit: 5,
      windowMs: 60000,
    },
    watch: [],
  };

  it("describes a valid app with a stable key order", () => {
    const result = renderCheck({ ok: true, value: makeApp(), warnings: [] }, opts);
    expect(result.ok).toBe(true);
    expect(result.text).toBe(
      JSON.stringify(
        {
          ok: true,
          problems: [],
          app: {
            name: "shop",
            root,
            procfile: `${root}/Procfile`,
            environment: "development",
            envFiles: [`${root}/.env`, `${root}/.env.development`],
            types: [
              { name: "web", command: "node web.js", line: 1 },
              { name: "worker", command: "node worker.js", line: 2 },
              { name: "clock", command: "node clock.js", line: 4 },
            ],
            instances: [
              { name: "web.1", port: 5000 },
              { name: "web.2", port: 5001 },
              { name: "worker.1", port: 5100 },
              { name: "clock.1", port: 5200 },
            ],
            manifest: null,
            user: null,
            log: null,
            watch: true,
            settings: {
              web: defaultJson,
              worker: defaultJson,
              clock: defaultJson,
            },
          },
        },
        null,
        2,
      ),
    );
  });

  it("includes the manifest, user, log and each process type's settings", () => {
    const web: ProcessSettings = {
      ...getDefaultSettings(),
      ready: { check: { kind: "http", url: "http://x:$PORT/" }, intervalMs: 250, timeoutMs: 9000 },
      dependsOn: [{ name: "worker", restart: true }],
      stopSignal: "SIGQUIT",
      stopTimeoutMs: 0,
      watch: ["src/**"],
    };
    const app: App = {
      ...makeApp(),
      manifest: `${root}/parity.yml`,
      user: "deploy",
      log: "/var/log/shop",
      watch: false,
      settings: new Map([...makeApp().settings, ["web", web]]),
    };
    const parsed = JSON.parse(renderCheck({ ok: true, value: app, warnings: [] }, opts).text);
    expect(parsed.app).toMatchObject({
      manifest: `${root}/parity.yml`,
      user: "deploy",
      log: "/var/log/shop",
      watch: false,
    });
    expect(parsed.app.settings.web).toEqual({
      ...defaultJson,
      ready: { check: { kind: "http", url: "http://x:$PORT/" }, intervalMs: 250, timeoutMs: 9000 },
      dependsOn: [{ name: "worker", restart: true }],
      stopSignal: "SIGQUIT",
      stopTimeoutMs: 0,
      watch: ["src/**"],
    });
  });

  it("lists problems with a fixed key order and a null app", () => {
    const problem: Problem = {
      fix: "f",
      line: 2,
      file: "/x/.env",
      message: "m",
      severity: "error",
    };
    const result = renderCheck({ ok: false, problems: [problem] }, opts);
    expect(result.ok).toBe(false);
    expect(result.text).toBe(
      JSON.stringify(
        {
          ok: false,
          problems: [{ severity: "error", message: "m", file: "/x/.env", line: 2, fix: "f" }],
          app: null,
        },
        null,
        2,
      ),
    );
  });

  it("reports strict warnings as errors, keeping the app", () => {
    const warning: Problem = {
      severity: "warning",
      message: "w",
      file: "/srv/shop/Procfile",
      line: 1,
    };
    const parsed = JSON.parse(
      renderCheck({ ok: true, value: makeApp(), warnings: [warning] }, { ...opts, strict: true })
        .text,
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.problems).toEqual([
      { severity: "error", message: "w", file: "/srv/shop/Procfile", line: 1 },
    ]);
    expect(parsed.app.name).toBe("shop");
  });
});
