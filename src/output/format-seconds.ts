// Formats a duration for messages: 0.5s, 1.2s, 30s.

/** Formats milliseconds as seconds, one decimal unless whole. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
