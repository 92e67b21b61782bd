// Shared fakes for the output tests: a controllable sink and hand-fired timers.
import { EventEmitter } from "node:events";
import type { Timers } from "../../../src/output/line-relay.js";
import type { OutputSink } from "../../../src/output/writer.js";

/** An OutputSink that records every chunk; `full` makes write() report backpressure. */
export class FakeSink extends EventEmitter implements OutputSink {
  readonly chunks: Buffer[] = [];
  full = false;
  flushes = 0;
  private flushResolvers: (() => void)[] = [];
  private waiters: { text: string; resolve: () => void }[] = [];

  write(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    const text = this.text();
    this.waiters = this.waiters.filter((w) => {
      if (!text.includes(w.text)) return true;
      w.resolve();
      return false;
    });
    return !this.full;
  }

  flush(): Promise<void> {
    this.flushes++;
    return new Promise((resolve) => this.flushResolvers.push(resolve));
  }

  /** Resolves every pending flush(). */
  completeFlush(): void {
    for (const r of this.flushResolvers.splice(0)) r();
  }

  /** Stops reporting backpressure and emits 'drain'. */
  drain(): void {
    this.full = false;
    this.emit("drain");
  }

  /** Emits an error such as EPIPE. */
  fail(code = "EPIPE"): NodeJS.ErrnoException {
    const err: NodeJS.ErrnoException = Object.assign(new Error(`write ${code}`), { code });
    this.emit("error", err);
    return err;
  }

  /** Everything written so far, decoded as UTF-8. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** Resolves once the output contains `text`. */
  waitForText(text: string): Promise<void> {
    if (this.text().includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ text, resolve }));
  }
}

/** A sink whose flush() resolves at once (for runs that must finish by themselves). */
export class AutoFlushSink extends FakeSink {
  override flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }
}

/** Timers fired by hand: `fire()` runs every armed callback. */
export class FakeTimers implements Timers {
  private nextId = 1;
  private readonly pending = new Map<number, { fn: () => void; ms: number }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { fn, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** How many timers are armed. */
  get armed(): number {
    return this.pending.size;
  }

  /** The delays of the armed timers. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }

  /** Runs every armed timer once; returns how many ran. */
  fire(): number {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
    return due.length;
  }
}
