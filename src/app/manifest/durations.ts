// Durations in parity.yml: a number of seconds, or text with units such as 500ms, 10s, 2m, 1m30s.

const AMOUNT = String.raw`(\d+(?:\.\d+)?)`;

/** A duration written as text: hours, minutes, seconds and milliseconds, each optional, in that order. */
export const DURATION_PATTERN = new RegExp(
  `^(?=\\d)(?:${AMOUNT}h)?(?:${AMOUNT}m(?!s))?(?:${AMOUNT}s)?(?:${AMOUNT}ms)?$`,
);

/** How to write a duration, for error messages. */
export const DURATION_FIX =
  "write seconds as a number (10, 0.5) or text with units: 500ms, 10s, 2m, 1h, 1m30s";

const UNIT_MS = [3_600_000, 60_000, 1000, 1];

/** Convert a duration (seconds as a number, or text with units) to whole milliseconds; undefined when malformed. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  }
  const match = DURATION_PATTERN.exec(value);
  if (!match) return undefined;
  const ms = UNIT_MS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
  return Math.round(ms);
}

/** Show milliseconds the way a manifest would write them: 500ms, 30s, 1.5s. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}
