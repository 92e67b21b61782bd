// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${PORT} is probe syntax, not a template
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createTcpServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expandPort, tryExec, tryHttp, tryTcp } from "../../../src/supervisor/probes.js";
import {
  describeCheck,
  type ProbeTarget,
  waitUntilReady,
} from "../../../src/supervisor/readiness.js";
import type { ReadyProbe } from "../../../src/types.js";
import { isAlive, killAll, waitFor } from "../../support/processes.js";

const servers: Server[] = [];
const dirs: string[] = [];
/** Files into which exec probes wrote their pid (`echo $$ > file`). */
const pidFiles: string[] = [];

afterEach(async () => {
  for (const file of pidFiles.splice(0)) killAll(readPids(file));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          if ("closeAllConnections" in s)
            (s as { closeAllConnections(): void }).closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function readPids(file: string): number[] {
  try {
    return readFileSync(file, "utf8")
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parity-readiness-"));
  dirs.push(dir);
  return dir;
}

/** A pid file in a fresh temp directory, killed (if it holds a pid) after the test. */
function makePidFile(): string {
  const file = join(makeDir(), "pid");
  pidFiles.push(file);
  return file;
}

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}

/** An HTTP server; `handle` gets the 1-based number of each request. */
async function serveHttp(
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ port: number; requests: () => number }> {
  let n = 0;
  const server = createHttpServer((req, res) => handle(req, res, ++n));
  const port = await listen(server);
  return { port, requests: () => n };
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  servers.splice(servers.indexOf(server), 1);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Rejects when `promise` has not settled within `ms` (the deadline of a "promptly"). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Records the timers set through globalThis while active; `live()` counts those neither fired nor cleared. */
function trackTimers() {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  const patched = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: unknown = realSet(
      (...a: unknown[]) => {
        live.delete(handle);
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(handle);
    return handle;
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = patched;
  globalThis.clearTimeout = ((handle: unknown) => {
    live.delete(handle);
    realClear(handle as NodeJS.Timeout);
  }) as typeof clearTimeout;
  return {
    live: () => live.size,
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}

/** A probe target whose lines the test emits; `listeners` shows who is subscribed. */
function makeTarget(port = 5000, env: NodeJS.ProcessEnv = {}) {
  const listeners = new Set<(line: string) => void>();
  const target: ProbeTarget = {
    port,
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, ...env },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (line: string) => {
    for (const l of [...listeners]) l(line);
  };
  return { target, listeners, emit };
}

const probe = (check: ReadyProbe["check"], timeoutMs = 5000, intervalMs = 50): ReadyProbe => ({
  check,
  intervalMs,
  timeoutMs,
});

describe("expandPort", () => {
  it("replaces $PORT and ${PORT}, every occurrence", () => {
    expect(expandPort("http://127.0.0.1:$PORT/health", 5000)).toBe("http://127.0.0.1:5000/health");
    expect(expandPort("${PORT}", 6100)).toBe("6100");
    expect(expandPort("$PORT-${PORT}/$PORT", 1)).toBe("1-1/1");
  });

  it("leaves longer names ($PORTS, $PORT_X, ${PORTS}) and plain text alone", () => {
    expect(expandPort("$PORTS", 5000)).toBe("$PORTS");
    expect(expandPort("$PORT_X", 5000)).toBe("$PORT_X");
    expect(expandPort("${PORTS}", 5000)).toBe("${PORTS}");
    expect(expandPort("PORT 80", 5000)).toBe("PORT 80");
  });

  it("replaces $PORT followed by punctuation", () => {
    expect(expandPort("$PORT.", 7)).toBe("7.");
    expect(expandPort("a:$PORT/b", 7)).toBe("a:7/b");
  });
});

describe("tryTcp", () => {
  it("is true when something listens on the port", async () => {
    const port = await listen(createTcpServer((socket) => socket.destroy()));
    expect(await tryTcp("127.0.0.1", port, 2000)).toBe(true);
  });

  it("is false on a closed port", async () => {
    expect(await tryTcp("127.0.0.1", await closedPort(), 2000)).toBe(false);
  });
});

describe("tryHttp", () => {
  for (const status of [200, 204, 302]) {
    it(`is true for ${status}`, async () => {
      const { port } = await serveHttp((_req, res) => {
        res.writeHead(status, status === 302 ? { location: "/elsewhere" } : {});
        res.end();
      });
      expect(await tryHttp(`http://127.0.0.1:${port}/`, 2000)).toBe(true);
    });
  }

  for (const status of [404, 500, 503]) {
    it(`is false for ${status}`, async () => {
      const { port, requests } = await serveHttp((_req, res) => {
        res.writeHead(status);
        res.end();
      });
      expect(await tryHttp(`http://127.0.0.1:${port}/health`, 2000)).toBe(false);
      expect(requests()).toBe(1);
    });
  }

  it("sends a GET for the path of the URL", async () => {
    let seen = "";
    const { port } = await serveHttp((req, res) => {
      seen = `${req.method} ${req.url}`;
      res.end("ok");
    });
    expect(await tryHttp(`http://127.0.0.1:${port}/health?x=1`, 2000)).toBe(true);
    expect(seen).toBe("GET /health?x=1");
  });

  it("is false when the connection is refused", async () => {
    expect(await tryHttp(`http://127.0.0.1:${await closedPort()}/`, 2000)).toBe(false);
  });

  it("is false, after its timeout, when the server never answers", async () => {
    const { port, requests } = await serveHttp(() => undefined);
    const started = Date.now();
    expect(await within(tryHttp(`http://127.0.0.1:${port}/`, 200), 5000, "tryHttp")).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(requests()).toBe(1);
  });

  it("is false for a URL it cannot parse", async () => {
    expect(await tryHttp("not a url", 200)).toBe(false);
  });
});

describe("tryExec", () => {
  it("is true when the command exits 0", async () => {
    expect(await tryExec("exit 0", process.cwd(), { PATH: process.env.PATH }, 5000)).toBe(true);
  });

  it("is false when the command exits non-zero", async () => {
    expect(await tryExec("exit 1", process.cwd(), { PATH: process.env.PATH }, 5000)).toBe(false);
  });

  it("runs in cwd with env", async () => {
    const dir = makeDir();
    const command = `[ "$(pwd -P)" = "$(cd '${dir}' && pwd -P)" ] && [ "$PROBE" = yes ]`;
    expect(await tryExec(command, dir, { PATH: process.env.PATH, PROBE: "yes" }, 5000)).toBe(true);
    expect(await tryExec(command, dir, { PATH: process.env.PATH, PROBE: "no" }, 5000)).toBe(false);
  });

  it("is false, and the command is killed, when it outlives the timeout", async () => {
    const file = makePidFile();
    const started = Date.now();
    const ok = await within(
      tryExec(`echo $$ > '${file}'; exec sleep 30`, process.cwd(), {}, 200),
      5000,
      "tryExec",
    );
    expect(ok).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const [pid] = readPids(file);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid as number)).toBe(false);
  });

  it("kills the command's whole process group on timeout", async () => {
    const file = makePidFile();
    const ok = await tryExec(`sleep 30 & echo $! > '${file}'; wait`, process.cwd(), {}, 200);
    expect(ok).toBe(false);
    const [pid] = readPids(file);
    expect(pid).toBeGreaterThan(0);
    // SIGKILL to the group is delivered at once; the orphaned sleep is reaped by init.
    await waitFor(() => !isAlive(pid as number), 2000, "the background sleep to be gone");
  });
});

describe("describeCheck", () => {
  it("names each kind of check with the port filled in", () => {
    expect(describeCheck({ kind: "tcp", host: "127.0.0.1", port: "$PORT" }, 5000)).toBe(
      "tcp 127.0.0.1:5000",
    );
    expect(describeCheck({ kind: "http", url: "http://127.0.0.1:${PORT}/health" }, 5100)).toBe(
      "http http://127.0.0.1:5100/health",
    );
    expect(describeCheck({ kind: "exec", command: "pg_isready -p $PORT" }, 5432)).toBe(
      "exec `pg_isready -p 5432`",
    );
    expect(describeCheck({ kind: "log", pattern: "Listening on \\d+" }, 1)).toBe(
      "a line matching /Listening on \\d+/",
    );
  });
});

describe("waitUntilReady", () => {
  it("polls an http probe until it passes and reports the time it took", async () => {
    const { port, requests } = await serveHttp((_req, res, n) => {
      res.writeHead(n <= 2 ? 503 : 200);
      res.end();
    });
    const { target } = makeTarget(port);
    const started = Date.now();
    const result = await waitUntilReady(
      probe({ kind: "http", url: "http://127.0.0.1:$PORT/" }),
      target,
      new AbortController().signal,
    );
    const took = Date.now() - started;
    expect(result.ready).toBe(true);
    expect(requests()).toBe(3);
    const elapsed = result.ready ? result.elapsedMs : -1;
    // Two waits of intervalMs (50) between the three attempts.
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThanOrEqual(took);
  });

  it("measures elapsedMs with the injected clock", async () => {
    const { port } = await serveHttp((_req, res) => res.end());
    const { target } = makeTarget(port);
    let t = 1000;
    const now = () => {
      t += 7;
      return t;
    };
    const result = await waitUntilReady(
      probe({ kind: "tcp", host: "127.0.0.1", port: "${PORT}" }),
      target,
      new AbortController().signal,
      now,
    );
    expect(result).toEqual({ ready: true, elapsedMs: t - 1007 });
  });

  it("says what was not ready after how long when the timeout passes", async () => {
    const { port, requests } = await serveHttp((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const { target } = makeTarget(port);
    const timers = trackTimers();
    try {
      const result = await within(
        waitUntilReady(
          probe({ kind: "http", url: "http://127.0.0.1:$PORT/" }, 1000, 100),
          target,
          new AbortController().signal,
        ),
        5000,
        "waitUntilReady",
      );
      expect(result).toEqual({
        ready: false,
        reason: `not ready after 1s (http http://127.0.0.1:${port}/)`,
      });
      expect(requests()).toBeGreaterThanOrEqual(3);
      expect(timers.live()).toBe(0);
    } finally {
      timers.restore();
    }
  });

  it("passes a tcp probe at once when the port is open", async () => {
    const port = await listen(createTcpServer((socket) => socket.destroy()));
    const { target } = makeTarget(port);
    const result = await waitUntilReady(
      probe({ kind: "tcp", host: "127.0.0.1", port: "$PORT" }),
      target,
      new AbortController().signal,
    );
    expect(result.ready).toBe(true);
  });

  it("runs an exec probe with $PORT filled in, in the target's cwd and env", async () => {
    const dir = makeDir();
    const { target } = makeTarget(4321, { PROBE: "yes" });
    target.cwd = dir;
    const result = await waitUntilReady(
      probe({ kind: "exec", command: `[ $PORT = 4321 ] && [ "$PROBE" = yes ] && [ -d '${dir}' ]` }),
      target,
      new AbortController().signal,
    );
    expect(result.ready).toBe(true);
  });

  it("times out an exec probe that keeps failing", async () => {
    const { target } = makeTarget(4321);
    const result = await waitUntilReady(
      probe({ kind: "exec", command: "exit 3" }, 300),
      target,
      new AbortController().signal,
    );
    expect(result).toEqual({ ready: false, reason: "not ready after 0.3s (exec `exit 3`)" });
  });

  describe("log probes", () => {
    it("is ready when a matching line arrives, and unsubscribes", async () => {
      const { target, listeners, emit } = makeTarget();
      const timers = trackTimers();
      try {
        const result = waitUntilReady(
          probe({ kind: "log", pattern: "Listening on \\d+" }),
          target,
          new AbortController().signal,
        );
        expect(listeners.size).toBe(1);
        expect(timers.live()).toBe(1);
        emit("booting");
        emit("Listening on port");
        emit("Listening on 3000");
        const r = await within(result, 2000, "log probe");
        expect(r.ready).toBe(true);
        expect(listeners.size).toBe(0);
        expect(timers.live()).toBe(0);
      } finally {
        timers.restore();
      }
    });

    it("times out, unsubscribed, when no line matches", async () => {
      const { target, listeners, emit } = makeTarget();
      const timers = trackTimers();
      try {
        const result = waitUntilReady(
          probe({ kind: "log", pattern: "^up$" }, 200),
          target,
          new AbortController().signal,
        );
        emit("not up");
        emit("up!");
        expect(await within(result, 5000, "log probe")).toEqual({
          ready: false,
          reason: "not ready after 0.2s (a line matching /^up$/)",
        });
        expect(listeners.size).toBe(0);
        expect(timers.live()).toBe(0);
      } finally {
        timers.restore();
      }
    });

    it("stops promptly on abort, unsubscribed, with no timer or abort listener left", async () => {
      const { target, listeners } = makeTarget();
      const controller = new AbortController();
      let abortListeners = 0;
      const signal = controller.signal;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = ((...args: Parameters<typeof add>) => {
        abortListeners++;
        add(...args);
      }) as typeof add;
      signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
        abortListeners--;
        remove(...args);
      }) as typeof remove;
      const timers = trackTimers();
      try {
        const result = waitUntilReady(
          probe({ kind: "log", pattern: "up" }, 60_000),
          target,
          signal,
        );
        expect(listeners.size).toBe(1);
        expect(abortListeners).toBe(1);
        expect(timers.live()).toBe(1);
        controller.abort();
        expect(await within(result, 1000, "abort")).toEqual({ ready: false, reason: "stopped" });
        expect(listeners.size).toBe(0);
        expect(abortListeners).toBe(0);
        expect(timers.live()).toBe(0);
      } finally {
        timers.restore();
      }
    });
  });

  it("stops promptly on abort between two http attempts, with no timer left", async () => {
    const controller = new AbortController();
    const { port, requests } = await serveHttp((_req, res) => {
      res.writeHead(503);
      // Abort once the first answer is on its way: the probe is then between two attempts.
      res.end(() => controller.abort());
    });
    const { target } = makeTarget(port);
    const timers = trackTimers();
    try {
      const started = Date.now();
      const result = await within(
        waitUntilReady(
          probe({ kind: "http", url: "http://127.0.0.1:$PORT/" }, 60_000, 10_000),
          target,
          controller.signal,
        ),
        3000,
        "abort",
      );
      expect(result).toEqual({ ready: false, reason: "stopped" });
      expect(requests()).toBe(1);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(timers.live()).toBe(0);
    } finally {
      timers.restore();
    }
  });

  // Bug (src/supervisor/readiness.ts, waitUntilReady → tryOnce; src/supervisor/probes.ts,
  // tryExec): the abort signal is not passed to the attempt in flight. Stopping parity while an
  // exec probe runs leaves the probe's command running (it is detached in its own process group,
  // carries no PARITY_RUN marker and is not given to the watchdog) until the attempt's own
  // timeout, max(intervalMs, 1000) ms later; waitUntilReady resolves only then. bin/parity.js
  // calls process.exit() as soon as the run is done, so that timer never fires: the probe
  // command is orphaned.
  it("on abort, kills an exec probe still running and resolves at once", async () => {
    const file = makePidFile();
    const controller = new AbortController();
    const { target } = makeTarget();
    const result = waitUntilReady(
      probe({ kind: "exec", command: `echo $$ > '${file}'; exec sleep 30` }, 60_000, 5000),
      target,
      controller.signal,
    );
    const [pid] = await waitFor(() => readPids(file).length > 0 && readPids(file), 5000, "pid");
    controller.abort();
    expect(await within(result, 1000, "abort")).toEqual({ ready: false, reason: "stopped" });
    await waitFor(() => !isAlive(pid as number), 1000, "the probe command to be gone");
  });
});
