// Finds where a value (or its key) starts in a parsed YAML document, following a path of keys.

import { type Document, isAlias, isMap, isScalar, isSeq, type Node } from "yaml";
import type { PathKey } from "./parse.js";

/** The offset where the node at `path` (or its key) starts, or the nearest enclosing node's start. */
export function findOffset(doc: Document, path: readonly PathKey[], part: "key" | "value"): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (const [i, key] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(key),
      );
      if (!pair) break;
      const keyOffset = startOf(pair.key) ?? offset;
      if (last && part === "key") return keyOffset;
      node = pair.value;
      offset = isEmpty(node) ? keyOffset : (startOf(node) ?? keyOffset);
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      offset = startOf(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** A node's start offset, if it has one. */
function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

/** A value left out (`key:` with nothing after it): its position is the key's. */
function isEmpty(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && node.source === "");
}
