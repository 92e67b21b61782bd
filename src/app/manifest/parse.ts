// Reads parity.yml: YAML that keeps every node's position, then validation against the schema.

import { readFileSync } from "node:fs";
import { type Document, LineCounter, parseDocument, visit, type YAMLError } from "yaml";
import type { ManifestSource, Problem, Result } from "../../types.js";
import { decodeUtf8 } from "../decode-text.js";
import { describeIssues } from "./issues.js";
import { findOffset } from "./positions.js";
import { pruneRefused } from "./prune.js";
import { type ManifestData, manifestSchema } from "./schema.js";

/** A key or list index on the way from the top of the manifest to a value. */
export type PathKey = string | number;

/** A 1-based line and column in the manifest. */
export interface Position {
  line: number;
  column: number;
}

/** A validated manifest that can say where each of its values was written. */
export interface Manifest {
  /** Path of the manifest file, as given. */
  file: string;
  data: ManifestData;
  /** Where the value (or its key) at `path` starts; the nearest enclosing node's start when it is missing. */
  locate(path: readonly PathKey[], part?: "key" | "value"): Position;
}

/** A problem at a value (or key) of the manifest. */
export function reportAt(
  manifest: Manifest,
  path: readonly PathKey[],
  part: "key" | "value",
  message: string,
  fix: string,
): Problem {
  return { severity: "error", message, file: manifest.file, ...manifest.locate(path, part), fix };
}

/** Where in the manifest a value (or key) was written, as the source of a setting. */
export function getSource(
  manifest: Manifest,
  path: readonly PathKey[],
  part: "key" | "value" = "value",
): ManifestSource {
  return { kind: "manifest", file: manifest.file, ...manifest.locate(path, part) };
}

/** A manifest and every problem found in it; when only some values are bad, `manifest` holds the rest. */
export interface ParsedManifest {
  /** The valid part of the manifest (refused values left out), or undefined when the YAML is broken. */
  manifest: Manifest | undefined;
  problems: Problem[];
}

/** Read and parse a manifest file; a file that cannot be read is a problem naming `flag`, if given. */
export function readManifest(file: string, flag?: string): ParsedManifest {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === "ENOENT";
    const problem: Problem = {
      severity: "error",
      message: missing ? "manifest not found" : `cannot read manifest (${code ?? String(error)})`,
      file,
      fix: missing
        ? "create it, or correct the path given to --manifest"
        : "point --manifest at a readable file",
    };
    if (flag !== undefined) problem.flag = flag;
    return { manifest: undefined, problems: [problem] };
  }
  const text = decodeUtf8(bytes, file);
  return text.ok
    ? inspectManifest(text.value, file)
    : { manifest: undefined, problems: text.problems };
}

/** Parse manifest text into validated data, reporting every YAML and schema problem with its position. */
export function parseManifest(text: string, file: string): Result<Manifest> {
  const { manifest, problems } = inspectManifest(text, file);
  const warnings = problems.filter((problem) => problem.severity === "warning");
  if (manifest && warnings.length === problems.length) {
    return { ok: true, value: manifest, warnings };
  }
  return { ok: false, problems };
}

/**
 * Parse manifest text, reporting every problem; values the schema refuses are left out of the
 * manifest, so that the rest can still be checked (names, dependencies) and every problem reported.
 */
export function inspectManifest(text: string, file: string): ParsedManifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (path: readonly PathKey[], part: "key" | "value" = "value") =>
    at(findOffset(doc, path, part));
  const yamlProblems = [...doc.errors, ...doc.warnings].map((error) =>
    reportYamlError(error, file, at(error.pos[0])),
  );
  yamlProblems.push(...findUnresolvedAliases(doc, file, at));
  const warnings = yamlProblems.filter((problem) => problem.severity === "warning");
  if (yamlProblems.length > warnings.length) return { manifest: undefined, problems: yamlProblems };
  const raw = convertToData(doc, file);
  if (!raw.ok) return { manifest: undefined, problems: raw.problems };
  const parsed = manifestSchema.safeParse(raw.value ?? {}, { reportInput: true });
  if (parsed.success) return { manifest: { file, data: parsed.data, locate }, problems: warnings };
  const place = (path: readonly PathKey[], part: "key" | "value") => ({
    file,
    ...locate(path, part),
  });
  const problems = describeIssues(parsed.error.issues, raw.value, place);
  const rest = pruneRefused(raw.value ?? {}, parsed.error.issues);
  return {
    manifest: rest && { file, data: rest, locate },
    problems: [...warnings, ...sortByPosition(problems)],
  };
}

/** The document as plain data; too many aliases (a "billion laughs" file) is a problem. */
function convertToData(doc: Document, file: string): Result<unknown> {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }), warnings: [] };
  } catch (error) {
    const problem: Problem = {
      severity: "error",
      message: `invalid YAML: ${(error as Error).message}`,
      file,
      line: 1,
      column: 1,
      fix: "use fewer aliases (*name)",
    };
    return { ok: false, problems: [problem] };
  }
}

/** A YAML syntax error (or warning) at its position, without the parser's own "at line" suffix. */
function reportYamlError(error: YAMLError, file: string, position: Position): Problem {
  const detail = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
  return {
    severity: error.name === "YAMLWarning" ? "warning" : "error",
    message: `invalid YAML: ${detail}`,
    file,
    ...position,
    fix: 'correct the YAML syntax (indent with spaces; quote values that contain ": " or start with * & ! % @ `)',
  };
}

/** An alias (*name) whose anchor (&name) is not defined before it. */
function findUnresolvedAliases(
  doc: Document,
  file: string,
  at: (offset: number) => Position,
): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) !== undefined) return;
      problems.push({
        severity: "error",
        message: `invalid YAML: alias *${alias.source} has no anchor &${alias.source} before it`,
        file,
        ...at(alias.range?.[0] ?? 0),
        fix: `define &${alias.source} before using *${alias.source}`,
      });
    },
  });
  return problems;
}

/** Order problems by position in the file (keeping the order at one position), once each. */
function sortByPosition(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
