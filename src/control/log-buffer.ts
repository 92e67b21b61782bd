// Keeps each instance's recent output (bounded) for `parity logs`, and feeds followers.

/** Bytes of recent output kept per instance. */
export const LOG_BYTES_PER_INSTANCE = 256 * 1024;

interface Recent {
  chunks: Buffer[];
  bytes: number;
}

/** A bounded in-memory buffer of every instance's recent output. */
export class LogBuffer {
  private readonly recent = new Map<string, Recent>();
  private readonly followers = new Set<(name: string, chunk: Buffer) => void>();

  constructor(private readonly limit = LOG_BYTES_PER_INSTANCE) {}

  /** Adds output of instance `name` (chunks as read: lines may span them). */
  append(name: string, chunk: Buffer): void {
    let r = this.recent.get(name);
    if (!r) {
      r = { chunks: [], bytes: 0 };
      this.recent.set(name, r);
    }
    r.chunks.push(chunk);
    r.bytes += chunk.length;
    while (r.bytes - (r.chunks[0]?.length ?? 0) >= this.limit && r.chunks.length > 1) {
      r.bytes -= r.chunks.shift()?.length ?? 0;
    }
    for (const f of this.followers) f(name, chunk);
  }

  /** The last `lines` complete or partial lines of each of `names`, oldest first per instance. */
  getRecent(names: string[], lines: number): { name: string; text: string }[] {
    const out: { name: string; text: string }[] = [];
    for (const name of names) {
      const r = this.recent.get(name);
      if (!r) continue;
      const text = Buffer.concat(r.chunks, r.bytes).toString("utf8");
      const all = text.split("\n");
      if (all.at(-1) === "") all.pop();
      // the oldest line may have been cut by the byte limit: drop it unless it is all there is
      if (r.bytes >= this.limit && all.length > 1) all.shift();
      for (const t of lines > 0 ? all.slice(-lines) : []) out.push({ name, text: t });
    }
    return out;
  }

  /** Calls `listener` with every chunk appended from now on; returns the unsubscribe function. */
  follow(listener: (name: string, chunk: Buffer) => void): () => void {
    this.followers.add(listener);
    return () => {
      this.followers.delete(listener);
    };
  }
}
