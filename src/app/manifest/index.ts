// The manifest's reader and resolver, loaded only when an app has a parity.yml (yaml and zod are heavy).
export { readManifest } from "./parse.js";
export { resolveManifest } from "./resolve.js";
