// The client side of the control socket: one request, its answer (or a stream of log lines).
import { connect } from "node:net";
import type { SocketLocation } from "./paths.js";
import {
  type ControlRequest,
  type ControlResponse,
  createLineReader,
  encodeMessage,
  PROTOCOL_VERSION,
} from "./protocol.js";

/** A request without the envelope (version and id are added here). */
export type RequestBody = ControlRequest extends infer R
  ? R extends ControlRequest
    ? Omit<R, "v" | "id">
    : never
  : never;

/** How long a request waits for its answer. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Why a request failed before an answer: nothing listens (no parity running here). */
export class NotRunningError extends Error {}

/**
 * Sends `body` to the parity running at `location`; calls `onLine` for each log line, and
 * resolves with the final answer.
 */
export function sendRequest(
  location: SocketLocation,
  body: RequestBody,
  onLine: (line: { name: string; text: string }) => void = () => {},
  onRecentDone: () => void = () => {},
): Promise<Extract<ControlResponse, { ok: boolean }>> {
  return new Promise((resolve, reject) => {
    const socket = connect(location.path);
    let following = false;
    // a parity that does not answer (wedged) is not waited for forever; following has no end
    const timer = setTimeout(() => {
      if (following) return;
      socket.destroy();
      reject(new Error(`the running parity did not answer in ${REQUEST_TIMEOUT_MS / 1000}s`));
    }, REQUEST_TIMEOUT_MS);
    timer.unref();
    socket.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED")
        reject(new NotRunningError(err.code));
      else reject(err);
    });
    socket.once("connect", () =>
      socket.write(encodeMessage({ ...body, v: PROTOCOL_VERSION, id: 1 } as ControlRequest)),
    );
    socket.on(
      "data",
      createLineReader((text) => {
        const message = JSON.parse(text) as ControlResponse;
        if ("line" in message) onLine(message.line);
        else if ("following" in message) {
          following = true;
          clearTimeout(timer);
          onRecentDone();
        } else {
          clearTimeout(timer);
          socket.end();
          resolve(message as Extract<ControlResponse, { ok: boolean }>);
        }
      }),
    );
    socket.once("close", () => {
      clearTimeout(timer);
      // following ends when parity exits: a normal end, not an error
      if (following) resolve({ v: PROTOCOL_VERSION, id: 1, ok: true, result: null });
      else reject(new NotRunningError("closed"));
    });
  });
}
