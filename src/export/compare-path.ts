// Compares one planned (or formerly written) path with what LOCATION holds: create, update, chmod, remove, or refuse.
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Problem } from "../types.js";
import type { Change } from "./changes.js";
import { type ExportRecord, findOwner, RECORD_MODE, RECORD_NAME } from "./record.js";
import { checkRelativePath, findUnsafeParent, getKind } from "./safe-path.js";

/** What compareDir/compareFile need to know. */
export interface Inspect {
  location: string;
  app: string;
  record: ExportRecord;
  ownFiles: Set<string>;
  problems: Problem[];
}
/** A problem about a path in LOCATION. */
export function refuse(location: string, path: string, message: string, fix?: string): Problem {
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

// A parent of `path` that is not a real directory (a symbolic link): refused, nothing written through it.
function refuseUnsafeParent(path: string, inspect: Inspect): boolean {
  const unsafe = findUnsafeParent(inspect.location, path);
  if (unsafe === undefined) return false;
  inspect.problems.push(
    refuse(
      inspect.location,
      unsafe,
      "is not a directory (a symbolic link?): the export does not write through it",
    ),
  );
  return true;
}

/** The change for a planned directory. */
export function compareDir(path: string, mode: number, inspect: Inspect): Change | undefined {
  const full = join(inspect.location, path);
  if (refuseUnsafeParent(path, inspect)) return undefined;
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
export function compareFile(
  path: string,
  mode: number,
  after: Buffer,
  inspect: Inspect,
): Change | undefined {
  const full = join(inspect.location, path);
  if (refuseUnsafeParent(path, inspect)) return undefined;
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
export function findStale(
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
export function compareRecord(location: string, next: string): Change {
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
