// Finds the schemas that apply at a path of the manifest: for error hints and the keys allowed there.

import * as z from "zod";
import type { PathKey } from "./parse.js";
import { type FieldHint, fieldHints, manifestSchema } from "./schema.js";

type Schema = z.core.$ZodType;

/** The hint of the field at `path`, if any. */
export function findHint(path: readonly PathKey[]): FieldHint | undefined {
  for (const schema of walk(path)) {
    const hint = fieldHints.get(schema);
    if (hint) return hint;
  }
  return undefined;
}

/** The keys allowed in the map at `path`. */
export function findKeys(path: readonly PathKey[]): string[] {
  const object = walk(path).find((schema) => schema instanceof z.ZodObject);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

/** The schemas that apply at `path`, outermost first (wrappers and union members included). */
function walk(path: readonly PathKey[]): Schema[] {
  let layers = unwrap(manifestSchema);
  for (const key of path) {
    const next = layers.map((schema) => step(schema, key)).find((schema) => schema !== undefined);
    if (next === undefined) return [];
    layers = unwrap(next);
  }
  return layers;
}

/** A schema and everything inside it that applies to the same value. */
function unwrap(schema: Schema): Schema[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return [schema, ...unwrap(schema.unwrap())];
  }
  if (schema instanceof z.ZodPipe) return [schema, ...unwrap(schema.in)];
  if (schema instanceof z.ZodUnion) return [schema, ...schema.options.flatMap(unwrap)];
  return [schema];
}

/** The schema of the value under `key` in a map or list schema. */
function step(schema: Schema, key: PathKey): Schema | undefined {
  if (schema instanceof z.ZodObject && typeof key === "string") return schema.shape[key];
  if (schema instanceof z.ZodRecord && typeof key === "string") return schema.valueType;
  if (schema instanceof z.ZodArray && typeof key === "number") return schema.element;
  return undefined;
}
