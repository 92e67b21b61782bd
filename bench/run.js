#!/usr/bin/env node
// parity's benchmark: each figure is a RATIO to a baseline measured in the same run, with the
// runs interleaved (A B A B …) and the median kept, because absolute times drift on a noisy box.
//
//   relay    2,000,000 lines through `parity start` vs `seq | sed` (and node-foreman, if installable)
//   startup  `parity start` of `hello: echo hello`, start to exit, vs `node -e 0`
//   scale    200 idle instances: parity's RSS and idle CPU vs an idle node process; clean stop
//
// A ratio is the median of the per-repetition ratios (each pair ran back to back).
//
// Usage: npm run bench   (builds, then runs this file), or node bench/run.js [relay] [startup] [scale]
// Prints a table and writes bench/results.json. Exits 1 when a correctness check fails (lost or
// broken lines, processes left behind); a missed speed target is only reported.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const PARITY = path.join(ROOT, "bin", "parity.js");
const NODE = process.execPath;

const RELAY_LINES = 2_000_000;
const RELAY_REPS = 9;
const NF_LINES = 200_000;
const NF_TIMEOUT_MS = 30_000;
const NF_VERSION = "3.0.1";
const NF_DIR = path.join(os.tmpdir(), "parity-bench-foreman");
const STARTUP_REPS = 20;
const SCALE_INSTANCES = 200;
const SCALE_BASE_PORT = 20000;
const SCALE_REPS = 3;
const SCALE_SETTLE_MS = 2000;
const SCALE_WINDOW_MS = 5000;
const RUN_TIMEOUT_MS = 60_000;

const TARGETS = {
  relayRatio: 3,
  nfSpeedup: 10,
  startupRatio: 1.3,
  scaleRssMb: 80,
  idleCpuPercent: 1,
};

// ---------------------------------------------------------------------------------------------
// Bookkeeping of everything started, so that it is killed (by pid) whatever happens.

/** Children started by this script, each the leader of its own process group. */
const liveChildren = new Set();
/** Grandchildren seen in the scale run (pid → start time), killed by pid if still there. */
const watchedPids = new Map();
const tempDirs = [];
const failures = [];

function launch(command, args, options = {}) {
  const child = spawn(command, args, { detached: true, ...options });
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  child.once("error", () => liveChildren.delete(child));
  return child;
}

function killChild(child, signal = "SIGKILL") {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // its process group: a shell pipeline goes with it
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
  }
}

function cleanup() {
  for (const child of liveChildren) killChild(child);
  for (const [pid, start] of watchedPids) {
    if (isAlive(pid, start)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
    cleanup();
    process.exit(130);
  });
}

function makeTempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "parity-bench-"));
  tempDirs.push(dir);
  return dir;
}

function writeProcfile(dir, name, text) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median of the per-repetition ratios subject/baseline: each pair ran back to back. */
function pairedRatio(subject, baseline) {
  return median(subject.map((v, i) => v / baseline[i]));
}

function fail(message) {
  failures.push(message);
  process.stderr.write(`FAIL: ${message}\n`);
}

