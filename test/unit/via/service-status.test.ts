// runsv's supervise files read into states, and each change reported once; PATH lookups of runit's programs.
import { chmodSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readServiceState, watchServices } from "../../../src/via/service-status.js";
import { findMissingCommands } from "../../../src/via/tools.js";
import { makeTempDir } from "../app/temp-dir.js";

describe("runsv's supervise files", () => {
  it("reads pid and stat; no stat yet means no state; an empty pid is 0", () => {
    const files = new Map<string, string>();
    const read = (path: string) => files.get(path);
    expect(readServiceState("/s/a", read)).toBeUndefined();
    files.set("/s/a/supervise/stat", "run\n");
    files.set("/s/a/supervise/pid", "1234\n");
    expect(readServiceState("/s/a", read)).toEqual({ pid: 1234, stat: "run" });
    files.set("/s/a/supervise/stat", "down\n");
    files.set("/s/a/supervise/pid", "");
    expect(readServiceState("/s/a", read)).toEqual({ pid: 0, stat: "down" });
  });

  it("reports each change once, on every poll and on the last read when stopped", () => {
    const files = new Map<string, string>();
    let tick: (() => void) | undefined;
    const changes: string[] = [];
    const watch = watchServices(
      [{ dir: "/s/a" }, { dir: "/s/b" }],
      (service, state, before) =>
        changes.push(`${service.dir} ${before?.pid ?? "-"}→${state.pid} ${state.stat}`),
      {
        readText: (path) => files.get(path),
        timers: {
          setTimeout: (fn) => {
            tick = fn;
            return 1;
          },
          clearTimeout: () => {
            tick = undefined;
          },
        },
      },
    );
    expect(changes).toEqual([]);
    files.set("/s/a/supervise/stat", "run");
    files.set("/s/a/supervise/pid", "10");
    tick?.();
    tick?.();
    expect(changes).toEqual(["/s/a -→10 run"]);
    files.set("/s/a/supervise/pid", "11");
    files.set("/s/b/supervise/stat", "down");
    tick?.();
    expect(changes).toEqual(["/s/a -→10 run", "/s/a 10→11 run", "/s/b -→0 down"]);
    files.set("/s/a/supervise/stat", "down");
    files.set("/s/a/supervise/pid", "");
    watch.stop();
    expect(tick).toBeUndefined();
    expect(changes.at(-1)).toBe("/s/a 11→0 down");
  });
});

describe("findMissingCommands", () => {
  it("names the programs no PATH directory holds as an executable file", () => {
    const dir = makeTempDir();
    try {
      chmodSync(dir.write("bin/runsvdir", "#!/bin/sh\n"), 0o755);
      dir.write("bin/sv", "not executable");
      dir.write("bin/chpst/placeholder", "a directory named chpst");
      expect(
        findMissingCommands(["runsvdir", "sv", "chpst", "runsv"], `/nonexistent::${dir.path}/bin`),
      ).toEqual(["sv", "chpst", "runsv"]);
      expect(findMissingCommands(["runsvdir"], undefined)).toEqual(["runsvdir"]);
    } finally {
      dir.remove();
    }
  });
});
