// Loads an app: reads the manifest, Procfile and env files, then resolves environment, formation and ports.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type {
  App,
  AppSources,
  EnvEntry,
  EnvSource,
  Instance,
  ManifestSource,
  Problem,
  ProcessSettings,
  ProcessType,
  Result,
  SettingSource,
} from "../types.js";
import {
  DEFAULT_BASE_PORT,
  DEFAULT_ENVIRONMENT,
  getDefaultSettings,
  isWatchedByDefault,
} from "./defaults.js";
import { defaultEnvFiles, type EnvFiles, readEnvFiles, resolveEnv } from "./env-files.js";
import { assignInstances, checkProcessNames, parseFormation } from "./formation.js";
import type { ManifestSettings } from "./manifest/resolve.js";
import { parsePort } from "./options.js";
import { checkRoot, findManifest, pickProcfile } from "./paths.js";
import { parseProcfile } from "./procfile.js";

/** What the command line (or an API caller) says about the app; every field optional. */
export interface LoadOptions {
  /** -f/--procfile, relative to cwd. Default: the manifest's `procfile`, else `<root or cwd>/Procfile`. */
  procfile?: string;
  /** -d/--root, relative to cwd. Default: the Procfile's directory. */
  root?: string;
  /** --manifest, relative to cwd; must exist. Default: parity.yml in the root (or cwd), if any. */
  manifest?: string;
  /** -e/--env, already split and resolved against cwd; each must exist. Default: the manifest's, else the layering. */
  envFiles?: string[];
  /** -E/--environment. Default: $PARITY_ENV, else `defaultEnvironment`. */
  environment?: string;
  /** The environment when neither -E nor $PARITY_ENV names one. Default: development (export: production). */
  defaultEnvironment?: string;
  /** -m/--formation, over the manifest's formation per process type. Default: one of each. */
  formation?: string;
  /** -p/--port. Default: PORT from the shell, then the env files, else 5000. */
  port?: string;
  /** Process types named on the command line: only these run. */
  processes?: string[];
  /** -a/--app. Default: the manifest's `app`, else the root directory's name. */
  appName?: string;
  /** A missing default Procfile is no error (parity run, parity env): the app has no process types. */
  procfileOptional?: boolean;
}

