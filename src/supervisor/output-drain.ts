// The output pipes of every run, and the wait for all of them to end once everything stopped.
import type { Readable } from "node:stream";
import type { Timers } from "./settler.js";

/** How long an output pipe may stay open after every process is gone. */
const OUTPUT_GRACE_MS = 1000;

/** Tracks each run's output until its relay ends; drains them all at the end. */
export class OutputDrain {
  private readonly outputs = new Set<Promise<void>>();
  private readonly streams = new Set<Readable>();

  constructor(
    private readonly timers: Timers,
    /** True while parity's stdout is full (a paused reader): output is late, not stuck. */
    private readonly isOutputBlocked: () => boolean,
  ) {}

  /** Tracks `stream` while `relay()` relays it; returns the relay, forgotten once it ended. */
  track(stream: Readable, relay: () => Promise<void>): Promise<void> {
    this.streams.add(stream);
    const output = relay().then(() => {
      this.streams.delete(stream);
      this.outputs.delete(output);
    });
    this.outputs.add(output);
    return output;
  }

  // Waits for every output pipe to reach its end. A pipe still open when every process parity
  // knows of is gone is held by a stranger (a process that left the tree and cleared its
  // environment): it is closed after OUTPUT_GRACE_MS without data, unless stdout is only slow.
  async drain(): Promise<void> {
    for (;;) {
      const all = Promise.all([...this.outputs]);
      let timer: unknown;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = this.timers.setTimeout(() => resolve(true), OUTPUT_GRACE_MS);
        }),
      ]);
      this.timers.clearTimeout(timer);
      if (!timedOut) return;
      if (this.isOutputBlocked()) continue;
      for (const s of this.streams) s.destroy();
    }
  }
}
