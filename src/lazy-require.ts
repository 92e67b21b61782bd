// Loads a dependency synchronously the first time it is needed, so start-up does not pay for it.

let requireHere: NodeJS.Require | undefined;

/** `require` for this package's dependencies (in the CLI bundle as in the library). */
export function lazyRequire(id: string): unknown {
  // made on first use: in the bundle, import.meta.url costs a URL parse (≈ 0.2 ms of start-up),
  // and node:module itself ≈ 0.2 ms to load
  requireHere ??= process.getBuiltinModule("node:module").createRequire(import.meta.url);
  return requireHere(id);
}
