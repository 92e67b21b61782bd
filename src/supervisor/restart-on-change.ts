// Restarts the process types whose watched files change (chokidar is loaded only when needed).
import type { Console } from "../output/console.js";
import type { App } from "../types.js";
import type { Supervisor } from "./supervisor.js";
import type { Watcher } from "./watch.js";

/** Starts watching the app's globs when `enabled`; resolves with the watcher to close on stop. */
export async function restartOnChange(
  app: App,
  enabled: boolean,
  supervisor: Supervisor,
  console: Pick<Console, "system">,
): Promise<Watcher | undefined> {
  const globs = new Map(
    [...app.settings]
      .filter(([type, s]) => s.watch.length > 0 && app.instances.some((i) => i.type === type))
      .map(([type, s]) => [type, s.watch]),
  );
  if (!enabled || globs.size === 0) return undefined;
  const { watchTypes } = await import("./watch.js");
  return watchTypes(
    app.root,
    globs,
    (types, paths) => {
      if (supervisor.stopping) return;
      const shown =
        paths.length > 3
          ? `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`
          : paths.join(", ");
      console.system(`${shown} changed: restarting ${types.join(", ")}`);
      void supervisor.restartTypes(types);
    },
    undefined,
    (err) => console.system(`watch: ${err.message}`),
  );
}
