// Named pipes that carry each runit service's output to parity: made with mkfifo, read as streams.
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";

/** Makes a named pipe (mode 0600) at each path (Node has no mkfifo of its own). */
export function makeFifos(paths: string[]): void {
  if (paths.length > 0) execFileSync("mkfifo", ["-m", "0600", "--", ...paths], { stdio: "ignore" });
}

/** One named pipe opened for reading. */
export interface FifoReader {
  /** What the writers write; it ends once `release` was called and every writer closed it. */
  readonly stream: Readable;
  /**
   * Closes parity's own write end. Until then the stream never ends, so a writer that exits
   * and is started again (runsv restarts log/run) does not end it.
   */
  release(): void;
}

/**
 * Opens the pipe at `path` for reading, without blocking, and keeps a write end open so that
 * the stream does not end before `release`. Read through libuv's event loop (a named pipe is a
 * stream handle), not the thread pool that blocking file reads would hold.
 */
export function openFifo(path: string): FifoReader {
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let writeFd: number | undefined;
  try {
    writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    closeSync(readFd);
    throw error;
  }
  const stream = new Socket({ fd: readFd, readable: true, writable: false, allowHalfOpen: true });
  return {
    stream,
    release() {
      if (writeFd === undefined) return;
      closeSync(writeFd);
      writeFd = undefined;
    },
  };
}