const fmt = {
  ms: (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`),
  ratio: (v) => `${v.toFixed(2)}×`,
  rate: (v) => `${(v / 1e6).toFixed(2)}M lines/s`,
  mb: (v) => `${v.toFixed(1)} MB`,
  int: (v) => v.toLocaleString("en-US"),
};

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/PID/stat after the command name (index 0 = state, 1 = ppid, 11 = utime …). */
function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const startTimeOf = (pid) => readStat(pid)?.[19];
const cpuTicks = (pid) => {
  const f = readStat(pid);
  return f ? Number(f[11]) + Number(f[12]) : Number.NaN;
};

/** True while `pid` is a live (non-zombie) process that started at `start`, not a reused pid. */
function isAlive(pid, start) {
  const f = readStat(pid);
  return (
    f !== undefined && f[0] !== "Z" && f[0] !== "X" && (start === undefined || f[19] === start)
  );
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Every live process as pid → { ppid, start, comm }. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = readStat(name);
    if (!f || f[0] === "Z") continue;
    let comm = "";
    try {
      comm = readFileSync(`/proc/${name}/comm`, "latin1").trim();
    } catch {
      // gone meanwhile
    }
    table.set(Number(name), { ppid: Number(f[1]), start: f[19], comm });
  }
  return table;
}

/** Pids of every descendant of `root` in `table`. */
function descendants(table, root) {
  const children = new Map();
  for (const [pid, p] of table) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  const found = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop();
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The consumer: counts lines and checks, byte by byte, that the bodies are 1, 2, 3 … in order.

/**
 * A line is `<anything> | <body>`; leading spaces of the body are skipped (node-foreman adds
 * one). Numeric bodies must count up from 1; after a wrong one the count resyncs on it, so a
 * split line costs a few "broken" lines rather than all the rest. Lines without a number
 * (parity's `started with pid …`, node-foreman's `[DONE] …`) are counted as `other`.
 */
function createLineChecker() {
  let p1 = 0;
  let p2 = 0;
  let phase = 0; // 0: before " | ", 1: spaces after it, 2: digits, 3: other text
  let num = 0;
  let next = 1;
  let empty = true;
  const stats = { bytes: 0, lines: 0, data: 0, inOrder: 0, broken: 0, other: 0, samples: [] };

  const endLine = (chunk, start, end) => {
    stats.lines++;
    if (phase === 2) {
      stats.data++;
      if (num === next) stats.inOrder++;
      else stats.broken++;
      next = num + 1;
    } else {
      stats.other++;
      if (stats.samples.length < 8) {
        stats.samples.push(
          (start < 0 ? "…" : "") + chunk.toString("latin1", Math.max(0, start), end),
        );
      }
    }
    phase = 0;
    num = 0;
    p1 = 0;
    p2 = 0;
    empty = true;
  };

  return {
    stats,
    push(chunk) {
      stats.bytes += chunk.length;
      let lineStart = empty ? 0 : -1; // -1: the line began in an earlier chunk
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 10) {
          endLine(chunk, lineStart, i);
          lineStart = i + 1;
          continue;
        }
        empty = false;
        if (phase === 2) {
          if (b < 48 || b > 57) phase = 3;
          else num = num * 10 + (b - 48);
        } else if (phase === 0) {
          if (b === 32 && p1 === 124 && p2 === 32) phase = 1;
          p2 = p1;
          p1 = b;
        } else if (phase === 1) {
          if (b >= 48 && b <= 57) {
            phase = 2;
            num = b - 48;
          } else if (b !== 32) phase = 3;
        }
      }
    },
    end() {
      if (!empty) endLine(Buffer.alloc(0), -1, 0);
    },
  };
}

/** Runs a command to completion with stdout drained through a line checker; times spawn → close. */
function timedRun(command, args, { cwd, timeoutMs = RUN_TIMEOUT_MS, check = true } = {}) {
  return new Promise((resolve, reject) => {
    const checker = createLineChecker();
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const t0 = nowMs();
    const child = launch(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      timedOut = true;
      killChild(child);
    }, timeoutMs);
    child.stdout.on("data", (chunk) => {
      if (check) checker.push(chunk);
      else if (stdout.length < 65536) stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      const ms = nowMs() - t0;
      clearTimeout(timer);
      checker.end();
      resolve({ ms, code, signal, timedOut, stdout, stderr, ...checker.stats });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// node-foreman, installed once into a cache directory under os.tmpdir().

function findNodeForeman() {
  const pkg = path.join(NF_DIR, "node_modules", "foreman", "package.json");
  const nf = path.join(NF_DIR, "node_modules", "foreman", "nf.js");
  const installed = () => {
    try {
      return JSON.parse(readFileSync(pkg, "utf8")).version === NF_VERSION && existsSync(nf);
    } catch {
      return false;
    }
  };
  if (installed()) return nf;
  mkdirSync(NF_DIR, { recursive: true });
  process.stdout.write(`installing foreman@${NF_VERSION} into ${NF_DIR} … `);
  const result = spawnSync(
    "npm",
    ["install", "--prefix", NF_DIR, `foreman@${NF_VERSION}`, "--no-audit", "--no-fund"],
    { encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] },
  );
  const ok = result.status === 0 && installed();
  process.stdout.write(ok ? "done\n" : "failed\n");
  return ok ? nf : undefined;
}

// ---------------------------------------------------------------------------------------------
// 1. relay

async function benchRelay() {
  console.log(`\n[relay] ${fmt.int(RELAY_LINES)} lines, ${RELAY_REPS} interleaved repetitions`);
  const dir = makeTempDir();
  const procfile = writeProcfile(dir, "Procfile", `seq: seq ${RELAY_LINES}\n`);
  const nfProcfile = writeProcfile(dir, "Procfile.nf", `seq: seq ${NF_LINES}\n`);
  const nf = findNodeForeman();
  if (!nf) console.log("node-foreman: unavailable");

  const runBaseline = () =>
    timedRun("/bin/sh", ["-c", `seq ${RELAY_LINES} | sed 's/^/name | /'`], { cwd: dir });
  const runParity = () =>
    timedRun(NODE, [PARITY, "start", "-f", procfile, "--no-timestamp"], { cwd: dir });
  const runNf = () =>
    timedRun(NODE, [nf, "start", "-j", nfProcfile], { cwd: dir, timeoutMs: NF_TIMEOUT_MS });

  const verify = (who, r, lines, strict) => {
    const intact = r.data === lines && r.inOrder === lines;
    if (r.timedOut) fail(`relay: ${who} timed out`);
    else if (strict && r.code !== 0)
      fail(`relay: ${who} exited ${r.code ?? r.signal}: ${r.stderr}`);
    if (strict && !intact) {
      fail(
        `relay: ${who} delivered ${fmt.int(r.inOrder)} of ${fmt.int(lines)} lines intact ` +
          `(${fmt.int(r.data)} numbered lines, ${fmt.int(r.broken)} broken)`,
      );
    }
    return intact;
  };

  // Warm-up (page cache, JIT of the consumer); not measured.
  verify("baseline", await runBaseline(), RELAY_LINES, true);
  verify("parity", await runParity(), RELAY_LINES, true);

  const base = [];
  const par = [];
  const nfRuns = [];
  let parityOther;
  for (let rep = 0; rep < RELAY_REPS; rep++) {
    const b = await runBaseline();
    verify("baseline", b, RELAY_LINES, true);
    base.push(b.ms);
    const p = await runParity();
    verify("parity", p, RELAY_LINES, true);
    par.push(p.ms);
    parityOther = { count: p.other, samples: p.samples };
    let line = `  rep ${rep + 1}: baseline ${fmt.ms(b.ms)}  parity ${fmt.ms(p.ms)}`;
    if (nf) {
      const n = await runNf();
      const intact = verify("node-foreman", n, NF_LINES, false);
      const speedup = RELAY_LINES / p.ms / (NF_LINES / n.ms); // lines/s over lines/s
      nfRuns.push({ ms: n.ms, timedOut: n.timedOut, intact, speedup, ...pick(n) });
      line += `  node-foreman(${fmt.int(NF_LINES)}) ${fmt.ms(n.ms)}${n.timedOut ? " TIMEOUT" : ""}`;
    }
    console.log(line);
  }

  const baseMs = median(base);
  const parMs = median(par);
  const result = {
    lines: RELAY_LINES,
    baselineCommand: `seq ${RELAY_LINES} | sed 's/^/name | /'`,
    parityCommand: `parity start -f Procfile --no-timestamp   (Procfile: seq: seq ${RELAY_LINES})`,
    consumer: "the bench's node process reading a socketpair (node's stdio pipe)",
    baselineMs: base,
    parityMs: par,
    baselineMedianMs: baseMs,
    parityMedianMs: parMs,
    ratio: pairedRatio(par, base),
    ratioOfMedians: parMs / baseMs,
    parityLinesPerSec: RELAY_LINES / (parMs / 1000),
    baselineLinesPerSec: RELAY_LINES / (baseMs / 1000),
    parityOwnLines: parityOther,
    target: `ratio <= ${TARGETS.relayRatio}`,
    nodeForeman: null,
  };
  if (nf) {
    const finished = nfRuns.filter((r) => !r.timedOut);
    const nfMs = finished.length > 0 ? median(finished.map((r) => r.ms)) : Number.NaN;
    const nfRate = NF_LINES / (nfMs / 1000);
    result.nodeForeman = {
      version: NF_VERSION,
      lines: NF_LINES,
      note: `node-foreman runs ${fmt.int(NF_LINES)} lines (it is slow); compared by lines/s with parity's ${fmt.int(RELAY_LINES)}-line runs`,
      runs: nfRuns,
      medianMs: nfMs,
      linesPerSec: nfRate,
      speedup: finished.length > 0 ? median(finished.map((r) => r.speedup)) : Number.NaN,
      allIntact: nfRuns.length > 0 && nfRuns.every((r) => r.intact),
      target: `speedup >= ${TARGETS.nfSpeedup}`,
    };
  }
  return result;
}

