// Turns zod's validation issues into problems naming the key path, the bad value and the fix.

import type * as z from "zod";
import type { Problem } from "../../types.js";
import { suggestName } from "../suggest.js";
import type { PathKey } from "./parse.js";
import { environmentSchema, manifestSchema, processSchema } from "./schema.js";
import { findHint, findKeys } from "./schema-walk.js";

type Issue = z.core.$ZodIssue;

/** Where in the manifest file a path (its value, or its key) was written. */
export type Place = (
  path: readonly PathKey[],
  part: "key" | "value",
) => { file: string; line: number; column: number };

/** Describe every issue as a problem at its position; `raw` is the data that was validated. */
export function describeIssues(issues: readonly Issue[], raw: unknown, place: Place): Problem[] {
  return issues
    .flatMap((issue) => pickBranch(issue, []))
    .flatMap(({ issue, path }) => describeIssue(issue, path, raw, place));
}

/** The paths of the values (or unknown keys) that the issues refuse, one per refusal. */
export function listRefusedPaths(issues: readonly Issue[]): PathKey[][] {
  return issues
    .flatMap((issue) => pickBranch(issue, []))
    .flatMap(({ issue, path }) =>
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...path, key]) : [path],
    );
}

/** Show a path as `processes.web.depends_on[1]`. */
export function showKeyPath(path: readonly PathKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`))
    .join("");
}

/** Replace a union's failure by the failures of the one member whose type fits the value. */
function pickBranch(issue: Issue, base: PathKey[]): { issue: Issue; path: PathKey[] }[] {
  const path = [...base, ...(issue.path as PathKey[])];
  if (issue.code !== "invalid_union") return [{ issue, path }];
  const fitting = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
  if (fitting.length !== 1) return [{ issue, path }];
  return fitting[0]!.flatMap((sub) => pickBranch(sub, path));
}

/** A member of a union that failed because the value has another type altogether. */
function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === "invalid_type") return true;
  if (issue.code !== "invalid_value") return false;
  return !issue.values.some((value) => typeof value === typeof issue.input);
}

/** One issue as problems: one per unknown key, else one for the value. */
function describeIssue(issue: Issue, path: PathKey[], raw: unknown, place: Place): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => reportUnknownKey(key, path, place));
  }
  const fix = issue.code === "custom" ? issue.params?.fix : undefined;
  if (typeof fix === "string") {
    return [
      { severity: "error", message: prefix(path, issue.message), ...place(path, "value"), fix },
    ];
  }
  const hint = findHint(path);
  const parent = path.length > 0 ? lookUp(raw, path.slice(0, -1)) : undefined;
  if (isMap(parent) && !Object.hasOwn(parent, String(path.at(-1)))) {
    const problem: Problem = {
      severity: "error",
      message: prefix(path.slice(0, -1), `missing ${String(path.at(-1))}`),
      ...place(path, "value"),
    };
    if (hint) problem.fix = hint.fix;
    return [problem];
  }
  const input = lookUp(raw, path);
  const noun = hint?.noun ?? describeExpected(issue);
  const detail = isScalar(input)
    ? `${show(input)} is not ${noun}`
    : `expected ${noun}, got ${describeKind(input)}`;
  const problem: Problem = {
    severity: "error",
    message: prefix(path, detail),
    ...place(path, "value"),
  };
  const chosen =
    suggestValue(issue, input) ?? hint?.explain?.(input) ?? hint?.fix ?? suggestShape(issue);
  if (chosen !== undefined) problem.fix = chosen;
  return [problem];
}

/** An unknown key, with the closest allowed key, the level where it belongs, or the allowed keys. */
function reportUnknownKey(key: string, path: PathKey[], place: Place): Problem {
  const allowed = findKeys(path);
  const suggestion = suggestName(key, allowed);
  const home = suggestion === undefined ? findHome(key) : undefined;
  const problem: Problem = {
    severity: "error",
    message: prefix(path, `unknown key "${key}"`),
    ...place([...path, key], "key"),
  };
  if (suggestion !== undefined) problem.fix = `did you mean "${suggestion}"?`;
  else if (home !== undefined) problem.fix = `${key} belongs ${home}`;
  else if (allowed.length > 0) problem.fix = `use one of: ${allowed.join(", ")}`;
  return problem;
}

/** Where a key that is unknown here would be allowed. */
function findHome(key: string): string | undefined {
  if (Object.hasOwn(processSchema.shape, key))
    return "under processes.TYPE (or environments.NAME.processes.TYPE)";
  if (Object.hasOwn(environmentSchema.shape, key)) return "under environments.NAME";
  if (Object.hasOwn(manifestSchema.shape, key)) return "at the top level";
  return undefined;
}

/** For a value outside a list of choices: the choice it was probably meant to be. */
function suggestValue(issue: Issue, input: unknown): string | undefined {
  if (issue.code !== "invalid_value" || typeof input !== "string") return undefined;
  const choices = issue.values.filter((value): value is string => typeof value === "string");
  const suggestion =
    choices.find((choice) => choice.toLowerCase() === input.toLowerCase()) ??
    suggestName(input, choices);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}

/** A fix for a value of the wrong shape, when no hint gives one. */
function suggestShape(issue: Issue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.expected === "object" || issue.expected === "record") return "write key: value pairs";
  if (issue.expected === "array") return "write a list such as [a, b]";
  return undefined;
}

/** What zod expected, in words, for fields without a hint. */
function describeExpected(issue: Issue): string {
  if (issue.code === "invalid_value") return `one of ${issue.values.map(String).join(", ")}`;
  if (issue.code !== "invalid_type") return "valid here";
  const words: Record<string, string> = {
    object: "a map",
    record: "a map",
    array: "a list",
    string: "a text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
  };
  return words[issue.expected] ?? issue.expected;
}

/** `path: detail`, or the detail alone at the top level. */
function prefix(path: readonly PathKey[], detail: string): string {
  return path.length > 0 ? `${showKeyPath(path)}: ${detail}` : detail;
}

/** The raw value at `path`. */
export function lookUp(raw: unknown, path: readonly PathKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PathKey, unknown>)[key];
  }
  return value;
}

/** A plain map (not a list). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value that reads well inside a message. */
function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** A scalar as written: strings quoted. */
function show(value: string | number | boolean): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** What kind of value a map, list or empty value is. */
function describeKind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null || value === undefined) return "an empty value";
  return typeof value === "object" ? "a map" : typeof value;
}
