// The plan as data (sorted, modes, JSON) and the line diff of --check.
import { describe, expect, it } from "vitest";
import { diffLines } from "../../../src/export/diff.js";
import { formatMode, makePlan, renderPlanJson } from "../../../src/export/plan.js";

describe("plan", () => {
  it("sorts files and directories by code units, whatever the order they came in", () => {
    const plan = makePlan(
      [
        { path: "b", mode: 0o644, contents: "" },
        { path: "B", mode: 0o644, contents: "" },
        { path: "a/b", mode: 0o644, contents: "" },
        { path: "a.b", mode: 0o644, contents: "" },
      ],
      [
        { path: "z", mode: 0o755 },
        { path: "a", mode: 0o700 },
      ],
    );
    expect(plan.files.map((f) => f.path)).toEqual(["B", "a.b", "a/b", "b"]);
    expect(plan.dirs.map((d) => d.path)).toEqual(["a", "z"]);
  });

  it("writes modes as four octal digits", () => {
    expect([0o600, 0o644, 0o755, 0o700, 0o4755].map(formatMode)).toEqual([
      "0600",
      "0644",
      "0755",
      "0700",
      "04755",
    ]);
  });

  it("renders JSON with text contents as strings and bytes as base64", () => {
    const plan = makePlan(
      [
        { path: "t", mode: 0o600, contents: "a\nb\0" },
        { path: "u", mode: 0o755, contents: Buffer.from([0xff, 0]) },
      ],
      [{ path: "d", mode: 0o700 }],
    );
    expect(
      JSON.parse(renderPlanJson(plan, { app: "shop", format: "runit", location: "/sv" })),
    ).toEqual({
      app: "shop",
      format: "runit",
      location: "/sv",
      dirs: [{ path: "d", mode: "0700" }],
      files: [
        { path: "t", mode: "0600", contents: "a\nb\0" },
        { path: "u", mode: "0755", encoding: "base64", contents: "/wA=" },
      ],
    });
  });
});

describe("diffLines", () => {
  it("is empty for equal texts", () => {
    expect(diffLines("a\nb\n", "a\nb\n")).toBe("");
  });

  it("shows removals before additions, with two lines of context, in separate hunks when far apart", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
    const after = "1\nTWO\n3\n4\n5\n6\n7\n8\n9\nTEN\n";
    expect(diffLines(before, after)).toBe(
      "@@ -1,4 +1,4 @@\n 1\n-2\n+TWO\n 3\n 4\n@@ -8,3 +8,3 @@\n 8\n 9\n-10\n+TEN\n",
    );
  });

  it("diffs against nothing for a new or removed file, and marks a missing final newline", () => {
    expect(diffLines("", "a\nb")).toBe("@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n");
    expect(diffLines("a\n", "")).toBe("@@ -1,1 +0,0 @@\n-a\n");
  });
});
