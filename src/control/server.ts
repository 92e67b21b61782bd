// The control socket a running `parity start` serves: JSON lines over a Unix socket, mode 0600.
import { chmodSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { suggestName } from "../app/suggest.js";
import type { SlotInfo } from "../supervisor/supervisor.js";
import type { LogBuffer } from "./log-buffer.js";
import { matchNames } from "./names.js";
import type { SocketLocation } from "./paths.js";
import {
  type ControlRequest,
  type ControlResponse,
  createLineReader,
  encodeMessage,
  PROTOCOL_VERSION,
} from "./protocol.js";

/** What the server controls (the running supervisor and the app). */
export interface ControlTarget {
  hello(): { pid: number; root: string; app: string };
  ps(): SlotInfo[];
  /** Process types of the Procfile: `start`/`scale` may create their instances. */
  types(): string[];
  restart(names: string[]): Promise<void>;
  stop(names: string[]): Promise<void>;
  start(names: string[]): void;
  scale(type: string, count: number): Promise<void>;
  logs: LogBuffer;
}

/** A listening control server. */
export interface ControlServer {
  /** Removes the socket and stops listening (does not wait). */
  close(): void;
}

/** Resolves true when something answers on the socket at `path` (a live parity). */
export function isSocketLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Listens on the app's socket. A socket left by a crashed run (nothing answers) is replaced; a
 * live one means another parity runs this app: resolves with that error instead.
 */
export async function startControlServer(
  location: SocketLocation,
  target: ControlTarget,
): Promise<ControlServer | { error: "running" }> {
  mkdirSync(location.dir, { recursive: true, mode: 0o700 });
  chmodSync(location.dir, 0o700);
  if (existsSync(location.path)) {
    if (await isSocketLive(location.path)) return { error: "running" };
    rmSync(location.path, { force: true });
  }
  const connections = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on(
      "data",
      createLineReader((line) => {
        // nothing a client sends may bring parity down
        handle(line, socket, target).catch((err: Error) =>
          send(socket, { v: PROTOCOL_VERSION, id: 0, ok: false, error: err.message }),
        );
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(location.path, () => resolve());
  });
  chmodSync(location.path, 0o600);
  server.unref();
  return {
    close() {
      rmSync(location.path, { force: true });
      for (const c of connections) c.destroy();
      server.close();
    },
  };
}

async function handle(line: string, socket: Socket, target: ControlTarget): Promise<void> {
  let request: ControlRequest;
  try {
    request = JSON.parse(line) as ControlRequest;
  } catch {
    return send(socket, { v: PROTOCOL_VERSION, id: 0, ok: false, error: "not a JSON line" });
  }
  const id = typeof request?.id === "number" ? request.id : 0;
  const fail = (error: string) => send(socket, { v: PROTOCOL_VERSION, id, ok: false, error });
  const ok = (result: unknown) => send(socket, { v: PROTOCOL_VERSION, id, ok: true, result });
  const problem = checkRequest(request);
  if (problem) return fail(problem);
  if (request.v !== PROTOCOL_VERSION) {
    return fail(
      `protocol version ${String(request.v)} is not ${PROTOCOL_VERSION}: use the same parity version as the running one`,
    );
  }
  const slots = () => target.ps().map((s) => s.name);
  const resolve = (names: string[], creating: boolean) => {
    const types = target.types();
    const startable = (name: string) =>
      creating &&
      /^[A-Za-z0-9_-]+(\.[1-9]\d*)?$/.test(name) &&
      types.includes(name.split(".")[0] ?? "");
    const match = matchNames(names.length > 0 ? names : ["*"], slots(), startable);
    if (!match.ok) {
      const known = [...new Set([...slots(), ...types])];
      const hints = match.unknown.map((u) => {
        const close = suggestName(u, known);
        return close ? `"${u}" (did you mean "${close}"?)` : `"${u}"`;
      });
      fail(`unknown process ${hints.join(", ")}; running: ${slots().join(", ") || "none"}`);
      return undefined;
    }
    return match.names;
  };
  switch (request.cmd) {
    case "hello":
      return ok(target.hello());
    case "ps":
      return ok(target.ps());
    case "restart":
    case "stop": {
      const names = resolve(request.names, false);
      if (!names) return;
      try {
        await (request.cmd === "restart" ? target.restart(names) : target.stop(names));
      } catch (err) {
        return fail((err as Error).message);
      }
      return ok(names);
    }
    case "start": {
      const names = resolve(request.names, true);
      if (!names) return;
      try {
        target.start(names);
      } catch (err) {
        return fail((err as Error).message);
      }
      return ok(names);
    }
    case "scale": {
      const bad = Object.entries(request.counts).find(
        ([type, n]) => !target.types().includes(type) || !Number.isInteger(n) || n < 0,
      );
      if (bad)
        return fail(
          `cannot scale "${bad[0]}" to ${String(bad[1])}: use a Procfile process type and a whole number, 0 or more`,
        );
      try {
        for (const [type, n] of Object.entries(request.counts)) await target.scale(type, n);
      } catch (err) {
        return fail((err as Error).message);
      }
      return ok(target.ps());
    }
    case "logs":
      return streamLogs(request, socket, target, resolve);
    default:
      return fail(`unknown command "${String((request as { cmd: unknown }).cmd)}"`);
  }
}

function streamLogs(
  request: Extract<ControlRequest, { cmd: "logs" }>,
  socket: Socket,
  target: ControlTarget,
  resolve: (names: string[], creating: boolean) => string[] | undefined,
): void {
  const names = resolve(request.names, false);
  if (!names) return;
  const id = request.id;
  for (const line of target.logs.getRecent(names, request.lines))
    send(socket, { v: PROTOCOL_VERSION, id, line });
  if (!request.follow) {
    send(socket, { v: PROTOCOL_VERSION, id, ok: true, result: null });
    return;
  }
  send(socket, { v: PROTOCOL_VERSION, id, following: true });
  const wanted = new Set(names);
  const readers = new Map<string, (chunk: Buffer) => void>();
  const unfollow = target.logs.follow((name, chunk) => {
    if (!wanted.has(name)) return;
    // a follower that does not read (a paused terminal) is let go rather than buffered without end
    if (socket.writableLength > MAX_FOLLOWER_BACKLOG) {
      unfollow();
      send(socket, {
        v: PROTOCOL_VERSION,
        id,
        ok: false,
        error: "stopped following: the output came faster than it was read",
      });
      socket.end();
      return;
    }
    let reader = readers.get(name);
    if (!reader) {
      reader = createLineReader(
        (text) => send(socket, { v: PROTOCOL_VERSION, id, line: { name, text } }),
        true,
      );
      readers.set(name, reader);
    }
    reader(chunk);
  });
  socket.once("close", unfollow);
}

/** Bytes of log lines waiting for a follower before it is let go. */
const MAX_FOLLOWER_BACKLOG = 4 * 1024 * 1024;

// Says what is wrong with a request's shape, or nothing when it is well formed.
function checkRequest(request: unknown): string | undefined {
  if (typeof request !== "object" || request === null) return "a request is a JSON object";
  const r = request as Record<string, unknown>;
  const isNames = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  switch (r.cmd) {
    case "hello":
    case "ps":
      return undefined;
    case "restart":
    case "stop":
    case "start":
      return isNames(r.names) ? undefined : `${r.cmd} needs "names": a list of strings`;
    case "scale":
      return typeof r.counts === "object" && r.counts !== null && !Array.isArray(r.counts)
        ? undefined
        : 'scale needs "counts": an object such as {"web": 3}';
    case "logs":
      return isNames(r.names) &&
        typeof r.follow === "boolean" &&
        Number.isInteger(r.lines) &&
        (r.lines as number) >= 0
        ? undefined
        : 'logs needs "names" (strings), "follow" (true or false) and "lines" (a whole number)';
    default:
      return `unknown command ${JSON.stringify(r.cmd)}`;
  }
}

function send(socket: Socket, message: ControlResponse): void {
  if (!socket.destroyed) socket.write(encodeMessage(message));
}
