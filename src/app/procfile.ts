// Parses a Procfile by foreman's rule, warning about every line foreman would silently ignore.

import type { Problem, ProcessType, Result } from "../types.js";
import { decodeUtf8 } from "./decode-text.js";

/** Foreman's entry pattern: a name, a colon, optional whitespace, a non-empty command. */
// `s`: a command may contain U+2028/U+2029, which `.` alone does not match.
const ENTRY = /^([A-Za-z0-9_-]+):\s*(.+)$/s;
const NAME = /^[A-Za-z0-9_-]+$/;

/** Parse Procfile bytes into its process types, in file order. */
export function parseProcfile(bytes: Buffer, file: string): Result<ProcessType[]> {
  const decoded = decodeUtf8(bytes, file);
  if (!decoded.ok) return decoded;
  const types: ProcessType[] = [];
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  const lines = decoded.value.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trimEnd();
    if (text.trim() === "" || text.trimStart().startsWith("#")) return;
    const match = ENTRY.exec(text);
    if (!match) {
      problems.push(warnIgnored(text, file, line));
      return;
    }
    const [, name = "", command = ""] = match;
    const first = firstLine.get(name);
    if (first !== undefined) {
      problems.push({
        severity: "error",
        message: `duplicate process name "${name}" (first defined on line ${first})`,
        file,
        line,
        fix: "rename one of them: both would run under one label and one PORT",
      });
      return;
    }
    firstLine.set(name, line);
    types.push({ name, command, index: types.length, line });
  });
  if (types.length === 0) {
    problems.push({
      severity: "error",
      message: "no process types defined",
      file,
      fix: "add a line such as `web: npm start`",
    });
  }
  if (problems.some((p) => p.severity === "error")) return { ok: false, problems };
  return { ok: true, value: types, warnings: problems };
}

/** Explain why a non-comment line is not an entry and, when it looks like one, how to fix it. */
function warnIgnored(text: string, file: string, line: number): Problem {
  const colon = text.indexOf(":");
  const rawName = colon === -1 ? "" : text.slice(0, colon);
  const name = rawName.trim();
  if (name === "" || /\s/.test(name)) return warnGarbage(file, line);
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (/^\s/.test(rawName)) {
    reasons.push("leading whitespace");
    fixes.push("remove the leading whitespace");
  }
  if (/\s$/.test(rawName)) {
    reasons.push("space before the colon");
    fixes.push("remove the space before the colon");
  }
  if (!NAME.test(name)) {
    reasons.push("invalid name");
    fixes.push("process names may only contain letters, digits, _ and -");
  }
  if (text.slice(colon + 1).trim() === "") {
    reasons.push("no command");
    fixes.push("add a command after the colon");
  }
  if (reasons.length === 0) return warnGarbage(file, line);
  return {
    severity: "warning",
    message: `entry "${name}" ignored: ${reasons.join(", ")}`,
    file,
    line,
    fix: fixes.join("; "),
  };
}

/** The warning for a line that does not resemble an entry at all. */
function warnGarbage(file: string, line: number): Problem {
  return {
    severity: "warning",
    message: "not a Procfile entry; ignored",
    file,
    line,
    fix: "write `name: command` or comment it out with #",
  };
}
