// Finds the programs a run needs on PATH before anything is written or started.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";

/** The programs `parity start --via runit` runs (cat and mkfifo relay the output). */
export const RUNIT_TOOLS = ["runsvdir", "runsv", "sv", "chpst", "cat", "mkfifo"];

/** Returns the commands of `names` that no directory of `path` (a PATH value) holds as an executable file. */
export function findMissingCommands(names: string[], path: string | undefined): string[] {
  const dirs = (path ?? "").split(":").filter((dir) => dir !== "");
  return names.filter((name) => !dirs.some((dir) => isExecutableFile(join(dir, name))));
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
