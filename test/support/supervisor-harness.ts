// A Supervisor with real spawn and timers for unit tests: recorded events, output and watchdog
// calls, a timeline of both, and the clean-up that kills whatever a run left.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { findMarked, readProcessTable } from "../../src/supervisor/process-table.js";
import {
  Supervisor,
  type SupervisorEvent,
  type SupervisorOptions,
} from "../../src/supervisor/supervisor.js";
import type { Instance } from "../../src/types.js";
import { FIXTURES_BIN } from "./parity.js";
import { killAll, waitFor, waitUntilGone } from "./processes.js";

// One-behaviour fixture scripts: `forever WORD` prints WORD then sleeps; `ignore-term` ignores
// SIGTERM/SIGINT/SIGHUP and announces itself.
export const FOREVER = `${FIXTURES_BIN}/forever`;
export const IGNORE_TERM = `${FIXTURES_BIN}/ignore-term`;

/** An instance named `type.n` (`a` alone is `a.1`). */
export const instance = (name: string, port: number, command: string): Instance => {
  const [type = name, n = "1"] = name.split(".");
  return { type, n: Number(n), name, port, command };
};

/** One event (described) or output line (`out NAME | line`), when parity saw it. */
export interface Entry {
  at: number;
  text: string;
}

export interface Harness {
  supervisor: Supervisor;
  runId: string;
  events: SupervisorEvent[];
  /** Events (described) and output lines (`out NAME | line`), in the order parity saw them. */
  timeline: Entry[];
  watched: number[];
  forgotten: number[];
  /** Output of each instance so far. */
  output: Map<string, string>;
  waitForOutput(name: string, text: string, timeoutMs?: number): Promise<void>;
  waitForEvent(text: string, timeoutMs?: number): Promise<Entry>;
  /** The pids of each start event of `name`, in order. */
  pidsOf(name: string): number[];
  /** The described events (not output), in order. */
  described(): string[];
}

/** A compact view of an event, for asserting the order of events. */
export function describeEvent(e: SupervisorEvent): string {
  switch (e.type) {
    case "start":
      return `start ${e.instance.name}`;
    case "exit":
      return `exit ${e.instance.name} ${e.status.code ?? e.status.signal}${e.stopping ? " stopping" : ""}`;
    case "waiting":
      return `waiting ${e.processType} on ${e.on.join(",")}`;
    case "ready":
      return `ready ${e.instance.name}`;
    case "restarting":
      return `restarting ${e.instance.name} #${e.attempt} in ${e.delayMs}`;
    case "failed":
      return `failed ${e.instance.name} after ${e.restarts} in ${e.windowMs}`;
    case "stopping":
      return `stopping ${e.reason.kind} ${e.signal}`;
    case "kill":
      return `kill ${e.instance.name}${e.forced ? " forced" : ""}`;
    case "done":
      return `done ${e.exitCode}`;
    default:
      return e.type;
  }
}

const runs: Harness[] = [];

/** A supervisor with real spawn and timers, a recording watchdog, collected output and a timeline (backoff jitter fixed at its middle). */
export function makeSupervisor(
  instances: Instance[],
  options: Partial<SupervisorOptions> = {},
): Harness {
  const runId = `test-${randomBytes(6).toString("hex")}`;
  const events: SupervisorEvent[] = [];
  const timeline: Entry[] = [];
  const watched: number[] = [];
  const forgotten: number[] = [];
  const output = new Map<string, string>();
  const attachOutput = (inst: Instance, stream: Readable) =>
    new Promise<void>((resolve) => {
      let partial = "";
      output.set(inst.name, output.get(inst.name) ?? "");
      stream.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output.set(inst.name, (output.get(inst.name) ?? "") + text);
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines)
          timeline.push({ at: Date.now(), text: `out ${inst.name} | ${line}` });
      });
      stream.once("close", () => resolve());
    });
  const supervisor = new Supervisor(
    {
      instances,
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      runId,
      timeoutMs: 5000,
      settings: new Map(),
      ...options,
    },
    {
      spawn,
      readTable: () => readProcessTable(true),
      timers: globalThis,
      now: Date.now,
      random: () => 0.5,
      watchdog: {
        watchGroup: (pgid) => watched.push(pgid),
        forgetGroup: (pgid) => forgotten.push(pgid),
      },
      attachOutput,
      isOutputBlocked: () => false,
      report: (event) => {
        events.push(event);
        timeline.push({ at: Date.now(), text: describeEvent(event) });
      },
    },
  );
  const harness: Harness = {
    supervisor,
    runId,
    events,
    timeline,
    watched,
    forgotten,
    output,
    waitForOutput: async (name, text, timeoutMs = 10_000) => {
      await waitFor(() => output.get(name)?.includes(text), timeoutMs, `${name}: "${text}"`);
    },
    waitForEvent: (text, timeoutMs = 10_000) =>
      waitFor(() => timeline.find((e) => e.text === text), timeoutMs, `event "${text}"`),
    pidsOf: (name) =>
      events.flatMap((e) =>
        e.type === "start" && e.instance.name === name && e.pid !== undefined ? [e.pid] : [],
      ),
    described: () => events.map(describeEvent),
  };
  runs.push(harness);
  return harness;
}

/** Every process of the run still alive (marker, or a process group the run started). */
export function leftovers(h: Harness): number[] {
  const groups = new Set(h.watched);
  const table = readProcessTable(true);
  const pids = new Set(findMarked(table, `${h.runId}/`));
  for (const e of table) if (groups.has(e.pgid)) pids.add(e.pid);
  return [...pids];
}

/** After each test: kills every run made since the last call and whatever each left, by pid. */
export async function killRuns(): Promise<void> {
  for (const h of runs.splice(0)) {
    h.supervisor.kill("SIGKILL");
    const left = leftovers(h);
    killAll(left);
    await waitUntilGone(left, 2000);
  }
}
