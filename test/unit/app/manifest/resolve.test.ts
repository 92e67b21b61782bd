import { describe, expect, it } from "vitest";
import { getDefaultSettings } from "../../../../src/app/defaults.js";
import { type Manifest, parseManifest } from "../../../../src/app/manifest/parse.js";
import { type ResolveContext, resolveManifest } from "../../../../src/app/manifest/resolve.js";
import type { ProcessType } from "../../../../src/types.js";

const file = "/srv/shop/parity.yml";
const types: ProcessType[] = ["web", "worker", "postgresql", "redis"].map((name, index) => ({
  name,
  command: `run-${name}`,
  index,
  line: index + 1,
}));

const shop = `app: shop
procfile: Procfile.dev
processes:
  web:
    ready: { http: "http://127.0.0.1:$PORT/health", interval: 250ms, timeout: 1m30s }
    depends_on: [postgresql, redis]
    stop_signal: QUIT
    stop_timeout: 2.5
    restart: { policy: on-failure, backoff: 1s, limit: 3 }
    watch: "src/**/*.ts"
  worker:
    depends_on: { postgresql: { restart: true }, redis: }
    restart: always
  postgresql:
    ready: { exec: "pg_isready -p $PORT" }
  redis:
    ready: { tcp: $PORT }
environments:
  development:
    env_files: [.env, .env.development]
    formation: { all: 1 }
  production:
    env_files: .env.production
    formation: { web: 2, worker: 4, postgresql: 0, redis: 0 }
    user: deploy
    log: /var/log/shop
    watch: false
    processes:
      web: { restart: always, watch: [], stop_signal: SIGINT }
`;

function parse(text: string): Manifest {
  const result = parseManifest(text, file);
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.value;
}

const context = (environment: string, extra: Partial<ResolveContext> = {}): ResolveContext => ({
  types,
  environment,
  environmentSource: { kind: "default" },
  ...extra,
});

const at = (line: number, column: number) => ({ kind: "manifest", file, line, column });

describe("resolveManifest in development", () => {
  const { value, problems } = resolveManifest(parse(shop), context("development"));

  it("finds no problem", () => {
    expect(problems).toEqual([]);
  });

  it("normalises durations to milliseconds and signals to SIGxxx", () => {
    expect(value.settings.get("web")).toEqual({
      ready: {
        check: { kind: "http", url: "http://127.0.0.1:$PORT/health" },
        intervalMs: 250,
        timeoutMs: 90_000,
      },
      dependsOn: [
        { name: "postgresql", restart: false },
        { name: "redis", restart: false },
      ],
      stopSignal: "SIGQUIT",
      stopTimeoutMs: 2500,
      restart: {
        policy: "on-failure",
        initialBackoffMs: 1000,
        maxBackoffMs: 30_000,
        resetAfterMs: 30_000,
        limit: 3,
        windowMs: 60_000,
      },
      watch: ["src/**/*.ts"],
    });
  });

  it("reads every check kind, defaulting interval and timeout", () => {
    expect(value.settings.get("postgresql")?.ready).toEqual({
      check: { kind: "exec", command: "pg_isready -p $PORT" },
      intervalMs: 500,
      timeoutMs: 30_000,
    });
    expect(value.settings.get("redis")?.ready?.check).toEqual({
      kind: "tcp",
      host: "localhost",
      port: "$PORT",
    });
  });

  it("reads depends_on as a map with restart flags (an empty entry is restart: false)", () => {
    expect(value.settings.get("worker")?.dependsOn).toEqual([
      { name: "postgresql", restart: true },
      { name: "redis", restart: false },
    ]);
    expect(value.settings.get("worker")?.restart.policy).toBe("always");
  });

  it("gives every Procfile type the defaults for what the manifest leaves out", () => {
    const redis = value.settings.get("redis");
    expect({ ...redis, ready: undefined }).toEqual(getDefaultSettings("development"));
    expect([...value.settings.keys()]).toEqual(["web", "worker", "postgresql", "redis"]);
  });

  it("gives the environment's env files, formation and their positions", () => {
    expect(value.app).toBe("shop");
    expect(value.envFiles).toEqual({
      value: [
        { value: ".env", source: at(20, 17) },
        { value: ".env.development", source: at(20, 23) },
      ],
      source: at(20, 16),
    });
    expect(value.formation).toEqual({
      value: new Map([
        ["web", 1],
        ["worker", 1],
        ["postgresql", 1],
        ["redis", 1],
      ]),
      source: at(21, 16),
    });
    expect([value.user, value.log, value.watch]).toEqual([undefined, undefined, undefined]);
  });
});

