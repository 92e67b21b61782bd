import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../../../src/app/format-problem.js";
import { type LoadOptions, loadApp } from "../../../../src/app/load.js";
import type { App, Result } from "../../../../src/types.js";
import { makeTempDir, type TempDir } from "../temp-dir.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  dir.remove();
});

const load = (options: LoadOptions = {}, env: Record<string, string | undefined> = {}) =>
  loadApp(options, { cwd: dir.path, env });

function appOf(result: Result<App>): App {
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.value;
}

function messagesOf(result: Result<App>): string[] {
  const problems = result.ok ? result.warnings : result.problems;
  return problems.map((p) => formatProblem(p, dir.path));
}

const PROCFILE = "web: a\nworker: b\npostgresql: c\nredis: d\n";
const SHOP = `app: shop
processes:
  web:
    depends_on: [postgresql, redis]
    restart: on-failure
environments:
  development:
    env_files: [.env, .env.dev]
    formation: { all: 1, redis: 0 }
  production:
    formation: { web: 2, worker: 4, postgresql: 0, redis: 0 }
    user: deploy
    log: /var/log/shop
    processes: { web: { restart: always } }
`;

describe("loadApp finds the manifest", () => {
  it("reads parity.yml in cwd, and takes the app name and Procfile from it", async () => {
    const procfile = dir.write("Procfile.dev", "web: a\n");
    const manifest = dir.write("parity.yml", "app: shop\nprocfile: Procfile.dev\n");
    const app = appOf(await load());
    expect([app.manifest, app.procfile, app.root, app.name]).toEqual([
      manifest,
      procfile,
      dir.path,
      "shop",
    ]);
    expect(appOf(await load({ appName: "store" })).name).toBe("store");
  });

  it("takes a manifest Procfile in a subdirectory as the root (foreman's rule)", async () => {
    const procfile = dir.write("deploy/Procfile", "web: a\n");
    dir.write("parity.yml", "procfile: deploy/Procfile\n");
    const app = appOf(await load());
    expect([app.procfile, app.root]).toEqual([procfile, join(dir.path, "deploy")]);
  });

  it("looks in -d ROOT, and in the -f Procfile's directory", async () => {
    dir.write("app/Procfile", PROCFILE);
    const inRoot = dir.write("app/parity.yml", "app: from-root\n");
    expect(appOf(await load({ root: "app" })).manifest).toBe(inRoot);
    dir.write("other/Procfile.x", "web: a\n");
    const inProcfileDir = dir.write("other/parity.yml", "app: other\n");
    const app = appOf(await load({ procfile: "other/Procfile.x" }));
    expect([app.manifest, app.name]).toEqual([inProcfileDir, "other"]);
  });

  it("needs no manifest: no parity.yml gives the defaults", async () => {
    dir.write("Procfile", PROCFILE);
    const app = appOf(await load());
    expect(app.manifest).toBeUndefined();
    expect(app.settings.get("web")?.restart.policy).toBe("never");
  });

  it("reads --manifest relative to cwd, with the Procfile next to it by default", async () => {
    const procfile = dir.write("config/Procfile", "web: a\n");
    const manifest = dir.write("config/shop.yml", "app: shop\n");
    const app = appOf(await load({ manifest: "config/shop.yml" }));
    expect([app.manifest, app.procfile]).toEqual([manifest, procfile]);
  });

  it("reports a --manifest that does not exist", async () => {
    dir.write("Procfile", PROCFILE);
    const result = await load({ manifest: "nope.yml" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      {
        severity: "error",
        message: "manifest not found",
        file: join(dir.path, "nope.yml"),
        flag: "--manifest",
        fix: "create it, or correct the path given to --manifest",
      },
    ]);
  });

  it("does not guess a missing Procfile when the manifest cannot be read", async () => {
    dir.write("parity.yml", "procfile: [\n");
    expect(messagesOf(await load())).toEqual([
      expect.stringMatching(/^error: parity\.yml:2:1: invalid YAML: /),
    ]);
  });
});

