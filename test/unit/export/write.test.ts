// Writing a plan: atomic files with their final modes, nothing outside LOCATION, pruning only this app's own files.
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../../src/app/format-problem.js";
import { comparePlan } from "../../../src/export/changes.js";
import { makePlan, type Plan, type PlanFile } from "../../../src/export/plan.js";
import { parseRecord, RECORD_NAME } from "../../../src/export/record.js";
import { writeAtomically, writePlan } from "../../../src/export/write.js";
import { makeTempDir, type TempDir } from "../app/temp-dir.js";

const dirs: TempDir[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function tempDir(): TempDir {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

const unit = (path: string, contents = `[Unit]\nDescription=${path}\n`): PlanFile => ({
  path,
  mode: 0o644,
  contents,
});

/** Write a plan for `app`; throw with the problems when refused. */
function write(plan: Plan, location: string, app = "shop", format = "systemd") {
  const result = writePlan(plan, { location, app, format });
  if (!result.ok) throw new Error(result.problems.map((p) => formatProblem(p)).join("\n"));
  return result;
}

/** The problems of a refused write, formatted. */
function refusal(plan: Plan, location: string, app = "shop"): string[] {
  const result = writePlan(plan, { location, app, format: "systemd" });
  if (result.ok) throw new Error("the write was not refused");
  return result.problems.map((p) => formatProblem(p, location));
}

const modeOf = (path: string) => lstatSync(path).mode & 0o7777;

/** Every path under `dir`, relative, sorted. */
function listTree(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? [`${prefix}${e.name}/`, ...listTree(join(dir, e.name), `${prefix}${e.name}/`)]
        : [`${prefix}${e.name}`],
    )
    .sort();
}

describe("writePlan: modes and atomicity", () => {
  it.each([0o022, 0o077, 0o000])(
    "creates files and directories with exactly their modes under umask %o",
    (umask) => {
      const location = join(tempDir().path, "out");
      const previous = process.umask(umask);
      try {
        const plan = makePlan(
          [
            unit("a.service"),
            { path: "a.env", mode: 0o600, contents: "SECRET=1\n" },
            { path: "svc/run", mode: 0o755, contents: "#!/bin/sh\n" },
            { path: "svc/env/KEY", mode: 0o600, contents: "v\n" },
          ],
          [
            { path: "svc", mode: 0o755 },
            { path: "svc/env", mode: 0o700 },
          ],
        );
        write(plan, location);
      } finally {
        process.umask(previous);
      }
      expect(modeOf(join(location, "a.service"))).toBe(0o644);
      expect(modeOf(join(location, "a.env"))).toBe(0o600);
      expect(modeOf(join(location, "svc"))).toBe(0o755);
      expect(modeOf(join(location, "svc/run"))).toBe(0o755);
      expect(modeOf(join(location, "svc/env"))).toBe(0o700);
      expect(modeOf(join(location, "svc/env/KEY"))).toBe(0o600);
      expect(modeOf(join(location, RECORD_NAME))).toBe(0o644);
      expect(modeOf(location)).toBe(0o755);
    },
  );

  it("replaces a file by renaming a new one over it: a reader holding the old file never sees a part", () => {
    const location = tempDir().path;
    writeFileSync(join(location, "f"), "old contents\n");
    const fd = openSync(join(location, "f"), "r");
    try {
      writeAtomically(location, "f", Buffer.from("new contents\n"), 0o600);
      const buffer = Buffer.alloc(64);
      const read = readSync(fd, buffer, 0, 64, 0);
      expect(buffer.subarray(0, read).toString()).toBe("old contents\n");
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(join(location, "f"), "utf8")).toBe("new contents\n");
    expect(modeOf(join(location, "f"))).toBe(0o600);
    expect(readdirSync(location)).toEqual(["f"]);
  });

  it("a second export of the same plan changes nothing (files keep their times)", () => {
    const location = tempDir().path;
    const plan = makePlan([unit("a.service"), { path: "a.env", mode: 0o600, contents: "A=1\n" }]);
    write(plan, location);
    const before = statSync(join(location, "a.service")).mtimeMs;
    const again = write(plan, location);
    expect(again.value.changes.map((c) => c.action)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(statSync(join(location, "a.service")).mtimeMs).toBe(before);
  });

  it("restores a mode that drifted (an env file made readable by others)", () => {
    const location = tempDir().path;
    const plan = makePlan([{ path: "a.env", mode: 0o600, contents: "A=1\n" }]);
    write(plan, location);
    chmodSync(join(location, "a.env"), 0o644);
    const again = write(plan, location);
    expect(again.value.changes.find((c) => c.path === "a.env")?.action).toBe("chmod");
    expect(modeOf(join(location, "a.env"))).toBe(0o600);
  });
});

describe("writePlan: nothing outside LOCATION", () => {
  it.each(["../escape", "/etc/passwd", "a/../../b", "a//b", "./a", "", RECORD_NAME, "a\nb"])(
    "refuses the plan path %j and writes nothing",
    (path) => {
      const location = join(tempDir().path, "out");
      const problems = refusal(makePlan([unit("ok.service"), unit(path)]), location);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/cannot be written by an export/);
      expect(existsSync(location)).toBe(false);
    },
  );

  it("does not write through a symbolic link inside LOCATION", () => {
    const root = tempDir().path;
    const location = join(root, "out");
    const outside = join(root, "outside");
    mkdirSync(location);
    mkdirSync(outside);
    symlinkSync(outside, join(location, "svc"));
    const plan = makePlan(
      [{ path: "svc/run", mode: 0o755, contents: "#!/bin/sh\n" }],
      [{ path: "svc", mode: 0o755 }],
    );
    expect(refusal(plan, location)).toEqual([
      `error: svc: is a symlink where the export needs a directory. Fix: remove or rename it.`,
      `error: svc: is not a directory (a symbolic link?): the export does not write through it.`,
    ]);
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(location)).toEqual(["svc"]);
  });

  it("never removes a stale file through a directory that became a symbolic link", () => {
    const root = tempDir().path;
    const location = join(root, "out");
    const outside = join(root, "outside");
    mkdirSync(outside);
    write(
      makePlan([{ path: "svc/run", mode: 0o755, contents: "x" }], [{ path: "svc", mode: 0o755 }]),
      location,
    );
    // Someone replaces our directory with a link to a directory holding a file of the same name.
    writeFileSync(join(outside, "run"), "not yours");
    rmSync(join(location, "svc"), { recursive: true });
    symlinkSync(outside, join(location, "svc"));
    const result = write(makePlan([unit("other.service")]), location);
    expect(readFileSync(join(outside, "run"), "utf8")).toBe("not yours");
    expect(result.warnings.map((p) => formatProblem(p, location))).toEqual([
      "warning: svc: left in place: the export wrote a dir here before, but it is now a symlink.",
      "warning: svc/run: left in place: the export wrote a file here before, but it is now behind a symbolic link.",
    ]);
  });
});

