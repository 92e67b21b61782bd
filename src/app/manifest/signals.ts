// Stop signals in parity.yml: a signal name in capitals, with or without SIG, normalised to SIGxxx.

/** The signals a process may ask to be stopped with (SIGKILL and SIGSTOP cannot be caught). */
export const STOP_SIGNALS = [
  "SIGTERM",
  "SIGINT",
  "SIGQUIT",
  "SIGHUP",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
  "SIGABRT",
  "SIGALRM",
] as const satisfies readonly NodeJS.Signals[];

/** Every spelling the manifest accepts: SIGTERM and TERM. */
export const SIGNAL_NAMES = [...STOP_SIGNALS, ...STOP_SIGNALS.map((name) => name.slice(3))] as [
  string,
  ...string[],
];

/** How to write a stop signal, for error messages. */
export const SIGNAL_FIX = `use one of ${STOP_SIGNALS.join(", ")} (the SIG prefix may be left out)`;

const UNCATCHABLE = new Set(["KILL", "STOP"]);

/** Turn an accepted spelling (TERM or SIGTERM) into the signal's full name. */
export function normalizeSignal(name: string): NodeJS.Signals {
  return (name.startsWith("SIG") ? name : `SIG${name}`) as NodeJS.Signals;
}

/** Explain why a signal that cannot be caught is no stop signal; undefined for any other value. */
export function explainUncatchableSignal(input: unknown): string | undefined {
  if (typeof input !== "string") return undefined;
  const bare = input.toUpperCase().replace(/^SIG/, "");
  if (!UNCATCHABLE.has(bare)) return undefined;
  return `SIG${bare} cannot be caught, so the process could not stop cleanly (parity sends SIGKILL itself after stop_timeout); use SIGTERM or another signal the process handles`;
}
