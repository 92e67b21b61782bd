// Temporary app directories for tests: create files, remove everything afterwards.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temporary directory with a helper to write files into it. */
export interface TempDir {
  path: string;
  /** Write a file (creating folders) and return its absolute path. */
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

/** Create a fresh temporary directory under the OS temp folder. */
export function makeTempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), "parity-app-"));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
