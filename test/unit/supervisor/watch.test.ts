import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getGlobBase, type Watcher, watchTypes } from "../../../src/supervisor/watch.js";
import { waitFor } from "../../support/processes.js";

let dir: string | undefined;
let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), "parity-watch-"));
  dir = root;
  for (const d of ["src/lib", "other", "src/node_modules/x", ".git", ".parity"])
    mkdirSync(join(root, d), { recursive: true });
  for (const f of [
    "src/a.ts",
    "src/lib/b.ts",
    "src/readme.md",
    "other/c.txt",
    "src/node_modules/x/i.ts",
    ".git/HEAD",
  ]) {
    writeFileSync(join(root, f), "0");
  }
  return root;
}

describe("getGlobBase", () => {
  it.each([
    ["src/**/*.ts", "src"],
    ["src/lib/*.js", "src/lib"],
    ["*.json", "."],
    ["config/app.yml", "config/app.yml"],
  ])("%s → %s", (glob, base) => {
    expect(getGlobBase(glob)).toBe(base);
  });
});

describe("watchTypes", () => {
  it("reports the types whose globs match a changed file, once per burst, and stops after close", async () => {
    const root = makeTree();
    const calls: [string[], string[]][] = [];
    watcher = watchTypes(
      root,
      new Map([
        ["web", ["src/**/*.ts"]],
        ["worker", ["other/*.txt"]],
        ["both", ["src/lib/*.ts", "other/*.txt"]],
      ]),
      (types, paths) => calls.push([types.sort(), paths.sort()]),
      50,
    );
    await watcher.ready;
    writeFileSync(join(root, "src/lib/b.ts"), "1");
    writeFileSync(join(root, "src/lib/b.ts"), "2");
    writeFileSync(join(root, "src/a.ts"), "3");
    await waitFor(() => calls.length > 0, 5000, "a change report");
    expect(calls).toEqual([
      [
        ["both", "web"],
        ["src/a.ts", "src/lib/b.ts"],
      ],
    ]);

    writeFileSync(join(root, "src/readme.md"), "not watched");
    writeFileSync(join(root, "src/node_modules/x/i.ts"), "ignored");
    writeFileSync(join(root, ".git/HEAD"), "ignored");
    writeFileSync(join(root, ".parity/parity.sock.ts"), "ignored: parity's own directory");
    writeFileSync(join(root, "other/c.txt"), "4");
    await waitFor(() => calls.length > 1, 5000, "a second report");
    expect(calls[1]).toEqual([["both", "worker"], ["other/c.txt"]]);

    await watcher.close();
    writeFileSync(join(root, "other/c.txt"), "5");
    const later = calls.length;
    // a change after close must not be reported: give the watcher time it would need (debounce)
    await new Promise((r) => setTimeout(r, 300));
    expect(calls.length).toBe(later);
  });
});

describe("watchTypes ignores parity's own directory", () => {
  it("a glob over the whole root does not see .parity (the control socket) or .git", async () => {
    const root = makeTree();
    const calls: string[][] = [];
    watcher = watchTypes(
      root,
      new Map([["all", ["**/*.ts"]]]),
      (_types, paths) => calls.push(paths.sort()),
      50,
    );
    await watcher.ready;
    writeFileSync(join(root, ".parity/state.ts"), "1");
    writeFileSync(join(root, ".git/hook.ts"), "1");
    writeFileSync(join(root, "src/a.ts"), "changed");
    await waitFor(() => calls.length > 0, 5000, "a change report");
    expect(calls).toEqual([["src/a.ts"]]);
  });
});
