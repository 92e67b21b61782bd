import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../../../src/app/format-problem.js";
import { loadApp } from "../../../../src/app/load.js";
import { makeTempDir, type TempDir } from "../temp-dir.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/manifests");
const DURATION_FIX =
  "Fix: write seconds as a number (10, 0.5) or text with units: 500ms, 10s, 2m, 1h, 1m30s.";
const YAML_FIX =
  'Fix: correct the YAML syntax (indent with spaces; quote values that contain ": " or start with * & ! % @ `).';
const CYCLE_FIX = "Fix: remove one of these dependencies: a process cannot wait for itself.";

/** Each fixture (copied to parity.yml next to a four-type Procfile) and every message it gives. */
const expected: Record<string, string[]> = {
  "yaml-syntax.yml": [
    `error: parity.yml:5:5: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }. ${YAML_FIX}`,
  ],
  "duplicate-key.yml": [
    `error: parity.yml:5:3: invalid YAML: Map keys must be unique. ${YAML_FIX}`,
  ],
  "not-a-map.yml": [
    "error: parity.yml:1:1: expected a map, got a list. Fix: write key: value pairs.",
  ],
  "unknown-top-level-key.yml": [
    'error: parity.yml:2:1: unknown key "proceses". Did you mean "processes"?',
  ],
  "misplaced-key.yml": [
    'error: parity.yml:1:1: unknown key "formation". Fix: formation belongs under environments.NAME.',
  ],
  "unknown-process-key.yml": [
    'error: parity.yml:3:5: processes.web: unknown key "stop_signl". Did you mean "stop_signal"?',
  ],
  "unknown-environment-key.yml": [
    'error: parity.yml:3:5: environments.production: unknown key "formaton". Did you mean "formation"?',
    'error: parity.yml:4:5: environments.production: unknown key "users". Did you mean "user"?',
  ],
  "unknown-process.yml": [
    'error: parity.yml:4:3: processes: unknown process "wbe". Did you mean "web"?',
    `error: parity.yml:6:3: processes: unknown process "sidekiq". Fix: use one of the Procfile's processes: web, worker, postgresql, redis.`,
  ],
  "unknown-dependency.yml": [
    'error: parity.yml:3:30: processes.web.depends_on[1]: unknown process "redsi". Did you mean "redis"?',
  ],
  "dependency-listed-twice.yml": [
    'error: parity.yml:3:37: processes.web.depends_on[2]: "postgresql" is listed twice. Fix: remove the repeated entry.',
  ],
  "dependency-cycle.yml": [
    `error: parity.yml:8:18: processes.redis.depends_on[0]: dependency cycle web → worker → redis → web. ${CYCLE_FIX}`,
  ],
  "dependency-cycle-in-environment.yml": [
    `error: parity.yml:8:22: environments.production.processes.worker.depends_on[0]: dependency cycle web → worker → web. ${CYCLE_FIX}`,
  ],
  "bad-restart.yml": [
    'error: parity.yml:3:14: processes.web.restart: "sometimes" is not a restart policy. Fix: use never, on-failure or always, or a map such as { policy: on-failure, limit: 5 }.',
    'error: parity.yml:5:14: processes.worker.restart: "on_failure" is not a restart policy. Did you mean "on-failure"?',
  ],
  "bad-restart-map.yml": [
    "error: parity.yml:3:14: processes.web.restart: missing policy. Fix: use never, on-failure or always.",
    "error: parity.yml:3:36: processes.web.restart.limit: 0 is not a number of restarts (1 or more). Fix: write a whole number, 1 or more.",
  ],
  "max-backoff-below-backoff.yml": [
    "error: parity.yml:3:14: processes.web.restart: max_backoff (5s) is shorter than backoff (10s). Fix: make max_backoff at least as long as backoff.",
  ],
  "bad-duration.yml": [
    `error: parity.yml:3:19: processes.web.stop_timeout: "10 sec" is not a duration. ${DURATION_FIX}`,
    `error: parity.yml:5:19: processes.worker.stop_timeout: -1 is not a duration. ${DURATION_FIX}`,
  ],
  "zero-duration.yml": [
    `error: parity.yml:4:40: processes.web.ready.interval: "0s" is not a duration of more than 0. ${DURATION_FIX}`,
    `error: parity.yml:4:53: processes.web.ready.timeout: 0 is not a duration of more than 0. ${DURATION_FIX}`,
  ],
  "bad-signal.yml": [
    'error: parity.yml:3:18: processes.web.stop_signal: "sigterm" is not a stop signal. Did you mean "SIGTERM"?',
    "error: parity.yml:5:18: processes.worker.stop_signal: 15 is not a stop signal. Fix: use one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH, SIGABRT, SIGALRM (the SIG prefix may be left out).",
  ],
  "uncatchable-signal.yml": [
    'error: parity.yml:3:18: processes.web.stop_signal: "KILL" is not a stop signal. Fix: SIGKILL cannot be caught, so the process could not stop cleanly (parity sends SIGKILL itself after stop_timeout); use SIGTERM or another signal the process handles.',
  ],
  "ready-check-count.yml": [
    "error: parity.yml:3:12: processes.web.ready: 2 checks given (tcp, http). Fix: give exactly one of tcp, http, exec or log.",
    "error: parity.yml:5:12: processes.worker.ready: no check given. Fix: give exactly one of tcp, http, exec or log.",
  ],
  "bad-ready-target.yml": [
    'error: parity.yml:3:19: processes.web.ready.tcp: "localhost:http" is not a TCP address. Fix: write a port (5432 or $PORT) or host:port ("127.0.0.1:$PORT").',
    'error: parity.yml:5:20: processes.worker.ready.http: "127.0.0.1:$PORT/health" is not an http:// or https:// URL. Fix: write a URL such as "http://127.0.0.1:$PORT/health".',
  ],
  "bad-user.yml": [
    'error: parity.yml:5:11: environments.production.user: "Deploy" is not a user name. Fix: write a user name such as deploy: lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters.',
  ],
  "bad-log-pattern.yml": [
    'error: parity.yml:3:19: processes.web.ready.log: "Listening (on" is not a regular expression. Fix: write a pattern such as "Listening on" or "ready to accept connections$" (escape ( ) [ ] . + * ? with \\).',
  ],
  "bad-formation-count.yml": [
    'error: parity.yml:3:23: environments.production.formation.web: "two" is not a number of instances. Fix: write a whole number, 0 or more.',
    "error: parity.yml:3:36: environments.production.formation.worker: -1 is not a number of instances. Fix: write a whole number, 0 or more.",
    "error: parity.yml:3:45: environments.production.formation.all: 1.5 is not a number of instances. Fix: write a whole number, 0 or more.",
  ],
  "unknown-formation-process.yml": [
    'error: parity.yml:3:18: environments.production.formation: unknown process "wbe". Did you mean "web"?',
  ],
  "bad-env-files-type.yml": [
    "error: parity.yml:3:16: environments.production.env_files: expected a file or a list of files, got a map. Fix: write a list such as [.env, .env.production].",
  ],
  "missing-env-file.yml": [
    'error: parity.yml:3:23: environments.development.env_files: env file ".env.missing" not found in the app root. Fix: create it, or remove it from the list.',
  ],
  "bad-log-path.yml": [
    'error: parity.yml:4:10: environments.production.log: "var/log/shop" is not an absolute directory path. Fix: write an absolute path such as /var/log/shop.',
  ],
};

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir();
  dir.write("Procfile", "web: a\nworker: b\npostgresql: c\nredis: d\n");
  dir.write(".env", "A=1\n");
});
afterEach(() => {
  dir.remove();
});

/** Every message loading the app gives with this fixture as its parity.yml. */
async function loadFixture(name: string): Promise<string[]> {
  copyFileSync(join(fixtures, name), join(dir.path, "parity.yml"));
  const result = await loadApp({}, { cwd: dir.path, env: {} });
  return result.ok ? [] : result.problems.map((p) => formatProblem(p, dir.path));
}

describe("manifest errors (one fixture per kind)", () => {
  it.each(Object.keys(expected))("%s", async (name) => {
    expect(await loadFixture(name)).toEqual(expected[name]);
  });

  it("has an expectation for every fixture", async () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(expected).sort());
  });
});
