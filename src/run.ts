// The library's `runOne`: a single command in the app's environment, its exit status passed through.
import { buildBaseEnv } from "./start-run.js";
import { toExitCode } from "./supervisor/child.js";
import type { App } from "./types.js";

/** Options of a one-off run. */
export interface RunOptions {
  shellEnv?: NodeJS.ProcessEnv;
}

/** Quotes one word for /bin/sh. */
export function quoteShellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs `words` in `app.root` with the app's environment and resolves with its exit status
 * (128 + N when a signal killed it). One word is a Procfile process name or a shell command
 * line; several words are a program and its arguments, run without a shell — except that a
 * first word naming a process type runs that type's command with the rest appended.
 */
export async function runOne(app: App, words: string[], options: RunOptions = {}): Promise<number> {
  const { execa } = await import("execa");
  const env = buildBaseEnv(app, options.shellEnv ?? process.env, false);
  const [first = "", ...rest] = words;
  const type = app.types.find((t) => t.name === first);
  const common = { cwd: app.root, env, extendEnv: false, stdio: "inherit", reject: false } as const;
  // Signals are taken before the child exists (one arriving in between is passed on at once).
  let child: ReturnType<typeof execa> | undefined;
  let early: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C already reached the child (same process group): do not send it twice.
    if (signal === "SIGINT" && process.stdin.isTTY) return;
    if (child) child.kill(signal);
    else early ??= signal;
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, forward);
  child = type
    ? execa("/bin/sh", ["-c", [type.command, ...rest.map(quoteShellWord)].join(" ")], common)
    : rest.length === 0
      ? execa("/bin/sh", ["-c", first], common)
      : execa(first, rest, common);
  if (early) child.kill(early);
  try {
    const result = await child;
    if (result.signal) return toExitCode({ code: null, signal: result.signal });
    if (result.failed && result.exitCode === undefined) {
      process.stderr.write(`error: ${result.shortMessage}\n`);
      return 127;
    }
    return result.exitCode ?? 1;
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}
