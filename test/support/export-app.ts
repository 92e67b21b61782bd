// An app whose env files hold every nasty value, for exports run for real; its processes dump what they got.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { parseDotenv } from "../../src/app/dotenv.js";
import { quoteEnvValue } from "../../src/app/env-quote.js";
import { FIXTURES_BIN, runParity } from "./parity.js";
import { waitFor } from "./processes.js";

/** Values that break naive exports: quotes, backslashes, %, $, newlines, edge whitespace, UTF-8. */
export const NASTY_VALUES: Record<string, string> = {
  V_SPACES: "a b  c",
  V_QUOTES: `it's "quoted"`,
  V_BACKSLASH: "a\\b\\\\c \\n \\t",
  V_TRAILING_BACKSLASH: "ends with \\",
  V_PERCENT: "100% %h %n %% %i %",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${PORT} is the point
  V_DOLLAR: "$HOME ${PORT} $$ $ $(id)",
  V_HASH: "a # not a comment",
  V_HASH_FIRST: "#start",
  V_SEMICOLON: "a; b;",
  V_BACKTICK: "`echo hi` $(echo no)",
  V_TAB: "a\tb",
  V_NEWLINE: "line1\nline2",
  V_TRAILING_NEWLINE: "ends\n",
  V_LEADING_TRAILING: "  padded  ",
  V_TRAILING_SPACE: "trail ",
  V_TRAILING_TAB: "tab\t",
  V_ONLY_SPACES: "   ",
  V_SPACE_NEWLINE: "a \nb ",
  V_EMPTY: "",
  V_UTF8: "héllo wörld ✓ 日本 🎉",
  V_CARRIAGE_RETURN: "a\rb",
  V_MIXED: `'\`$\\%#; x`,
  V_EQUALS: "a=b=c",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${X:-y} is the point
  V_BRACES: "${X:-y}",
  V_EXPORT_LIKE: "export X='1'",
  V_QUOTE_NEWLINE: "it's\nnew",
};

/** A value with a newline followed by a directive: must stay a value, never become a directive. */
export function makeInjection(marker: string): string {
  return `x\nExecStartPre=/bin/touch ${marker}\n[Service]\nExecStartPost=/bin/touch ${marker}`;
}

/** The temporary directories of one export test. */
export interface ExportApp {
  /** A unique string in every app process's command line (part of the dump path). */
  tag: string;
  tmp: string;
  /** The app root: a space and a % in its name. */
  root: string;
  /** Where processes write their dumps (mode 0777). */
  dump: string;
  /** Where the export goes. */
  location: string;
  /** The file the injection attempt would create. */
  injected: string;
}

/** Write the env files: every nasty value (checked to read back through dotenv), plus the injection attempt. */
function writeEnvFiles(root: string, injected: string): void {
  const values = { ...NASTY_VALUES, V_INJECT: makeInjection(injected), PORT: "9999" };
  const text = Object.entries(values)
    .map(([key, value]) => `${key}=${quoteEnvValue(value)}\n`)
    .join("");
  const parsed = parseDotenv(text);
  for (const [key, value] of Object.entries(values)) {
    if (parsed[key] !== value) throw new Error(`test setup: dotenv cannot hold ${key}`);
  }
  writeFileSync(join(root, ".env"), text);
  writeFileSync(
    join(root, ".env.production"),
    "V_FROM_PRODUCTION=yes\nV_SPACES=overridden in production\n",
  );
  writeFileSync(join(root, ".env.development"), "V_FROM_DEVELOPMENT=must not be exported\n");
}

/**
 * Make the app: web (2 instances, an exec readiness probe, a command with quotes, %, $VAR),
 * worker (a compound command, depends on web, restart always with a 2 s backoff), stopper
 * (stop signal SIGINT), stubborn (ignores its stop signal; stop timeout 1 s). Every directory
 * is readable by others (systemd-sandbox runs units as nobody); the dump directory is writable.
 */
