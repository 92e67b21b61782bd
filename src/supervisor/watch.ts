// Watches the files of each process type's globs (chokidar) and reports changes, debounced.
import { relative, resolve, sep } from "node:path";
import { watch } from "chokidar";
import picomatch from "picomatch";
import { DEFAULT_WATCH_DEBOUNCE_MS } from "../app/defaults.js";

/** A running watcher. */
export interface Watcher {
  /** Resolves once the initial scan is done (changes after it are reported). */
  readonly ready: Promise<void>;
  /** Stops watching; no change is reported after it. */
  close(): Promise<void>;
}

// .git, node_modules and parity's own .parity (the control socket) are never watched.
const IGNORED = /(^|[\\/])(\.git|node_modules|\.parity)([\\/]|$)/;

/** Returns the directory part of a glob before its first wildcard (what must be watched). */
export function getGlobBase(glob: string): string {
  const base = picomatch.scan(glob).base;
  return base === "" ? "." : base;
}

/**
 * Watches `globs` (per process type, relative to `root`) and calls `onChange` with the types
 * whose files changed and the changed paths (relative), once changes pause for `debounceMs`.
 */
export function watchTypes(
  root: string,
  globs: Map<string, string[]>,
  onChange: (types: string[], paths: string[]) => void,
  debounceMs = DEFAULT_WATCH_DEBOUNCE_MS,
  onError: (err: Error) => void = () => {},
): Watcher {
  const matchers = [...globs].map(([type, patterns]) => ({
    type,
    match: picomatch(patterns, { dot: true }),
  }));
  const bases = [...new Set([...globs.values()].flat().map((g) => resolve(root, getGlobBase(g))))];
  const watcher = watch(bases, {
    ignoreInitial: true,
    ignored: (path: string) => IGNORED.test(path),
  });
  const changedTypes = new Set<string>();
  const changedPaths = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    if (closed || changedTypes.size === 0) return;
    const types = [...changedTypes];
    const paths = [...changedPaths];
    changedTypes.clear();
    changedPaths.clear();
    onChange(types, paths);
  };
  watcher.on("all", (_event: string, path: string) => {
    const rel = relative(root, path).split(sep).join("/");
    let hit = false;
    for (const m of matchers) {
      if (m.match(rel)) {
        changedTypes.add(m.type);
        hit = true;
      }
    }
    if (!hit) return;
    changedPaths.add(rel);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  // an unreadable or looping path is reported, never fatal
  watcher.on("error", (err: unknown) => onError(err as Error));
  const ready = new Promise<void>((res) => watcher.once("ready", () => res()));
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
