import { describe, expect, it } from "vitest";
import { assignInstances, checkProcessNames, parseFormation } from "../../../src/app/formation.js";
import type { ProcessType } from "../../../src/types.js";

const makeTypes = (...names: string[]): ProcessType[] =>
  names.map((name, index) => ({ name, command: `run-${name}`, index, line: index + 1 }));

const types = makeTypes("web", "worker", "clock");

describe("parseFormation", () => {
  const counts = (spec: string | undefined) => {
    const result = parseFormation(spec, types);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return Object.fromEntries(result.value);
  };

  it("defaults to one of each type", () => {
    expect(counts(undefined)).toEqual({ web: 1, worker: 1, clock: 1 });
    expect(counts("")).toEqual({ web: 1, worker: 1, clock: 1 });
    expect(counts("  ")).toEqual({ web: 1, worker: 1, clock: 1 });
  });

  it("keeps the default for types the formation does not name", () => {
    expect(counts("web=2,worker=0")).toEqual({ web: 2, worker: 0, clock: 1 });
  });

  it("applies all=N to every type, specific items overriding it in any order", () => {
    expect(counts("all=3")).toEqual({ web: 3, worker: 3, clock: 3 });
    expect(counts("all=0,web=1")).toEqual({ web: 1, worker: 0, clock: 0 });
    expect(counts("web=1,all=0")).toEqual({ web: 1, worker: 0, clock: 0 });
  });

  it("starts from a base formation (the manifest's) that items override per type", () => {
    const base = new Map([
      ["web", 2],
      ["worker", 0],
      ["clock", 3],
    ]);
    const withBase = (spec: string | undefined) => {
      const result = parseFormation(spec, types, "-m/--formation", base);
      return result.ok && Object.fromEntries(result.value);
    };
    expect(withBase(undefined)).toEqual({ web: 2, worker: 0, clock: 3 });
    expect(withBase("worker=1")).toEqual({ web: 2, worker: 1, clock: 3 });
    expect(withBase("all=1,web=5")).toEqual({ web: 5, worker: 1, clock: 1 });
  });

  it("tolerates spaces around items and around =, and empty items", () => {
    expect(counts(" web = 2 , worker=3 ,")).toEqual({ web: 2, worker: 3, clock: 1 });
  });

  it("lets a later item for the same type win, as foreman does", () => {
    expect(counts("web=2,web=4")).toEqual({ web: 4, worker: 1, clock: 1 });
  });

  it("returns a key for every type, in Procfile order", () => {
    const result = parseFormation("clock=2", types);
    expect(result.ok && [...result.value.keys()]).toEqual(["web", "worker", "clock"]);
  });

  it.each(["web", "web=", "=2", "=", "web=2=3"])("reports the malformed item %j", (item) => {
    const result = parseFormation(item, types);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: expect.stringMatching(/^(malformed item|invalid count)/),
          flag: "-m/--formation",
          fix: expect.any(String),
        },
      ],
    });
  });

  it("explains a missing count with the NAME=COUNT form", () => {
    expect(parseFormation("web", types)).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: 'malformed item "web"',
          flag: "-m/--formation",
          fix: "write NAME=COUNT items separated by commas, such as web=2,worker=1 or all=1",
        },
      ],
    });
  });

  it.each(["-1", "1.5", "two", "+1", "1e2"])("reports the count %j as invalid", (count) => {
    expect(parseFormation(`web=${count}`, types)).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: `invalid count "${count}" for "web"`,
          flag: "-m/--formation",
          fix: "use a whole number of instances, 0 or more",
        },
      ],
    });
  });

  it("suggests the closest name for an unknown process", () => {
    expect(parseFormation("wbe=2", types)).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: 'unknown process "wbe"',
          flag: "-m/--formation",
          fix: 'did you mean "web"?',
        },
      ],
    });
  });

  it("lists the valid names when nothing is close", () => {
    const result = parseFormation("database=1", types);
    expect(!result.ok && result.problems[0]?.fix).toBe(
      "use one of the Procfile's processes: web, worker, clock",
    );
  });

  it("reports every problem, each with the given flag", () => {
    const result = parseFormation(
      "wbe=1,worker=x,clock,all=-2,web=1",
      types,
      "formation in parity.yml",
    );
    expect(!result.ok && result.problems.map((p) => [p.message, p.flag])).toEqual([
      ['unknown process "wbe"', "formation in parity.yml"],
      ['invalid count "x" for "worker"', "formation in parity.yml"],
      ['malformed item "clock"', "formation in parity.yml"],
      ['invalid count "-2" for "all"', "formation in parity.yml"],
    ]);
  });
});

