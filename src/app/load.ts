// Loads an app: reads the Procfile and env files, then resolves environment, formation and ports.

import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { App, EnvEntry, EnvSource, Instance, Problem, ProcessType, Result } from "../types.js";
import { DEFAULT_BASE_PORT, DEFAULT_ENVIRONMENT, getDefaultSettings } from "./defaults.js";
import { defaultEnvFiles, type EnvFiles, readEnvFiles, resolveEnv } from "./env-files.js";
import { assignInstances, checkProcessNames, parseFormation } from "./formation.js";
import { parsePort } from "./options.js";
import { parseProcfile } from "./procfile.js";

/** What the command line (or an API caller) says about the app; every field optional. */
export interface LoadOptions {
  /** -f/--procfile, relative to cwd. Default: `<root or cwd>/Procfile`. */
  procfile?: string;
  /** -d/--root, relative to cwd. Default: the Procfile's directory. */
  root?: string;
  /** -e/--env, already split and resolved against cwd; each must exist. Default: the layering. */
  envFiles?: string[];
  /** -E/--environment. Default: $PARITY_ENV, else `development`. */
  environment?: string;
  /** -m/--formation. Default: one of each. */
  formation?: string;
  /** -p/--port. Default: PORT from the shell, then the env files, else 5000. */
  port?: string;
  /** Process types named on the command line: only these run. */
  processes?: string[];
  /** -a/--app. Default: the root directory's name. */
  appName?: string;
}

/** The part of the world loading reads: where it runs and the shell's environment. */
export interface LoadWorld {
  cwd: string;
  env: Record<string, string | undefined>;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Read and validate everything about an app, reporting every problem any stage can find. */
export function loadApp(options: LoadOptions, world: LoadWorld): Result<App> {
  const problems: Problem[] = [];
  /** Keep a stage's problems (warnings too) and return its value when it succeeded. */
  const collect = <T>(result: Result<T>): T | undefined => {
    if (!result.ok) {
      problems.push(...result.problems);
      return undefined;
    }
    problems.push(...result.warnings);
    return result.value;
  };
  const procfile = options.procfile
    ? resolve(world.cwd, options.procfile)
    : join(resolve(world.cwd, options.root ?? "."), "Procfile");
  const root = options.root ? resolve(world.cwd, options.root) : dirname(procfile);
  const rootOk = options.root === undefined || collect(checkRoot(root)) !== undefined;
  const types = collect(readProcfile(procfile));
  const environment = collect(pickEnvironment(options.environment, world.env));
  const envFiles = environment && rootOk ? collect(readEnv(options, root, environment)) : undefined;
  const basePort = envFiles
    ? collect(pickBasePort(options.port, world.env, envFiles.env))
    : collect(parsePort(options.port, "-p/--port"));
  const formation = types && collect(parseFormation(options.formation, types));
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
    name: options.appName ?? basename(root),
    environment,
    types,
    envFiles: envFiles.read,
    env: resolveEnv(envFiles.env, world.env),
    formation: countFormation(types, instances),
    basePort,
    instances,
    settings: new Map(types.map((t) => [t.name, getDefaultSettings()])),
    manifest: undefined,
    user: undefined,
    log: undefined,
  };
  return { ok: true, value: app, warnings: problems };
}

/** The root given with -d must be a directory: commands run there. */
function checkRoot(root: string): Result<string> {
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // missing: reported below
  }
  if (isDirectory) return { ok: true, value: root, warnings: [] };
  const problem: Problem = {
    severity: "error",
    message: `app root "${root}" is not a directory`,
    flag: "-d/--root",
    fix: "point -d/--root at the directory the commands should run in",
  };
  return { ok: false, problems: [problem] };
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

/** The environment name: the option, else $PARITY_ENV, else development; it becomes part of file names. */
function pickEnvironment(
  option: string | undefined,
  env: Record<string, string | undefined>,
): Result<string> {
  const name = option ?? (env.PARITY_ENV || DEFAULT_ENVIRONMENT);
  if (ENVIRONMENT_NAME.test(name)) return { ok: true, value: name, warnings: [] };
  const problem: Problem = {
    severity: "error",
    message: `invalid environment name "${name}"`,
    flag: option === undefined ? "PARITY_ENV" : "-E/--environment",
    fix: "use letters, digits, _, . and - only, such as development or production",
  };
  return { ok: false, problems: [problem] };
}

/** Read the explicit env files (each required) or the default layering (each optional). */
function readEnv(options: LoadOptions, root: string, environment: string): Result<EnvFiles> {
  const requests = options.envFiles
    ? options.envFiles.map((path) => ({ path, required: true }))
    : defaultEnvFiles(root, environment).map((path) => ({ path, required: false }));
  return readEnvFiles(requests);
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
