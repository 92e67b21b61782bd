import { describe, expect, it } from "vitest";
import { findDefinitionLines, findLineByPrefix } from "../../../src/app/env-lines.js";

describe("findDefinitionLines", () => {
  it("finds each key's last definition, skipping comments and multi-line values", () => {
    const text = "\n\nA=1\nexport B='x\nC=not a key\n'\nC: 3\n# D=1\nA=2\n";
    expect(findDefinitionLines(text)).toEqual(
      new Map([
        ["A", 9],
        ["B", 4],
        ["C", 7],
      ]),
    );
  });

  it("counts CRLF and lone CR line endings as dotenv does", () => {
    expect(findDefinitionLines("A=1\r\nB=2\rC=3\n")).toEqual(
      new Map([
        ["A", 1],
        ["B", 2],
        ["C", 3],
      ]),
    );
  });

  it("finds a key named like the export prefix", () => {
    expect(findDefinitionLines("\nexport export=1\n")).toEqual(new Map([["export", 2]]));
  });
});

describe("findLineByPrefix", () => {
  it("finds the last KEY= or KEY: line, with optional export and spaces", () => {
    expect(findLineByPrefix("A=1\n  export A = 2\nA: 3\nAB=4\n", "A")).toBe(3);
    expect(findLineByPrefix("my.key=1\nmyxkey=2\n", "my.key")).toBe(1);
  });

  it("returns undefined when the key is not there", () => {
    expect(findLineByPrefix("AB=1\n", "A")).toBeUndefined();
  });
});
