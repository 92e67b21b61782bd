// depends_on in parity.yml: its entries, and the checks on them (known names, no repeats, no cycles).

import type { Dependency, Problem } from "../../types.js";
import { suggestName } from "../suggest.js";
import { showKeyPath } from "./issues.js";
import { type Manifest, type PathKey, reportAt } from "./parse.js";
import type { ProcessData } from "./schema.js";

/** One dependency and where it was written. */
export interface DependencyEntry {
  dependency: Dependency;
  path: PathKey[];
  /** A list item is a value; a map entry is a key. */
  part: "key" | "value";
}

/** The entries of a depends_on value (a name, a list of names, or a map of name: { restart }). */
export function listDependencies(
  value: NonNullable<ProcessData["depends_on"]>,
  path: PathKey[],
): DependencyEntry[] {
  if (typeof value === "string") {
    return [{ dependency: { name: value, restart: false }, path, part: "value" }];
  }
  if (Array.isArray(value)) {
    return value.map((name, i) => ({
      dependency: { name, restart: false },
      path: [...path, i],
      part: "value",
    }));
  }
  return Object.entries(value).map(([name, options]) => ({
    dependency: { name, restart: options?.restart ?? false },
    path: [...path, name],
    part: "key",
  }));
}

/**
 * Check a dependency graph (type → its entries): every name is a process type (when `known` is
 * given), none is repeated, and there is no cycle; a cycle is reported at the entry that closes it.
 */
export function checkDependencies(
  graph: Map<string, DependencyEntry[]>,
  known: string[] | undefined,
  manifest: Manifest,
): Problem[] {
  const problems: Problem[] = [];
  for (const entries of graph.values()) {
    const seen = new Set<string>();
    for (const entry of entries) {
      const { name } = entry.dependency;
      const where = showKeyPath(entry.path.slice(0, entry.part === "key" ? -1 : undefined));
      if (known && !known.includes(name)) {
        const suggestion = suggestName(name, known);
        const fix = suggestion
          ? `did you mean "${suggestion}"?`
          : `use one of the Procfile's processes: ${known.join(", ")}`;
        problems.push(
          reportAt(manifest, entry.path, entry.part, `${where}: unknown process "${name}"`, fix),
        );
      } else if (seen.has(name)) {
        const fix = "remove the repeated entry";
        problems.push(
          reportAt(manifest, entry.path, entry.part, `${where}: "${name}" is listed twice`, fix),
        );
      }
      seen.add(name);
    }
  }
  return [...problems, ...findCycles(graph, manifest)];
}

/** Report every cycle once, found by a depth-first walk in the graph's order. */
function findCycles(graph: Map<string, DependencyEntry[]>, manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    stack.push(name);
    for (const entry of graph.get(name) ?? []) {
      const next = entry.dependency.name;
      const open = stack.indexOf(next);
      if (open !== -1) {
        const cycle = [...stack.slice(open), next].join(" → ");
        const where = showKeyPath(entry.path.slice(0, entry.part === "key" ? -1 : undefined));
        const fix = "remove one of these dependencies: a process cannot wait for itself";
        problems.push(
          reportAt(manifest, entry.path, entry.part, `${where}: dependency cycle ${cycle}`, fix),
        );
      } else if (!done.has(next) && graph.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    done.add(name);
  };
  for (const name of graph.keys()) if (!done.has(name)) visit(name);
  return problems;
}