describe("writePlan: prunes only its own files", () => {
  it("scaling web=2 to web=1 removes shop-web.2.service; another app's and unrecorded files stay", () => {
    const location = tempDir().path;
    write(
      makePlan([unit("shop-web.1.service"), unit("shop-web.2.service"), unit("shop.target")]),
      location,
    );
    write(
      makePlan([unit("shop-admin-web.1.service"), unit("shop-admin.target")]),
      location,
      "shop-admin",
    );
    writeFileSync(join(location, "shop-legacy.service"), "[Unit]\n");
    writeFileSync(join(location, "shop-web.3.service"), "[Unit]\n");
    const result = write(makePlan([unit("shop-web.1.service"), unit("shop.target")]), location);
    expect(result.value.changes.filter((c) => c.action === "remove").map((c) => c.path)).toEqual([
      "shop-web.2.service",
    ]);
    expect(listTree(location)).toEqual([
      RECORD_NAME,
      "shop-admin-web.1.service",
      "shop-admin.target",
      "shop-legacy.service",
      "shop-web.1.service",
      "shop-web.3.service",
      "shop.target",
    ]);
    const record = parseRecord(readFileSync(join(location, RECORD_NAME), "utf8"));
    if (typeof record === "string") throw new Error(record);
    expect(record.get("shop")?.files).toEqual(["shop-web.1.service", "shop.target"]);
    expect(record.get("shop-admin")?.files).toEqual([
      "shop-admin-web.1.service",
      "shop-admin.target",
    ]);
  });

  it("refuses to overwrite a file it did not write, naming the app whose export did", () => {
    const location = tempDir().path;
    writeFileSync(join(location, "shop-web.1.service"), "[Unit]\n# foreman's\n");
    expect(refusal(makePlan([unit("shop.target"), unit("shop-web.1.service")]), location)).toEqual([
      'error: shop-web.1.service: the file exists and was not written by the export of "shop" (parity export did not write it). Fix: remove it if it is an old export of this app (foreman\'s, for instance), or export under another name with -a/--app.',
    ]);
    expect(existsSync(join(location, "shop.target"))).toBe(false);
    expect(readFileSync(join(location, "shop-web.1.service"), "utf8")).toContain("foreman's");
    write(makePlan([unit("a-b-c.1.service")]), location, "a-b");
    expect(refusal(makePlan([unit("a-b-c.1.service")]), location, "a")).toEqual([
      'error: a-b-c.1.service: the file exists and was not written by the export of "a" (the export of "a-b" wrote it). Fix: export this app under another name with -a/--app, or to another LOCATION.',
    ]);
  });

  it("removes the directories it created once emptied, and keeps (still owning) one that holds files it did not write", () => {
    const location = tempDir().path;
    const service = (name: string) =>
      makePlan(
        [
          { path: `${name}/run`, mode: 0o755, contents: "#!/bin/sh\n" },
          { path: `${name}/env/K`, mode: 0o600, contents: "v\n" },
        ],
        [
          { path: name, mode: 0o755 },
          { path: `${name}/env`, mode: 0o700 },
        ],
      );
    const both = makePlan(
      [...service("shop-web.1").files, ...service("shop-web.2").files],
      [...service("shop-web.1").dirs, ...service("shop-web.2").dirs],
    );
    write(both, location, "shop", "runit");
    // runsv made web.2's supervise/ directory.
    mkdirSync(join(location, "shop-web.2", "supervise"));
    const result = write(service("shop-web.1"), location, "shop", "runit");
    expect(listTree(location)).toEqual([
      RECORD_NAME,
      "shop-web.1/",
      "shop-web.1/env/",
      "shop-web.1/env/K",
      "shop-web.1/run",
      "shop-web.2/",
      "shop-web.2/supervise/",
    ]);
    expect(result.warnings.map((p) => formatProblem(p, location))).toEqual([
      "warning: shop-web.2: left in place: the export created this directory before, but it holds files it did not write (runsv's supervise/, for instance). Fix: stop the service (sv down) and remove the directory.",
    ]);
    // Scaling back up uses the directory again: it is still this app's.
    write(both, location, "shop", "runit");
    expect(existsSync(join(location, "shop-web.2", "run"))).toBe(true);
  });

  it("refuses a record it cannot read, writing nothing", () => {
    const location = tempDir().path;
    writeFileSync(join(location, RECORD_NAME), "{ not json");
    expect(refusal(makePlan([unit("shop.target")]), location)).toEqual([
      `error: ${RECORD_NAME}: the export record cannot be read: it is not JSON. Fix: restore it, or remove it (its files are then no longer pruned by later exports).`,
    ]);
    expect(existsSync(join(location, "shop.target"))).toBe(false);
  });

  it("refuses a record that lists a path outside LOCATION", () => {
    const location = tempDir().path;
    const record = {
      version: 1,
      apps: { shop: { format: "systemd", files: ["../../etc/passwd"], dirs: [] } },
    };
    writeFileSync(join(location, RECORD_NAME), JSON.stringify(record));
    expect(refusal(makePlan([unit("shop.target")]), location)).toEqual([
      `error: ${RECORD_NAME}: the export record lists "../../etc/passwd", which is not a path inside LOCATION. Fix: restore the record, or remove it.`,
    ]);
  });

  it("keeps the record deterministic: apps and paths sorted, the same bytes whatever the order of exports", () => {
    const first = tempDir().path;
    const second = tempDir().path;
    write(makePlan([unit("b.target")]), first, "b");
    write(makePlan([unit("a.target")]), first, "a");
    write(makePlan([unit("a.target")]), second, "a");
    write(makePlan([unit("b.target")]), second, "b");
    expect(readFileSync(join(first, RECORD_NAME), "utf8")).toBe(
      readFileSync(join(second, RECORD_NAME), "utf8"),
    );
  });
});

describe("comparePlan: reads only", () => {
  it("lists what an export would do without touching LOCATION", () => {
    const location = tempDir().path;
    write(makePlan([unit("shop-web.1.service"), unit("shop-web.2.service")]), location);
    const before = listTree(location).map((p) => [
      p,
      existsSync(join(location, p)) && statSync(join(location, p)).mtimeMs,
    ]);
    const compared = comparePlan(
      makePlan([unit("shop-web.1.service", "[Unit]\nchanged\n"), unit("shop.target")]),
      {
        location,
        app: "shop",
        format: "systemd",
      },
    );
    if (!compared.ok) throw new Error("refused");
    expect(compared.value.changes.map((c) => `${c.action} ${c.path}`)).toEqual([
      "update shop-web.1.service",
      "create shop.target",
      "remove shop-web.2.service",
      `update ${RECORD_NAME}`,
    ]);
    const after = listTree(location).map((p) => [
      p,
      existsSync(join(location, p)) && statSync(join(location, p)).mtimeMs,
    ]);
    expect(after).toEqual(before);
  });
});
