// Where an app's files are: the manifest, the Procfile and the root (foreman's -f/-d rules).

import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Problem, Result } from "../types.js";
import { MANIFEST_NAME } from "./defaults.js";

/** The path options that decide where the files are, each relative to cwd. */
export interface PathOptions {
  procfile?: string | undefined;
  root?: string | undefined;
  manifest?: string | undefined;
}

/**
 * The manifest to read: --manifest (which must exist), else parity.yml in -d ROOT, else in the -f
 * Procfile's directory, else in cwd, when that file exists.
 */
export function findManifest(options: PathOptions, cwd: string): string | undefined {
  if (options.manifest !== undefined) return resolve(cwd, options.manifest);
  let dir = cwd;
  if (options.root) dir = resolve(cwd, options.root);
  else if (options.procfile) dir = dirname(resolve(cwd, options.procfile));
  const candidate = join(dir, MANIFEST_NAME);
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * The Procfile: -f (relative to cwd), else the manifest's `procfile` (relative to the manifest),
 * else Procfile in -d ROOT, else next to the manifest given with --manifest, else in cwd.
 */
export function pickProcfile(
  options: PathOptions,
  cwd: string,
  manifest: { file: string; procfile: string | undefined } | undefined,
): string {
  if (options.procfile) return resolve(cwd, options.procfile);
  if (manifest?.procfile !== undefined) return resolve(dirname(manifest.file), manifest.procfile);
  if (options.root) return join(resolve(cwd, options.root), "Procfile");
  if (manifest && options.manifest !== undefined) return join(dirname(manifest.file), "Procfile");
  return join(cwd, "Procfile");
}

/** The root given with -d must be a directory: commands run there. */
export function checkRoot(root: string): Result<string> {
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // missing: reported below
  }
  if (isDirectory) return { ok: true, value: root, warnings: [] };
  const problem: Problem = {
    severity: "error",
    message: `app root "${root}" is not a directory`,
    flag: "-d/--root",
    fix: "point -d/--root at the directory the commands should run in",
  };
  return { ok: false, problems: [problem] };
}
