import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildJsonSchema } from "../../../../src/app/manifest/json-schema.js";

const published = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../../parity.schema.json"), "utf8"),
) as JsonSchema;

interface JsonSchema {
  [key: string]: unknown;
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
}

/** Every object schema in the tree, with its path. */
function listObjects(schema: JsonSchema, path = "#"): [string, JsonSchema][] {
  const found: [string, JsonSchema][] = schema.type === "object" ? [[path, schema]] : [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    found.push(...listObjects(child, `${path}/${key}`));
  }
  if (typeof schema.additionalProperties === "object") {
    found.push(...listObjects(schema.additionalProperties, `${path}/*`));
  }
  (schema.anyOf ?? []).forEach((member, i) => {
    found.push(...listObjects(member, `${path}/anyOf${i}`));
  });
  return found;
}

const processSchema = (published.properties?.processes?.additionalProperties ?? {}) as JsonSchema;
const processKeys = processSchema.properties ?? {};

describe("parity.schema.json", () => {
  it("is the JSON Schema of the runtime schema (regenerate: npm run build && node scripts/write-schema.mjs)", () => {
    expect(published).toEqual(buildJsonSchema());
  });

  it("is a draft-07 schema with a title and description", () => {
    expect(published.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(published.title).toBe("parity.yml");
    expect(typeof published.description).toBe("string");
  });

  it("refuses unknown keys in every fixed map (records allow any process or environment name)", () => {
    const objects = listObjects(published).filter(([, schema]) => schema.properties);
    expect(objects.map(([path]) => path)).toEqual(
      expect.arrayContaining(["#", "#/processes/*", "#/environments/*", "#/processes/*/ready"]),
    );
    for (const [path, schema] of objects) {
      expect({ path, additionalProperties: schema.additionalProperties }).toEqual({
        path,
        additionalProperties: false,
      });
    }
  });

  it("offers the restart policies and stop signals as enums", () => {
    const restart = processKeys.restart?.anyOf ?? [];
    expect(restart[0]?.enum).toEqual(["never", "on-failure", "always"]);
    expect(restart[1]?.required).toEqual(["policy"]);
    const signals = processKeys.stop_signal?.enum ?? [];
    expect(signals).toEqual(expect.arrayContaining(["SIGTERM", "TERM", "SIGQUIT", "QUIT"]));
    expect(signals).not.toContain("SIGKILL");
  });

  it("checks durations with the same pattern as the runtime", () => {
    const [seconds, text] = processKeys.stop_timeout?.anyOf ?? [];
    expect(seconds).toEqual({ type: "number", minimum: 0 });
    const pattern = new RegExp(text?.pattern ?? "^$");
    expect(
      ["500ms", "10s", "2m", "1h", "1m30s"].filter((value) => pattern.test(value)),
    ).toHaveLength(5);
    expect(["10 sec", "10", "1d"].some((value) => pattern.test(value))).toBe(false);
    const interval = processKeys.ready?.properties?.interval?.anyOf?.[0];
    expect(interval).toEqual({ type: "number", exclusiveMinimum: 0 });
  });

  it("asks for exactly one readiness check", () => {
    expect(processKeys.ready?.oneOf).toEqual([
      { required: ["tcp"] },
      { required: ["http"] },
      { required: ["exec"] },
      { required: ["log"] },
    ]);
  });

  it("describes every process setting for editors' hover text", () => {
    for (const [key, schema] of Object.entries(processKeys)) {
      expect({ key, described: typeof schema.description === "string" }).toEqual({
        key,
        described: true,
      });
    }
  });
});
