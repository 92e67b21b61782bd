// Waits until an instance passes its readiness probe, or says why it did not in time.
import { formatSeconds } from "../output/format-seconds.js";
import type { ReadyCheck, ReadyProbe } from "../types.js";
import { expandPort } from "./expand-port.js";

/** What a probe needs to know about the instance it checks. */
export interface ProbeTarget {
  port: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Subscribes to the instance's output lines (for `log` probes); returns the unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
}

/** The outcome of waiting for readiness. */
export type Readiness = { ready: true; elapsedMs: number } | { ready: false; reason: string };

/** Describes a check for messages: `http://127.0.0.1:5000/health`, `tcp 127.0.0.1:5000`, … */
export function describeCheck(check: ReadyCheck, port: number): string {
  switch (check.kind) {
    case "tcp":
      return `tcp ${expandPort(check.host, port)}:${expandPort(check.port, port)}`;
    case "http":
      return `http ${expandPort(check.url, port)}`;
    case "exec":
      return `exec \`${expandPort(check.command, port)}\``;
    case "log":
      return `a line matching /${check.pattern}/`;
  }
}

/** Polls `probe` every interval until it passes, its timeout passes, or `abort` fires. */
export async function waitUntilReady(
  probe: ReadyProbe,
  target: ProbeTarget,
  abort: AbortSignal,
  now: () => number = Date.now,
): Promise<Readiness> {
  const started = now();
  const what = describeCheck(probe.check, target.port);
  const timedOut = (): Readiness => ({
    ready: false,
    reason: `not ready after ${formatSeconds(probe.timeoutMs)} (${what})`,
  });
  if (abort.aborted) return { ready: false, reason: "stopped" };
  if (probe.check.kind === "log") {
    let pattern: RegExp;
    try {
      pattern = new RegExp(probe.check.pattern);
    } catch {
      return { ready: false, reason: `has an invalid log pattern /${probe.check.pattern}/` };
    }
    const seen = await waitForLine(pattern, target, probe.timeoutMs, abort);
    if (abort.aborted) return { ready: false, reason: "stopped" };
    return seen ? { ready: true, elapsedMs: now() - started } : timedOut();
  }
  for (;;) {
    const left = probe.timeoutMs - (now() - started);
    if (left <= 0) return timedOut();
    if (
      await tryOnce(probe.check, target, Math.min(left, Math.max(probe.intervalMs, 1000)), abort)
    ) {
      return abort.aborted
        ? { ready: false, reason: "stopped" }
        : { ready: true, elapsedMs: now() - started };
    }
    if (abort.aborted) return { ready: false, reason: "stopped" };
    await sleep(
      Math.min(probe.intervalMs, Math.max(0, probe.timeoutMs - (now() - started))),
      abort,
    );
    if (abort.aborted) return { ready: false, reason: "stopped" };
  }
}

async function tryOnce(
  check: ReadyCheck,
  target: ProbeTarget,
  timeoutMs: number,
  abort: AbortSignal,
): Promise<boolean> {
  const { tryExec, tryHttp, tryTcp } = await import("./probes.js");
  const port = target.port;
  switch (check.kind) {
    case "tcp":
      return tryTcp(expandPort(check.host, port), Number(expandPort(check.port, port)), timeoutMs);
    case "http":
      return tryHttp(expandPort(check.url, port), timeoutMs);
    case "exec":
      return tryExec(expandPort(check.command, port), target.cwd, target.env, timeoutMs, abort);
    case "log":
      return false;
  }
}

function waitForLine(
  pattern: RegExp,
  target: ProbeTarget,
  timeoutMs: number,
  abort: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    let unsubscribe = () => {};
    const finish = (seen: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      abort.removeEventListener("abort", onAbort);
      resolve(seen);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    abort.addEventListener("abort", onAbort);
    unsubscribe = target.onLine((line) => {
      if (pattern.test(line)) finish(true);
    });
    if (done) unsubscribe();
  });
}

function sleep(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      abort.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.addEventListener("abort", done);
  });
}
