// The export's view of an app, shared by every format: validated names, the env files' values, one entry per instance.
import { basename, resolve } from "node:path";
import { DEFAULT_READY_TIMEOUT_MS, DEFAULT_TIMEOUT_SECONDS } from "../app/defaults.js";
import { buildShellScript } from "../supervisor/shell-script.js";
import type { App, Problem, ProcessSettings, Result } from "../types.js";
import {
  type NameOrigin,
  toNameOrigin,
  validateAbsolutePath,
  validateAppName,
  validateEnv,
  validateProcessTypes,
  validateServiceName,
  validateUser,
} from "./validate-names.js";

/** What an export needs besides the app (the CLI maps foreman's flags onto these). */
export interface ExportOptions {
  /** systemd, runit, supervisord or launchd. */
  format: string;
  /** Where the files go (relative paths are resolved against the current directory). */
  location: string;
  /** -a/--app: the name used in unit and file names. Default: the app's name. */
  app?: string;
  /** -u/--user: the user the processes run as. Default: the environment's `user`, else none. */
  user?: string;
  /** -l/--log: the log directory (absolute). Default: the environment's `log`, else /var/log/APP. */
  log?: string;
  /** -r/--run: where the services live on the node (runit: the `sv` paths). Default: LOCATION. */
  run?: string;
  /** -t/--timeout: seconds between the stop signal and SIGKILL for types without stop_timeout. Default 5. */
  timeoutSeconds?: number;
}

/** A service this one starts after. */
export interface ExportDependency {
  /** The dependency's service name (shop-db.1). */
  service: string;
  /** Restart this one when the dependency is restarted (depends_on's `restart: true`). */
  restart: boolean;
  /** How long to wait for it to be ready. */
  readyTimeoutMs: number;
}

/** One instance as every format exports it. */
export interface ExportInstance {
  /** `web.1`: also the value of PS. */
  name: string;
  type: string;
  n: number;
  port: number;
  /** `shop-web.1`: the unit name without suffix, the service directory's name. */
  service: string;
  /** The Procfile command. */
  command: string;
  /** The `/bin/sh -c` script parity start runs for the command (`exec` for a simple command). */
  script: string;
  settings: ProcessSettings;
  /** The stop timeout: the type's stop_timeout, else -t. */
  stopTimeoutMs: number;
  /** Every exported instance of every type this one depends on, sorted by service. */
  dependencies: ExportDependency[];
}

/** Everything a format's encoder reads. */
export interface ExportModel {
  /** The app name used in unit and file names. */
  app: string;
  environment: string;
  /** The app root: the processes' working directory. */
  root: string;
  /** Absolute LOCATION. */
  location: string;
  user: string | undefined;
  /** Absolute log directory. */
  log: string;
  /** True when the log directory was given (-l or the environment's `log`), not the /var/log/APP default. */
  logGiven: boolean;
  /** Absolute directory where the services live on the node (runit's `sv` paths). */
  serviceRoot: string;
  /** The env files' values, sorted by key, without PORT and PS (set per instance). */
  env: [key: string, value: string][];
  /** Instances in Procfile order, then by number. */
  instances: ExportInstance[];
}

/** Keys every instance gets its own value of. */
const PER_INSTANCE_KEYS = new Set(["PORT", "PS"]);

/**
 * Build the model every encoder reads, refusing (never rewriting) names and paths an export
 * cannot use, and values that came from the shell of the export rather than from env files.
 */
