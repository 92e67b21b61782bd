// Builds parity.schema.json from the runtime schema, so that editors complete and check parity.yml.

import * as z from "zod";
import { manifestSchema } from "./schema.js";

/** The JSON Schema (draft-07, which editors support best) of parity.yml, as written by scripts/write-schema.mjs. */
export function buildJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(manifestSchema, {
    io: "input",
    target: "draft-7",
  });
  return {
    $schema,
    title: "parity.yml",
    description:
      "The manifest of parity, a Procfile process supervisor: per-process readiness, dependencies, stop signal, restart policy and watch globs, and per-environment env files, formation, user and log directory.",
    ...schema,
  };
}
