// Compares a plan with what LOCATION holds: what an export would create, update or remove, and what it must not touch.
import { lstatSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Problem, Result } from "../types.js";
import { type Plan, toBytes } from "./plan.js";
import {
  type ExportRecord,
  findOwner,
  parseRecord,
  RECORD_NAME,
  type RecordEntry,
  renderRecord,
  withEntry,
} from "./record.js";
import { checkRelativePath, findUnsafeParent, getKind } from "./safe-path.js";

/** Which export a plan belongs to, and where it goes. */
export interface ExportTarget {
  /** Absolute LOCATION. */
  location: string;
  app: string;
  format: string;
}

/** What an export does to one path (relative to LOCATION). */
export interface Change {
  kind: "file" | "dir";
  path: string;
  action: "create" | "update" | "chmod" | "unchanged" | "remove";
  /** The planned mode (not for removals). */
  mode?: number;
  /** The mode on disk, when the path exists. */
  oldMode?: number;
  /** The bytes on disk (files that exist). */
  before?: Buffer;
  /** The planned bytes (files that are written). */
  after?: Buffer;
}

/** Everything an export would do to LOCATION. */
export interface PlanChanges {
  location: string;
  locationExists: boolean;
  /** Directories, then files, each sorted by path; then the record. */
  changes: Change[];
  /** The record with this app's entry holding what it wrote before and what it writes now (written first). */
  unionRecord: string;
  /** The record after the export. */
  nextRecord: string;
  /** The record as it was, and this app's entry after the export. */
  record: ExportRecord;
  entry: RecordEntry;
}

/** The record's mode: anyone may read which files an export wrote. */
export const RECORD_MODE = 0o644;

/**
 * Compare `plan` with LOCATION. Refuses (as problems) to touch a path that exists but was not
 * written by this app's export, or that lies behind a symbolic link; lists the files this app
 * wrote before and no longer writes as removals. Reads only.
 */
export function comparePlan(plan: Plan, target: ExportTarget): Result<PlanChanges> {
  const problems: Problem[] = [];
  const { location, app } = target;
  const locationExists = checkLocation(location, problems);
  const record: ExportRecord = locationExists ? readRecord(location, problems) : new Map();
  if (problems.length > 0) return { ok: false, problems };
  for (const { path } of [...plan.dirs, ...plan.files]) {
    const why = path === RECORD_NAME ? "it is the export record" : checkRelativePath(path);
    if (why) problems.push(refuse(location, path, `cannot be written by an export: ${why}`));
  }
  if (problems.length > 0) return { ok: false, problems };
  const own = record.get(app) ?? { format: target.format, files: [], dirs: [] };
  const inspect = { location, app, record, ownFiles: new Set(own.files), problems };
  const warnings: Problem[] = [];
  const changes: Change[] = [
    ...plan.dirs.map((dir) => compareDir(dir.path, dir.mode, inspect)),
    ...plan.files.map((file) => compareFile(file.path, file.mode, toBytes(file.contents), inspect)),
  ].filter((change): change is Change => change !== undefined);
  const plannedDirs = new Set(plan.dirs.map((d) => d.path));
  const plannedFiles = new Set(plan.files.map((f) => f.path));
  for (const path of own.dirs.filter((d) => !plannedDirs.has(d))) {
    const change = findStale("dir", path, location, problems, warnings);
    if (change) changes.push(change);
  }
  for (const path of own.files.filter((f) => !plannedFiles.has(f))) {
    const change = findStale("file", path, location, problems, warnings);
    if (change) changes.push(change);
  }
  if (problems.length > 0) return { ok: false, problems };
  const entry: RecordEntry = {
    format: target.format,
    files: [...plannedFiles],
    dirs: [...plannedDirs],
  };
  const union = {
    format: target.format,
    files: [...new Set([...own.files, ...plannedFiles])],
    dirs: [...new Set([...own.dirs, ...plannedDirs])],
  };
  const nextRecord = renderRecord(withEntry(record, app, entry));
  const unionRecord = renderRecord(withEntry(record, app, union));
  changes.push(compareRecord(location, nextRecord));
  return {
    ok: true,
    value: { location, locationExists, changes, unionRecord, nextRecord, record, entry },
    warnings,
  };
}

/** What compareDir/compareFile need to know. */
interface Inspect {
  location: string;
  app: string;
  record: ExportRecord;
  ownFiles: Set<string>;
  problems: Problem[];
}

