import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultEnvFiles, readEnvFiles, resolveEnv } from "../../../src/app/env-files.js";
import type { EnvEntry } from "../../../src/types.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  dir.remove();
});

/** Read files that must succeed and return the map. */
function readOk(files: { path: string; required: boolean }[]) {
  const result = readEnvFiles(files);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

describe("defaultEnvFiles", () => {
  it("lists .env, .env.local, .env.NAME, .env.NAME.local under the root", () => {
    expect(defaultEnvFiles("/srv/shop", "production")).toEqual([
      "/srv/shop/.env",
      "/srv/shop/.env.local",
      "/srv/shop/.env.production",
      "/srv/shop/.env.production.local",
    ]);
  });

  it("does not list a file twice when the environment is called local", () => {
    expect(defaultEnvFiles("/a", "local")).toEqual([
      "/a/.env",
      "/a/.env.local",
      "/a/.env.local.local",
    ]);
  });
});

describe("readEnvFiles", () => {
  it("reads values with dotenv and records the line of each key", () => {
    const env = dir.write(".env", "# comment\nA=1\n\nexport B=two words\nC: colon\n");
    const result = readOk([{ path: env, required: true }]);
    expect(result.value.read).toEqual([env]);
    expect(result.value.env).toEqual(
      new Map<string, EnvEntry>([
        ["A", { value: "1", source: { kind: "file", file: env, line: 2 }, overridden: [] }],
        ["B", { value: "two words", source: { kind: "file", file: env, line: 4 }, overridden: [] }],
        ["C", { value: "colon", source: { kind: "file", file: env, line: 5 }, overridden: [] }],
      ]),
    );
    expect(result.warnings).toEqual([]);
  });

  it("handles quotes, \\n in double quotes, multi-line values and inline comments like dotenv", () => {
    const text = [
      "SINGLE='a $b \\n c'",
      'DOUBLE="line1\\nline2"',
      'BACKTICK=`it\'s "quoted"`',
      'MULTI="first',
      "FAKE=inside the value",
      'last"',
      "AFTER=1 # trailing comment",
      "HASH='a#b'",
      "EMPTY=",
      "",
    ].join("\n");
    const env = dir.write(".env", text);
    const map = readOk([{ path: env, required: true }]).value.env;
    const values = Object.fromEntries([...map].map(([k, e]) => [k, e.value]));
    expect(values).toEqual({
      SINGLE: "a $b \\n c",
      DOUBLE: "line1\nline2",
      BACKTICK: 'it\'s "quoted"',
      MULTI: "first\nFAKE=inside the value\nlast",
      AFTER: "1",
      HASH: "a#b",
      EMPTY: "",
    });
    const lines = Object.fromEntries(
      [...map].map(([k, e]) => [k, e.source.kind === "file" ? e.source.line : 0]),
    );
    expect(lines).toEqual({
      SINGLE: 1,
      DOUBLE: 2,
      BACKTICK: 3,
      MULTI: 4,
      AFTER: 7,
      HASH: 8,
      EMPTY: 9,
    });
    expect(map.has("FAKE")).toBe(false);
  });

  it("records the last line when a file assigns a key twice (dotenv keeps the last)", () => {
    const env = dir.write(".env", "A=1\nB=x\nA=2\n");
    const entry = readOk([{ path: env, required: true }]).value.env.get("A");
    expect(entry).toEqual({
      value: "2",
      source: { kind: "file", file: env, line: 3 },
      overridden: [],
    });
  });

  it("accepts CRLF, a BOM and indentation", () => {
    const env = dir.write(".env", "\uFEFFA=1\r\n\r\n   B=2\r\n");
    const map = readOk([{ path: env, required: true }]).value.env;
    expect(map.get("A")?.source).toEqual({ kind: "file", file: env, line: 1 });
    expect(map.get("B")).toEqual({
      value: "2",
      source: { kind: "file", file: env, line: 3 },
      overridden: [],
    });
  });

  it("layers files: later files win and earlier sources are kept, oldest first", () => {
    const base = dir.write(".env", "A=base\nB=base\nC=base\n");
    const local = dir.write(".env.local", "\nA=local\n");
    const dev = dir.write(".env.development", "A=dev\nB=dev\n");
    const result = readOk([
      { path: base, required: false },
      { path: local, required: false },
      { path: dev, required: false },
    ]);
    expect(result.value.read).toEqual([base, local, dev]);
    const env = result.value.env;
    expect(env.get("A")).toEqual({
      value: "dev",
      source: { kind: "file", file: dev, line: 1 },
      overridden: [
        { kind: "file", file: base, line: 1 },
        { kind: "file", file: local, line: 2 },
      ],
    });
    expect(env.get("B")).toEqual({
      value: "dev",
      source: { kind: "file", file: dev, line: 2 },
      overridden: [{ kind: "file", file: base, line: 2 }],
    });
    expect(env.get("C")?.overridden).toEqual([]);
  });

  it("skips a missing optional file and does not list it as read", () => {
    const base = dir.write(".env", "A=1\n");
    const result = readOk([
      { path: base, required: false },
      { path: join(dir.path, ".env.local"), required: false },
    ]);
    expect(result.value.read).toEqual([base]);
    expect([...result.value.env.keys()]).toEqual(["A"]);
  });

  it("lists an existing empty file as read", () => {
    const empty = dir.write(".env", "");
    expect(readOk([{ path: empty, required: true }]).value).toEqual({
      env: new Map(),
      read: [empty],
    });
  });

  it("reports a missing required file", () => {
    const missing = join(dir.path, "config", "prod.env");
    expect(readEnvFiles([{ path: missing, required: true }])).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "env file not found",
          file: missing,
          fix: "create the file, or correct the path given to -e/--env",
        },
      ],
    });
  });

  it("reports a directory given as an env file", () => {
    const result = readEnvFiles([{ path: dir.path, required: true }]);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "cannot read env file (EISDIR)",
          file: dir.path,
          fix: "point at a file, not a directory",
        },
      ],
    });
  });

  it("reports a file that is not UTF-8 with its line", () => {
    const env = dir.write(
      ".env",
      Buffer.concat([Buffer.from("A=1\nB=caf"), Buffer.from([0xe9, 0x0a])]),
    );
    expect(readEnvFiles([{ path: env, required: false }])).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "not UTF-8 text",
          file: env,
          line: 2,
          fix: "save the file as UTF-8",
        },
      ],
    });
  });

  it("reports every bad file, not just the first", () => {
    const bad = dir.write(".env", Buffer.from([0xff]));
    const missing = join(dir.path, "nope.env");
    const result = readEnvFiles([
      { path: bad, required: true },
      { path: missing, required: true },
    ]);
    expect(!result.ok && result.problems.map((p) => [p.file, p.message])).toEqual([
      [bad, "not UTF-8 text"],
      [missing, "env file not found"],
    ]);
  });

  it("warns about keys that are not shell variable names", () => {
    const env = dir.write(".env", "GOOD_1=a\nmy.key=b\nFOO-BAR=c\n1ST=d\n");
    const result = readOk([{ path: env, required: true }]);
    expect(result.value.env.get("my.key")?.value).toBe("b");
    expect(result.warnings).toEqual([
      {
        severity: "warning",
        message: '"my.key" is not a valid shell variable name: commands cannot read it as $my.key',
        file: env,
        line: 2,
        fix: "use only letters, digits and _, not starting with a digit",
      },
      expect.objectContaining({ line: 3, message: expect.stringContaining('"FOO-BAR"') }),
      expect.objectContaining({ line: 4, message: expect.stringContaining('"1ST"') }),
    ]);
  });
});

