// Writes a plan to LOCATION: atomic files with their final modes, this app's stale files pruned, the record kept.
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Problem, Result } from "../types.js";
import { type Change, comparePlan, type ExportTarget, type PlanChanges } from "./changes.js";
import type { Plan } from "./plan.js";
import { RECORD_MODE, RECORD_NAME, renderRecord, withEntry } from "./record.js";
import { findUnsafeParent } from "./safe-path.js";

/** The mode of LOCATION when the export creates it. */
const LOCATION_MODE = 0o755;

/**
 * Write `plan` to LOCATION for `target.app`: every file through a temporary file renamed into
 * place, created with its final mode whatever the umask; then remove the files (and emptied
 * directories) this app's previous export wrote and this one does not. Refuses, writing
 * nothing, when a path exists that this app's export did not write or lies behind a symbolic
 * link. The record lists the union of old and new files while the export runs, so an
 * interrupted export can still be pruned by the next one.
 */
export function writePlan(plan: Plan, target: ExportTarget): Result<PlanChanges> {
  const compared = comparePlan(plan, target);
  if (!compared.ok) return compared;
  const { location, changes, unionRecord, nextRecord } = compared.value;
  const warnings: Problem[] = [...compared.warnings];
  makeLocation(location);
  const record = changes.find((c) => c.path === RECORD_NAME && c.kind === "file");
  if (record?.before === undefined || !record.before.equals(Buffer.from(unionRecord))) {
    writeAtomically(location, RECORD_NAME, Buffer.from(unionRecord), RECORD_MODE);
  }
  for (const change of changes) {
    if (change.path === RECORD_NAME || change.action === "remove") continue;
    applyChange(location, change);
  }
  for (const change of changes.filter((c) => c.action === "remove" && c.kind === "file")) {
    if (findUnsafeParent(location, change.path) === undefined)
      unlinkSync(join(location, change.path));
  }
  const staleDirs = changes.filter((c) => c.action === "remove" && c.kind === "dir");
  const kept = new Set<Change>();
  // Deepest first, so a parent is empty once its children are gone.
  for (const change of staleDirs.sort((a, b) => b.path.length - a.path.length)) {
    if (!removeEmptyDir(location, change.path)) {
      kept.add(change);
      warnings.push({
        severity: "warning",
        message:
          "left in place: the export created this directory before, but it holds files it did not write (runsv's supervise/, for instance)",
        file: join(location, change.path),
        fix: "stop the service (sv down) and remove the directory",
      });
    }
  }
  // A directory left in place stays this app's: a later export may use it again.
  const keptDirs = [...kept].map((change) => change.path);
  const entry = { ...compared.value.entry, dirs: [...compared.value.entry.dirs, ...keptDirs] };
  const finalRecord =
    keptDirs.length === 0
      ? nextRecord
      : renderRecord(withEntry(compared.value.record, target.app, entry));
  writeAtomically(location, RECORD_NAME, Buffer.from(finalRecord), RECORD_MODE);
  const done = changes.filter((change) => !kept.has(change));
  return { ok: true, value: { ...compared.value, changes: done }, warnings };
}

/**
 * Create LOCATION and its missing parents (mode 0755). One level at a time: Node's recursive
 * mkdir never returns for a path under /proc.
 */
function makeLocation(location: string): void {
  const missing: string[] = [];
  for (let dir = location; !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    mkdirSync(dir, { mode: LOCATION_MODE });
    chmodPath(dir, LOCATION_MODE);
  }
}

/** Create, update or chmod one directory or file. */
function applyChange(location: string, change: Change): void {
  const full = join(location, change.path);
  const mode = change.mode ?? 0o644;
  if (findUnsafeParent(location, change.path) !== undefined) {
    throw new Error(`${full}: a parent became a symbolic link while exporting`);
  }
  if (change.kind === "dir") {
    if (change.action === "create") mkdirSync(full, { mode });
    if (change.action === "create" || change.action === "chmod") chmodPath(full, mode);
    return;
  }
  if (change.action === "create" || change.action === "update") {
    writeAtomically(location, change.path, change.after ?? Buffer.alloc(0), mode);
  } else if (change.action === "chmod") {
    chmodPath(full, mode);
  }
}

/** Set a path's mode exactly (mkdir and open are subject to the umask). */
function chmodPath(path: string, mode: number): void {
  const fd = openSync(path, "r");
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

let counter = 0;

/**
 * Write `bytes` to LOCATION/path atomically: a new temporary file in the same directory,
 * created exclusively with `mode` (then fchmod, whatever the umask), synced, renamed over the
 * old file. Readers see the old file or the new one, never a part; the mode is never wider.
 */
export function writeAtomically(location: string, path: string, bytes: Buffer, mode: number): void {
  const full = join(location, path);
  const temp = join(dirname(full), `.${basename(full)}.parity-${process.pid}-${counter++}`);
  const fd = openSync(temp, "wx", mode);
  try {
    fchmodSync(fd, mode);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, full);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

/** Remove a directory when it is empty; false when it holds something. */
function removeEmptyDir(location: string, path: string): boolean {
  if (findUnsafeParent(location, path) !== undefined) return false;
  try {
    rmdirSync(join(location, path));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return true;
    if (code === "ENOTEMPTY" || code === "EEXIST") return false;
    throw error;
  }
}
