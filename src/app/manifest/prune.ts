// Leaves out the values a validation refused, so that the rest of a manifest can still be checked.

import type * as z from "zod";
import { isMap, listRefusedPaths, lookUp } from "./issues.js";
import type { PathKey } from "./parse.js";
import { type ManifestData, manifestSchema } from "./schema.js";

/** Rounds of removal before giving up (a removal can uncover a problem one level up). */
const MAX_ROUNDS = 5;

/** The manifest without the refused values, validated; undefined when nothing sensible is left. */
export function pruneRefused(
  raw: unknown,
  issues: readonly z.core.$ZodIssue[],
): ManifestData | undefined {
  const data = structuredClone(raw);
  let refused = issues;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    for (const path of listRefusedPaths(refused)) {
      if (!removeAt(data, path)) return undefined;
    }
    const parsed = manifestSchema.safeParse(data);
    if (parsed.success) return parsed.data;
    refused = parsed.error.issues;
  }
  return undefined;
}

/**
 * Remove the map entry holding the refused value: a list goes as a whole, and a missing required
 * key takes its map with it. False when the refusal is the whole manifest.
 */
function removeAt(data: unknown, path: PathKey[]): boolean {
  let target = trimIndexes(path);
  if (target.length > 0 && lookUp(data, target) === undefined)
    target = trimIndexes(target.slice(0, -1));
  if (target.length === 0) return false;
  const parent = lookUp(data, target.slice(0, -1));
  if (isMap(parent)) delete parent[String(target.at(-1))];
  return true;
}

/** The path without its trailing list indexes. */
function trimIndexes(path: PathKey[]): PathKey[] {
  let end = path.length;
  while (end > 0 && typeof path[end - 1] === "number") end--;
  return path.slice(0, end);
}