describe("resolveEnv", () => {
  const fileSource = (line: number) => ({ kind: "file" as const, file: "/a/.env", line });
  const fileEnv = new Map<string, EnvEntry>([
    ["A", { value: "file", source: fileSource(1), overridden: [] }],
    ["B", { value: "file", source: fileSource(2), overridden: [fileSource(9)] }],
    ["PORT", { value: "3000", source: fileSource(3), overridden: [] }],
    ["PS", { value: "x", source: fileSource(4), overridden: [] }],
  ]);

  it("lets the shell win, moving the file source to overridden", () => {
    const resolved = resolveEnv(fileEnv, { A: "shell", B: "shell" });
    expect(resolved.get("A")).toEqual({
      value: "shell",
      source: { kind: "shell" },
      overridden: [fileSource(1)],
    });
    expect(resolved.get("B")).toEqual({
      value: "shell",
      source: { kind: "shell" },
      overridden: [fileSource(9), fileSource(2)],
    });
  });

  it("lets the shell win for PORT and PS too (start sets them per instance; run keeps the shell's)", () => {
    const resolved = resolveEnv(fileEnv, { PORT: "8080", PS: "web.1" });
    expect(resolved.get("PORT")?.value).toBe("8080");
    expect(resolved.get("PORT")?.source).toEqual({ kind: "shell" });
    expect(resolved.get("PS")?.value).toBe("web.1");
  });

  it("does not add keys that only the shell has, and keeps file order", () => {
    const resolved = resolveEnv(fileEnv, { HOME: "/root", PATH: "/bin", A: "shell" });
    expect([...resolved.keys()]).toEqual(["A", "B", "PORT", "PS"]);
  });

  it("treats an empty shell value as set, and undefined as unset", () => {
    const resolved = resolveEnv(fileEnv, { A: "", B: undefined });
    expect(resolved.get("A")?.value).toBe("");
    expect(resolved.get("B")?.source).toEqual(fileSource(2));
  });

  it("does not change the map it was given", () => {
    resolveEnv(fileEnv, { A: "shell" });
    expect(fileEnv.get("A")?.value).toBe("file");
  });
});
