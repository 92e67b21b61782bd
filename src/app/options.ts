// Validates the simple command-line values: ports, timeouts and env-file lists.

import { resolve } from "node:path";
import type { Result } from "../types.js";

/** Seconds between the stop signal and SIGKILL when -t/--timeout is not given (foreman's). */
export { DEFAULT_TIMEOUT_SECONDS } from "./defaults.js";

import { DEFAULT_TIMEOUT_SECONDS } from "./defaults.js";

/** Parse a TCP port (1-65535); undefined when the value was not given. */
export function parsePort(value: string | undefined, flag: string): Result<number | undefined> {
  if (value === undefined) return { ok: true, value: undefined, warnings: [] };
  const text = value.trim();
  const port = Number(text);
  if (/^\d+$/.test(text) && port >= 1 && port <= 65535) {
    return { ok: true, value: port, warnings: [] };
  }
  return {
    ok: false,
    problems: [
      {
        severity: "error",
        message: `invalid port "${value}"`,
        flag,
        fix: "use a whole number from 1 to 65535",
      },
    ],
  };
}

/** The longest timeout a timer can hold (2^31 − 1 ms), in whole seconds. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** Parse a timeout in seconds (decimals allowed, 0 or more); the default when not given. */
export function parseTimeout(value: string | undefined, flag: string): Result<number> {
  if (value === undefined) return { ok: true, value: DEFAULT_TIMEOUT_SECONDS, warnings: [] };
  const text = value.trim();
  const seconds = Number(text);
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(text) && seconds <= MAX_TIMEOUT_SECONDS) {
    return { ok: true, value: seconds, warnings: [] };
  }
  return {
    ok: false,
    problems: [
      {
        severity: "error",
        message: `invalid timeout "${value}"`,
        flag,
        fix: `give a number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}, such as 5 or 2.5`,
      },
    ],
  };
}

/** Split a comma-separated list of env files and resolve each against cwd. */
export function parseEnvFileList(value: string, cwd: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => resolve(cwd, item));
}
