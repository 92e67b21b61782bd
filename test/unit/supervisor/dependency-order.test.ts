import { describe, expect, it } from "vitest";
import { getDefaultSettings } from "../../../src/app/defaults.js";
import {
  findDependents,
  findStartable,
  findStoppable,
} from "../../../src/supervisor/dependency-order.js";
import type { ProcessSettings } from "../../../src/types.js";

/** Settings from `type: [deps]`; a `!` suffix marks a dependency with restart: true. */
function graph(deps: Record<string, string[]>): Map<string, ProcessSettings> {
  const settings = new Map<string, ProcessSettings>();
  for (const [type, list] of Object.entries(deps)) {
    settings.set(type, {
      ...getDefaultSettings(),
      dependsOn: list.map((d) => ({ name: d.replace(/!$/, ""), restart: d.endsWith("!") })),
    });
  }
  return settings;
}

/** Repeats findStoppable, removing each wave, until nothing is left (or nothing can stop). */
function stopWaves(running: string[], settings: Map<string, ProcessSettings>): string[][] {
  const remaining = new Set(running);
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = findStoppable(remaining, settings);
    if (wave.length === 0) break;
    waves.push([...wave].sort());
    for (const t of wave) remaining.delete(t);
  }
  return waves;
}

describe("findStartable", () => {
  it("starts every type without dependencies", () => {
    const settings = graph({ a: [], b: [] });
    expect(findStartable(["a", "b"], settings, new Set(["a", "b"]), new Set())).toEqual(["a", "b"]);
  });

  it("holds back a type whose dependency runs but is not ready", () => {
    const settings = graph({ a: [], b: ["a"] });
    expect(findStartable(["b"], settings, new Set(["a", "b"]), new Set())).toEqual([]);
    expect(findStartable(["b"], settings, new Set(["a", "b"]), new Set(["a"]))).toEqual(["b"]);
  });

  it("counts a dependency that is not part of the run as satisfied", () => {
    const settings = graph({ b: ["postgresql", "redis"] });
    expect(findStartable(["b"], settings, new Set(["b"]), new Set())).toEqual(["b"]);
  });

  it("needs every running dependency ready", () => {
    const settings = graph({ a: [], c: [], b: ["a", "c", "absent"] });
    const running = new Set(["a", "b", "c"]);
    expect(findStartable(["b"], settings, running, new Set(["a"]))).toEqual([]);
    expect(findStartable(["b"], settings, running, new Set(["a", "c"]))).toEqual(["b"]);
  });

  it("only considers the waiting types, in their order", () => {
    const settings = graph({ a: [], b: ["a"], c: [] });
    const running = new Set(["a", "b", "c"]);
    expect(findStartable(["c", "b"], settings, running, new Set(["a"]))).toEqual(["c", "b"]);
    expect(findStartable(new Set(["c"]), settings, running, new Set())).toEqual(["c"]);
  });

  it("treats a type without settings as having no dependencies", () => {
    expect(findStartable(["x"], new Map(), new Set(["x"]), new Set())).toEqual(["x"]);
  });
});

describe("findDependents", () => {
  it("returns the types that depend on a type directly, not transitively", () => {
    const settings = graph({ a: [], b: ["a"], c: ["b"], d: ["a", "c"] });
    expect(findDependents("a", ["a", "b", "c", "d"], settings)).toEqual(["b", "d"]);
    expect(findDependents("b", ["a", "b", "c", "d"], settings)).toEqual(["c"]);
    expect(findDependents("d", ["a", "b", "c", "d"], settings)).toEqual([]);
  });

  it("only looks among the given types", () => {
    const settings = graph({ a: [], b: ["a"], d: ["a"] });
    expect(findDependents("a", new Set(["a", "d"]), settings)).toEqual(["d"]);
  });
});

describe("findStoppable", () => {
  it("stops every type at once when there are no dependencies", () => {
    const settings = graph({ a: [], b: [], c: [] });
    expect(stopWaves(["a", "b", "c"], settings)).toEqual([["a", "b", "c"]]);
    expect(stopWaves(["a", "b"], new Map())).toEqual([["a", "b"]]);
  });

  it("stops dependents first: a chain c → b → a stops c, then b, then a", () => {
    const settings = graph({ a: [], b: ["a"], c: ["b"] });
    expect(findStoppable(new Set(["a", "b", "c"]), settings)).toEqual(["c"]);
    expect(stopWaves(["a", "b", "c"], settings)).toEqual([["c"], ["b"], ["a"]]);
  });

  it("stops a diamond's top, then both sides together, then its base", () => {
    const settings = graph({ a: [], b: ["a"], c: ["a"], d: ["b", "c"] });
    expect(stopWaves(["a", "b", "c", "d"], settings)).toEqual([["d"], ["b", "c"], ["a"]]);
  });

  it("stops a type at once when its dependents are not running", () => {
    const settings = graph({ a: [], b: ["a"] });
    expect(findStoppable(new Set(["a"]), settings)).toEqual(["a"]);
  });

  it("stops unrelated types in the first wave with the dependents", () => {
    const settings = graph({ a: [], b: ["a"], x: [] });
    expect(stopWaves(["a", "b", "x"], settings)).toEqual([["b", "x"], ["a"]]);
  });

  it("ignores a type's dependency on itself", () => {
    const settings = graph({ a: ["a"] });
    expect(findStoppable(new Set(["a"]), settings)).toEqual(["a"]);
  });

  it("finds nothing to stop in a cycle (the supervisor then stops the rest at once)", () => {
    const settings = graph({ a: ["b"], b: ["a"] });
    expect(findStoppable(new Set(["a", "b"]), settings)).toEqual([]);
  });
});
