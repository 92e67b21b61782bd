// Decides what happens after a process exits: stop everything, restart after a backoff, or give up.
import type { RestartPolicy } from "../types.js";
import type { ExitStatus } from "./child.js";

/** What the supervisor should do about one exit. */
export type ExitDecision =
  | { action: "stop-all" }
  | { action: "restart"; delayMs: number; attempt: number }
  | { action: "done" }
  | { action: "failed"; restarts: number; windowMs: number };

/** The restart history of one instance. */
export interface RestartHistory {
  /** Times (ms) of the restarts inside the crash-loop window. */
  restarts: number[];
  /** Restarts since the last run that lasted resetAfterMs. */
  consecutive: number;
}

/** Returns a fresh history. */
export function createRestartHistory(): RestartHistory {
  return { restarts: [], consecutive: 0 };
}

/** Returns the delay before restart number `attempt` (0-based): initial × 2^attempt with ±20 % jitter, never above the cap. */
export function getBackoffMs(policy: RestartPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.initialBackoffMs * 2 ** Math.min(attempt, 30), policy.maxBackoffMs);
  return Math.round(Math.min(base * (0.8 + 0.4 * random()), policy.maxBackoffMs));
}

/**
 * Decides about an exit after a run of `ranMs` at time `now`, updating `history`. `never` stops
 * everything (foreman); `on-failure` restarts after a non-zero exit (a clean exit is done);
 * `always` restarts. More than `limit` restarts within `windowMs` is a crash loop: failed.
 */
export function decideAfterExit(
  policy: RestartPolicy,
  status: ExitStatus,
  ranMs: number,
  now: number,
  history: RestartHistory,
  random: () => number = Math.random,
): ExitDecision {
  if (policy.policy === "never") return { action: "stop-all" };
  const failed = status.code !== 0;
  if (policy.policy === "on-failure" && !failed) return { action: "done" };
  if (ranMs >= policy.resetAfterMs) history.consecutive = 0;
  history.restarts = history.restarts.filter((t) => now - t < policy.windowMs);
  if (history.restarts.length >= policy.limit) {
    return { action: "failed", restarts: history.restarts.length, windowMs: policy.windowMs };
  }
  const attempt = history.consecutive;
  history.consecutive++;
  history.restarts.push(now);
  return {
    action: "restart",
    delayMs: getBackoffMs(policy, attempt, random),
    attempt: attempt + 1,
  };
}