describe("assignInstances", () => {
  const formationOf = (entries: Record<string, number>) => new Map(Object.entries(entries));
  const ports = (result: ReturnType<typeof assignInstances>) => {
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.value.map((i) => `${i.name}=${i.port}`);
  };

  it("follows foreman's example: base 6000, web=2, worker=3", () => {
    const result = assignInstances(
      makeTypes("web", "worker"),
      formationOf({ web: 2, worker: 3 }),
      6000,
    );
    expect(result).toEqual({
      ok: true,
      value: [
        { type: "web", n: 1, name: "web.1", port: 6000, command: "run-web" },
        { type: "web", n: 2, name: "web.2", port: 6001, command: "run-web" },
        { type: "worker", n: 1, name: "worker.1", port: 6100, command: "run-worker" },
        { type: "worker", n: 2, name: "worker.2", port: 6101, command: "run-worker" },
        { type: "worker", n: 3, name: "worker.3", port: 6102, command: "run-worker" },
      ],
      warnings: [],
    });
  });

  it("keeps each type's port block even when an earlier type runs no instance", () => {
    expect(
      ports(assignInstances(types, formationOf({ web: 0, worker: 1, clock: 2 }), 5000)),
    ).toEqual(["worker.1=5100", "clock.1=5200", "clock.2=5201"]);
  });

  it("uses the type's Procfile index, not its position in the list", () => {
    const [, worker] = makeTypes("web", "worker");
    expect(ports(assignInstances([worker!], formationOf({ worker: 1 }), 5000))).toEqual([
      "worker.1=5100",
    ]);
  });

  it("runs only the named types, in Procfile order", () => {
    const result = assignInstances(types, formationOf({ web: 2, worker: 1, clock: 1 }), 5000, [
      "clock",
      "web",
    ]);
    expect(ports(result)).toEqual(["web.1=5000", "web.2=5001", "clock.1=5200"]);
  });

  it("runs one instance of a named type whose formation count is 0", () => {
    const result = assignInstances(types, formationOf({ web: 0, worker: 0, clock: 0 }), 5000, [
      "worker",
    ]);
    expect(ports(result)).toEqual(["worker.1=5100"]);
  });

  it("treats an empty list of names as all types", () => {
    expect(
      ports(assignInstances(types, formationOf({ web: 1, worker: 1, clock: 1 }), 5000, [])),
    ).toHaveLength(3);
  });

  it("reports unknown process names with a suggestion", () => {
    const result = assignInstances(types, formationOf({ web: 1, worker: 1, clock: 1 }), 5000, [
      "web",
      "wroker",
      "nginx",
    ]);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: 'unknown process "wroker"',
          flag: "PROCESS argument",
          fix: 'did you mean "worker"?',
        },
        {
          severity: "error",
          message: 'unknown process "nginx"',
          flag: "PROCESS argument",
          fix: "use one of the Procfile's processes: web, worker, clock",
        },
      ],
    });
  });

  it("reports a port above 65535 with the highest base port that fits", () => {
    const result = assignInstances(types, formationOf({ web: 1, worker: 1, clock: 3 }), 65334);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "clock.3 would get port 65536, above 65535",
          flag: "-p/--port",
          fix: "choose a base port of at most 65333 with -p/--port",
        },
      ],
    });
  });

  it("accepts the highest base port that fits exactly", () => {
    const result = assignInstances(types, formationOf({ web: 1, worker: 1, clock: 3 }), 65333);
    expect(ports(result).at(-1)).toBe("clock.3=65535");
  });

  it("reports one overflow per type", () => {
    const result = assignInstances(types, formationOf({ web: 1, worker: 2, clock: 2 }), 65500);
    expect(!result.ok && result.problems.map((p) => p.message)).toEqual([
      "worker.1 would get port 65600, above 65535",
      "clock.1 would get port 65700, above 65535",
    ]);
  });

  it("reports instances that would share a port because a type has more than 100", () => {
    const result = assignInstances(types, formationOf({ web: 102, worker: 3, clock: 0 }), 5000);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: "web.101 and worker.1 would both get port 5100",
          flag: "-m/--formation",
          fix: "run at most 100 instances of each process type",
        },
      ],
    });
  });
});

describe("checkProcessNames", () => {
  it("accepts Procfile types and reports the others", () => {
    expect(checkProcessNames(["web", "clock"], types)).toEqual({
      ok: true,
      value: ["web", "clock"],
      warnings: [],
    });
    expect(checkProcessNames(["web", "clk"], types)).toEqual({
      ok: false,
      problems: [
        {
          severity: "error",
          message: 'unknown process "clk"',
          flag: "PROCESS argument",
          fix: 'did you mean "clock"?',
        },
      ],
    });
  });
});
