// End-to-end: examples/shop with real PostgreSQL and Redis servers run by parity; an order goes
// from web through Redis to the worker, SIGTERM leaves nothing running, and the data survives.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, runParity, runParityToEnd, track } from "../support/parity.js";
import { waitUntilGone } from "../support/processes.js";

afterEach(cleanup);

const shop = resolve(import.meta.dirname, "../../examples/shop");
const pg = join(shop, "bin/pg");

/** True when `command ARGS` runs and exits 0. */
const runs = (command: string, ...args: string[]) =>
  spawnSync(command, args, { stdio: "ignore" }).status === 0;

const missing = [
  runs(pg, "postgres", "--version") ? undefined : "PostgreSQL (initdb, postgres)",
  runs("redis-server", "--version") ? undefined : "redis-server",
].filter((m): m is string => m !== undefined);
const servers = missing.length === 0;
const skipped = servers ? "" : ` (skipped: ${missing.join(" and ")} not installed)`;

// Ports from the formation: web BASE, worker BASE+100, postgresql BASE+200, redis BASE+300.
// Below 32768, outside Linux's range of ephemeral ports, which the clients' connections use: a
// client port in TIME_WAIT (60 s after a close) cannot be listened on, and would fail the port check.
const BASE = 29600;
// The mini-prod test: its servers at VIA_BASE+200 and +300, web 2× and worker 2× from WEB_BASE.
const VIA_BASE = 30200;
const WEB_BASE = 30600;
const hasRunit = ["runsvdir", "runsv", "sv", "chpst"].every((c) =>
  runs("sh", "-c", `command -v ${c}`),
);
const environment = (pgdata: string) => ({
  PGDATA: pgdata,
  // The shell wins over .env.development, whose URLs name the ports of the base 5000.
  DATABASE_URL: `postgres://shop@127.0.0.1:${BASE + 200}/shop`,
  REDIS_URL: `redis://127.0.0.1:${BASE + 300}`,
});

interface Order {
  id: number;
  item: string;
  quantity: number;
  status: string;
  done_by: string | null;
}

