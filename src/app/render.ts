// Renders what `parity env` and `parity check` print: pure text from a loaded app.

import type { App, EnvSource, Problem, ProcessSettings, Result, SettingSource } from "../types.js";
import { quoteEnvValue } from "./env-quote.js";
import { formatProblem, showPath } from "./format-problem.js";
import { isSecretKey, maskValue } from "./secrets.js";

/** Options of `parity env`. */
export interface RenderEnvOptions {
  explain: boolean;
  showSecrets: boolean;
  cwd: string;
}

/** Options of `parity check`. */
export interface RenderCheckOptions {
  json: boolean;
  strict: boolean;
  cwd: string;
}

/** Render the app's resolved environment as `KEY=value` lines that dotenv can read back. */
export function renderEnv(app: App, opts: RenderEnvOptions): string {
  const lines: string[] = [];
  if (opts.explain) lines.push(...explainSettings(app, opts.cwd));
  for (const key of [...app.env.keys()].sort()) {
    const entry = app.env.get(key)!;
    const hidden = isSecretKey(key) && !opts.showSecrets;
    const line = `${key}=${quoteEnvValue(hidden ? maskValue(entry.value) : entry.value)}`;
    if (!opts.explain) {
      lines.push(line);
      continue;
    }
    const overrides = entry.overridden.map((source) => describeSource(source, opts.cwd));
    const suffix = overrides.length > 0 ? ` (overrides ${overrides.join(", ")})` : "";
    lines.push(`${line}  # from ${describeSource(entry.source, opts.cwd)}${suffix}`);
  }
  return lines.join("\n");
}

/** Render a check result: a one-line summary, or every problem; JSON with a stable key order. */
export function renderCheck(
  result: Result<App>,
  opts: RenderCheckOptions,
): { text: string; ok: boolean } {
  const found = result.ok ? result.warnings : result.problems;
  const problems = opts.strict ? found.map((p) => ({ ...p, severity: "error" as const })) : found;
  const ok = result.ok && !problems.some((p) => p.severity === "error");
  const app = result.ok ? result.value : undefined;
  if (opts.json) {
    const json = { ok, problems: problems.map(orderProblem), app: app ? describeApp(app) : null };
    return { text: JSON.stringify(json, null, 2), ok };
  }
  const lines = problems.map((p) => formatProblem(p, opts.cwd));
  if (ok && app) lines.push(summarize(app, problems.length, opts.cwd));
  return { text: lines.join("\n"), ok };
}

/** Comment lines naming the environment, the manifest and each app-wide setting with its source. */
function explainSettings(app: App, cwd: string): string[] {
  const { sources } = app;
  const manifest = app.manifest ? `manifest ${showPath(app.manifest, cwd)}` : "no manifest";
  const files = app.envFiles.map((file) => showPath(file, cwd)).join(", ") || "none";
  const filesFrom =
    sources.envFiles.kind === "default"
      ? "the default layering"
      : describeSetting(sources.envFiles, cwd);
  const formation = [...app.formation].map(([name, count]) => `${name}=${count}`).join(", ");
  const lines = [
    `# environment ${app.environment} (${describeSetting(sources.environment, cwd)}); ${manifest}`,
    `# env files read: ${files} (${filesFrom})`,
    `# formation: ${formation} (${describeSetting(sources.formation, cwd)})`,
  ];
  if (app.user !== undefined)
    lines.push(`# user: ${app.user} (${describeSetting(sources.user, cwd)})`);
  if (app.log !== undefined) lines.push(`# log: ${app.log} (${describeSetting(sources.log, cwd)})`);
  lines.push(`# watch: ${app.watch ? "on" : "off"} (${describeSetting(sources.watch, cwd)})`);
  return lines;
}

/** `from parity.yml:3:5`, `from -E/--environment` or `default`. */
function describeSetting(source: SettingSource, cwd: string): string {
  if (source.kind === "default") return "default";
  if (source.kind === "flag") return `from ${source.flag}`;
  return `from ${showPath(source.file, cwd)}:${source.line}:${source.column}`;
}

/** `.env.development:3` or `the shell`. */
function describeSource(source: EnvSource, cwd: string): string {
  return source.kind === "shell" ? "the shell" : `${showPath(source.file, cwd)}:${source.line}`;
}

/** The one-line summary of a valid app. */
function summarize(app: App, warnings: number, cwd: string): string {
  const names = app.types.map((type) => type.name);
  const count = app.types.length;
  const parts = [
    `ok: ${showPath(app.procfile, cwd)} defines ${count} process ${count === 1 ? "type" : "types"} (${names.join(", ")})`,
    describeInstances(app),
    `environment ${app.environment}`,
    `env files: ${app.envFiles.map((file) => showPath(file, cwd)).join(", ") || "none"}`,
  ];
  if (app.manifest) parts.push(`manifest ${showPath(app.manifest, cwd)}`);
  if (warnings > 0) parts.push(`${warnings} ${warnings === 1 ? "warning" : "warnings"}`);
  return parts.join("; ");
}

/** `4 instances on ports 5000-5200`, `1 instance on port 5000` or `no instances`. */
function describeInstances(app: App): string {
  const ports = app.instances.map((instance) => instance.port);
  if (ports.length === 0) return "no instances";
  const low = Math.min(...ports);
  const high = Math.max(...ports);
  if (ports.length === 1) return `1 instance on port ${low}`;
  return `${ports.length} instances on ports ${low}-${high}`;
}

/** A problem with its keys in a fixed order, leaving out the missing ones. */
function orderProblem(p: Problem): Problem {
  const { severity, message, file, line, column, flag, fix } = p;
  return { severity, message, file, line, column, flag, fix };
}

/** The app as JSON-ready data with a fixed key order. */
function describeApp(app: App) {
  return {
    name: app.name,
    root: app.root,
    procfile: app.procfile,
    environment: app.environment,
    envFiles: app.envFiles,
    types: app.types.map(({ name, command, line }) => ({ name, command, line })),
    instances: app.instances.map(({ name, port }) => ({ name, port })),
    manifest: app.manifest ?? null,
    user: app.user ?? null,
    log: app.log ?? null,
    watch: app.watch,
    settings: Object.fromEntries(
      app.types.map(({ name }) => [name, describeSettings(app.settings.get(name))]),
    ),
  };
}

/** One process type's settings as JSON-ready data with a fixed key order. */
function describeSettings(settings: ProcessSettings | undefined) {
  if (settings === undefined) return null;
  const { ready, restart } = settings;
  return {
    ready: ready
      ? { check: ready.check, intervalMs: ready.intervalMs, timeoutMs: ready.timeoutMs }
      : null,
    dependsOn: settings.dependsOn.map(({ name, restart }) => ({ name, restart })),
    stopSignal: settings.stopSignal,
    stopTimeoutMs: settings.stopTimeoutMs ?? null,
    restart: {
      policy: restart.policy,
      initialBackoffMs: restart.initialBackoffMs,
      maxBackoffMs: restart.maxBackoffMs,
      resetAfterMs: restart.resetAfterMs,
      limit: restart.limit,
      windowMs: restart.windowMs,
    },
    watch: settings.watch,
  };
}
