// supervisord's encodings, per export-rules.md: every conf value is %-formatted, and `;`/`#` after whitespace starts a comment.

/** Double every `%`: supervisord %-formats every value (`%(here)s`), so `%%` reads back as `%`. */
export function escapePercent(value: string): string {
  return value.replaceAll("%", "%%");
}

/**
 * Tell whether a value would be cut by supervisord's inline comments: a `;` or `#` after
 * whitespace starts a comment anywhere in a value, even inside quotes. Such values are
 * refused (or kept out of the conf), never rewritten.
 */
export function hasInlineComment(value: string): boolean {
  return /\s[;#]/.test(value);
}

/** Tell whether a value can be written on one conf line as it is: no line break, no inline comment. */
export function canConfCarry(value: string): boolean {
  return !/[\r\n]/.test(value) && !hasInlineComment(value);
}

/** A supervisord name for a signal: without SIG (TERM, INT, USR1). */
export function formatSignalName(signal: string): string {
  return signal.replace(/^SIG/, "");
}
