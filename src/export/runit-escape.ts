// runit's encodings, per export-rules.md: chpst -e env-dir files, and the sourced file for values they cannot carry.
import { quoteShell } from "./shell-quote.js";

/**
 * Tell whether `chpst -e` can carry a value exactly: it strips trailing spaces and tabs (after
 * cutting at the first line break, so an encoded line break protects what comes before it).
 */
export function canEnvDirCarry(value: string): boolean {
  return !/[ \t]$/.test(value);
}

/**
 * Encode a value as an env-dir file for `chpst -e`: line breaks as NUL (chpst turns NUL back
 * into a line break) and one trailing newline (an empty file would unset the variable).
 */
export function encodeEnvDirValue(value: string): string {
  return `${value.replaceAll("\n", "\0")}\n`;
}

/** One line of the sourced env file: `export KEY='value'`, every byte of the value literal. */
export function formatExportLine(key: string, value: string): string {
  return `export ${key}=${quoteShell(value)}\n`;
}
