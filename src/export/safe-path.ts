// Keeps every path an export touches inside LOCATION: relative, normalised, and never through a symbolic link.
import { lstatSync } from "node:fs";
import { join } from "node:path";

/** Why a path relative to LOCATION is refused (absolute, `..`, empty parts, control characters); undefined when fine. */
export function checkRelativePath(path: string): string | undefined {
  if (path === "") return "it is empty";
  if (path.startsWith("/")) return "it is absolute";
  if (/[\0-\x1f\x7f]/.test(path)) return "it contains a control character";
  const parts = path.split("/");
  if (parts.some((part) => part === "" || part === "." || part === "..")) {
    return "it has an empty, . or .. part";
  }
  return undefined;
}

/**
 * The first parent of `path` (relative to `location`) that exists and is not a real directory
 * (a symbolic link, a file), so writing or removing there could leave LOCATION; undefined when
 * every existing parent is a directory. Parents that do not exist yet are fine.
 */
export function findUnsafeParent(location: string, path: string): string | undefined {
  const parts = path.split("/").slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const parent = parts.slice(0, i).join("/");
    const kind = getKind(join(location, parent));
    if (kind === "missing") return undefined;
    if (kind !== "dir") return parent;
  }
  return undefined;
}

/** What is at `path`, without following a symbolic link. */
export function getKind(path: string): "missing" | "file" | "dir" | "symlink" | "other" {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return "symlink";
    if (stat.isDirectory()) return "dir";
    if (stat.isFile()) return "file";
    return "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    if (code === "ENOTDIR") return "other";
    throw error;
  }
}
