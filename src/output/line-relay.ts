// Turns a child's raw output bytes into whole prefixed lines: never splits a line or a UTF-8 character.
import type { Prefix } from "./prefix.js";

/** Lines longer than this are passed on in pieces of this size (bounds memory per process). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** How long a partial line (a prompt such as `Password: `) waits for its newline before it is shown. */
export const PARTIAL_LINE_IDLE_MS = 150;

/** Timer functions, passed in so tests control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Accepts one stream's chunks and emits prefixed, newline-terminated output. */
export interface LineRelay {
  push(chunk: Buffer): void;
  /** The stream ended: emit what is left, newline-terminated. */
  end(): void;
  /** Reading is paused by backpressure: the idle timer must not split a line meanwhile. */
  pause(): void;
  resume(): void;
}

/** Returns how many leading bytes of `buf` end on a UTF-8 character boundary. */
export function getUtf8SafeLength(buf: Buffer): number {
  const len = buf.length;
  let i = len - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((buf[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return len;
  const lead = buf[i] ?? 0;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return len - i < needed ? i : len;
}

/** Prefixes every line of `body`, which must end with "\n". Works on latin1 strings: bytes stay bytes. */
export function prefixLines(prefix: string, body: Buffer): Buffer {
  const text = body.toString("latin1");
  const inner = text.slice(0, -1).replaceAll("\n", `\n${prefix}`);
  return Buffer.from(`${prefix}${inner}\n`, "latin1");
}

/** Creates a relay that writes prefixed lines with `write`. */
export function createLineRelay(
  prefix: Prefix,
  write: (data: Buffer) => void,
  timers: Timers = globalThis,
  idleMs = PARTIAL_LINE_IDLE_MS,
): LineRelay {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let timer: unknown;
  let paused = false;
  // Bytes kept back by the last idle flush (an unfinished UTF-8 character): if nothing follows
  // within another idle period, they were not the start of a character after all.
  let heldBack = false;

  const disarm = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    disarm();
    if (pendingBytes > 0 && !paused) timer = timers.setTimeout(flushPartial, idleMs);
  };
  const takePending = (): Buffer => {
    const buf =
      pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return buf;
  };
  const keep = (buf: Buffer) => {
    if (buf.length === 0) return;
    pending.push(buf);
    pendingBytes += buf.length;
  };
  const emitPiece = (piece: Buffer) => {
    if (piece.length > 0) write(prefixLines(prefix.current(), Buffer.concat([piece, NEWLINE])));
  };
  function flushPartial(): void {
    timer = undefined;
    const buf = takePending();
    const cut = heldBack ? buf.length : getUtf8SafeLength(buf);
    emitPiece(buf.subarray(0, cut));
    keep(buf.subarray(cut));
    heldBack = cut < buf.length;
    if (heldBack) arm();
  }

  return {
    push(chunk) {
      heldBack = false;
      const lastNl = chunk.lastIndexOf(10);
      if (lastNl === -1) {
        keep(chunk);
        while (pendingBytes >= MAX_LINE_BYTES) {
          const buf = takePending();
          const cut = getUtf8SafeLength(buf.subarray(0, MAX_LINE_BYTES));
          emitPiece(buf.subarray(0, cut));
          keep(buf.subarray(cut));
        }
        arm();
        return;
      }
      const head = chunk.subarray(0, lastNl + 1);
      const lines = pendingBytes > 0 ? Buffer.concat([takePending(), head]) : head;
      write(prefixLines(prefix.current(), lines));
      keep(chunk.subarray(lastNl + 1));
      arm();
    },
    end() {
      disarm();
      if (pendingBytes > 0) emitPiece(takePending());
    },
    pause() {
      paused = true;
      disarm();
    },
    resume() {
      paused = false;
      arm();
    },
  };
}

const NEWLINE = Buffer.from("\n");
