// Resolves a parsed manifest for one environment, checking its names against the Procfile.

import { basename } from "node:path";
import type {
  ManifestSource,
  Problem,
  ProcessSettings,
  ProcessType,
  SettingSource,
} from "../../types.js";
import { getDefaultSettings } from "../defaults.js";
import { suggestName } from "../suggest.js";
import { checkDependencies, type DependencyEntry } from "./dependencies.js";
import { showKeyPath } from "./issues.js";
import { getSource, type Manifest, type PathKey, reportAt } from "./parse.js";
import { resolveProcess } from "./settings.js";

/** A value of the manifest and where it was written. */
export interface Sourced<T> {
  value: T;
  source: ManifestSource;
}

/** What the manifest says for one environment. */
export interface ManifestSettings {
  app: string | undefined;
  /** The environment's env_files as written (relative to the app root). */
  envFiles: Sourced<Sourced<string>[]> | undefined;
  /** Instances of every Procfile type (all applied), when the environment gives a formation. */
  formation: Sourced<Map<string, number>> | undefined;
  user: Sourced<string> | undefined;
  log: Sourced<string> | undefined;
  watch: Sourced<boolean> | undefined;
  /** Settings of every process type: the Procfile's, or the manifest's when the Procfile is unknown. */
  settings: Map<string, ProcessSettings>;
}

/** What resolving needs besides the manifest. */
export interface ResolveContext {
  /** The Procfile's types; undefined when it could not be read (names are then not checked). */
  types: ProcessType[] | undefined;
  environment: string;
  /** Where the environment name came from: a name chosen on purpose should be defined. */
  environmentSource: SettingSource;
}

/**
 * Resolve the manifest for one environment. Names, dependencies and backoffs are checked in every
 * environment; the settings are best-effort next to the problems, so that loading can go on.
 */
export function resolveManifest(
  manifest: Manifest,
  context: ResolveContext,
): { value: ManifestSettings; problems: Problem[] } {
  const { environment, types } = context;
  const names = types?.map((type) => type.name);
  const problems = names ? checkProcessNames(manifest, names) : [];
  problems.push(...checkEnvironmentName(manifest, context));
  const defined = Object.keys(manifest.data.environments ?? {});
  let settings = new Map<string, ProcessSettings>();
  for (const name of [environment, ...defined.filter((other) => other !== environment)]) {
    const resolved = resolveEnvironment(manifest, name, names);
    problems.push(...resolved.problems);
    if (name === environment) settings = resolved.settings;
  }
  const value = { ...resolveAppWide(manifest, environment, types), settings };
  return { value, problems: sortByPosition(dropRepeats(problems)) };
}

/** Every process type's settings in one environment, with the problems of its dependency graph. */
function resolveEnvironment(
  manifest: Manifest,
  environment: string,
  names: string[] | undefined,
): { settings: Map<string, ProcessSettings>; problems: Problem[] } {
  const { data } = manifest;
  const listed = [
    ...Object.keys(data.processes ?? {}),
    ...Object.keys(data.environments?.[environment]?.processes ?? {}),
  ];
  const settings = new Map<string, ProcessSettings>();
  const graph = new Map<string, DependencyEntry[]>();
  const problems: Problem[] = [];
  for (const type of names ?? [...new Set(listed)]) {
    const resolved = resolveProcess(manifest, type, environment, getDefaultSettings(environment));
    settings.set(type, resolved.settings);
    graph.set(type, resolved.dependencies);
    problems.push(...resolved.problems);
  }
  problems.push(...checkDependencies(graph, names, manifest));
  return { settings, problems };
}

/** The environment's app-wide settings: env files, formation, user, log, watch; and the app name. */
function resolveAppWide(
  manifest: Manifest,
  environment: string,
  types: ProcessType[] | undefined,
): Omit<ManifestSettings, "settings"> {
  const { data } = manifest;
  const env = data.environments?.[environment];
  const path: PathKey[] = ["environments", environment];
  const sourced = <T>(value: T | undefined, key: string): Sourced<T> | undefined =>
    value === undefined ? undefined : { value, source: getSource(manifest, [...path, key]) };
  let envFiles: Sourced<Sourced<string>[]> | undefined;
  if (env?.env_files !== undefined) {
    const files = typeof env.env_files === "string" ? [env.env_files] : env.env_files;
    const listPath = [...path, "env_files"];
    const at = (i: number) => (typeof env.env_files === "string" ? listPath : [...listPath, i]);
    const value = files.map((file, i) => ({ value: file, source: getSource(manifest, at(i)) }));
    envFiles = { value, source: getSource(manifest, listPath) };
  }
  const formation = env?.formation && types ? countFormation(env.formation, types) : undefined;
  return {
    app: data.app,
    envFiles,
    formation: sourced(formation, "formation"),
    user: sourced(env?.user, "user"),
    log: sourced(env?.log, "log"),
    watch: sourced(env?.watch, "watch"),
  };
}

/** Instances of every type: its own count, else `all`, else one. */
function countFormation(
  formation: Record<string, number>,
  types: ProcessType[],
): Map<string, number> {
  const all = formation.all ?? 1;
  return new Map(types.map((type) => [type.name, formation[type.name] ?? all]));
}

/** Every process type named in processes and in each environment's processes and formation is in the Procfile. */
function checkProcessNames(manifest: Manifest, names: string[]): Problem[] {
  const problems: Problem[] = [];
  const check = (keys: string[], path: PathKey[], extra: string[] = []) => {
    for (const key of keys.filter((name) => !names.includes(name) && !extra.includes(name))) {
      const suggestion = suggestName(key, [...names, ...extra]);
      const fix = suggestion
        ? `did you mean "${suggestion}"?`
        : `use one of the Procfile's processes: ${names.join(", ")}`;
      const message = `${showKeyPath(path)}: unknown process "${key}"`;
      problems.push(reportAt(manifest, [...path, key], "key", message, fix));
    }
  };
  check(Object.keys(manifest.data.processes ?? {}), ["processes"]);
  for (const [name, env] of Object.entries(manifest.data.environments ?? {})) {
    check(Object.keys(env.processes ?? {}), ["environments", name, "processes"]);
    check(Object.keys(env.formation ?? {}), ["environments", name, "formation"], ["all"]);
  }
  return problems;
}

/** Warn when an environment chosen with -E or PARITY_ENV is not among the manifest's environments. */
function checkEnvironmentName(manifest: Manifest, context: ResolveContext): Problem[] {
  const defined = manifest.data.environments;
  const { environment, environmentSource: source } = context;
  if (source.kind !== "flag" || defined === undefined || Object.hasOwn(defined, environment)) {
    return [];
  }
  const names = Object.keys(defined);
  const suggestion = suggestName(environment, names);
  const file = basename(manifest.file);
  const problem: Problem = {
    severity: "warning",
    message: `environment "${environment}" is not defined in ${file}: only its defaults apply`,
    flag: source.flag,
    fix: suggestion
      ? `did you mean "${suggestion}"?`
      : `define environments.${environment} in ${file}, or use one of: ${names.join(", ")}`,
  };
  return [problem];
}

/** Order problems by position in the manifest (warnings about flags first), keeping ties in order. */
function sortByPosition(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/** Keep the first of problems reported at the same position with the same message (one per environment). */
function dropRepeats(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = [problem.file, problem.line, problem.column, problem.flag, problem.message].join(
      "\n",
    );
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
