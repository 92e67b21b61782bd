// Reads the machine's process table (Linux /proc; `ps` elsewhere) to find every process parity started.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The environment variable that marks every process of one parity run: `PARITY_RUN=<run id>/<instance>`. */
export const MARKER_VAR = "PARITY_RUN";

/** One live process. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** When it started (clock ticks since boot; 0 when unknown): tells a reused pid apart. */
  start: number;
  /** The value of PARITY_RUN in its environment, when readable. */
  marker?: string;
}

/** A snapshot of the process table. */
export type ProcessTable = ProcessEntry[];

/**
 * Reads every live (non-zombie) process but the kernel's own; with `withMarkers`, also its
 * PARITY_RUN value.
 */
export function readProcessTable(withMarkers = true): ProcessTable {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return readProcessTableWithPs();
  }
  const table: ProcessTable = [];
  // A process older than parity cannot carry a marker parity made: its environment is not read.
  const since = withMarkers ? getOwnStartTime() : Number.POSITIVE_INFINITY;
  const kernel = readKernelProcesses();
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (kernel.has(pid)) continue;
    const entry = readProcEntry(pid, since);
    if (entry) table.push(entry);
  }
  return table;
}

/** PF_KTHREAD in the flags of /proc/PID/stat. */
const KERNEL_THREAD_FLAG = 0x200000;

const NO_PIDS: ReadonlySet<number> = new Set();

/**
 * Returns kthreadd (pid 2, when it is the kernel's thread) and its children: the kernel's threads
 * and the helpers it starts, most of a machine's processes, none of them ever part of a run (no
 * process of a run has kthreadd as an ancestor). They are not read one by one: the table is read
 * on the stop's critical path. Read after /proc is listed, so a pid listed here was reused since
 * only if the whole pid space went round meanwhile. Empty when unknown (no /proc/PID/task/TID/
 * children, or a pid namespace where pid 2 is not kthreadd).
 */
function readKernelProcesses(): ReadonlySet<number> {
  const stat = readSmallFile("/proc/2/stat");
  if (stat === undefined) return NO_PIDS;
  if ((readNumber(stat, stat.lastIndexOf(")") + 2, 6) & KERNEL_THREAD_FLAG) === 0) return NO_PIDS;
  const children = readSmallFile("/proc/2/task/2/children");
  if (children === undefined) return NO_PIDS;
  const pids = new Set([2]);
  let value = 0;
  for (let i = 0; i < children.length; i++) {
    const c = children.charCodeAt(i);
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (value > 0) {
      pids.add(value);
      value = 0;
    }
  }
  if (value > 0) pids.add(value);
  return pids;
}

let ownStartTime: number | undefined;

function getOwnStartTime(): number {
  ownStartTime ??= readProcEntry(process.pid, Number.POSITIVE_INFINITY)?.start ?? 0;
  return ownStartTime;
}

// readFileSync with "utf8" opens, reads and closes in one call into Node (no per-call JavaScript
// of openSync/readSync/closeSync): the table is read while parity stops, on its critical path.
// The fields parsed here are ASCII; only the command name may decode differently.
const UTF8 = { encoding: "utf8" } as const;

function readSmallFile(path: string): string | undefined {
  try {
    return readFileSync(path, UTF8);
  } catch {
    return undefined;
  }
}

function readProcEntry(pid: number, markersSince: number): ProcessEntry | undefined {
  const stat = readSmallFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name, which is in parentheses and may itself contain ") ".
  const fields = stat.lastIndexOf(")") + 2;
  const state = stat[fields];
  if (state === "Z" || state === "X") return undefined;
  const start = readNumber(stat, fields, 19);
  const entry: ProcessEntry = {
    pid,
    ppid: readNumber(stat, fields, 1),
    pgid: readNumber(stat, fields, 2),
    start,
  };
  // parity's own environment carries no marker of its runs (another parity's, at most)
  if (start >= markersSince && pid !== process.pid) {
    const marker = readMarker(pid);
    if (marker !== undefined) entry.marker = marker;
  }
  return entry;
}

