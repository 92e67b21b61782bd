// Finds the instances whose PORT is already taken on this machine, before anything is spawned.
import { createServer } from "node:net";
import type { Instance, Problem } from "../types.js";

/** Returns true when nothing can listen on `port` (something else already does). */
export function isPortBusy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE"));
    // close() has released the port when it returns (only its callback waits for the next turn
    // of the event loop), so the answer does not wait for the callback.
    server.listen({ port, exclusive: true }, () => {
      server.close();
      resolve(false);
    });
  });
}

/** Returns one problem per instance whose port is in use. */
export async function findBusyPorts(
  instances: Instance[],
  isBusy: (port: number) => Promise<boolean> = isPortBusy,
): Promise<Problem[]> {
  const busy = await Promise.all(instances.map((i) => isBusy(i.port)));
  return instances
    .filter((_, k) => busy[k])
    .map((i) => ({
      severity: "error" as const,
      flag: "-p/--port",
      message: `port ${i.port} (PORT of ${i.name}) is already in use`,
      fix: "stop what is listening there, or choose another base port with -p/--port",
    }));
}
