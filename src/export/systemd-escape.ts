// systemd's escaping, per export-rules.md: Exec*= words, EnvironmentFile= values, specifiers, time spans.

/**
 * Quote a value as one double-quoted word of an Exec*= line, so that the program gets it
 * unchanged: `\` and `"` escaped, `%` doubled (no specifiers), `$` doubled (no systemd variable
 * expansion: the shell expands $PORT), control characters as C escapes (a raw line break would
 * end the directive; systemd also ends lines at a carriage return).
 */
export function quoteExecWord(value: string): string {
  let out = "";
  for (const char of value) {
    if (char === "\\") out += "\\\\";
    else if (char === '"') out += '\\"';
    else if (char === "%") out += "%%";
    else if (char === "$") out += "$$";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (isControl(char)) out += `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `"${out}"`;
}

/**
 * Quote a value for a `KEY="value"` line of an EnvironmentFile (systemd's env-file parser):
 * `\`, `"`, `$` and backquote escaped with a backslash; everything else, line breaks included,
 * stays literal inside the quotes. `%` is not special there.
 */
export function quoteEnvironmentFileValue(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (char) => `\\${char}`)}"`;
}

/** Double every `%` of a setting whose value expands specifiers (paths, descriptions). */
export function escapeSpecifiers(value: string): string {
  return value.replaceAll("%", "%%");
}

/** Write milliseconds as a systemd time span: `5s`, or `1500ms` when not whole seconds. */
export function formatTimeSpan(ms: number): string {
  const rounded = Math.round(ms);
  return rounded % 1000 === 0 ? `${rounded / 1000}s` : `${rounded}ms`;
}

/** Control characters (C0 and DEL): never raw in a unit file. */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}
