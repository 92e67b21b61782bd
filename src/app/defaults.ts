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

/** Restart policy outside development when the manifest names none: keep processes up (systemd's Restart=on-failure). */
export const DEFAULT_RESTART_POLICY_OUTSIDE_DEVELOPMENT: RestartPolicy["policy"] = "on-failure";

/** Whether watch globs restart processes when the manifest does not say: only in development. */
export function isWatchedByDefault(environment: string): boolean {
  return environment === DEFAULT_ENVIRONMENT;
}

/** Default host of a readiness tcp check that names only a port (Node tries IPv6 and IPv4). */
export const DEFAULT_TCP_HOST = "localhost";

/** A process type's settings when the manifest says nothing about it (restart never only in development). */
export function getDefaultSettings(environment: string = DEFAULT_ENVIRONMENT): ProcessSettings {
  const policy =
    environment === DEFAULT_ENVIRONMENT
      ? DEFAULT_RESTART.policy
      : DEFAULT_RESTART_POLICY_OUTSIDE_DEVELOPMENT;
  return {
    ready: undefined,
    dependsOn: [],
    stopSignal: "SIGTERM",
    stopTimeoutMs: undefined,
    restart: { ...DEFAULT_RESTART, policy },
    watch: [],
  };
}
