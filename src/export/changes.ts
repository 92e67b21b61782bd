// Compares a plan with what LOCATION holds: what an export would create, update or remove, and what it must not touch.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Problem, Result } from "../types.js";
import { compareDir, compareFile, compareRecord, findStale, refuse } from "./compare-path.js";
import { type Plan, toBytes } from "./plan.js";
import {
  type ExportRecord,
  parseRecord,
  RECORD_NAME,
  type RecordEntry,
  renderRecord,
  withEntry,
} from "./record.js";
import { checkRelativePath, getKind } from "./safe-path.js";

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
