// Opens fd 1 as an OutputSink that never blocks the event loop on a slow reader.
import { fstatSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { isatty } from "node:tty";
import type { OutputSink } from "./writer.js";

/** Opens `fd` (1 by default) for parity's output, choosing the right stream for what it is. */
export function openOutputSink(fd = 1): OutputSink {
  const stat = fstatSync(fd);
  if (!isatty(fd) && (stat.isFIFO() || stat.isSocket())) return openPipeSink(fd);
  return openBlockingSink(fd);
}

// A pipe or socket: asynchronous writes with a bounded buffer, so a paused reader means backpressure.
function openPipeSink(fd: number): OutputSink {
  // writableHighWaterMark is a stream option that net.Socket passes on; its typings omit it.
  const options = { fd, readable: false, writable: true, writableHighWaterMark: 1 << 20 };
  const socket = new Socket(options);
  // Put the descriptor back in blocking mode when parity is done, as the next writer expects.
  const restoreBlocking = () => {
    const handle = (socket as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })
      ._handle;
    handle?.setBlocking?.(true);
  };
  process.once("exit", restoreBlocking);
  return {
    write: (chunk) => socket.write(chunk),
    once: (event, listener) => socket.once(event, listener),
    on: (event, listener) => socket.on(event, listener),
    flush: () =>
      new Promise<void>((resolve) => {
        if (socket.writableLength === 0 || socket.destroyed) resolve();
        else {
          socket.once("drain", () => resolve());
          socket.once("error", () => resolve());
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
