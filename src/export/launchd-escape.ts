// launchd's encodings, per export-rules.md: plist strings are XML text (& < > escaped); control characters other than TAB and LF cannot appear.

/** Escape a value as XML character data: `&`, `<` and `>` (`>` too, so that `]]>` never appears). */
export function escapeXml(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The first character a plist string cannot hold, or undefined: control characters other than
 * TAB and LF (CR included: XML readers turn it into LF), and U+FFFE / U+FFFF (not XML characters).
 */
export function findForbiddenCharacter(value: string): string | undefined {
  return /[\x00-\x08\x0b-\x1f\ufffe\uffff]/.exec(value)?.[0];
}

/** Name a character for an error message: U+000D. */
export function describeCharacter(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
