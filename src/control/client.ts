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
        else if ("following" in message) onRecentDone();
        else {
          socket.end();
          resolve(message);
        }
      }),
    );
    socket.once("close", () => reject(new NotRunningError("closed")));
  });
}
