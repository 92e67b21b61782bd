// `parity start --via runit`: the app's runit export in a private directory, run by a local
// runsvdir, with parity's prefixed output and parity's stop semantics. Mini-prod: the scripts
// Chef installs, run on the developer's machine first.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { writePlan } from "../export/write.js";
import { getColors } from "../output/colors.js";
import { type Console, createConsole } from "../output/console.js";
import { formatSeconds } from "../output/format-seconds.js";
import { openOutputSink } from "../output/stdout.js";
import { OutputWriter } from "../output/writer.js";
import type { Run, StartOptions } from "../start.js";
import { handleRunSignals } from "../supervisor/kill-on-signal.js";
import {
  findMarked,
  MARKER_VAR,
  type ProcessTable,
  processExists,
  readProcessTable,
  signalGroup,
} from "../supervisor/process-table.js";
import { makeRunId } from "../supervisor/run-id.js";
import { startWatchdog } from "../supervisor/watchdog.js";
import type { App, Instance, Result } from "../types.js";
import { type FifoReader, makeFifos, openFifo } from "./fifo.js";
import { planRunitTree, type RunitTree, type TreeService, treePaths } from "./runit-tree.js";
import { RunsvdirRun, type ViaEvent, type ViaStopReason } from "./runsvdir.js";
import { ServiceGroups } from "./service-groups.js";
import { type ServiceState, watchServices } from "./service-status.js";

/** How long output still in the pipes may take to arrive once everything stopped (stdout blocked does not count). */
const DRAIN_MS = 2000;

/**
 * Options of a run under runit: those of `start` that apply. `shellEnv` gives only PATH (the
 * only value of the shell the services get); `gate` guards the writing of the tree too.
 */
export type ViaRunitOptions = Pick<
  StartOptions,
  "timeoutSeconds" | "color" | "timestamps" | "shellEnv" | "sink" | "gate" | "signals"
>;

/** The planned tree and the private directory it goes to (nothing written yet). */
export interface PreparedRunit {
  /** The private directory: created 0700 when the run starts, removed when it ends. */
  dir: string;
  tree: RunitTree;
}

/**
 * Plans the runit tree of `app` (load it as for `parity export`: env files, no shell) for a new
 * private directory under `parent` (default: the temporary directory). Writes nothing.
 */
export function prepareViaRunit(
  app: App,
  options: { timeoutSeconds?: number; parent?: string } = {},
): Result<PreparedRunit> {
  const dir = join(options.parent ?? tmpdir(), `parity-runit-${makeRunId()}`);
  const tree = planRunitTree(app, { dir, timeoutSeconds: options.timeoutSeconds ?? 5 });
  if (!tree.ok) return tree;
  return { ok: true, value: { dir, tree: tree.value }, warnings: tree.warnings };
}

