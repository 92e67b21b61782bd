// First SIGINT/SIGTERM/SIGHUP: stop gracefully; any later one: kill at once.

/** The signals that stop parity. */
export const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Where signals come from (`process`), passed in so tests can emit them. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** What the signals act on. */
export interface Stoppable {
  stop(reason: { kind: "signal"; signal: NodeJS.Signals }): void;
  kill(signal: NodeJS.Signals): void;
}

/** Wires the stop signals to `target`; returns the function that removes every listener. */
export function handleStopSignals(source: SignalSource, target: Stoppable): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) target.stop({ kind: "signal", signal });
    else target.kill(signal);
  };
  for (const s of STOP_SIGNALS) source.on(s, listener);
  return () => {
    for (const s of STOP_SIGNALS) source.off(s, listener);
  };
}

/** A run's signal wiring: the stop signals, and what a late one ends. */
export interface RunSignals {
  /** Removes every listener. */
  detach(): void;
  /**
   * Resolves at the next kill signal: a run awaits it beside its last output, so that a signal
   * while that output waits for a paused reader (a pager) exits at once.
   */
  finishing(): Promise<void>;
}

/** Wires `source`'s stop signals (none for null) to `target`, for a run that finishes its output last. */
export function handleRunSignals(source: SignalSource | null, target: Stoppable): RunSignals {
  let late: (() => void) | undefined;
  const detach = source
    ? handleStopSignals(source, {
        stop: (reason) => target.stop(reason),
        kill: (signal) => {
          target.kill(signal);
          late?.();
        },
      })
    : () => undefined;
  return {
    detach,
    finishing: () =>
      new Promise<void>((resolve) => {
        late = resolve;
      }),
  };
}
