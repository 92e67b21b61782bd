import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  inspectManifest,
  parseManifest,
  readManifest,
} from "../../../../src/app/manifest/parse.js";

const file = "/srv/shop/parity.yml";

describe("parseManifest", () => {
  it("reads an empty file or one with only comments as an empty manifest", () => {
    for (const text of ["", "# nothing yet\n", "---\n"]) {
      const result = parseManifest(text, file);
      expect(result.ok && result.value.data).toEqual({});
    }
  });

  it("locates values and keys, 1-based, and the nearest parent of a missing path", () => {
    const text = "processes:\n  web:\n    depends_on: [db, redis]\n    stop_timeout: 5\n";
    const result = parseManifest(text, file);
    if (!result.ok) throw new Error("expected a manifest");
    const { locate } = result.value;
    expect(locate(["processes", "web", "depends_on", 1])).toEqual({ line: 3, column: 22 });
    expect(locate(["processes", "web", "depends_on"], "key")).toEqual({ line: 3, column: 5 });
    expect(locate(["processes", "web", "stop_signal"])).toEqual({ line: 3, column: 5 });
    expect(locate(["nothing", "here"])).toEqual({ line: 1, column: 1 });
  });

  it("points at the key of a value left empty", () => {
    const result = parseManifest("processes:\n  web:\n    ready:\n", file);
    expect(!result.ok && result.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [3, 5, "processes.web.ready: expected a readiness check, got an empty value"],
    ]);
  });

  it("reports every schema problem at once, in file order", () => {
    const text =
      "environments:\n  production: { user: 1 }\nprocesses:\n  web: { restart: no, stop_timeout: x }\napp: ''\n";
    const result = parseManifest(text, file);
    expect(!result.ok && result.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      "2:23 environments.production.user: 1 is not a user name",
      '4:19 processes.web.restart: "no" is not a restart policy',
      '4:37 processes.web.stop_timeout: "x" is not a duration',
      '5:6 app: "" is not an app name',
    ]);
  });

  it("reports an alias without its anchor at the alias", () => {
    const result = parseManifest("processes:\n  web: *defaults\n", file);
    expect(!result.ok && result.problems).toEqual([
      {
        severity: "error",
        message: "invalid YAML: alias *defaults has no anchor &defaults before it",
        file,
        line: 2,
        column: 8,
        fix: "define &defaults before using *defaults",
      },
    ]);
  });

  it("merges anchors with <<", () => {
    const text =
      "x-base: &base { restart: always }\nprocesses:\n  web: { <<: *base, stop_timeout: 1 }\n";
    const result = parseManifest(text.replace("x-base", "app: shop\nx"), file);
    expect(!result.ok && result.problems.map((p) => p.message)).toEqual(['unknown key "x"']);
    const merged = parseManifest(
      "processes:\n  web: &base { restart: always }\n  worker: { <<: *base, stop_timeout: 1 }\n",
      file,
    );
    expect(merged.ok && merged.value.data.processes?.worker).toEqual({
      restart: "always",
      stop_timeout: 1000,
    });
  });

  it("keeps YAML warnings as warnings", () => {
    const result = parseManifest("%FOO bar\n---\napp: shop\n", file);
    expect(result.ok && result.warnings.map((p) => [p.severity, p.line])).toEqual([["warning", 1]]);
  });

  it("keeps the valid rest of a manifest with bad values, for further checks", () => {
    const text =
      "app: shop\nprocesses:\n  web: { restart: sometimes, depends_on: [db, 5], stop_timeout: 2 }\n  worker: { restart: { limit: 2 }, extra: 1 }\n";
    const { manifest, problems } = inspectManifest(text, file);
    expect(problems.map((p) => p.message)).toEqual([
      'processes.web.restart: "sometimes" is not a restart policy',
      "processes.web.depends_on[1]: 5 is not a process type",
      "processes.worker.restart: missing policy",
      'processes.worker: unknown key "extra"',
    ]);
    expect(manifest?.data).toEqual({
      app: "shop",
      processes: { web: { stop_timeout: 2000 }, worker: {} },
    });
    expect(inspectManifest("- a\n", file).manifest).toBeUndefined();
    expect(inspectManifest("a: [\n", file).manifest).toBeUndefined();
  });
});

describe("readManifest", () => {
  it("reports a file that is not UTF-8 by line", () => {
    const dir = mkdtempSync(join(tmpdir(), "parity-manifest-"));
    try {
      const path = join(dir, "parity.yml");
      writeFileSync(path, Buffer.from([0x61, 0x70, 0x70, 0x3a, 0x0a, 0xff]));
      expect(readManifest(path)).toEqual({
        manifest: undefined,
        problems: [
          {
            severity: "error",
            message: "not UTF-8 text",
            file: path,
            line: 2,
            fix: "save the file as UTF-8",
          },
        ],
      });
      expect(readManifest(dir, "--manifest").problems[0]).toMatchObject({
        message: "cannot read manifest (EISDIR)",
        flag: "--manifest",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
