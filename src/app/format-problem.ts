// Formats a problem as one line: `error: Procfile:4: message. Fix: how to fix it.`

import { isAbsolute, relative, sep } from "node:path";
import type { Problem } from "../types.js";

/** Format a problem as one line, showing file paths relative to cwd when they are inside it. */
export function formatProblem(p: Problem, cwd?: string): string {
  const location = locateProblem(p, cwd);
  const parts = [`${p.severity}: ${location ? `${location}: ` : ""}${endSentence(p.message)}`];
  if (p.fix) parts.push(formatFix(p.fix));
  return parts.join(" ");
}

/** Show a path relative to cwd when it lies inside cwd, else unchanged. */
export function showPath(path: string, cwd?: string): string {
  if (cwd === undefined || !isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return rel;
}

/** `file:line:column`, or the flag, or nothing. */
function locateProblem(p: Problem, cwd?: string): string {
  if (p.file !== undefined) {
    const position = [p.line, p.column].filter((n) => n !== undefined);
    return [showPath(p.file, cwd), ...position].join(":");
  }
  return p.flag ?? "";
}

/** A fix phrased as a question ("did you mean …?") stands alone; others follow "Fix:". */
function formatFix(fix: string): string {
  if (fix.endsWith("?")) return fix.charAt(0).toUpperCase() + fix.slice(1);
  return `Fix: ${endSentence(fix)}`;
}

/** Add a full stop unless the text already ends a sentence. */
function endSentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}
