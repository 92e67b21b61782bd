import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../../src/app/decode-text.js";

describe("decodeUtf8", () => {
  it("decodes UTF-8 and drops a leading BOM", () => {
    const bytes = Buffer.from("\uFEFFA=é\n");
    expect(decodeUtf8(bytes, "f")).toEqual({ ok: true, value: "A=é\n", warnings: [] });
  });

  it("decodes an empty file", () => {
    expect(decodeUtf8(new Uint8Array(0), "f")).toEqual({ ok: true, value: "", warnings: [] });
  });

  it("names the line of the first bad byte", () => {
    const bytes = Buffer.concat([
      Buffer.from("a\nb\r\nc"),
      Buffer.from([0xc3, 0x28]),
      Buffer.from("\n"),
    ]);
    expect(decodeUtf8(bytes, "/app/.env")).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "not UTF-8 text",
          file: "/app/.env",
          line: 3,
          fix: "save the file as UTF-8",
        },
      ],
    });
  });

  it("finds a bad byte on the first line and on a last line without newline", () => {
    const first = decodeUtf8(Buffer.from([0xff, 0x0a, 0x41]), "f");
    expect(!first.ok && first.problems[0]?.line).toBe(1);
    const last = decodeUtf8(Buffer.concat([Buffer.from("a\nb\n"), Buffer.from([0x80])]), "f");
    expect(!last.ok && last.problems[0]?.line).toBe(3);
  });

  it("rejects Latin-1 text", () => {
    expect(decodeUtf8(Buffer.from("café\n", "latin1"), "f").ok).toBe(false);
  });
});
