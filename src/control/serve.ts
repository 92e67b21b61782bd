// Serves a run's control socket, wired to its supervisor; closing never waits (parity is exiting).
import type { Console } from "../output/console.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import type { App } from "../types.js";
import type { LogBuffer } from "./log-buffer.js";
import { getSocketLocation } from "./paths.js";
import type { ControlServer } from "./server.js";

/** A control socket being opened or open; `close` removes it at once either way. */
export interface ControlHandle {
  close(): void;
}

/**
 * How long after the start the socket opens: nothing to control before the processes run, and a
 * run that is over sooner (a one-off command) spends no start-up time on it.
 */
export const CONTROL_OPEN_DELAY_MS = 100;

/** Opens the control socket of `app` in the background, shortly after the start. */
export function serveControl(
  app: App,
  supervisor: Supervisor,
  logs: LogBuffer,
  console: Pick<Console, "system">,
): ControlHandle {
  let closed = false;
  let server: ControlServer | undefined;
  const open = async () => {
    const { startControlServer } = await import("./server.js");
    const started = await startControlServer(getSocketLocation(app.root), {
      hello: () => ({ pid: process.pid, root: app.root, app: app.name }),
      ps: () => supervisor.list(),
      types: () => app.types.map((t) => t.name),
      restart: (names) => supervisor.restartInstances(names),
      stop: (names) => supervisor.stopInstances(names),
      start: (names) => supervisor.startInstances(names),
      scale: (type, count) => supervisor.scale(type, count),
      logs,
    }).catch((err: Error) => ({ error: err.message }));
    if ("error" in started) {
      if (!closed) {
        const why = started.error === "running" ? "another parity serves this app" : started.error;
        console.system(`no control socket: ${why}`);
      }
      return;
    }
    server = started;
    if (closed) server.close();
  };
  const timer = setTimeout(() => void open(), CONTROL_OPEN_DELAY_MS);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      server?.close();
    },
  };
}