function pick(r) {
  return {
    lines: r.lines,
    numbered: r.data,
    inOrder: r.inOrder,
    broken: r.broken,
    other: r.other,
    code: r.code,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. startup

async function benchStartup() {
  console.log(`\n[startup] ${STARTUP_REPS} interleaved repetitions`);
  const dir = makeTempDir();
  const procfile = writeProcfile(dir, "Procfile", "hello: echo hello\n");
  const runBaseline = () => timedRun(NODE, ["-e", "0"], { cwd: dir, check: false });
  const runParity = () =>
    timedRun(NODE, [PARITY, "start", "-f", procfile], { cwd: dir, check: false });
  const verify = (r) => {
    if (r.code !== 0 || !/hello\.1 +\| hello$/m.test(r.stdout)) {
      fail(`startup: parity exited ${r.code ?? r.signal}, output: ${r.stdout}${r.stderr}`);
    }
  };
  await runBaseline();
  verify(await runParity());
  const base = [];
  const par = [];
  for (let rep = 0; rep < STARTUP_REPS; rep++) {
    base.push((await runBaseline()).ms);
    const p = await runParity();
    verify(p);
    par.push(p.ms);
  }
  const baseMs = median(base);
  const parMs = median(par);
  console.log(`  median: node -e 0 ${fmt.ms(baseMs)}  parity ${fmt.ms(parMs)}`);
  return {
    baselineCommand: "node -e 0",
    parityCommand: "parity start -f Procfile   (Procfile: hello: echo hello)",
    baselineMs: base,
    parityMs: par,
    baselineMedianMs: baseMs,
    parityMedianMs: parMs,
    ratio: pairedRatio(par, base),
    ratioOfMedians: parMs / baseMs,
    overheadMs: parMs - baseMs,
    target: `ratio <= ${TARGETS.startupRatio}`,
  };
}

// ---------------------------------------------------------------------------------------------
// 3. scale

/** Calls `onLine` for each line of `stream`. */
function onLines(stream, onLine) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (text) => {
    const parts = (rest + text).split("\n");
    rest = parts.pop();
    for (const line of parts) onLine(line);
  });
}