// Returns the non-negative integer in space-separated field `index` of `text` from offset
// `from`, without making a string: the table is read on the stop's critical path, and a short
// run that allocates little ends before any garbage collection.
function readNumber(text: string, from: number, index: number): number {
  let at = from;
  for (let field = 0; field < index; field++) at = text.indexOf(" ", at) + 1;
  let value = 0;
  for (let c = text.charCodeAt(at); c >= 48 && c <= 57; c = text.charCodeAt(++at)) {
    value = value * 10 + (c - 48);
  }
  return value;
}

const MARKER_PREFIX = Buffer.from(`${MARKER_VAR}=`);

function readMarker(pid: number): string | undefined {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  let at = environ.indexOf(MARKER_PREFIX);
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(MARKER_PREFIX, at + 1);
  if (at < 0) return undefined;
  const start = at + MARKER_PREFIX.length;
  const end = environ.indexOf(0, start);
  return environ.toString("utf8", start, end < 0 ? environ.length : end);
}

// Without /proc (macOS, BSD): parent and group links from ps; markers are not readable.
function readProcessTableWithPs(): ProcessTable {
  let out: string;
  try {
    out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const table: ProcessTable = [];
  for (const line of out.split("\n")) {
    const [pid, ppid, pgid, state] = line.trim().split(/\s+/);
    if (!pid || state?.startsWith("Z")) continue;
    table.push({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), start: 0 });
  }
  return table;
}

/**
 * Returns the pids of a process tree: `root`, its descendants, the members of process group
 * `group` (default: root's), and every process marked `marker`, with their descendants.
 */
export function findTree(
  table: ProcessTable,
  root: number | undefined,
  marker?: string,
  group: number | undefined = root,
): number[] {
  const queue: number[] = [];
  for (const p of table) {
    if (
      p.pid === root ||
      (group !== undefined && p.pgid === group) ||
      (marker && p.marker === marker)
    ) {
      queue.push(p.pid);
    }
  }
  return withDescendants(table, queue);
}

/**
 * Returns `seeds` (in their order), then every descendant of them in `table`, parity itself
 * left out.
 */
export function withDescendants(table: ProcessTable, seeds: Iterable<number>): number[] {
  const found = new Set(seeds);
  // the usual answer once a run has stopped: nothing, found without mapping the whole table
  if (found.size === 0) return [];
  const children = new Map<number, number[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  // a Set iterates over what is added while it iterates: breadth first, each pid once
  for (const pid of found) for (const c of children.get(pid) ?? []) found.add(c);
  found.delete(process.pid);
  return [...found];
}

/** Processes seen in a tree once, by pid and start time: they stay known after leaving the tree. */
export type KnownProcesses = Map<number, number>;

/** Adds the processes `pids` of `table` to `known`. */
export function rememberProcesses(
  known: KnownProcesses,
  table: ProcessTable,
  pids: number[],
): void {
  if (pids.length === 0) return;
  const wanted = new Set(pids);
  for (const p of table) if (wanted.has(p.pid)) known.set(p.pid, p.start);
}

/** Returns the known processes still alive in `table` (same pid, same start time). */
export function findKnownAlive(known: KnownProcesses, table: ProcessTable): number[] {
  if (known.size === 0) return [];
  return table.filter((p) => known.get(p.pid) === p.start).map((p) => p.pid);
}

/** Returns the pids of every process whose marker starts with `prefix` (all processes of one run). */
export function findMarked(table: ProcessTable, prefix: string): number[] {
  return table
    .filter((p) => p.marker?.startsWith(prefix) && p.pid !== process.pid)
    .map((p) => p.pid);
}

/** Sends `signal` to each pid, ignoring processes that are already gone. */
export function signalEach(pids: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Sends `signal` (0: only checks) to a whole process group; returns false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while `pid` exists (a zombie too). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
