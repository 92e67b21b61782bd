// The single writer of parity's stdout: serialises whole lines and applies backpressure to sources.

/** The stream parity writes to (a pipe socket, a TTY, a file). */
export interface OutputSink {
  write(chunk: Buffer): boolean;
  once(event: "drain", listener: () => void): unknown;
  on(event: "error", listener: (err: NodeJS.ErrnoException) => void): unknown;
  /** Resolves once everything written so far has been handed to the OS. */
  flush(): Promise<void>;
}

/** Something that can stop and restart the flow of data into the writer (a child's stdout). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** Writes output and pauses every registered source while the sink is full. */
export class OutputWriter {
  private readonly sources = new Set<FlowControl>();
  private isBlocked = false;
  private closedError: NodeJS.ErrnoException | undefined;
  private readonly closedListeners: ((err: NodeJS.ErrnoException) => void)[] = [];

  constructor(private readonly sink: OutputSink) {
    sink.on("error", (err) => this.close(err));
  }

  /** True while the sink is full and sources are paused. */
  get blocked(): boolean {
    return this.isBlocked && !this.closed;
  }

  /** True once the sink failed (EPIPE: the reader went away). */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Writes whole lines; pauses sources when the sink signals it is full. */
  write(data: Buffer): void {
    if (this.closedError) return;
    if (!this.sink.write(data) && !this.isBlocked) {
      this.isBlocked = true;
      for (const s of this.sources) s.pause();
      this.sink.once("drain", () => {
        this.isBlocked = false;
        for (const s of this.sources) s.resume();
      });
    }
  }

  /** Writes one line of text (a `system` message). */
  writeLine(text: string): void {
    this.write(Buffer.from(`${text}\n`));
  }

  /** Adds a source to pause under backpressure; returns the function that removes it. */
  register(source: FlowControl): () => void {
    this.sources.add(source);
    if (this.blocked) source.pause();
    return () => {
      this.sources.delete(source);
    };
  }

  /** Calls `listener` once when the sink fails (EPIPE); returns the function that removes it. */
  onClosed(listener: (err: NodeJS.ErrnoException) => void): () => void {
    if (this.closedError) listener(this.closedError);
    else this.closedListeners.push(listener);
    return () => {
      const at = this.closedListeners.indexOf(listener);
      if (at >= 0) this.closedListeners.splice(at, 1);
    };
  }

  /** Resolves when everything written has left parity (or the sink has failed). */
  async flush(): Promise<void> {
    if (this.closedError) return;
    let remove = () => {};
    await Promise.race([
      this.sink.flush(),
      new Promise<void>((resolve) => {
        remove = this.onClosed(() => resolve());
      }),
    ]);
    remove();
  }

  private close(err: NodeJS.ErrnoException): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const s of this.sources) s.resume();
    for (const l of this.closedListeners.splice(0)) l(err);
  }
}