function waitFor(predicate, deadlineMs, everyMs = 20) {
  return new Promise((resolve) => {
    const until = nowMs() + deadlineMs;
    const tick = () => {
      if (predicate()) resolve(true);
      else if (nowMs() > until) resolve(false);
      else setTimeout(tick, everyMs);
    };
    tick();
  });
}

async function scaleOnce(dir, procfile, rep) {
  const out = { rep };
  const idle = launch(NODE, ["-e", "setInterval(()=>{},1000)"], { stdio: "ignore" });
  const args = [PARITY, "start", "-f", procfile, "-m", `idle=${SCALE_INSTANCES}`];
  args.push("-p", String(SCALE_BASE_PORT));
  const t0 = nowMs();
  const parity = launch(NODE, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const pids = [];
  const lines = [];
  let stderr = "";
  let exit;
  parity.once("exit", (code, signal) => {
    exit = { code, signal, atMs: nowMs() };
  });
  parity.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  onLines(parity.stdout, (line) => {
    const m = / \| started with pid (\d+)$/.exec(line);
    if (m) pids.push(Number(m[1]));
    else if (lines.length < 50) lines.push(line);
  });
  try {
    const started = await waitFor(
      () => pids.length >= SCALE_INSTANCES || exit !== undefined,
      30_000,
    );
    if (!started || pids.length < SCALE_INSTANCES) {
      fail(
        `scale: only ${pids.length} of ${SCALE_INSTANCES} instances started` +
          `${exit ? ` (parity exited ${exit.code ?? exit.signal})` : ""}: ${lines.join(" / ")} ${stderr}`,
      );
      return out;
    }
    out.startAllMs = nowMs() - t0;
    await sleep(SCALE_SETTLE_MS);
    if (exit !== undefined) {
      fail(`scale: parity exited early (${exit.code ?? exit.signal}): ${lines.join(" / ")}`);
      return out;
    }

    // Everything parity started: the sh wrappers it named, their children, and its watchdog.
    const table = processTable();
    const tree = descendants(table, parity.pid);
    for (const pid of tree) watchedPids.set(pid, table.get(pid).start);
    for (const pid of pids) if (!watchedPids.has(pid)) watchedPids.set(pid, startTimeOf(pid));
    const wrapperChildren = pids.flatMap((pid) =>
      [...table].filter(([, p]) => p.ppid === pid).map(([child]) => child),
    );
    const comms = {};
    for (const pid of tree) comms[table.get(pid).comm] = (comms[table.get(pid).comm] ?? 0) + 1;
    out.processes = {
      total: tree.length,
      byCommand: comms,
      wrapperChildren: wrapperChildren.length,
    };
    const missing = pids.filter((pid) => !table.has(pid));
    if (missing.length > 0) fail(`scale: ${missing.length} started pids are not running`);

    // The idle window: both processes sampled at the same moments.
    const cpu0 = { parity: cpuTicks(parity.pid), idle: cpuTicks(idle.pid), at: nowMs() };
    await sleep(SCALE_WINDOW_MS);
    const cpu1 = { parity: cpuTicks(parity.pid), idle: cpuTicks(idle.pid), at: nowMs() };
    const windowMs = cpu1.at - cpu0.at;
    const cpuPercent = (ticks) => ((ticks * 1000) / CLK_TCK / windowMs) * 100;
    out.windowMs = windowMs;
    out.parityRssMb = rssMb(parity.pid);
    out.baselineRssMb = rssMb(idle.pid);
    out.parityCpuPercent = cpuPercent(cpu1.parity - cpu0.parity);
    out.baselineCpuPercent = cpuPercent(cpu1.idle - cpu0.idle);

    // Stop: SIGTERM, then every process parity started must be gone.
    const tStop = nowMs();
    process.kill(parity.pid, "SIGTERM");
    const stopped = await waitFor(() => exit !== undefined, 20_000);
    if (!stopped) {
      fail("scale: parity still running 20 s after SIGTERM");
      killChild(parity);
      return out;
    }
    out.stopMs = exit.atMs - tStop;
    out.exit = exit.code ?? exit.signal;
    const gone = () => [...watchedPids].every(([pid, start]) => !isAlive(pid, start));
    await waitFor(gone, 3000, 50); // the watchdog may take a moment after parity's exit
    const left = [...watchedPids].filter(([pid, start]) => isAlive(pid, start)).map(([p]) => p);
    out.leftBehind = left.length;
    if (left.length > 0) {
      const what = left.map((pid) => `${pid}(${processTable().get(pid)?.comm ?? "?"})`);
      fail(`scale: ${left.length} processes left after parity exited: ${what.join(" ")}`);
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    }
    watchedPids.clear();
    return out;
  } finally {
    killChild(idle);
    killChild(parity);
  }
}

async function benchScale() {
  console.log(`\n[scale] ${SCALE_INSTANCES} × sleep 1000, ${SCALE_REPS} repetitions`);
  const dir = makeTempDir();
  const procfile = writeProcfile(dir, "Procfile", "idle: sleep 1000\n");
  const runs = [];
  for (let rep = 1; rep <= SCALE_REPS; rep++) {
    const r = await scaleOnce(dir, procfile, rep);
    runs.push(r);
    if (r.parityRssMb === undefined) break;
    console.log(
      `  rep ${rep}: all started in ${fmt.ms(r.startAllMs)}, RSS ${fmt.mb(r.parityRssMb)} ` +
        `(idle node ${fmt.mb(r.baselineRssMb)}), CPU ${r.parityCpuPercent.toFixed(2)}% ` +
        `(idle node ${r.baselineCpuPercent.toFixed(2)}%), stop ${fmt.ms(r.stopMs ?? Number.NaN)}, ` +
        `left behind ${r.leftBehind}`,
    );
  }
  const ok = runs.filter((r) => r.parityRssMb !== undefined);
  if (ok.length === 0) return { instances: SCALE_INSTANCES, runs };
  const m = (key) => median(ok.map((r) => r[key]));
  return {
    instances: SCALE_INSTANCES,
    procfile: "idle: sleep 1000",
    parityCommand: `parity start -m idle=${SCALE_INSTANCES} -p ${SCALE_BASE_PORT}`,
    baselineCommand: 'node -e "setInterval(()=>{},1000)"',
    clockTicksPerSec: CLK_TCK,
    runs,
    startAllMedianMs: m("startAllMs"),
    parityRssMb: m("parityRssMb"),
    baselineRssMb: m("baselineRssMb"),
    rssRatio: m("parityRssMb") / m("baselineRssMb"),
    parityCpuPercent: m("parityCpuPercent"),
    baselineCpuPercent: m("baselineCpuPercent"),
    stopMedianMs: m("stopMs"),
    leftBehind: ok.reduce((n, r) => n + (r.leftBehind ?? 0), 0),
    target: `RSS <= ${TARGETS.scaleRssMb} MB, idle CPU ~ 0`,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function printTable(results) {
  const rows = [["benchmark", "parity", "baseline", "ratio", "target", ""]];
  const verdict = (ok) => (ok ? "ok" : "MISSED");
  const { relay, startup, scale } = results;
  if (relay) {
    rows.push([
      "relay 2M lines",
      `${fmt.ms(relay.parityMedianMs)} (${fmt.rate(relay.parityLinesPerSec)})`,
      `${fmt.ms(relay.baselineMedianMs)} seq|sed`,
      fmt.ratio(relay.ratio),
      `≤ ${TARGETS.relayRatio}×`,
      verdict(relay.ratio <= TARGETS.relayRatio),
    ]);
    const nf = relay.nodeForeman;
    if (nf && !Number.isFinite(nf.speedup)) {
      rows.push(["vs node-foreman", `timed out (${NF_TIMEOUT_MS / 1000} s cap)`, "", "", "", ""]);
    } else if (nf) {
      rows.push([
        `vs node-foreman*`,
        fmt.rate(relay.parityLinesPerSec),
        `${fmt.rate(nf.linesPerSec)} nf`,
        `${fmt.ratio(nf.speedup)} faster`,
        `≥ ${TARGETS.nfSpeedup}×`,
        verdict(nf.speedup >= TARGETS.nfSpeedup),
      ]);
    } else rows.push(["vs node-foreman", "unavailable", "", "", "", ""]);
  }
  if (startup) {
    rows.push([
      "startup",
      fmt.ms(startup.parityMedianMs),
      `${fmt.ms(startup.baselineMedianMs)} node -e 0`,
      fmt.ratio(startup.ratio),
      `≤ ${TARGETS.startupRatio}×`,
      verdict(startup.ratio <= TARGETS.startupRatio),
    ]);
  }
  if (scale?.parityRssMb !== undefined) {
    rows.push([
      `scale ${scale.instances}: RSS`,
      fmt.mb(scale.parityRssMb),
      `${fmt.mb(scale.baselineRssMb)} idle node`,
      fmt.ratio(scale.rssRatio),
      `≤ ${TARGETS.scaleRssMb} MB`,
      verdict(scale.parityRssMb <= TARGETS.scaleRssMb),
    ]);
    rows.push([
      `scale ${scale.instances}: idle CPU`,
      `${scale.parityCpuPercent.toFixed(2)}%`,
      `${scale.baselineCpuPercent.toFixed(2)}% idle node`,
      "",
      "≈ 0%",
      verdict(scale.parityCpuPercent <= TARGETS.idleCpuPercent),
    ]);
    rows.push([
      `scale ${scale.instances}: start/stop`,
      `${fmt.ms(scale.startAllMedianMs)} / ${fmt.ms(scale.stopMedianMs)}`,
      "",
      "",
      "no orphans",
      verdict(scale.leftBehind === 0),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const render = (r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  console.log(`\n${render(rows[0])}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows.slice(1)) console.log(render(r));
  console.log(
    "\nratio = median of the per-repetition ratios (each pair ran back to back); relay output is " +
      "read by this script, which checks every line (the same consumer for parity and baseline).",
  );
  if (relay?.nodeForeman) {
    const nf = relay.nodeForeman;
    console.log(
      `* node-foreman ${nf.version} ran ${fmt.int(nf.lines)} lines (parity ${fmt.int(relay.lines)}); ` +
        `compared by lines/s, not wall time. Every line intact: ${nf.allIntact ? "yes" : "NO"}` +
        (nf.runs[0]
          ? ` (last run: ${fmt.int(nf.runs.at(-1).inOrder)} of ${fmt.int(nf.lines)} intact, ` +
            `${fmt.int(nf.runs.at(-1).broken)} broken)`
          : ""),
    );
  }
}

async function main() {
  const t0 = nowMs();
  const wanted = process.argv.slice(2);
  const want = (name) => wanted.length === 0 || wanted.includes(name);
  if (!existsSync(path.join(ROOT, "dist", "parity.cjs"))) {
    throw new Error("dist/parity.cjs is missing: run `npm run build` first (or `npm run bench`)");
  }
  const results = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      platform: `${os.platform()} ${os.release()}`,
    },
  };
  try {
    if (want("relay")) results.relay = await benchRelay();
    if (want("startup")) results.startup = await benchStartup();
    if (want("scale")) results.scale = await benchScale();
  } finally {
    cleanup();
  }
  results.totalSeconds = (nowMs() - t0) / 1000;
  results.failures = failures;
  printTable(results);
  writeFileSync(path.join(HERE, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nbench took ${results.totalSeconds.toFixed(1)} s; results in bench/results.json`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} FAILURE(S):\n${failures.map((f) => `  - ${f}`).join("\n")}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  cleanup();
  process.exit(1);
});
