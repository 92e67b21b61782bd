// `parity start`'s arguments in their common forms, read without commander (loading and setting
// up commander costs ≈ 1 ms of every start); anything else is left to commander.
import type { StartFlags } from "./start-command.js";

/** start's options that take a value, by flag, as addStartCommand declares them. */
export const VALUE_OPTIONS: Readonly<Record<string, keyof StartFlags>> = {
  "-f": "procfile",
  "--procfile": "procfile",
  "-d": "root",
  "--root": "root",
  "-e": "env",
  "--env": "env",
  "-E": "environment",
  "--environment": "environment",
  "--manifest": "manifest",
  "-m": "formation",
  "--formation": "formation",
  "-p": "port",
  "--port": "port",
  "-t": "timeout",
  "--timeout": "timeout",
  "--via": "via",
};

/** start's options without a value, by flag: the flag they set and to what. */
export const SWITCHES: Readonly<Record<string, readonly [keyof StartFlags, boolean]>> = {
  "-c": ["color", true],
  "--color": ["color", true],
  "--no-color": ["color", false],
  "--no-timestamp": ["timestamp", false],
  "--no-watch": ["watch", false],
};

/** The flags commander gives start when none is set (its defaults and the --no-X options'). */
const DEFAULT_FLAGS: Readonly<StartFlags> = { timeout: "5", timestamp: true, watch: true };

/**
 * Reads `argv` (without node and script) when it is `start` followed by process names and start's
 * options, each written out (`-f FILE`, `--procfile FILE` or `--procfile=FILE`), with values that
 * do not begin with `-`, and `--` before further names. Returns what commander would pass to the
 * start command's action (a unit test compares the two), or undefined for anything else: help,
 * unknown or combined options (`-cf FILE`), a missing value; commander then parses, explains
 * errors and suggests fixes.
 */
export function parseStartArgs(
  argv: readonly string[],
): { processes: string[]; flags: StartFlags } | undefined {
  if (argv[0] !== "start") return undefined;
  const flags: StartFlags = { ...DEFAULT_FLAGS };
  const set = flags as unknown as Record<keyof StartFlags, string | boolean>;
  const processes: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      processes.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-")) {
      processes.push(arg);
      continue;
    }
    const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    const key = Object.hasOwn(VALUE_OPTIONS, flag) ? VALUE_OPTIONS[flag] : undefined;
    if (key !== undefined) {
      const value = equals > 0 ? arg.slice(equals + 1) : argv[++i];
      if (value === undefined || value.startsWith("-")) return undefined;
      set[key] = value;
      continue;
    }
    const change = equals < 0 && Object.hasOwn(SWITCHES, flag) ? SWITCHES[flag] : undefined;
    if (change === undefined) return undefined;
    set[change[0]] = change[1];
  }
  return { processes, flags };
}
