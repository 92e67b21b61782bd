// Loads a dependency synchronously the first time it is needed, so start-up does not pay for it.
import { createRequire } from "node:module";

/** `require` for this package's dependencies (in the CLI bundle as in the library). */
export const lazyRequire = createRequire(import.meta.url);
