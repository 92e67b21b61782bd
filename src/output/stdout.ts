// Opens fd 1 as an OutputSink that never blocks the event loop on a slow reader.
import { fstatSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import type { OutputSink } from "./writer.js";

/** Opens `fd` (1 by default) for parity's output, choosing the right stream for what it is. */
export function openOutputSink(fd = 1): OutputSink {
  const stat = fstatSync(fd);
  // a pipe or a socket is never a terminal
  if (stat.isFIFO() || stat.isSocket()) return openPipeSink(fd);
  return openBlockingSink(fd);
}

/**
 * True when `fd` is a terminal. Only a character device can be one: node:tty is loaded for
 * those alone (≈ 0.07 ms of every start on a pipe or a file otherwise).
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule("node:tty").isatty(fd);
}

const pipeSockets = new Set<Socket>();

// Puts the descriptors back in blocking mode when parity exits, as the next writer expects.
function restoreBlocking(): void {
  for (const socket of pipeSockets) {
    const handle = (socket as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })
      ._handle;
    handle?.setBlocking?.(true);
  }
}

// A pipe or socket: asynchronous writes with a bounded buffer, so a paused reader means backpressure.
function openPipeSink(fd: number): OutputSink {
  // writableHighWaterMark is a stream option that net.Socket passes on; its typings omit it.
  const options = { fd, readable: false, writable: true, writableHighWaterMark: 1 << 20 };
  const socket = new Socket(options);
  if (pipeSockets.size === 0) process.once("exit", restoreBlocking);
  pipeSockets.add(socket);
  return {
    write: (chunk) => socket.write(chunk),
    once: (event, listener) => socket.once(event, listener),
    on: (event, listener) => socket.on(event, listener),
    // An empty write's callback runs once everything written before it has been handed over
    // ('drain' alone would only come after a write that returned false).
    flush: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed || socket.writableEnded) resolve();
        else {
          socket.once("error", () => resolve());
          socket.write(Buffer.alloc(0), () => resolve());
        }
      }),
  };
}

// A TTY, file or character device: synchronous writes (they do not stall for long).
function openBlockingSink(fd: number): OutputSink {
  const errorListeners: ((err: NodeJS.ErrnoException) => void)[] = [];
  let failed = false;
  return {
    write(chunk) {
      let offset = 0;
      while (!failed && offset < chunk.length) {
        try {
          offset += writeSync(fd, chunk, offset);
        } catch (err) {
          // A TTY left non-blocking by another program says EAGAIN: try again.
          if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue;
          failed = true;
          for (const l of errorListeners) queueMicrotask(() => l(err as NodeJS.ErrnoException));
        }
      }
      return true;
    },
    once: () => undefined,
    on: (_event, listener) => {
      errorListeners.push(listener);
    },
    flush: async () => undefined,
  };
}
