// Foreman's formation (`web=2,worker=1`, `all=N`) and the instances and ports it yields.

import type { Instance, Problem, ProcessType, Result } from "../types.js";
import { suggestName } from "./suggest.js";

const ITEM = /^([^=]*)=(.*)$/;
const COUNT = /^\d+$/;
const MAX_PORT = 65535;
/** Each process type owns a block of this many ports: base + 100 × index. */
const PORT_BLOCK = 100;

/**
 * Parse a formation into a count for every process type. Types it does not name get `all=N` when
 * it has one, else their count in `base` (the manifest's formation), else one.
 */
export function parseFormation(
  spec: string | undefined,
  types: ProcessType[],
  flag = "-m/--formation",
  base?: Map<string, number>,
): Result<Map<string, number>> {
  const names = types.map((type) => type.name);
  const problems: Problem[] = [];
  const specific = new Map<string, number>();
  let all: number | undefined;
  const items = (spec ?? "").split(",").map((item) => item.trim());
  for (const item of items.filter((text) => text !== "")) {
    const match = ITEM.exec(item);
    const name = match?.[1]?.trim() ?? "";
    const count = match?.[2]?.trim() ?? "";
    if (!match || name === "" || count === "") {
      problems.push({
        severity: "error",
        message: `malformed item "${item}"`,
        flag,
        fix: "write NAME=COUNT items separated by commas, such as web=2,worker=1 or all=1",
      });
    } else if (!COUNT.test(count)) {
      problems.push({
        severity: "error",
        message: `invalid count "${count}" for "${name}"`,
        flag,
        fix: "use a whole number of instances, 0 or more",
      });
    } else if (name === "all") {
      all = Number(count);
    } else if (!names.includes(name)) {
      problems.push(reportUnknownProcess(name, names, flag));
    } else {
      specific.set(name, Number(count));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const formation = new Map(
    names.map((name) => [name, specific.get(name) ?? all ?? base?.get(name) ?? 1]),
  );
  return { ok: true, value: formation, warnings: [] };
}

/** Number every instance and give it its PORT: base + 100 × type index + (n − 1). */
export function assignInstances(
  types: ProcessType[],
  formation: Map<string, number>,
  basePort: number,
  only?: string[],
): Result<Instance[]> {
  const checked = checkProcessNames(only ?? [], types);
  const problems: Problem[] = checked.ok ? [] : checked.problems;
  const counts = types.map((type) => countInstances(type.name, formation, only));
  const offsets = types.map((type, i) => {
    const count = counts[i] ?? 0;
    return count > 0 ? PORT_BLOCK * type.index + count - 1 : 0;
  });
  const maxBase = MAX_PORT - Math.max(0, ...offsets);
  const instances: Instance[] = [];
  types.forEach((type, i) => {
    for (let n = 1; n <= (counts[i] ?? 0); n++) {
      const port = basePort + PORT_BLOCK * type.index + (n - 1);
      const name = `${type.name}.${n}`;
      if (port > MAX_PORT) {
        problems.push(reportPortTooHigh(name, port, maxBase));
        break;
      }
      instances.push({ type: type.name, n, name, port, command: type.command });
    }
  });
  problems.push(...reportSharedPorts(instances));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: instances, warnings: [] };
}

/** Check that every process named on the command line is a type of the Procfile. */
export function checkProcessNames(only: string[], types: ProcessType[]): Result<string[]> {
  const names = types.map((type) => type.name);
  const problems = only
    .filter((name) => !names.includes(name))
    .map((name) => reportUnknownProcess(name, names, "PROCESS argument"));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: only, warnings: [] };
}

/** How many of a type run: its formation count, none when left out, at least one when named. */
function countInstances(name: string, formation: Map<string, number>, only?: string[]): number {
  const count = formation.get(name) ?? 1;
  if (only === undefined || only.length === 0) return count;
  return only.includes(name) ? Math.max(count, 1) : 0;
}

/** An unknown process name, with the closest valid name or the list of valid ones. */
export function reportUnknownProcess(name: string, names: string[], flag: string): Problem {
  const suggestion = suggestName(name, names);
  return {
    severity: "error",
    message: `unknown process "${name}"`,
    flag,
    fix: suggestion
      ? `did you mean "${suggestion}"?`
      : `use one of the Procfile's processes: ${names.join(", ")}`,
  };
}

/** A port past 65535, with the highest base port that would still fit. */
function reportPortTooHigh(name: string, port: number, maxBase: number): Problem {
  return {
    severity: "error",
    message: `${name} would get port ${port}, above ${MAX_PORT}`,
    flag: "-p/--port",
    fix:
      maxBase >= 1
        ? `choose a base port of at most ${maxBase} with -p/--port`
        : "run fewer instances or choose a lower base port with -p/--port",
  };
}

/** Two instances on one port (a type with over 100 instances runs into the next block): once per pair of types. */
function reportSharedPorts(instances: Instance[]): Problem[] {
  const owner = new Map<number, Instance>();
  const reported = new Set<string>();
  const problems: Problem[] = [];
  for (const instance of instances) {
    const first = owner.get(instance.port);
    if (first === undefined) {
      owner.set(instance.port, instance);
      continue;
    }
    const pair = `${first.type}\n${instance.type}`;
    if (reported.has(pair)) continue;
    reported.add(pair);
    problems.push({
      severity: "error",
      message: `${first.name} and ${instance.name} would both get port ${instance.port}`,
      flag: "-m/--formation",
      fix: `run at most ${PORT_BLOCK} instances of each process type`,
    });
  }
  return problems;
}