describe("resolveManifest in production", () => {
  const { value, problems } = resolveManifest(parse(shop), context("production"));

  it("merges environments.production.processes over processes, key by key", () => {
    expect(problems).toEqual([]);
    const web = value.settings.get("web");
    expect(web?.watch).toEqual([]);
    expect(web?.stopSignal).toBe("SIGINT");
    expect(web?.stopTimeoutMs).toBe(2500);
    expect(web?.ready?.intervalMs).toBe(250);
  });

  it("merges a restart policy name into the restart map's other fields", () => {
    expect(value.settings.get("web")?.restart).toEqual({
      policy: "always",
      initialBackoffMs: 1000,
      maxBackoffMs: 30_000,
      resetAfterMs: 30_000,
      limit: 3,
      windowMs: 60_000,
    });
  });

  it("defaults restart to on-failure outside development", () => {
    expect(value.settings.get("postgresql")?.restart.policy).toBe("on-failure");
  });

  it("gives user, log, watch, a one-file env_files and the formation", () => {
    expect(value.user).toEqual({ value: "deploy", source: at(25, 11) });
    expect(value.log).toEqual({ value: "/var/log/shop", source: at(26, 10) });
    expect(value.watch).toEqual({ value: false, source: at(27, 12) });
    expect(value.envFiles?.value).toEqual([{ value: ".env.production", source: at(23, 16) }]);
    expect(Object.fromEntries(value.formation?.value ?? [])).toEqual({
      web: 2,
      worker: 4,
      postgresql: 0,
      redis: 0,
    });
  });
});

describe("resolveManifest environments", () => {
  it("uses only the shared settings in an environment the manifest does not define", () => {
    const { value, problems } = resolveManifest(parse(shop), context("staging"));
    expect(problems).toEqual([]);
    expect(value.envFiles).toBeUndefined();
    expect(value.formation).toBeUndefined();
    expect(value.settings.get("web")?.stopSignal).toBe("SIGQUIT");
  });

  it("warns when an environment chosen on purpose is not defined", () => {
    const chosen = context("prodution", {
      environmentSource: { kind: "flag", flag: "-E/--environment" },
    });
    expect(resolveManifest(parse(shop), chosen).problems).toEqual([
      {
        severity: "warning",
        message: 'environment "prodution" is not defined in parity.yml: only its defaults apply',
        flag: "-E/--environment",
        fix: 'did you mean "production"?',
      },
    ]);
    const staging = context("staging", { environmentSource: { kind: "flag", flag: "PARITY_ENV" } });
    expect(resolveManifest(parse(shop), staging).problems[0]?.fix).toBe(
      "define environments.staging in parity.yml, or use one of: development, production",
    );
  });

  it("applies all= to the types a formation does not name, else one", () => {
    const manifest = parse(
      "environments:\n  a: { formation: { all: 0, web: 3 } }\n  b: { formation: { web: 2 } }\n",
    );
    const counts = (env: string) =>
      Object.fromEntries(resolveManifest(manifest, context(env)).value.formation?.value ?? []);
    expect(counts("a")).toEqual({ web: 3, worker: 0, postgresql: 0, redis: 0 });
    expect(counts("b")).toEqual({ web: 2, worker: 1, postgresql: 1, redis: 1 });
  });

  it("checks names and cycles in every environment, reporting each problem once", () => {
    const manifest = parse(
      "processes:\n  web: { depends_on: [web] }\nenvironments:\n  a: {}\n  b: { processes: { wrker: {} } }\n",
    );
    expect(resolveManifest(manifest, context("a")).problems.map((p) => p.message)).toEqual([
      "processes.web.depends_on[0]: dependency cycle web → web",
      'environments.b.processes: unknown process "wrker"',
    ]);
  });

  it("resolves the manifest's own process names when the Procfile is unknown", () => {
    const manifest = parse("processes:\n  a: { depends_on: [b] }\n  b: { depends_on: [a] }\n");
    const { value, problems } = resolveManifest(
      manifest,
      context("development", { types: undefined }),
    );
    expect([...value.settings.keys()]).toEqual(["a", "b"]);
    expect(problems.map((p) => p.message)).toEqual([
      "processes.b.depends_on[0]: dependency cycle a → b → a",
    ]);
  });
});
