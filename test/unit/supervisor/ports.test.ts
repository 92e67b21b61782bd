import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findBusyPorts, isPortBusy } from "../../../src/supervisor/ports.js";
import type { Instance } from "../../../src/types.js";

const servers: Server[] = [];

/** Listens on a free port of `host` (all interfaces when undefined); returns the port. */
async function listen(host?: string): Promise<{ server: Server; port: number }> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: 0, host }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { server, port: address.port };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => (s.listening ? close(s) : undefined)));
});

describe("isPortBusy", () => {
  it("is true for a port listened on at 127.0.0.1, false after it is closed", async () => {
    const { server, port } = await listen("127.0.0.1");
    expect(await isPortBusy(port)).toBe(true);
    await close(server);
    expect(await isPortBusy(port)).toBe(false);
  });

  it("is true for a port listened on at all interfaces, false after it is closed", async () => {
    const { server, port } = await listen();
    expect(await isPortBusy(port)).toBe(true);
    await close(server);
    expect(await isPortBusy(port)).toBe(false);
  });

  it("leaves the port free after checking it", async () => {
    const { server, port } = await listen("127.0.0.1");
    await close(server);
    expect(await isPortBusy(port)).toBe(false);
    const again = createServer();
    servers.push(again);
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.listen({ port, host: "127.0.0.1" }, () => resolve());
    });
    expect(again.listening).toBe(true);
  });
});

describe("findBusyPorts", () => {
  const instance = (name: string, port: number): Instance => {
    const [type = name, n = "1"] = name.split(".");
    return { type, n: Number(n), name, port, command: "x" };
  };
  const instances = [instance("web.1", 5000), instance("web.2", 5001), instance("worker.1", 5100)];

  it("returns nothing when every port is free", async () => {
    expect(await findBusyPorts(instances, async () => false)).toEqual([]);
  });

  it("names the port, the instance, the flag and the fix for each busy port, in order", async () => {
    const isBusy = vi.fn(async (port: number) => port !== 5001);
    const problems = await findBusyPorts(instances, isBusy);
    expect(isBusy.mock.calls.map((c) => c[0])).toEqual([5000, 5001, 5100]);
    expect(problems).toEqual([
      {
        severity: "error",
        flag: "-p/--port",
        message: "port 5000 (PORT of web.1) is already in use",
        fix: "stop what is listening there, or choose another base port with -p/--port",
      },
      {
        severity: "error",
        flag: "-p/--port",
        message: "port 5100 (PORT of worker.1) is already in use",
        fix: "stop what is listening there, or choose another base port with -p/--port",
      },
    ]);
  });

  it("finds a port that is really in use with the default check", async () => {
    const { port } = await listen("127.0.0.1");
    const problems = await findBusyPorts([instance("web.1", port)]);
    expect(problems.map((p) => p.message)).toEqual([
      `port ${port} (PORT of web.1) is already in use`,
    ]);
  });
});
