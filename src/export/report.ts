// Describes an export's changes as text: one line per change (write, --dry-run) or a diff (--check).
import { join } from "node:path";
import type { Change } from "./changes.js";
import { diffLines } from "./diff.js";
import { formatMode } from "./plan.js";

/** Files of this mode (or stricter) hold secrets: their contents are never printed. */
const SECRET_MODE = 0o600;

/** One line per change that does something: `create  shop-web.1.service (0644)`. */
export function renderChangeList(changes: Change[]): string {
  return changes
    .filter((change) => change.action !== "unchanged")
    .map((change) => {
      const name = change.kind === "dir" ? `${change.path}/` : change.path;
      const mode =
        change.action === "chmod"
          ? ` (${formatMode(change.oldMode ?? 0)} → ${formatMode(change.mode ?? 0)})`
          : change.mode === undefined
            ? ""
            : ` (${formatMode(change.mode)})`;
      return `${change.action.padEnd(7)} ${name}${mode}\n`;
    })
    .join("");
}

/** Count the changes: `2 created, 1 updated, 1 removed, 3 unchanged` (the words that apply). */
export function summarizeChanges(changes: Change[], tense: "did" | "would"): string {
  const words =
    tense === "did"
      ? { create: "created", update: "updated", chmod: "mode changed", remove: "removed" }
      : { create: "to create", update: "to update", chmod: "to change mode", remove: "to remove" };
  const parts: string[] = [];
  for (const action of ["create", "update", "chmod", "remove"] as const) {
    const count = changes.filter((c) => c.action === action).length;
    if (count > 0) parts.push(`${count} ${words[action]}`);
  }
  const unchanged = changes.filter((c) => c.action === "unchanged").length;
  parts.push(`${unchanged} unchanged`);
  return parts.join(", ");
}

/** True when any change does something. */
export function hasChanges(changes: Change[]): boolean {
  return changes.some((change) => change.action !== "unchanged");
}

/**
 * A diff of LOCATION against the export, file by file: headers naming the paths, the mode
 * change, and the lines that differ. Contents of secret files (mode 0600) are not shown.
 */
export function renderCheckDiff(changes: Change[], location: string): string {
  return changes
    .filter((change) => change.action !== "unchanged")
    .map((change) => renderOne(change, join(location, change.path)))
    .join("");
}

/** The diff of one path. */
function renderOne(change: Change, full: string): string {
  if (change.kind === "dir") {
    const what =
      change.action === "create"
        ? `missing (the export creates it, mode ${formatMode(change.mode ?? 0)})`
        : change.action === "remove"
          ? "no longer exported (the export removes it when empty)"
          : `mode ${formatMode(change.oldMode ?? 0)} → ${formatMode(change.mode ?? 0)}`;
    return `directory ${full}/: ${what}\n`;
  }
  const from = change.action === "create" ? "/dev/null" : `${full} (on disk)`;
  const to = change.action === "remove" ? "/dev/null" : `${full} (export)`;
  let text = `--- ${from}\n+++ ${to}\n`;
  if (change.oldMode !== undefined && change.mode !== undefined && change.oldMode !== change.mode) {
    text += `mode ${formatMode(change.oldMode)} → ${formatMode(change.mode)}\n`;
  }
  if (change.action === "chmod") return text;
  const secret = [change.mode, change.oldMode].some(
    (mode) => mode !== undefined && (mode & 0o077) === 0 && (mode & SECRET_MODE) !== 0,
  );
  if (secret) {
    const which =
      change.action === "create"
        ? "missing"
        : change.action === "remove"
          ? "no longer exported"
          : "contents differ";
    return `${text}${which} (contents not shown: the file is mode 0600)\n`;
  }
  const before = change.before?.toString("utf8") ?? "";
  const after = change.action === "remove" ? "" : (change.after?.toString("utf8") ?? "");
  return `${text}${diffLines(before, after)}`;
}
