// Finds the line on which each key of a .env file is (last) defined, the way dotenv reads it.

/**
 * dotenv 17's own line pattern (lib/main.js `LINE`), used only to locate definitions: values
 * still come from dotenv's `parse`, so a quoted multi-line value never counts as a definition.
 */
const DOTENV_LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

/** Map each key to the 1-based line of its last definition in the .env text. */
export function findDefinitionLines(text: string): Map<string, number> {
  const normalized = text.replace(/\r\n?/g, "\n");
  const lines = new Map<string, number>();
  for (const match of normalized.matchAll(DOTENV_LINE)) {
    const key = match[1];
    const keyOffset = match.indices?.[1]?.[0];
    if (key === undefined || keyOffset === undefined) continue;
    lines.set(key, countLines(normalized, keyOffset));
  }
  return lines;
}

/** Find the last line matching `KEY=` or `KEY:` (with optional `export`), for keys the pattern missed. */
export function findLineByPrefix(text: string, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  const pattern = new RegExp(`^\\s*(export\\s+)?${escaped}\\s*[=:]`);
  const lines = text.split(/\r\n?|\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (pattern.test(lines[i] ?? "")) return i + 1;
  }
  return undefined;
}

/** Count the 1-based line of a character offset. */
function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