export function makeExportApp(): ExportApp {
  const tag = `parity-export-e2e-${randomBytes(5).toString("hex")}`;
  const tmp = mkdtempSync(join(tmpdir(), "parity-export-"));
  chmodSync(tmp, 0o755);
  const root = join(tmp, "app dir %h");
  const dump = join(tmp, tag);
  const location = join(tmp, "export out");
  mkdirSync(join(root, "sub"), { recursive: true, mode: 0o755 });
  mkdirSync(dump, { mode: 0o777 });
  chmodSync(dump, 0o777);
  const injected = join(dump, "injected");
  writeEnvFiles(root, injected);
  // The fixture scripts are copied next to the app: the repository's own directory may not be
  // reachable by another user (a checkout under a 0700 directory), and the processes may run as one.
  const bin = join(tmp, "bin");
  mkdirSync(bin, { mode: 0o755 });
  for (const f of ["dump-env", "stop-on-int", "ignore-term", "package.json"]) {
    copyFileSync(join(FIXTURES_BIN, f), join(bin, f));
    chmodSync(join(bin, f), 0o755);
  }
  const dumpEnv = JSON.stringify(join(bin, "dump-env"));
  const d = JSON.stringify(dump);
  const procfile = [
    `web: exec ${dumpEnv} ${d} --ready-after 300 'arg with  spaces' "100% \\"q\\" \\$HOME" '$PORT' $PORT %n '\${V_SPACES}' "tab\there"`,
    `worker: cd sub && ${dumpEnv} ${d}`,
    `stopper: exec ${JSON.stringify(join(bin, "stop-on-int"))} ${d}`,
    `stubborn: exec ${JSON.stringify(join(bin, "ignore-term"))} ${d}`,
    "",
  ].join("\n");
  writeFileSync(join(root, "Procfile"), procfile);
  const manifest = [
    "app: envtest",
    "processes:",
    "  web:",
    `    ready: { exec: ${JSON.stringify(`test -f ${shellQuote(dump)}/ready-$PORT`)}, interval: 0.1s, timeout: 20s }`,
    "  worker:",
    "    depends_on: [web]",
    "    restart: { policy: always, backoff: 2s, max_backoff: 2s }",
    "  stopper:",
    "    stop_signal: SIGINT",
    "    stop_timeout: 5s",
    "  stubborn:",
    "    stop_timeout: 1s",
    "environments:",
    "  production:",
    "    formation: { web: 2 }",
    "",
  ].join("\n");
  writeFileSync(join(root, "parity.yml"), manifest);
  return { tag, tmp, root, dump, location, injected };
}

/** POSIX single quoting for test fixtures. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** What dump-env wrote. */
export interface Dump {
  env: Record<string, string>;
  cwd: string;
  argv: string[];
  uid: number;
  home: string | undefined;
  user: string | undefined;
  pid: number;
  startedAt: number;
  readyAt: number;
}

/** Read DIR/<name>.json for each name. */
export function readDumps(dir: string, names: string[]): Record<string, Dump> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Dump,
    ]),
  );
}

/** Wait until every name has its dump. */
export async function waitForDumps(
  dir: string,
  names: string[],
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    () => names.every((name) => existsSync(join(dir, `${name}.json`))),
    timeoutMs,
    `dumps of ${names.join(", ")} in ${dir} (found: ${readdirSync(dir).join(", ")})`,
  );
}

/** Remove everything in the dump directory (between runs). */
export function clearDumps(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true, recursive: true });
}

/** The instances compared between parity start and an export. */
export const COMPARED = ["web.1", "web.2", "worker.1"];

/**
 * Run the app's web and worker under `parity start -E production` (the same env files and
 * manifest the export reads) and return their dumps; the dump directory is cleared afterwards.
 */
export async function dumpUnderParityStart(
  app: ExportApp,
  port: number,
): Promise<Record<string, Dump>> {
  clearDumps(app.dump);
  const p = runParity(
    ["start", "--no-timestamp", "-E", "production", "-p", String(port), "web", "worker"],
    { cwd: app.root },
  );
  await waitForDumps(app.dump, COMPARED);
  const dumps = readDumps(app.dump, COMPARED);
  process.kill(p.pid, "SIGTERM");
  await p.waitForExit();
  clearDumps(app.dump);
  return dumps;
}

/** What to compare of a dump: everything the definition decides (not pids, times, uid, HOME). */
export function pickCompared(dump: Dump): Pick<Dump, "env" | "cwd" | "argv"> {
  return { env: dump.env, cwd: dump.cwd, argv: dump.argv };
}

/** The dump of a process run as the user nobody (-u nobody): uid, USER, HOME, and its values intact. */
export function expectRunAsNobody(dump: Dump): void {
  expect(dump.uid).toBe(65534);
  expect(dump.user).toBe("nobody");
  expect(dump.home).toBe(
    execFileSync("sh", ["-c", "getent passwd nobody | cut -d: -f6"], { encoding: "utf8" }).trim(),
  );
  expect(dump.env.V_TRAILING_TAB).toBe("tab\t");
}

/** Pids of live processes whose command line contains `tag` (not this process). */
export function findByCommandLine(tag: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") continue;
      if (readFileSync(`/proc/${name}/cmdline`).includes(tag)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** True when `command` is on PATH. */
export function hasCommand(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
