// Every default of parity's settings, in one place.
import type { ProcessSettings, RestartPolicy } from "../types.js";

/** Seconds between the stop signal and SIGKILL (foreman's -t). */
export const DEFAULT_TIMEOUT_SECONDS = 5;

/** Base port when neither -p nor PORT gives one (foreman's). */
export const DEFAULT_BASE_PORT = 5000;

/** Environment of `start`, `run`, `check` and `env` when neither -E nor PARITY_ENV names one. */
export const DEFAULT_ENVIRONMENT = "development";

/** Environment of `export`. */
export const DEFAULT_EXPORT_ENVIRONMENT = "production";

/** The manifest's file name in the app root. */
export const MANIFEST_NAME = "parity.yml";

/** Restarts: none (the first exit stops everything, as in foreman); backoff 0.5 s doubling to 30 s, reset after 30 s up; failed after 5 restarts in 60 s. */
export const DEFAULT_RESTART: RestartPolicy = {
  policy: "never",
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  resetAfterMs: 30_000,
  limit: 5,
  windowMs: 60_000,
};

/** Readiness probes: checked every 0.5 s, for at most 30 s. */
export const DEFAULT_READY_INTERVAL_MS = 500;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/** Changes to watched files are gathered for this long before the restart. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 200;

/** Paths never watched. */
export const WATCH_IGNORED = ["**/.git/**", "**/node_modules/**"];

/** A process type's settings when the manifest says nothing about it. */
export function getDefaultSettings(): ProcessSettings {
  return {
    ready: undefined,
    dependsOn: [],
    stopSignal: "SIGTERM",
    stopTimeoutMs: undefined,
    restart: { ...DEFAULT_RESTART },
    watch: [],
  };
}
