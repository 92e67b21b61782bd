// Builds the `HH:MM:SS name.N | ` prefix of each output line, padded to one column.

/** How output lines are decorated. */
export interface PrefixStyle {
  /** Width names are padded to (at least the width of "system"). */
  width: number;
  timestamps: boolean;
  /** Returns the current time; passed in so tests can fix it. */
  now: () => Date;
}

/** A prefix builder for one label; caches the rendered prefix for the current second. */
export interface Prefix {
  /** The prefix for a line written now, as a latin1 string (bytes 1:1 with the output). */
  current(): string;
}

/** Returns the column width that fits every label and "system". */
export function getLabelWidth(labels: string[]): number {
  return labels.reduce((w, l) => Math.max(w, l.length), "system".length);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Formats a time as HH:MM:SS in local time. */
export function formatClock(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Creates the prefix builder for `label`; `paint` colours the prefix (identity for none). */
export function createPrefix(
  label: string,
  style: PrefixStyle,
  paint: (text: string) => string = (t) => t,
): Prefix {
  const padded = label.padEnd(style.width, " ");
  if (!style.timestamps) {
    const fixed = `${paint(`${padded} |`)} `;
    return { current: () => fixed };
  }
  let cachedSecond = Number.NaN;
  let cached = "";
  return {
    current() {
      const d = style.now();
      const second = Math.floor(d.getTime() / 1000);
      if (second !== cachedSecond) {
        cachedSecond = second;
        cached = `${paint(`${formatClock(d)} ${padded} |`)} `;
      }
      return cached;
    },
  };
}