describe("loadApp environments from the manifest", () => {
  beforeEach(() => {
    dir.write("Procfile", PROCFILE);
    dir.write("parity.yml", SHOP);
    dir.write(".env", "FROM=env\nPORT=6000\n");
    dir.write(".env.dev", "FROM=dev\n");
    dir.write(".env.local", "FROM=local\n");
    dir.write(".env.production", "FROM=production\n");
  });

  it("reads the environment's env_files instead of the default layering", async () => {
    const app = appOf(await load());
    expect(app.envFiles).toEqual([join(dir.path, ".env"), join(dir.path, ".env.dev")]);
    expect(app.env.get("FROM")?.value).toBe("dev");
    expect(app.basePort).toBe(6000);
    expect(app.sources.envFiles).toEqual({
      kind: "manifest",
      file: join(dir.path, "parity.yml"),
      line: 8,
      column: 16,
    });
  });

  it("keeps the default layering for an environment without env_files", async () => {
    const app = appOf(await load({ environment: "production" }));
    expect(app.envFiles.map((file) => file.slice(dir.path.length + 1))).toEqual([
      ".env",
      ".env.local",
      ".env.production",
    ]);
    expect(app.sources.envFiles).toEqual({ kind: "default" });
  });

  it("lets -e replace everything", async () => {
    const app = appOf(await load({ envFiles: [join(dir.path, ".env.local")] }));
    expect(app.envFiles).toEqual([join(dir.path, ".env.local")]);
    expect(app.sources.envFiles).toEqual({ kind: "flag", flag: "-e/--env" });
  });

  it("takes the manifest's formation, -m overriding it per type", async () => {
    const counts = async (options: LoadOptions) =>
      Object.fromEntries(appOf(await load(options)).formation);
    expect(await counts({})).toEqual({ web: 1, worker: 1, postgresql: 1, redis: 0 });
    expect(await counts({ formation: "worker=3" })).toEqual({
      web: 1,
      worker: 3,
      postgresql: 1,
      redis: 0,
    });
    expect(await counts({ environment: "production", formation: "redis=1" })).toEqual({
      web: 2,
      worker: 4,
      postgresql: 0,
      redis: 1,
    });
  });

  it("lets -m all=N replace the manifest's formation", async () => {
    const app = appOf(await load({ environment: "production", formation: "all=1,web=3" }));
    expect(Object.fromEntries(app.formation)).toEqual({
      web: 3,
      worker: 1,
      postgresql: 1,
      redis: 1,
    });
    expect(app.sources.formation).toEqual({ kind: "flag", flag: "-m/--formation" });
  });

  it("picks the production settings with -E production", async () => {
    const app = appOf(await load({ environment: "production" }));
    expect([app.environment, app.user, app.log, app.watch]).toEqual([
      "production",
      "deploy",
      "/var/log/shop",
      false,
    ]);
    expect(app.settings.get("web")?.restart.policy).toBe("always");
    expect(app.settings.get("worker")?.restart.policy).toBe("on-failure");
    expect(app.settings.get("web")?.dependsOn.map((d) => d.name)).toEqual(["postgresql", "redis"]);
    expect(app.instances.map((i) => i.name)).toEqual([
      "web.1",
      "web.2",
      "worker.1",
      "worker.2",
      "worker.3",
      "worker.4",
    ]);
    expect(app.sources.environment).toEqual({ kind: "flag", flag: "-E/--environment" });
    expect(app.sources.user).toMatchObject({ kind: "manifest", line: 12, column: 11 });
  });

  it("picks the environment from PARITY_ENV, -E winning over it", async () => {
    expect(appOf(await load({}, { PARITY_ENV: "production" })).user).toBe("deploy");
    const app = appOf(await load({ environment: "development" }, { PARITY_ENV: "production" }));
    expect([app.environment, app.user, app.watch]).toEqual(["development", undefined, true]);
  });

  it("defaults to defaultEnvironment when neither -E nor PARITY_ENV names one", async () => {
    const app = appOf(await load({ defaultEnvironment: "production" }));
    expect([app.environment, app.sources.environment]).toEqual(["production", { kind: "default" }]);
  });

  it("warns about an environment the manifest does not define", async () => {
    const result = await load({ environment: "prodution" });
    expect(messagesOf(result)).toEqual([
      'warning: -E/--environment: environment "prodution" is not defined in parity.yml: only its defaults apply. Did you mean "production"?',
    ]);
    expect(appOf(result).user).toBeUndefined();
  });

  it("takes watch from the manifest, else on in development only", async () => {
    dir.write(
      "parity.yml",
      "environments:\n  development: { watch: false }\n  ci: { watch: true }\n",
    );
    expect(appOf(await load()).watch).toBe(false);
    expect(appOf(await load({ environment: "ci" })).watch).toBe(true);
    expect(appOf(await load({ environment: "staging" })).watch).toBe(false);
  });
});

describe("loadApp reports manifest problems with every other problem", () => {
  it("reports manifest, Procfile, env file and formation problems together", async () => {
    dir.write("Procfile", "web: a\n  worker: b\nworker: c\n");
    dir.write(
      "parity.yml",
      "processes:\n  wbe: { restart: always }\nenvironments:\n  development:\n    env_files: [.env.missing]\n",
    );
    expect(messagesOf(await load({ formation: "web=x" }))).toEqual([
      'warning: Procfile:2: entry "worker" ignored: leading whitespace. Fix: remove the leading whitespace.',
      'error: parity.yml:2:3: processes: unknown process "wbe". Did you mean "web"?',
      'error: parity.yml:5:17: environments.development.env_files: env file ".env.missing" not found in the app root. Fix: create it, or remove it from the list.',
      'error: -m/--formation: invalid count "x" for "web". Fix: use a whole number of instances, 0 or more.',
    ]);
  });

  it("checks the names and dependencies of a manifest that has bad values too", async () => {
    dir.write("Procfile", PROCFILE);
    dir.write(
      "parity.yml",
      "processes:\n  web: { restart: sometimes, depends_on: [worker] }\n  worker: { depends_on: [web] }\n  wbe: {}\n",
    );
    expect(messagesOf(await load())).toEqual([
      expect.stringMatching(
        /^error: parity\.yml:2:19: processes\.web\.restart: "sometimes" is not/,
      ),
      expect.stringMatching(
        /^error: parity\.yml:3:26: processes\.worker\.depends_on\[0\]: dependency cycle web → worker → web\./,
      ),
      expect.stringMatching(/^error: parity\.yml:4:3: processes: unknown process "wbe"\./),
    ]);
  });

  it("reports schema problems next to the Procfile's", async () => {
    dir.write("Procfile", "web: a\nweb: b\n");
    dir.write("parity.yml", "processes:\n  web: { restart: sometimes }\n");
    expect(messagesOf(await load())).toEqual([
      expect.stringMatching(
        /^error: parity\.yml:2:19: processes\.web\.restart: "sometimes" is not/,
      ),
      expect.stringMatching(/^error: Procfile:2: duplicate process name "web"/),
    ]);
  });
});