export function buildExportModel(app: App, options: ExportOptions): Result<ExportModel> {
  const problems: Problem[] = [];
  const name = options.app ?? app.name;
  problems.push(...validateAppName(name, findNameOrigin(app, options)));
  problems.push(...validateProcessTypes(app.types, app.procfile));
  problems.push(...validateEnv(app.env));
  problems.push(...refuseShellValues(app));
  const user = options.user ?? app.user;
  if (user !== undefined) {
    const origin: NameOrigin =
      options.user !== undefined
        ? { kind: "flag", flag: "-u/--user" }
        : toNameOrigin(app.sources.user, "-u/--user");
    problems.push(...validateUser(user, origin));
  }
  const location = resolve(options.location);
  const log = options.log ?? app.log ?? `/var/log/${name}`;
  const serviceRoot = options.run === undefined ? location : options.run;
  problems.push(...validateAbsolutePath(location, "LOCATION", "LOCATION"));
  problems.push(...validateAbsolutePath(app.root, "app root", "-d/--root"));
  problems.push(...validateAbsolutePath(log, "log directory", "-l/--log"));
  problems.push(...validateAbsolutePath(serviceRoot, "service directory", "-r/--run"));
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const instances = listInstances(app, name, timeoutMs);
  for (const instance of instances) {
    const line = app.types.find((type) => type.name === instance.type)?.line ?? 1;
    problems.push(...validateServiceName(instance.service, app.procfile, line));
  }
  problems.push(...warnUnexportedProbes(app, instances));
  if (problems.some((p) => p.severity === "error")) return { ok: false, problems };
  const env = [...app.env]
    .filter(([key]) => !PER_INSTANCE_KEYS.has(key))
    .map(([key, entry]): [string, string] => [key, entry.value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const model: ExportModel = {
    app: name,
    environment: app.environment,
    root: app.root,
    location,
    user,
    log,
    logGiven: options.log !== undefined || app.log !== undefined,
    serviceRoot,
    env,
    instances,
  };
  return { ok: true, value: model, warnings: problems };
}

/** Where the app name came from: -a, the manifest's `app`, or the root directory's name. */
function findNameOrigin(app: App, options: ExportOptions): NameOrigin {
  if (options.app !== undefined) return { kind: "flag", flag: "-a/--app" };
  if (app.manifest !== undefined && app.name !== basename(app.root)) {
    return { kind: "file", file: app.manifest };
  }
  return { kind: "root" };
}

/**
 * Refuse values that came from the shell of the export: production gets the env files' values
 * (load the app with an empty shell environment, as `parity export` does).
 */
function refuseShellValues(app: App): Problem[] {
  const problems: Problem[] = [];
  for (const [key, entry] of app.env) {
    if (entry.source.kind !== "shell") continue;
    const file = entry.overridden.findLast((source) => source.kind === "file");
    problems.push({
      severity: "error",
      message: `the value of "${key}" comes from the shell that runs the export, not from the env files`,
      ...(file?.kind === "file" && { file: file.file, line: file.line }),
      fix: "load the app with an empty shell environment ({ env: {} }) so that exports get the env files' values",
    });
  }
  return problems;
}

/** The exported instances, with their scripts, stop timeouts and dependencies. */
function listInstances(app: App, name: string, timeoutMs: number): ExportInstance[] {
  const serviceOf = (type: string, n: number) => `${name}-${type}.${n}`;
  return app.instances.map((instance) => {
    const settings = app.settings.get(instance.type);
    if (!settings) throw new Error(`no settings for process type ${instance.type}`);
    const dependencies = settings.dependsOn.flatMap((dependency) => {
      const readyTimeoutMs =
        app.settings.get(dependency.name)?.ready?.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
      return app.instances
        .filter((other) => other.type === dependency.name)
        .map((other) => ({
          service: serviceOf(other.type, other.n),
          restart: dependency.restart,
          readyTimeoutMs,
        }));
    });
    dependencies.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    return {
      name: instance.name,
      type: instance.type,
      n: instance.n,
      port: instance.port,
      service: serviceOf(instance.type, instance.n),
      command: instance.command,
      script: buildShellScript(instance.command),
      settings,
      stopTimeoutMs: settings.stopTimeoutMs ?? timeoutMs,
      dependencies,
    };
  });
}

/**
 * Warn about readiness probes that exports cannot carry (tcp, http, log) on types that an
 * exported type waits for: there, dependents start once the dependency has started.
 */
function warnUnexportedProbes(app: App, instances: ExportInstance[]): Problem[] {
  const awaited = new Set(
    instances.flatMap((instance) => instance.settings.dependsOn.map((d) => d.name)),
  );
  const problems: Problem[] = [];
  for (const type of app.types) {
    const check = app.settings.get(type.name)?.ready?.check;
    if (!check || check.kind === "exec" || !awaited.has(type.name)) continue;
    if (!instances.some((instance) => instance.type === type.name)) continue;
    problems.push({
      severity: "warning",
      message: `the ${check.kind} readiness probe of "${type.name}" is not exported: its dependents start once it has started, not once it is ready`,
      ...(app.manifest ? { file: app.manifest } : { flag: "--manifest" }),
      fix: "use an exec probe (such as pg_isready or curl -fs) if dependents must wait for it",
    });
  }
  return problems;
}