/** Writes the prepared tree, starts runsvdir on it, and relays every service's output. */
export function startViaRunit(
  app: App,
  prepared: PreparedRunit,
  options: ViaRunitOptions = {},
): Run {
  const { dir, tree } = prepared;
  const shellEnv = options.shellEnv ?? process.env;
  const colors = getColors(options.color);
  const writer = new OutputWriter(options.sink ?? openOutputSink(1));
  const console = createConsole(writer, {
    instances: app.instances,
    typeIndex: new Map(app.types.map((t) => [t.name, t.index])),
    timestamps: options.timestamps ?? true,
    painter: colors.painter,
    timeoutSeconds: options.timeoutSeconds ?? 5,
  });
  const instances = new Map(app.instances.map((i) => [i.name, i]));
  const runId = makeRunId();
  // A parity killed with SIGKILL cannot remove the private directory: the watchdog does.
  const watchdog = startWatchdog(runId, shellEnv, dir);
  const groups = new ServiceGroups<TreeService>({
    watchGroup: (pgid) => watchdog.watchGroup(pgid),
    forgetGroup: (pgid) => watchdog.forgetGroup(pgid),
    groupExists: (pgid) => signalGroup(pgid, 0),
    // a zombie counts: runsv reaps its ./run at once
    isAlive: processExists,
    signalGroup: (pgid, signal) => signalGroup(pgid, signal),
  });
  let status: { refresh: () => void; stop: () => void } | undefined;
  const run = new RunsvdirRun(
    {
      serviceDir: tree.serviceDir,
      // What runit's stage 2 gives runsvdir on a node: PATH, nothing else of anyone's shell.
      env: { PATH: shellEnv.PATH, [MARKER_VAR]: `${runId}/runit` },
      isOurs: (table) => findMarked(table, `${runId}/`),
      stopTimeoutMs: Math.max(0, ...tree.services.map((s) => s.instance.stopTimeoutMs)),
    },
    {
      spawn,
      readTable: () => readProcessTable(true),
      timers: globalThis,
      now: Date.now,
      kill: (pid, signal) => process.kill(pid, signal),
      report: (event) => reportEvent(console, event, tree),
      attachMessages: (stream) => relayMessages(stream, console),
      watchGroup: (pgid) => watchdog.watchGroup(pgid),
      exitServices: () => {
        execFile("sv", ["exit", ...tree.services.map((s) => s.dir)], () => undefined);
      },
      isOutputBlocked: () => writer.blocked,
      strayGroups: () => groups.all(),
      stopStrays: () => {
        // The ./runs started since the last poll are known before their groups are judged.
        status?.refresh();
        groups.stopStrays((s) => s.instance.settings.stopSignal as NodeJS.Signals);
      },
      findRelays: (table) => findRelays(tree.services, table),
    },
  );
  const fifos: FifoReader[] = [];
  const relays: Promise<void>[] = [];
  let created = false;
  const begin = () => {
    // A stop that came first (a signal during the checks) starts nothing and writes nothing.
    if (run.isStopping) return;
    try {
      mkdirSync(dir, { mode: 0o700 });
      created = true;
      writeTree(prepared);
      for (const service of tree.services) {
        const instance = instances.get(service.instance.name);
        if (!instance) continue;
        const fifo = openFifo(service.fifo);
        fifos.push(fifo);
        relays.push(console.attachOutput(instance, fifo.stream));
      }
    } catch (error) {
      console.system(`cannot write the runit tree in ${dir}: ${(error as Error).message}`);
      run.cancel(1);
      return;
    }
    status = watchServices(
      tree.services,
      (s, state, before) => reportState(console, groups, instances, s, state, before),
      { readText: readTextOrUndefined, timers: globalThis },
    );
    run.start();
  };
  writer.onClosed(() => run.stop({ kind: "output-closed" }));
  const signals = handleRunSignals(options.signals === undefined ? process : options.signals, {
    stop: (reason) => run.stop(reason),
    kill: (signal) => run.kill(signal, constants.signals[signal] ?? 0),
  });
  if (options.gate) void options.gate.then((go) => (go ? begin() : run.cancel(2)));
  else begin();
  const done = run.done.then(async (code) => {
    status?.stop();
    for (const fifo of fifos) fifo.release();
    const late = signals.finishing();
    await drain(Promise.all(relays), () => writer.blocked, late);
    for (const fifo of fifos) fifo.stream.destroy();
    if (created) removeTree(dir, console);
    await Promise.race([writer.flush(), late]);
    signals.detach();
    return code;
  });
  return {
    done,
    stop: () => run.stop({ kind: "request" }),
    kill: () => run.kill("SIGKILL", constants.signals.SIGKILL),
  };
}

/** The log/run relays (from runsv's log/supervise/pid) and the runsv over each. */
function findRelays(services: TreeService[], table: ProcessTable): number[] {
  const pids: number[] = [];
  for (const service of services) {
    const pid = Number.parseInt(readTextOrUndefined(`${service.dir}/log/supervise/pid`) ?? "", 10);
    const entry = table.find((p) => p.pid === pid);
    if (entry) pids.push(entry.pid, entry.ppid);
  }
  return pids;
}

