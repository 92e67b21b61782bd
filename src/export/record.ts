// LOCATION/.parity-export.json: which files and directories each app's export wrote there, so a re-export prunes only its own.
import { comparePaths } from "./plan.js";

/** The record's file name in LOCATION. */
export const RECORD_NAME = ".parity-export.json";

/** The record's mode: anyone may read which files an export wrote. */
export const RECORD_MODE = 0o644;

/** What one app's export wrote. */
export interface RecordEntry {
  format: string;
  /** Directories it created, relative to LOCATION. */
  dirs: string[];
  /** Files it wrote, relative to LOCATION. */
  files: string[];
}

/** Every app exported to one LOCATION. */
export type ExportRecord = Map<string, RecordEntry>;

const ABOUT =
  "Written by parity export: the files each app's export wrote here. A later export removes only the files it wrote before and no longer writes.";

/** Parse the record's text; a string describing what is wrong when it is not a record. */
export function parseRecord(text: string): ExportRecord | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return "it is not JSON";
  }
  if (!isObject(data) || data.version !== 1 || !isObject(data.apps)) {
    return 'it has no "version": 1 and "apps" map';
  }
  const record: ExportRecord = new Map();
  for (const [app, entry] of Object.entries(data.apps)) {
    if (!isObject(entry) || typeof entry.format !== "string") return `app "${app}" has no format`;
    const files = entry.files;
    const dirs = entry.dirs ?? [];
    if (!isStringList(files) || !isStringList(dirs)) return `app "${app}" has no list of files`;
    record.set(app, { format: entry.format, files: [...files], dirs: [...dirs] });
  }
  return record;
}

/** Render the record: apps, paths and keys sorted, so the same exports give the same bytes. */
export function renderRecord(record: ExportRecord): string {
  const apps: Record<string, RecordEntry> = {};
  for (const app of [...record.keys()].sort(comparePaths)) {
    const entry = record.get(app) as RecordEntry;
    apps[app] = {
      format: entry.format,
      dirs: [...new Set(entry.dirs)].sort(comparePaths),
      files: [...new Set(entry.files)].sort(comparePaths),
    };
  }
  return `${JSON.stringify({ about: ABOUT, version: 1, apps }, null, 2)}\n`;
}

/** A copy of `record` with `app`'s entry replaced (or removed when undefined). */
export function withEntry(
  record: ExportRecord,
  app: string,
  entry: RecordEntry | undefined,
): ExportRecord {
  const next = new Map(record);
  if (entry) next.set(app, entry);
  else next.delete(app);
  return next;
}

/** Which app's record lists `path` (a file or directory), other than `except`. */
export function findOwner(record: ExportRecord, path: string, except: string): string | undefined {
  for (const [app, entry] of record) {
    if (app !== except && (entry.files.includes(path) || entry.dirs.includes(path))) return app;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