/** The part of the world loading reads: where it runs and the shell's environment. */
export interface LoadWorld {
  cwd: string;
  env: Record<string, string | undefined>;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DEFAULT_SOURCE: SettingSource = { kind: "default" };

/** The manifest module (yaml, zod): imported only when there is a manifest to read. */
type ManifestModule = typeof import("./manifest/index.js");

/** Read and validate everything about an app, reporting every problem any stage can find. */
export async function loadApp(options: LoadOptions, world: LoadWorld): Promise<Result<App>> {
  const manifestFile = findManifest(options, world.cwd);
  const manifestModule = manifestFile ? await import("./manifest/index.js") : undefined;
  return loadAppWith(options, world, manifestFile, manifestModule);
}

function loadAppWith(
  options: LoadOptions,
  world: LoadWorld,
  manifestFile: string | undefined,
  manifestModule: ManifestModule | undefined,
): Result<App> {
  const problems: Problem[] = [];
  const collect = collectInto(problems);
  const { rootOk, root, procfile, manifest, types } = readFiles(
    options,
    world.cwd,
    problems,
    manifestFile,
    manifestModule,
  );
  const resolveManifest = manifestModule?.resolveManifest;
  const environment = collect(pickEnvironment(options, world.env));
  const resolved =
    manifest && environment && resolveManifest
      ? keep(
          resolveManifest(manifest, {
            types,
            environment: environment.name,
            environmentSource: environment.source,
          }),
          problems,
        )
      : undefined;
  // Files given with -e are read even when the environment name is bad: check reports both.
  const envFiles =
    rootOk && (environment || options.envFiles)
      ? collect(readEnv(options, root, environment?.name ?? "", resolved?.envFiles))
      : undefined;
  const basePort = envFiles
    ? collect(pickBasePort(options.port, world.env, envFiles.env))
    : collect(parsePort(options.port, "-p/--port"));
  const manifestFormation = resolved?.formation?.value;
  const formation =
    types && collect(parseFormation(options.formation, types, "-m/--formation", manifestFormation));
  const canAssign = types && formation && envFiles && basePort !== undefined;
  const instances = canAssign
    ? collect(assignInstances(types, formation, basePort, options.processes))
    : undefined;
  if (types && !canAssign) collect(checkProcessNames(options.processes ?? [], types));
  const failed = problems.some((problem) => problem.severity === "error");
  if (failed || !types || !environment || !envFiles || basePort === undefined || !instances) {
    return { ok: false, problems };
  }
  const app: App = {
    root,
    procfile,
    name: options.appName ?? resolved?.app ?? basename(root),
    environment: environment.name,
    types,
    envFiles: envFiles.read,
    env: resolveEnv(envFiles.env, world.env),
    formation: countFormation(types, instances),
    basePort,
    instances,
    settings: resolved?.settings ?? getDefaultSettingsOf(types, environment.name),
    manifest: manifest?.file,
    user: resolved?.user?.value,
    log: resolved?.log?.value,
    watch: resolved?.watch?.value ?? isWatchedByDefault(environment.name),
    sources: describeSources(options, environment.source, resolved),
  };
  return { ok: true, value: app, warnings: problems };
}

/** Keep every stage's problems (warnings too) in `problems`; return a stage's value when it succeeded. */
function collectInto(problems: Problem[]) {
  return <T>(result: Result<T>): T | undefined => {
    if (!result.ok) {
      problems.push(...result.problems);
      return undefined;
    }
    problems.push(...result.warnings);
    return result.value;
  };
}

/**
 * Read the manifest and the Procfile, and find the root. A manifest with bad values still gives
 * its valid rest, so that its names and dependencies are checked too.
 */
function readFiles(
  options: LoadOptions,
  cwd: string,
  problems: Problem[],
  manifestFile: string | undefined,
  manifestModule: ManifestModule | undefined,
) {
  const collect = collectInto(problems);
  const explicitRoot = options.root ? resolve(cwd, options.root) : undefined;
  const rootOk = explicitRoot === undefined || collect(checkRoot(explicitRoot)) !== undefined;
  const flag = options.manifest === undefined ? undefined : "--manifest";
  const parsed =
    manifestFile && manifestModule ? manifestModule.readManifest(manifestFile, flag) : undefined;
  problems.push(...(parsed?.problems ?? []));
  const manifest = parsed?.manifest;
  const procfile = pickProcfile(
    options,
    cwd,
    manifestFile ? { file: manifestFile, procfile: manifest?.data.procfile } : undefined,
  );
  const root = explicitRoot ?? dirname(procfile);
  // A broken manifest may name another Procfile: report a missing one only when it is sure.
  const guessing = manifestFile !== undefined && !manifest && !options.procfile;
  const optional = options.procfileOptional === true && !options.procfile && !existsSync(procfile);
  const types = optional
    ? []
    : guessing && !existsSync(procfile)
      ? undefined
      : collect(readProcfile(procfile));
  return { rootOk, root, procfile, manifest, types };
}

/** Keep a best-effort stage's problems and return its value. */
function keep<T>(checked: { value: T; problems: Problem[] }, problems: Problem[]): T {
  problems.push(...checked.problems);
  return checked.value;
}

/** Where each app-wide setting came from: a flag, the manifest, or the default. */
function describeSources(
  options: LoadOptions,
  environment: SettingSource,
  resolved: ManifestSettings | undefined,
): AppSources {
  const flag = (given: unknown, name: string): SettingSource | undefined =>
    given === undefined ? undefined : { kind: "flag", flag: name };
  return {
    environment,
    envFiles: flag(options.envFiles, "-e/--env") ?? resolved?.envFiles?.source ?? DEFAULT_SOURCE,
    formation:
      flag(options.formation, "-m/--formation") ?? resolved?.formation?.source ?? DEFAULT_SOURCE,
    user: resolved?.user?.source ?? DEFAULT_SOURCE,
    log: resolved?.log?.source ?? DEFAULT_SOURCE,
    watch: resolved?.watch?.source ?? DEFAULT_SOURCE,
  };
}

/** Every type with the environment's default settings (no manifest). */
function getDefaultSettingsOf(
  types: ProcessType[],
  environment: string,
): Map<string, ProcessSettings> {
  return new Map(types.map((type) => [type.name, getDefaultSettings(environment)]));
}

/** Read and parse the Procfile, or say that it is missing. */
function readProcfile(path: string): Result<ProcessType[]> {
  try {
    return parseProcfile(readFileSync(path), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === "ENOENT";
    const problem: Problem = {
      severity: "error",
      message: missing ? "Procfile not found" : `cannot read Procfile (${code ?? String(error)})`,
      file: path,
      fix: missing
        ? "create one, or point at it with -f/--procfile"
        : "point -f/--procfile at a readable file",
    };
    return { ok: false, problems: [problem] };
  }
}

/** The environment name and where it came from: the option, else $PARITY_ENV, else the default; it becomes part of file names. */
function pickEnvironment(
  options: LoadOptions,
  env: Record<string, string | undefined>,
): Result<{ name: string; source: SettingSource }> {
  let source: SettingSource = DEFAULT_SOURCE;
  if (options.environment !== undefined) source = { kind: "flag", flag: "-E/--environment" };
  else if (env.PARITY_ENV) source = { kind: "flag", flag: "PARITY_ENV" };
  const fallback = options.defaultEnvironment ?? DEFAULT_ENVIRONMENT;
  const name = options.environment ?? (env.PARITY_ENV || fallback);
  if (ENVIRONMENT_NAME.test(name)) return { ok: true, value: { name, source }, warnings: [] };
  const problem: Problem = {
    severity: "error",
    message: `invalid environment name "${name}"`,
    flag: source.kind === "flag" ? source.flag : "-E/--environment",
    fix: "use letters, digits, _, . and - only, such as development or production",
  };
  return { ok: false, problems: [problem] };
}

/**
 * Read the env files: -e's (each required), else the manifest's list for the environment (each
 * must exist: a missing one is reported where the manifest lists it), else the default layering
 * (each optional).
 */
function readEnv(
  options: LoadOptions,
  root: string,
  environment: string,
  listed: ManifestSettings["envFiles"],
): Result<EnvFiles> {
  if (options.envFiles?.length === 0) {
    const problem: Problem = {
      severity: "error",
      message: "no env file given",
      flag: "-e/--env",
      fix: "name one or more files, separated by commas, such as -e .env,.env.test",
    };
    return { ok: false, problems: [problem] };
  }
  if (options.envFiles) {
    return readEnvFiles(options.envFiles.map((path) => ({ path, required: true })));
  }
  if (!listed) {
    const paths = defaultEnvFiles(root, environment);
    return readEnvFiles(paths.map((path) => ({ path, required: false })));
  }
  const missing = listed.value
    .filter((file) => !existsSync(resolve(root, file.value)))
    .map(({ value, source }) => reportMissingEnvFile(value, source, environment));
  const paths = listed.value.map((file) => resolve(root, file.value));
  const read = readEnvFiles(paths.map((path) => ({ path, required: false })));
  if (missing.length === 0) return read;
  return { ok: false, problems: [...missing, ...(read.ok ? read.warnings : read.problems)] };
}

/** An env file the manifest lists that does not exist, reported where it is listed. */
function reportMissingEnvFile(path: string, source: ManifestSource, environment: string): Problem {
  return {
    severity: "error",
    message: `environments.${environment}.env_files: env file "${path}" not found in the app root`,
    file: source.file,
    line: source.line,
    column: source.column,
    fix: "create it, or remove it from the list",
  };
}

/** The base port: -p/--port, else PORT from the shell, else PORT from the env files, else 5000. */
function pickBasePort(
  option: string | undefined,
  shellEnv: Record<string, string | undefined>,
  fileEnv: Map<string, EnvEntry>,
): Result<number> {
  const fromFile = fileEnv.get("PORT");
  let port: Result<number | undefined> = { ok: true, value: undefined, warnings: [] };
  if (option !== undefined) port = parsePort(option, "-p/--port");
  else if (shellEnv.PORT) port = parsePort(shellEnv.PORT, "PORT in the shell environment");
  else if (fromFile) port = placeInFile(parsePort(fromFile.value, "PORT"), fromFile.source);
  if (!port.ok) return port;
  return { ok: true, value: port.value ?? DEFAULT_BASE_PORT, warnings: [] };
}

/** Point a value's problems at the file line it came from instead of a flag. */
function placeInFile<T>(result: Result<T>, source: EnvSource): Result<T> {
  if (result.ok || source.kind !== "file") return result;
  const problems = result.problems.map(({ flag: _flag, ...problem }) => ({
    ...problem,
    file: source.file,
    line: source.line,
  }));
  return { ok: false, problems };
}

/** Count the instances of every type (0 for a type that does not run). */
function countFormation(types: ProcessType[], instances: Instance[]): Map<string, number> {
  return new Map(
    types.map((type) => [type.name, instances.filter((i) => i.type === type.name).length]),
  );
}
