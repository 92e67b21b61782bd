// Reads and layers .env files with dotenv, remembering the file and line of every value.

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EnvEntry, Problem, Result } from "../types.js";
import { decodeUtf8 } from "./decode-text.js";
import { parseDotenv } from "./dotenv.js";
import { findDefinitionLines, findLineByPrefix } from "./env-lines.js";

/** One env file to read; a required one must exist. */
export interface EnvFileRequest {
  path: string;
  required: boolean;
}

/** The layered values and the files that were actually read, in order. */
export interface EnvFiles {
  env: Map<string, EnvEntry>;
  read: string[];
}

/** Keys the shell cannot override: parity sets them per instance. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** List the default layering for an environment: .env, .env.local, .env.NAME, .env.NAME.local. */
export function defaultEnvFiles(root: string, environment: string): string[] {
  const names = [".env", ".env.local", `.env.${environment}`, `.env.${environment}.local`];
  return [...new Set(names)].map((name) => join(root, name));
}

/** Read env files in order (later files win), recording where each value came from. */
export function readEnvFiles(files: EnvFileRequest[]): Result<EnvFiles> {
  const env = new Map<string, EnvEntry>();
  const read: string[] = [];
  const problems: Problem[] = [];
  for (const { path, required } of files) {
    const bytes = readBytes(path, required);
    if (bytes === undefined) continue;
    if (!Buffer.isBuffer(bytes)) {
      problems.push(bytes);
      continue;
    }
    const decoded = decodeUtf8(bytes, path);
    if (!decoded.ok) {
      problems.push(...decoded.problems);
      continue;
    }
    read.push(path);
    const text = decoded.value;
    const lines = findDefinitionLines(text);
    for (const [key, value] of Object.entries(parseDotenv(text))) {
      const line = lines.get(key) ?? findLineByPrefix(text, key) ?? 1;
      const earlier = env.get(key);
      const overridden = earlier ? [...earlier.overridden, earlier.source] : [];
      env.set(key, { value, source: { kind: "file", file: path, line }, overridden });
      if (!SHELL_NAME.test(key)) problems.push(warnShellName(key, path, line));
    }
  }
  if (problems.some((p) => p.severity === "error")) return { ok: false, problems };
  return { ok: true, value: { env, read }, warnings: problems };
}

/**
 * Lets the shell's environment win over the files, for every key (parity start then sets PORT
 * and PS per instance; parity run keeps the shell's).
 */
export function resolveEnv(
  fileEnv: Map<string, EnvEntry>,
  shellEnv: Record<string, string | undefined>,
): Map<string, EnvEntry> {
  const resolved = new Map<string, EnvEntry>();
  for (const [key, entry] of fileEnv) {
    const shellValue = shellEnv[key];
    if (shellValue === undefined) {
      resolved.set(key, entry);
      continue;
    }
    resolved.set(key, {
      value: shellValue,
      source: { kind: "shell" },
      overridden: [...entry.overridden, entry.source],
    });
  }
  return resolved;
}

/** Read a file's bytes; undefined for a missing optional file, a problem when it cannot be read. */
function readBytes(path: string, required: boolean): Buffer | Problem | undefined {
  if (!required && isMissing(path)) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return undefined;
    if (code === "ENOENT") {
      return {
        severity: "error",
        message: "env file not found",
        file: path,
        fix: "create the file, or correct the path given to -e/--env",
      };
    }
    return {
      severity: "error",
      message: `cannot read env file (${code ?? String(error)})`,
      file: path,
      fix: code === "EISDIR" ? "point at a file, not a directory" : "check the file's permissions",
    };
  }
}

// Most optional env files do not exist: stat says so without the ENOENT a read would throw (four
// default files cost 0.25 ms at start-up that way). Any other failure is left to the read.
function isMissing(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false;
  }
}

/** Warn that a key cannot be read as $KEY by the /bin/sh that runs commands. */
function warnShellName(key: string, file: string, line: number): Problem {
  return {
    severity: "warning",
    message: `"${key}" is not a valid shell variable name: commands cannot read it as $${key}`,
    file,
    line,
    fix: "use only letters, digits and _, not starting with a digit",
  };
}