async function getOrder(id: number, base = BASE): Promise<Order> {
  const res = await fetch(`http://127.0.0.1:${base}/orders/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Order;
}

/** Calls `get` every 100 ms until `done` accepts its value; fails after `timeoutMs`. */
async function pollUntil<T>(get: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Every process below `root`, by parent links. cleanup() finds a test's processes by the tag in
 * their environment, which redis-server and PostgreSQL's children overwrite with their process
 * titles (their /proc/PID/environ reads as zeros): this finds them anyway.
 */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** `pg_controldata`'s "Database cluster state" of `pgdata`. */
function clusterState(pgdata: string): string {
  const r = spawnSync(pg, ["pg_controldata", pgdata], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return /^Database cluster state:\s*(.+)$/m.exec(r.stdout)?.[1] ?? r.stdout;
}

function startShop(pgdata: string) {
  return runParity(["start", "--no-timestamp", "-d", shop, "-p", String(BASE)], {
    cwd: shop,
    env: environment(pgdata),
  });
}

/** Waits until every process is up: the servers ready, then web and the worker ready. */
async function waitUntilReady(p: ReturnType<typeof startShop>): Promise<void> {
  const ready = async () => {
    for (const name of ["postgresql.1", "redis.1", "web.1", "worker.1"]) {
      await p.waitForLine(
        new RegExp(`^system +\\| ${name.replace(".", "\\.")} ready after`),
        30_000,
      );
    }
  };
  // parity exiting first (a port in use, a server that would not start) fails at once, saying why.
  const exited = p.waitForExit(60_000).then(({ code }) => {
    throw new Error(
      `parity exited with ${code} before everything was ready:\n${p.stdout()}\n${p.stderr()}`,
    );
  });
  exited.catch(() => {}); // only the race below reports it
  await Promise.race([ready(), exited]);
}

describe(`examples/shop: web, worker, PostgreSQL and Redis${skipped}`, () => {
  beforeAll(() => {
    if (!servers || existsSync(join(shop, "node_modules/pg"))) return;
    const r = spawnSync("npm", ["ci", "--prefix", shop, "--no-audit", "--no-fund"], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`npm ci --prefix examples/shop failed:\n${r.stderr}`);
  }, 120_000);

  it.skipIf(!servers)(
    "an order posted to web is done by the worker; SIGTERM stops everything; a second start reuses the data",
    async () => {
      const tmp = track(mkdtempSync(join(tmpdir(), "parity-shop-")));
      chmodSync(tmp, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach PGDATA
      const pgdata = join(tmp, "pgdata");

      // First start: bin/pg initialises the data directory, web and worker wait for both servers.
      const first = startShop(pgdata);
      await waitUntilReady(first);
      const lines = first.lines();
      expect(lines).toContainEqual(
        expect.stringMatching(/^postgresql\.1 +\| initialising .* \(first run\)/),
      );
      const serversReady = Math.max(
        lines.findIndex((l) => /^system +\| postgresql\.1 ready/.test(l)),
        lines.findIndex((l) => /^system +\| redis\.1 ready/.test(l)),
      );
      expect(lines.findIndex((l) => /^web\.1 +\| started with pid/.test(l))).toBeGreaterThan(
        serversReady,
      );
      expect(lines.findIndex((l) => /^worker\.1 +\| started with pid/.test(l))).toBeGreaterThan(
        serversReady,
      );

      const health = await fetch(`http://127.0.0.1:${BASE}/health`);
      expect(await health.json()).toEqual({ postgres: "ok", redis: "ok" });

      const posted = await fetch(`http://127.0.0.1:${BASE}/orders`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ item: "teapot", quantity: 2 }),
      });
      expect(posted.status).toBe(201);
      const { id } = (await posted.json()) as { id: number };
      expect(posted.headers.get("location")).toBe(`/orders/${id}`);

      await first.waitForLine(new RegExp(`^worker\\.1 +\\| order ${id} done$`), 10_000);
      const order = await pollUntil(
        () => getOrder(id),
        (o) => o.status === "done",
        10_000,
      );
      expect(order).toMatchObject({ id, item: "teapot", quantity: 2, done_by: "worker.1" });

      // web, worker, redis-server, the postmaster and its children (checkpointer, backends, …)
      const tree = descendants(first.pid);
      expect(tree.length).toBeGreaterThanOrEqual(8);
      first.child.kill("SIGTERM");
      expect((await first.waitForExit(30_000)).code).toBe(0);
      expect(await waitUntilGone(tree, 3000)).toEqual([]);
      const stopped = first.stdout();
      expect(stopped).toMatch(/^postgresql\.1 +\| .*database system is shut down$/m);
      expect(stopped).toMatch(/^postgresql\.1 +\| exited with code 0$/m);
      expect(stopped).toMatch(/^redis\.1 +\| exited with code 0$/m);
      // The data directory is intact and was shut down cleanly (no recovery needed).
      expect(existsSync(join(pgdata, "PG_VERSION"))).toBe(true);
      expect(existsSync(join(pgdata, "postmaster.pid"))).toBe(false);
      expect(clusterState(pgdata)).toBe("shut down");

      // Second start: the same data directory, no initialisation, the order is still there.
      const second = startShop(pgdata);
      await waitUntilReady(second);
      expect(second.stdout()).not.toMatch(/initialising/);
      expect(second.stdout()).toMatch(/database system was shut down at/);
      expect(await getOrder(id)).toMatchObject({ id, item: "teapot", status: "done" });
      const secondTree = descendants(second.pid);
      second.child.kill("SIGTERM");
      expect((await second.waitForExit(30_000)).code).toBe(0);
      expect(await waitUntilGone(secondTree, 3000)).toEqual([]);
      expect(clusterState(pgdata)).toBe("shut down");
    },
    90_000,
  );
  it.skipIf(!servers || !hasRunit)(
    `mini-prod: parity start --via runit -E production runs web=2, worker=2 under runsvdir against local servers${hasRunit ? "" : " (skipped: runit not installed)"}`,
    async () => {
      const tmp = track(mkdtempSync(join(tmpdir(), "parity-shop-via-")));
      chmodSync(tmp, 0o755);
      const pgdata = join(tmp, "pgdata");
      const privateTmp = join(tmp, "tmp");
      mkdirSync(privateTmp);
      // The servers, as in development (postgresql and redis only).
      const servers = runParity(
        ["start", "--no-timestamp", "-d", shop, "-p", String(VIA_BASE), "postgresql", "redis"],
        { cwd: shop, env: { PGDATA: pgdata } },
      );
      for (const name of ["postgresql", "redis"])
        await servers.waitForLine(new RegExp(`^system +\\| ${name}\\.1 ready after`), 30_000);
      // Production's env file, pointing at them instead of db.internal and redis.internal.
      const envFile = join(tmp, ".env.production");
      writeFileSync(
        envFile,
        [
          `DATABASE_URL=postgres://shop@127.0.0.1:${VIA_BASE + 200}/shop`,
          `REDIS_URL=redis://127.0.0.1:${VIA_BASE + 300}`,
          "HOST=127.0.0.1",
          "",
        ].join("\n"),
      );
      const via = runParity(
        ["start", "--via", "runit", "--no-timestamp", "-d", shop, "-E", "production"].concat([
          "-e",
          envFile,
          "-p",
          String(WEB_BASE),
        ]),
        { cwd: shop, env: { TMPDIR: privateTmp } },
      );
      const webs = [WEB_BASE, WEB_BASE + 1];
      for (const port of webs) {
        await pollUntil(
          () =>
            fetch(`http://127.0.0.1:${port}/health`).then(
              (r) => r.status,
              () => 0,
            ),
          (status) => status === 200,
          30_000,
        );
      }
      // One order through each web; the workers (two of them) take them from Redis.
      const ids: number[] = [];
      for (const port of webs) {
        const posted = await fetch(`http://127.0.0.1:${port}/orders`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ item: `via ${port}`, quantity: 1 }),
        });
        expect(posted.status).toBe(201);
        ids.push(((await posted.json()) as { id: number }).id);
      }
      for (const id of ids) {
        await via.waitForLine(new RegExp(`^worker\\.[12] +\\| order ${id} done$`), 15_000);
        const order = await pollUntil(
          () => getOrder(id, WEB_BASE),
          (o) => o.status === "done",
          10_000,
        );
        expect(order.done_by).toMatch(/^worker\.[12]$/);
      }
      const out = via.stdout();
      for (const name of ["web.1", "web.2", "worker.1", "worker.2"])
        expect(out).toMatch(
          new RegExp(`^${name.replace(".", "\\.")} +\\| started with pid \\d+$`, "m"),
        );
      expect(out).not.toMatch(/^(postgresql|redis)\./m);
      expect(via.stderr()).toContain("production's user shop is left out");

      // Ctrl-C: every service stops (control/t), runsvdir and every runsv exit, nothing is left.
      const tree = descendants(via.pid);
      expect(tree.length).toBeGreaterThanOrEqual(13); // runsvdir, 4 × (runsv, log/run's cat, node)
      via.child.kill("SIGINT");
      expect((await via.waitForExit(30_000)).code).toBe(0);
      expect(await waitUntilGone(tree, 3000)).toEqual([]);
      expect(readdirSync(privateTmp)).toEqual([]);
      servers.child.kill("SIGTERM");
      expect((await servers.waitForExit(30_000)).code).toBe(0);
      expect(clusterState(pgdata)).toBe("shut down");
    },
    120_000,
  );
});

describe("examples/shop: production", () => {
  it("parity check -E production passes: web=2, worker=2, no local servers", async () => {
    const r = await runParityToEnd(["check", "-E", "production", "-d", shop, "-p", "29650"], {
      cwd: shop,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 instances on ports 29650-29751; environment production/);
    expect(r.stdout).toMatch(/env files: .*\.env\.production;/);
  });
});