/**
 * Waits until every relay has passed on its last output. Once everything stopped, what is left
 * is in the pipes: the wait ends when they are read, unless stdout stays writable and they do
 * not end within DRAIN_MS (a process stuck holding one), or a second signal skips it.
 */
async function drain(relays: Promise<unknown>, blocked: () => boolean, skip: Promise<void>) {
  let ended = false;
  void relays.finally(() => {
    ended = true;
  });
  let waited = 0;
  while (!ended && waited < DRAIN_MS) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<"tick">((resolve) => {
      timer = setTimeout(() => resolve("tick"), 100);
    });
    const result = await Promise.race([relays, tick, skip.then(() => "skip" as const)]);
    clearTimeout(timer);
    if (result === "skip") return;
    if (!blocked()) waited += 100;
  }
}

/** Removes the private directory; says so when it cannot (a process stuck in it). */
function removeTree(dir: string, console: Console): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    console.system(`could not remove ${dir}: ${(error as Error).message}`);
  }
}

/** The plan in the private directory, and a named pipe per service. */
function writeTree({ dir, tree }: PreparedRunit): void {
  const written = writePlan(tree.plan, {
    location: tree.serviceDir,
    app: tree.app,
    format: "runit",
  });
  if (!written.ok) throw new Error(written.problems.map((p) => p.message).join("; "));
  mkdirSync(treePaths(dir).outputDir, { mode: 0o700 });
  makeFifos(tree.services.map((s) => s.fifo));
}

/** A service's new state: its pid as `parity start` prints it, its process group to the watchdog. */
function reportState(
  console: Console,
  groups: ServiceGroups<TreeService>,
  instances: Map<string, Instance>,
  service: TreeService,
  state: ServiceState,
  before: ServiceState | undefined,
): void {
  const instance = instances.get(service.instance.name);
  if (!instance) return;
  const old = before?.pid ?? 0;
  if (state.pid === old) return;
  groups.update(service, state.pid);
  if (state.pid > 0) {
    console.report({ type: "start", instance, pid: state.pid });
  } else {
    console.system(`${instance.name} exited (runsv: ${state.stat})`);
  }
}

function reportEvent(console: Console, event: ViaEvent, tree: RunitTree): void {
  switch (event.type) {
    case "started":
      console.system(
        `runsvdir (pid ${event.pid ?? "none: spawn failed"}) runs ${tree.services.length} runit services in ${tree.serviceDir}`,
      );
      break;
    case "stopping":
      console.system(`${describeReason(event.reason)}stopping every service`);
      break;
    case "kill":
      console.system(
        event.forced
          ? `sending SIGKILL to the ${event.pids.length} processes left`
          : `sending SIGKILL to the ${event.pids.length} processes still running after ${formatSeconds(event.afterMs)}`,
      );
      break;
  }
}

function describeReason(reason: ViaStopReason): string {
  switch (reason.kind) {
    case "signal":
      return `${reason.signal} received, `;
    case "output-closed":
      return "stdout closed, ";
    case "runsvdir-exit":
      return `runsvdir ${reason.code !== null ? `exited with code ${reason.code}` : `was terminated by ${reason.signal}`}, `;
    case "runsvdir-error":
      return `runsvdir could not be started (${reason.message}), `;
    case "request":
      return "";
  }
}

/** runsvdir's and runsv's own messages, each line as a system line. */
function relayMessages(stream: Readable, console: Console): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line !== "") console.system(`runit: ${line}`);
  });
  stream.on("end", () => {
    if (rest !== "") console.system(`runit: ${rest}`);
  });
}

// Reading supervise/pid and supervise/stat: absent until runsv wrote them.
function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