/** True when LOCATION exists (a directory, or a link to one); a problem when it is something else. */
function checkLocation(location: string, problems: Problem[]): boolean {
  try {
    if (statSync(location).isDirectory()) return true;
    problems.push({
      severity: "error",
      message: `LOCATION "${location}" is not a directory`,
      flag: "LOCATION",
      fix: "give a directory (it is created when missing)",
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      problems.push({
        severity: "error",
        message: `cannot read LOCATION "${location}" (${(error as NodeJS.ErrnoException).code})`,
        flag: "LOCATION",
        fix: "check its permissions",
      });
    }
  }
  return false;
}

/** Read LOCATION's record; an empty one when there is none. */
function readRecord(location: string, problems: Problem[]): ExportRecord {
  const path = join(location, RECORD_NAME);
  const kind = getKind(path);
  if (kind === "missing") return new Map();
  const parsed = kind === "file" ? parseRecord(readFileSync(path, "utf8")) : `it is a ${kind}`;
  if (typeof parsed !== "string") return parsed;
  problems.push({
    severity: "error",
    message: `the export record cannot be read: ${parsed}`,
    file: path,
    fix: "restore it, or remove it (its files are then no longer pruned by later exports)",
  });
  return new Map();
}

/** A problem about a path in LOCATION. */
function refuse(location: string, path: string, message: string, fix?: string): Problem {
  return { severity: "error", message, file: join(location, path), ...(fix && { fix }) };
}

/** Refuse a path that exists but is not this app's: name the app whose export wrote it, if any. */
function refuseForeign(path: string, what: string, inspect: Inspect): Problem {
  const owner = findOwner(inspect.record, path, inspect.app);
  const by = owner ? `the export of "${owner}" wrote it` : "parity export did not write it";
  return refuse(
    inspect.location,
    path,
    `${what} exists and was not written by the export of "${inspect.app}" (${by})`,
    owner
      ? "export this app under another name with -a/--app, or to another LOCATION"
      : "remove it if it is an old export of this app (foreman's, for instance), or export under another name with -a/--app",
  );
}

/** The change for a planned directory. */
function compareDir(path: string, mode: number, inspect: Inspect): Change | undefined {
  const full = join(inspect.location, path);
  const unsafe = findUnsafeParent(inspect.location, path);
  if (unsafe !== undefined) {
    inspect.problems.push(
      refuse(
        inspect.location,
        unsafe,
        "is not a directory (a symbolic link?): the export does not write through it",
      ),
    );
    return undefined;
  }
  const kind = getKind(full);
  if (kind === "missing") return { kind: "dir", path, action: "create", mode };
  const owned = inspect.record.get(inspect.app)?.dirs.includes(path) === true;
  if (kind !== "dir") {
    inspect.problems.push(
      refuse(
        inspect.location,
        path,
        `is a ${kind} where the export needs a directory`,
        "remove or rename it",
      ),
    );
    return undefined;
  }
  if (!owned) {
    inspect.problems.push(refuseForeign(path, "the directory", inspect));
    return undefined;
  }
  const oldMode = lstatSync(full).mode & 0o7777;
  return { kind: "dir", path, action: oldMode === mode ? "unchanged" : "chmod", mode, oldMode };
}

/** The change for a planned file. */
function compareFile(
  path: string,
  mode: number,
  after: Buffer,
  inspect: Inspect,
): Change | undefined {
  const full = join(inspect.location, path);
  const unsafe = findUnsafeParent(inspect.location, path);
  if (unsafe !== undefined) {
    inspect.problems.push(
      refuse(
        inspect.location,
        unsafe,
        "is not a directory (a symbolic link?): the export does not write through it",
      ),
    );
    return undefined;
  }
  const kind = getKind(full);
  if (kind === "missing") return { kind: "file", path, action: "create", mode, after };
  const owned = inspect.ownFiles.has(path);
  if (!owned && kind !== "dir") {
    inspect.problems.push(refuseForeign(path, "the file", inspect));
    return undefined;
  }
  if (kind === "symlink") return { kind: "file", path, action: "update", mode, after };
  if (kind !== "file") {
    inspect.problems.push(
      refuse(
        inspect.location,
        path,
        `is a ${kind} where the export writes a file`,
        "remove or rename it",
      ),
    );
    return undefined;
  }
  const before = readFileSync(full);
  const oldMode = lstatSync(full).mode & 0o7777;
  const same = before.equals(after);
  const action = same ? (oldMode === mode ? "unchanged" : "chmod") : "update";
  return { kind: "file", path, action, mode, oldMode, before, after };
}

/**
 * The removal of a path this app wrote before and no longer writes; undefined when it is gone
 * already. A path behind a symbolic link, or of another kind now, is left alone (a warning).
 */
function findStale(
  kind: "file" | "dir",
  path: string,
  location: string,
  problems: Problem[],
  warnings: Problem[],
): Change | undefined {
  const why = checkRelativePath(path);
  if (why || path === RECORD_NAME) {
    problems.push(
      refuse(
        location,
        RECORD_NAME,
        `the export record lists "${path}", which is not a path inside LOCATION`,
        "restore the record, or remove it",
      ),
    );
    return undefined;
  }
  const unsafe = findUnsafeParent(location, path);
  const found = unsafe === undefined ? getKind(join(location, path)) : "behind a link";
  if (found === "missing") return undefined;
  const fits = kind === "dir" ? found === "dir" : found === "file" || found === "symlink";
  if (!fits) {
    warnings.push({
      severity: "warning",
      message: `left in place: the export wrote a ${kind} here before, but it is now ${found === "behind a link" ? "behind a symbolic link" : `a ${found}`}`,
      file: join(location, path),
    });
    return undefined;
  }
  if (kind === "dir") return { kind, path, action: "remove" };
  const full = join(location, path);
  const before = found === "file" ? readFileSync(full) : undefined;
  const oldMode = lstatSync(full).mode & 0o7777;
  return { kind, path, action: "remove", oldMode, ...(before && { before }) };
}

/** The change to the record file. */
function compareRecord(location: string, next: string): Change {
  const after = Buffer.from(next, "utf8");
  const full = join(location, RECORD_NAME);
  const base = { kind: "file" as const, path: RECORD_NAME, mode: RECORD_MODE, after };
  if (getKind(full) === "missing") return { ...base, action: "create" };
  const before = readFileSync(full);
  const oldMode = lstatSync(full).mode & 0o7777;
  const action = before.equals(after)
    ? oldMode === RECORD_MODE
      ? "unchanged"
      : "chmod"
    : "update";
  return { ...base, action, before, oldMode };
}
