import { parse } from "dotenv";
import { describe, expect, it } from "vitest";
import { quoteEnvValue } from "../../../src/app/env-quote.js";

/** Write KEY=value as parity env does and read it back with dotenv. */
const roundTrip = (value: string, comment = "") =>
  parse(`BEFORE=1\nKEY=${quoteEnvValue(value)}${comment}\nAFTER=2\n`);

describe("quoteEnvValue", () => {
  it("leaves plain values bare", () => {
    expect(quoteEnvValue("abc")).toBe("abc");
    expect(quoteEnvValue("postgres://u:p@host:5432/db?ssl=true")).toBe(
      "postgres://u:p@host:5432/db?ssl=true",
    );
    expect(quoteEnvValue("C:\\path\\n")).toBe("C:\\path\\n");
    expect(quoteEnvValue("")).toBe("");
  });

  it("double-quotes values with spaces, # or newlines, escaping newlines", () => {
    expect(quoteEnvValue("two words")).toBe('"two words"');
    expect(quoteEnvValue("a#b")).toBe('"a#b"');
    expect(quoteEnvValue("line1\nline2")).toBe('"line1\\nline2"');
    expect(quoteEnvValue("it's")).toBe('"it\'s"');
  });

  it("falls back to single quotes, then backticks, for double quotes and backslashes", () => {
    expect(quoteEnvValue('say "hi"')).toBe("'say \"hi\"'");
    expect(quoteEnvValue("a\\nb c")).toBe("'a\\nb c'");
    expect(quoteEnvValue("C:\\dir x")).toBe('"C:\\dir x"');
    expect(quoteEnvValue(`it's "x"`)).toBe(`\`it's "x"\``);
  });

  const nasty = [
    "abc",
    "",
    "two words",
    "  padded  ",
    "a#b",
    "#start",
    "x # not a comment",
    "line1\nline2",
    "\n",
    "cr\r\nlf",
    'say "hi"',
    "it's",
    `it's "both"`,
    "back`tick",
    "a\\nb",
    "a\\nb with space",
    "trailing\\",
    `$HOME \${PORT:-3000} %s ;&|`,
    "'quoted'",
    '"quoted"',
    "`quoted`",
    "héllo → 世界 🎉",
    "=equals=",
    "tab\there",
    'multi\nline "with" quotes',
    'json {"a": [1, 2]}',
  ];

  it.each(nasty)("round-trips %j through dotenv", (value) => {
    expect(roundTrip(value)).toEqual({ BEFORE: "1", KEY: value, AFTER: "2" });
  });

  it.each(nasty)("round-trips %j with a trailing comment", (value) => {
    expect(roundTrip(value, "  # from .env:3 (overrides .env:1)")).toEqual({
      BEFORE: "1",
      KEY: value,
      AFTER: "2",
    });
  });
});

/** A small deterministic pseudo-random generator, so failures reproduce. */
function makeRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

describe("quoteEnvValue on random values", () => {
  it("finds a dotenv quoting that reads back exactly whenever one exists", () => {
    const alphabet = ["a", " ", "#", "'", '"', "`", "\\", "n", "\n", "\r", "\t", "=", "$"];
    const random = makeRandom(42);
    /** Every way a value could be written: bare, the three quotes, double quotes with escapes. */
    const candidates = (v: string) => [
      v,
      `'${v}'`,
      `\`${v}\``,
      `"${v}"`,
      `"${v.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`,
    ];
    const readsBack = (written: string, v: string) =>
      parse(`B=1\nKEY=${written}  # c\nA=2\n`).KEY === v;
    const failures: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const length = Math.floor(random() * 7);
      const value = Array.from(
        { length },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join("");
      if (roundTrip(value, "  # c").KEY === value) continue;
      if (candidates(value).some((written) => readsBack(written, value))) failures.push(value);
    }
    expect(failures).toEqual([]);
  });
});
