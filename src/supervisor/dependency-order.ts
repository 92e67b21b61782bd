// The order of start and stop from depends_on: dependencies first, dependents stopped first.
import type { ProcessSettings } from "../types.js";

/** Returns the types whose dependencies (among `running`) are all in `ready`. */
export function findStartable(
  waiting: Iterable<string>,
  settings: Map<string, ProcessSettings>,
  running: Set<string>,
  ready: Set<string>,
): string[] {
  const out: string[] = [];
  for (const type of waiting) {
    const deps = settings.get(type)?.dependsOn ?? [];
    if (deps.every((d) => !running.has(d.name) || ready.has(d.name))) out.push(type);
  }
  return out;
}

/** Returns the types that depend on `type` (directly), among `types`. */
export function findDependents(
  type: string,
  types: Iterable<string>,
  settings: Map<string, ProcessSettings>,
): string[] {
  return [...types].filter((t) => settings.get(t)?.dependsOn.some((d) => d.name === type));
}

/**
 * Returns the types that may be stopped now: those that no still-running type depends on.
 * With no dependencies at all, every running type at once.
 */
export function findStoppable(
  running: Set<string>,
  settings: Map<string, ProcessSettings>,
): string[] {
  return [...running].filter((t) => findDependents(t, running, settings).every((d) => d === t));
}

/** Returns `types` ordered so that every type comes after the types (among them) it depends on. */
export function orderByDependencies(
  types: Iterable<string>,
  settings: Map<string, ProcessSettings>,
): string[] {
  const left = new Set(types);
  const ordered: string[] = [];
  while (left.size > 0) {
    const next = [...left].filter(
      (t) => !(settings.get(t)?.dependsOn ?? []).some((d) => left.has(d.name) && d.name !== t),
    );
    // a cycle cannot happen (the manifest is validated); take the rest as they are if it did
    for (const t of next.length > 0 ? next : [...left]) {
      left.delete(t);
      ordered.push(t);
    }
  }
  return ordered;
}
