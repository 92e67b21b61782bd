// Shared data shapes of parity: the app model that every side (start, run, check, export) reads.

/** Where a problem was found: a file position, or a command-line flag. */
export interface Problem {
  severity: "error" | "warning";
  /** What is wrong, including the bad value. */
  message: string;
  /** Absolute or root-relative path of the file, when the problem is in a file. */
  file?: string;
  line?: number;
  column?: number;
  /** The flag the problem is about (e.g. "-m/--formation"), when it came from the command line. */
  flag?: string;
  /** How to fix it, one sentence. */
  fix?: string;
}

/** A parse/load result: a value plus warnings, or the list of every problem found. */
export type Result<T> =
  | { ok: true; value: T; warnings: Problem[] }
  | { ok: false; problems: Problem[] };

/** One `name: command` entry of a Procfile. */
export interface ProcessType {
  name: string;
  command: string;
  /** 0-based position among the Procfile's entries: decides the PORT block (base + 100 × index). */
  index: number;
  /** 1-based line in the Procfile. */
  line: number;
}

/** Where one environment value came from. */
export type EnvSource = { kind: "file"; file: string; line: number } | { kind: "shell" };

/** One resolved environment variable of the app. */
export interface EnvEntry {
  value: string;
  source: EnvSource;
  /** Earlier definitions that this one overrode, oldest first. */
  overridden: EnvSource[];
}

/** One running copy of a process type: `web.2`. */
export interface Instance {
  type: string;
  /** 1-based instance number. */
  n: number;
  /** `type.n`, also the value of PS. */
  name: string;
  port: number;
  command: string;
}

/** Everything parity knows about an app after reading its inputs. */
export interface App {
  /** Absolute app root: commands run here. */
  root: string;
  /** Absolute path of the Procfile. */
  procfile: string;
  /** Name used by exports: the root directory's name unless given. */
  name: string;
  /** The environment name (`development`, `production`, …). */
  environment: string;
  types: ProcessType[];
  /** The env files that were read, in layering order (absolute paths). */
  envFiles: string[];
  /** Keys defined by env files, resolved (the shell wins over files, except PORT and PS). */
  env: Map<string, EnvEntry>;
  /** Instances per type after formation (0 = not run). Keys are every type of the Procfile. */
  formation: Map<string, number>;
  basePort: number;
  /** Instances to run, in Procfile order then instance number. */
  instances: Instance[];
}
