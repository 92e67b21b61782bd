// Runs the built CLI as a real process, collects its output lines, and proves nothing it started survives.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findTagged, killAll, waitFor, waitUntilGone } from "./processes.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The built CLI. */
export const PARITY_BIN = resolve(here, "../../bin/parity.js");
/** The one-behaviour fixture scripts. */
export const FIXTURES_BIN = resolve(here, "../fixtures/bin");
/** The environment variable every test run is tagged with, to find its processes independently. */
export const TAG_KEY = "PARITY_TEST_TAG";

/** A running parity. */
export interface ParityProcess {
  child: ChildProcess;
  pid: number;
  tag: string;
  /** stdout so far, as text. */
  stdout(): string;
  stderr(): string;
  /** stdout lines so far (complete lines only). */
  lines(): string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  waitForExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Makes a temp app directory with the given files; returns its path. */
export function makeApp(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-test-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const started: ParityProcess[] = [];
const dirs: string[] = [];

/** Registers a temp dir for removal in cleanup(). */
export function track(dir: string): string {
  dirs.push(dir);
  return dir;
}

/** Starts `parity ARGS` in `cwd`; stdout is read unless `readStdout` is false. */
export function runParity(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; readStdout?: boolean } = { cwd: process.cwd() },
): ParityProcess {
  const tag = randomBytes(6).toString("hex");
  const child = spawn(process.execPath, [PARITY_BIN, ...args], {
    cwd: options.cwd,
    env: {
      ...process.env,
      PATH: `${FIXTURES_BIN}:${process.env.PATH}`,
      NO_COLOR: "1",
      ...options.env,
      [TAG_KEY]: tag,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  if (options.readStdout !== false)
    child.stdout?.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once("exit", (code, signal) => res({ code, signal })),
  );
  const p: ParityProcess = {
    child,
    pid: child.pid as number,
    tag,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split("\n").slice(0, -1),
    waitForLine: (pattern, timeoutMs = 10_000) =>
      waitFor(
        () => p.lines().find((l) => pattern.test(l)),
        timeoutMs,
        // built when the wait ends: what parity had printed by then
        () => `a line matching ${pattern}\n--- stdout:\n${out.slice(-2000)}\n--- stderr:\n${err}`,
        // parity exited (and its output is all read): the line will never come
        () => child.exitCode !== null && child.stdout?.readableEnded !== false,
      ),
    waitForExit: async (timeoutMs = 15_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, rej) => {
        timer = setTimeout(
          () =>
            rej(new Error(`parity did not exit in ${timeoutMs} ms\n${out.slice(-2000)}\n${err}`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([exited, timeout]);
        // stdout/stderr may still hold data after "exit"
        await new Promise<void>((r) =>
          child.stdout?.readableEnded || !child.stdout
            ? r()
            : child.stdout.once("close", () => r()),
        );
        return result;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  started.push(p);
  return p;
}

/** Runs parity to completion (for commands that exit by themselves). */
export async function runParityToEnd(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  tag: string;
}> {
  const p = runParity(args, options);
  const result = await p.waitForExit(options.timeoutMs);
  return { ...result, stdout: p.stdout(), stderr: p.stderr(), tag: p.tag };
}

/**
 * After each test: every process tagged by a parity this test started must be gone (within a
 * short deadline: the watchdog sweeps just after parity exits). Survivors are killed by pid and
 * reported as a failure.
 */
export async function cleanup(): Promise<void> {
  const survivors: number[] = [];
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      killAll([p.pid]);
      survivors.push(-p.pid);
    }
    const left = await waitUntilGone(findTagged(TAG_KEY, p.tag), 3000);
    const late = findTagged(TAG_KEY, p.tag);
    killAll(late);
    survivors.push(...left.filter((pid) => late.includes(pid)));
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  if (survivors.length > 0) {
    throw new Error(
      `processes left running after the test: ${survivors.join(", ")} (negative: parity itself)`,
    );
  }
}
