// A small line diff (longest common subsequence) printed as unified-style hunks, for `parity export --check`.

/** Lines of context around each change. */
const CONTEXT = 2;
/** Above this many line pairs the files are shown as wholly replaced (the table would be too large). */
const MAX_CELLS = 4_000_000;

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

/** Split text into lines, keeping a last line without a newline (marked, as diff does). */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  else lines.push(`${lines.pop()}\n\\ No newline at end of file`);
  return lines;
}

/** The edit script from `a` to `b`: common lines, removals and additions, in order. */
function findEdits(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((line, i) => ({ kind: "-" as const, line, a: i, b: 0 })),
      ...b.map((line, j) => ({ kind: "+" as const, line, a: a.length, b: j })),
    ];
  }
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lengths[(i + 1) * width + j] as number, lengths[i * width + j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string, a: i++, b: j++ });
    } else if (
      i < a.length &&
      (j === b.length ||
        (lengths[(i + 1) * width + j] as number) >= (lengths[i * width + j + 1] as number))
    ) {
      ops.push({ kind: "-", line: a[i] as string, a: i++, b: j });
    } else {
      ops.push({ kind: "+", line: b[j] as string, a: i, b: j++ });
    }
  }
  return ops;
}

/** Diff two texts as unified-style hunks (`@@ -a,n +b,m @@` and ` `/`-`/`+` lines); empty when equal. */
export function diffLines(before: string, after: string): string {
  const ops = findEdits(splitLines(before), splitLines(after));
  const changed = ops.map((op, index) => (op.kind === " " ? -1 : index)).filter((i) => i >= 0);
  if (changed.length === 0) return "";
  // Group changes whose context overlaps into hunks.
  const hunks: [start: number, end: number][] = [];
  for (const index of changed) {
    const start = Math.max(index - CONTEXT, 0);
    const end = Math.min(index + CONTEXT, ops.length - 1);
    const last = hunks.at(-1);
    if (last && start <= last[1] + 1) last[1] = end;
    else hunks.push([start, end]);
  }
  return hunks.map(([start, end]) => renderHunk(ops.slice(start, end + 1))).join("");
}

/** One hunk: its header and lines. */
function renderHunk(ops: Op[]): string {
  const first = ops[0] as Op;
  const countA = ops.filter((op) => op.kind !== "+").length;
  const countB = ops.filter((op) => op.kind !== "-").length;
  const startA = countA === 0 ? first.a : first.a + 1;
  const startB = countB === 0 ? first.b : first.b + 1;
  const lines = ops.map((op) => `${op.kind}${op.line}\n`).join("");
  return `@@ -${startA},${countA} +${startB},${countB} @@\n${lines}`;
}
