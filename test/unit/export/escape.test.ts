// Round trips of each format's escaping: encode with the exporter, decode with an independent reader (or the real tool).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  canEnvDirCarry,
  encodeEnvDirValue,
  formatExportLine,
} from "../../../src/export/runit-escape.js";
import { quoteShell } from "../../../src/export/shell-quote.js";
import {
  escapeSpecifiers,
  formatTimeSpan,
  quoteEnvironmentFileValue,
  quoteExecWord,
} from "../../../src/export/systemd-escape.js";
import { hasCommand, makeInjection, NASTY_VALUES } from "../../support/export-app.js";
import { decodeEnvDirFile, decodeEnvironmentFile, decodeExecLine } from "./decoders.js";

const VALUES: [string, string][] = [
  ...Object.entries(NASTY_VALUES),
  ["V_INJECT", makeInjection("/tmp/x")],
  ["V_CONTROL", "bell\x07 esc\x1b del\x7f vt\v ff\f"],
  ["V_LINE_SEPARATORS", "a\u2028b\u2029c\u0085d"],
  ["V_QUOTES_ALL", `"'\`"`],
  ["V_BACKSLASH_QUOTE", '\\"\\\\"'],
  ["V_LONG", "x".repeat(10_000)],
];

describe("systemd: Exec*= words", () => {
  it.each(VALUES)("%s: systemd's rules read back the exact script", (_key, value) => {
    const line = `/bin/sh -c ${quoteExecWord(value)}`;
    expect(line).not.toMatch(/[\n\r]/);
    expect(decodeExecLine(line)).toEqual(["/bin/sh", "-c", value]);
  });

  it("escapes %, $, quotes and backslashes, and control characters as C escapes", () => {
    expect(quoteExecWord('a%b$c"d\\e\tf\ng\x01')).toBe('"a%%b$$c\\"d\\\\e\\tf\\ng\\x01"');
  });

  it("a newline followed by a directive stays inside the word", () => {
    const word = quoteExecWord("x\nExecStartPre=/bin/touch /tmp/x");
    expect(word.split("\n")).toHaveLength(1);
    expect(`ExecStart=/bin/sh -c ${word}`).not.toMatch(/\nExecStartPre=/);
  });
});

describe("systemd: EnvironmentFile values", () => {
  it.each(VALUES)("%s: systemd's env-file parser reads back the exact value", (key, value) => {
    const text = `# comment\nA=1\n${key}=${quoteEnvironmentFileValue(value)}\nZ=2\n`;
    const parsed = decodeEnvironmentFile(text);
    expect(parsed.get(key)).toBe(value);
    // Nothing else appeared: the value cannot start another assignment.
    expect([...parsed.keys()]).toEqual(["A", key, "Z"]);
  });

  it("escapes backslash, double quote, dollar and backquote only", () => {
    expect(quoteEnvironmentFileValue('a\\b"c$d`e%f\ng')).toBe('"a\\\\b\\"c\\$d\\`e%f\ng"');
  });

  it("the injection attempt adds no key and no directive", () => {
    const text = `V_INJECT=${quoteEnvironmentFileValue(makeInjection("/tmp/x"))}\n`;
    expect([...decodeEnvironmentFile(text).keys()]).toEqual(["V_INJECT"]);
  });
});

describe("systemd: specifiers and time spans", () => {
  it("doubles every %", () => {
    expect(escapeSpecifiers("/srv/100%/%h")).toBe("/srv/100%%/%%h");
  });

  it("writes whole seconds as s, the rest as ms", () => {
    expect(formatTimeSpan(5000)).toBe("5s");
    expect(formatTimeSpan(1500)).toBe("1500ms");
    expect(formatTimeSpan(60_000)).toBe("60s");
  });
});

describe("POSIX single quoting (runit scripts, systemd's readiness loop)", () => {
  it.each(VALUES)("%s: a real /bin/sh reads back the exact value", (_key, value) => {
    const out = execFileSync("/bin/sh", ["-c", `printf %s ${quoteShell(value)}`]);
    expect(out.toString("utf8")).toBe(value);
  });
});

describe("runit: env-dir files and the sourced file", () => {
  it.each(VALUES.filter(([, value]) => canEnvDirCarry(value)))(
    "%s: chpst's rules read back the exact value",
    (_key, value) => {
      expect(decodeEnvDirFile(encodeEnvDirValue(value))).toBe(value);
    },
  );

  it("sends to the sourced file exactly the values chpst -e would change", () => {
    for (const [key, value] of VALUES) {
      const survives = decodeEnvDirFile(encodeEnvDirValue(value)) === value;
      expect(canEnvDirCarry(value), key).toBe(survives);
    }
    expect(canEnvDirCarry("trail ")).toBe(false);
    expect(canEnvDirCarry("tab\t")).toBe(false);
    expect(canEnvDirCarry("  lead")).toBe(true);
    expect(canEnvDirCarry("a \nb")).toBe(true);
    expect(canEnvDirCarry("")).toBe(true);
  });

  it("an empty value is a file with one newline (an empty file would unset it)", () => {
    expect(encodeEnvDirValue("")).toBe("\n");
    expect(decodeEnvDirFile("")).toBeUndefined();
  });

  it.each(VALUES)(
    "%s: sourcing the export line in a real /bin/sh gives the exact value",
    (key, value) => {
      const out = execFileSync("/bin/sh", [
        "-c",
        `${formatExportLine(key, value)}printf %s "$${key}"`,
      ]);
      expect(out.toString("utf8")).toBe(value);
    },
  );

  it.skipIf(!hasCommand("chpst"))(
    "the real chpst -e reads back every value the env dir carries",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "parity-chpst-"));
      try {
        const carried = VALUES.filter(([, value]) => canEnvDirCarry(value));
        for (const [key, value] of carried) writeFileSync(join(dir, key), encodeEnvDirValue(value));
        const script = "process.stdout.write(JSON.stringify(process.env))";
        const out = execFileSync("chpst", ["-e", dir, process.execPath, "-e", script], {
          env: { PATH: process.env.PATH },
        });
        const env = JSON.parse(out.toString("utf8")) as Record<string, string>;
        for (const [key, value] of carried) expect(env[key], key).toBe(value);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
