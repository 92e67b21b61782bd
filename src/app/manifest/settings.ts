// One process type's settings: the defaults, then processes.TYPE, then environments.NAME.processes.TYPE.

import type { Problem, ProcessSettings, RestartPolicy } from "../../types.js";
import { DEFAULT_READY_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS } from "../defaults.js";
import { type DependencyEntry, listDependencies } from "./dependencies.js";
import { formatDuration } from "./durations.js";
import { showKeyPath } from "./issues.js";
import { type Manifest, type PathKey, reportAt } from "./parse.js";
import { toReadyCheck } from "./ready.js";
import type { ProcessData } from "./schema.js";

/** A process type's merged settings, its dependencies with their positions, and the problems of the merge. */
export interface ResolvedProcess {
  settings: ProcessSettings;
  dependencies: DependencyEntry[];
  problems: Problem[];
}

/**
 * Merge a process type's settings over `defaults`, key by key: a key given at a later level replaces
 * the earlier one, except `restart`, whose fields merge (a policy name sets the policy only).
 */
export function resolveProcess(
  manifest: Manifest,
  type: string,
  environment: string,
  defaults: ProcessSettings,
): ResolvedProcess {
  const { data } = manifest;
  const layers: { process: ProcessData | undefined; path: PathKey[] }[] = [
    { process: data.processes?.[type], path: ["processes", type] },
    {
      process: data.environments?.[environment]?.processes?.[type],
      path: ["environments", environment, "processes", type],
    },
  ];
  const settings: ProcessSettings = { ...defaults, restart: { ...defaults.restart } };
  let dependencies: DependencyEntry[] = [];
  let restartPath: PathKey[] | undefined;
  for (const { process, path } of layers) {
    if (process === undefined) continue;
    if (process.ready !== undefined) {
      settings.ready = {
        check: toReadyCheck(process.ready),
        intervalMs: process.ready.interval ?? DEFAULT_READY_INTERVAL_MS,
        timeoutMs: process.ready.timeout ?? DEFAULT_READY_TIMEOUT_MS,
      };
    }
    if (process.depends_on !== undefined) {
      dependencies = listDependencies(process.depends_on, [...path, "depends_on"]);
    }
    if (process.stop_signal !== undefined) settings.stopSignal = process.stop_signal;
    if (process.stop_timeout !== undefined) settings.stopTimeoutMs = process.stop_timeout;
    if (process.restart !== undefined) {
      settings.restart = mergeRestart(settings.restart, process.restart);
      restartPath = [...path, "restart"];
    }
    if (process.watch !== undefined) settings.watch = [process.watch].flat();
  }
  settings.dependsOn = dependencies.map((entry) => entry.dependency);
  const problems = restartPath ? checkBackoff(manifest, settings.restart, restartPath) : [];
  return { settings, dependencies, problems };
}

/** Apply a restart value (a policy name, or a map of fields) over a policy. */
function mergeRestart(
  base: RestartPolicy,
  restart: NonNullable<ProcessData["restart"]>,
): RestartPolicy {
  if (typeof restart === "string") return { ...base, policy: restart };
  return {
    policy: restart.policy,
    initialBackoffMs: restart.backoff ?? base.initialBackoffMs,
    maxBackoffMs: restart.max_backoff ?? base.maxBackoffMs,
    resetAfterMs: restart.reset_after ?? base.resetAfterMs,
    limit: restart.limit ?? base.limit,
    windowMs: restart.window ?? base.windowMs,
  };
}

/** The longest delay cannot be shorter than the first. */
function checkBackoff(manifest: Manifest, restart: RestartPolicy, path: PathKey[]): Problem[] {
  if (restart.maxBackoffMs >= restart.initialBackoffMs) return [];
  const max = formatDuration(restart.maxBackoffMs);
  const first = formatDuration(restart.initialBackoffMs);
  const message = `${showKeyPath(path)}: max_backoff (${max}) is shorter than backoff (${first})`;
  return [
    reportAt(manifest, path, "value", message, "make max_backoff at least as long as backoff"),
  ];
}
