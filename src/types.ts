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

/** How a process shows it is ready. Values may contain $PORT / ${PORT} (the instance's port). */
export type ReadyCheck =
  | { kind: "tcp"; host: string; port: string }
  | { kind: "http"; url: string }
  | { kind: "exec"; command: string }
  | { kind: "log"; pattern: string };

/** A readiness probe: the check, how often it runs and how long it may take in all. */
export interface ReadyProbe {
  check: ReadyCheck;
  intervalMs: number;
  timeoutMs: number;
}

/** When a process that exited is started again, and how fast. */
export interface RestartPolicy {
  /** never: its exit stops everything (foreman); on-failure: restart after a non-zero exit; always. */
  policy: "never" | "on-failure" | "always";
  /** First delay before a restart; doubles after each restart up to maxBackoffMs (with jitter). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A run that lasted this long resets the delay to initialBackoffMs. */
  resetAfterMs: number;
  /** More than `limit` restarts within `windowMs`: the process is marked failed, the rest keep running. */
  limit: number;
  windowMs: number;
}

/** One dependency of a process type. */
export interface Dependency {
  name: string;
  /** Restart this process when the dependency is restarted (by watch or by hand). */
  restart: boolean;
}

/** What the manifest says about one process type (defaults when there is no manifest). */
export interface ProcessSettings {
  ready: ReadyProbe | undefined;
  dependsOn: Dependency[];
  stopSignal: NodeJS.Signals;
  /** Milliseconds between the stop signal and SIGKILL; undefined: the run's -t. */
  stopTimeoutMs: number | undefined;
  restart: RestartPolicy;
  /** Globs (relative to the app root) whose changes restart this process type. */
  watch: string[];
}

/** A setting written in the manifest, at this position. */
export type ManifestSource = { kind: "manifest"; file: string; line: number; column: number };

/** Where a setting came from: parity's default, a flag (or PARITY_ENV), or the manifest. */
export type SettingSource = { kind: "default" } | { kind: "flag"; flag: string } | ManifestSource;

/** Where the app-wide settings came from (shown by `parity env --explain`). */
export interface AppSources {
  environment: SettingSource;
  envFiles: SettingSource;
  formation: SettingSource;
  user: SettingSource;
  log: SettingSource;
  watch: SettingSource;
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
  /** Per process type (every type of the Procfile): the manifest's settings, or the defaults. */
  settings: Map<string, ProcessSettings>;
  /** Absolute path of the manifest that was read, if any. */
  manifest: string | undefined;
  /** The environment's user and log directory (used by exports). */
  user: string | undefined;
  log: string | undefined;
  /** Whether watch globs restart processes: on in development unless the manifest says otherwise. */
  watch: boolean;
  /** Where the app-wide settings came from. */
  sources: AppSources;
}
