// Refuses names and paths an export cannot use exactly (app, process types, env keys, user, directories); never rewrites them.
import type { EnvEntry, Problem, ProcessType, SettingSource } from "../types.js";

/** App names: unit-name and file-name safe, not hidden, not an option. */
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Process types (the Procfile already allows only these). */
const TYPE_NAME = /^[A-Za-z0-9_-]+$/;
/** Environment keys every init system and /bin/sh accept. */
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** systemd's safe user names (export-rules.md: `User=0day` once ran as root). */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,30}$/;
/** A unit name may be 255 characters long, suffix included. */
const MAX_UNIT_NAME = 255;
const LONGEST_SUFFIX = ".service";

/** Where a name came from, for the problem's location. */
export type NameOrigin =
  | { kind: "flag"; flag: string }
  | { kind: "file"; file: string; line?: number; column?: number }
  | { kind: "root" };

/** Turn a setting's source (flag, manifest position, default) into a name origin. */
export function toNameOrigin(source: SettingSource, flag: string): NameOrigin {
  if (source.kind === "manifest") {
    return { kind: "file", file: source.file, line: source.line, column: source.column };
  }
  return { kind: "flag", flag: source.kind === "flag" ? source.flag : flag };
}

/** Place a problem at its origin: the flag, the file position, or the app root's name (-a fixes it). */
function placeAt(origin: NameOrigin, message: string, fix: string): Problem {
  if (origin.kind === "flag") return { severity: "error", message, flag: origin.flag, fix };
  if (origin.kind === "root") {
    return {
      severity: "error",
      message: `${message} (the app root's directory name)`,
      flag: "-a/--app",
      fix: `name the app with -a/--app or the manifest's app: ${fix}`,
    };
  }
  const { file, line, column } = origin;
  return {
    severity: "error",
    message,
    file,
    ...(line !== undefined && { line }),
    ...(column !== undefined && { column }),
    fix,
  };
}

/** Refuse an app name that cannot name units, service directories and files. */
export function validateAppName(name: string, origin: NameOrigin): Problem[] {
  if (APP_NAME.test(name)) return [];
  return [
    placeAt(
      origin,
      `app name "${name}" cannot be used in unit and file names`,
      "use letters, digits, _, . and -, starting with a letter or digit, such as shop",
    ),
  ];
}

/** Refuse process types that cannot name units or directories (the Procfile's own rule, checked again). */
export function validateProcessTypes(types: ProcessType[], procfile: string): Problem[] {
  return types
    .filter((type) => !TYPE_NAME.test(type.name))
    .map((type) => ({
      severity: "error" as const,
      message: `process type "${type.name}" cannot be used in unit and file names`,
      file: procfile,
      line: type.line,
      fix: "use letters, digits, _ and - only",
    }));
}

/** Refuse service names (APP-TYPE.N) too long for a unit name. */
export function validateServiceName(service: string, procfile: string, line: number): Problem[] {
  if (service.length + LONGEST_SUFFIX.length <= MAX_UNIT_NAME) return [];
  return [
    {
      severity: "error",
      message: `service name "${service}" is longer than a unit name may be (${MAX_UNIT_NAME} characters with ${LONGEST_SUFFIX})`,
      file: procfile,
      line,
      fix: "shorten the app name or the process type",
    },
  ];
}

/** Refuse env keys that are not shell variable names, and values no environment can hold (NUL). */
export function validateEnv(env: Map<string, EnvEntry>): Problem[] {
  const problems: Problem[] = [];
  for (const [key, entry] of env) {
    const at = entry.source.kind === "file" ? entry.source : undefined;
    const where = at ? { file: at.file, line: at.line } : {};
    if (!ENV_KEY.test(key)) {
      problems.push({
        severity: "error",
        message: `env key "${key}" cannot be exported: init systems and /bin/sh need a shell variable name`,
        ...where,
        fix: "rename it to letters, digits and _, not starting with a digit",
      });
    }
    if (entry.value.includes("\0")) {
      problems.push({
        severity: "error",
        message: `the value of "${key}" contains a NUL character, which no process environment can hold`,
        ...where,
        fix: "remove the NUL character from the value",
      });
    }
  }
  return problems;
}

/** Refuse a user name that systemd could misread (or run as root); runit gets the same rule. */
export function validateUser(user: string, origin: NameOrigin): Problem[] {
  if (USER_NAME.test(user)) return [];
  return [
    placeAt(
      origin,
      `user name "${user}" cannot be exported`,
      "use lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters (systemd's rule), such as deploy",
    ),
  ];
}

/** Refuse a directory path that is not absolute or holds a line break or NUL (it goes into unit files and scripts). */
export function validateAbsolutePath(path: string, what: string, flag: string): Problem[] {
  if (/[\r\n\0]/.test(path)) {
    return [
      {
        severity: "error",
        message: `${what} "${JSON.stringify(path).slice(1, -1)}" contains a line break or NUL character`,
        flag,
        fix: "choose a path without line breaks",
      },
    ];
  }
  if (!path.startsWith("/")) {
    return [
      {
        severity: "error",
        message: `${what} "${path}" is not an absolute path`,
        flag,
        fix: "give an absolute path, starting with /",
      },
    ];
  }
  return [];
}
