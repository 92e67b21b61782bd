// `npm run example` (the README's first command): runs examples/shop (a web app and a worker on
// PostgreSQL and Redis) when PostgreSQL and redis-server are installed, else the server-free
// examples/hello. Arguments go to `parity start`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const shop = join(root, "examples/shop");

/** True when `command ARGS` runs and exits 0. */
const runs = (command, ...args) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

const missing = [
  runs(join(shop, "bin/pg"), "postgres", "--version") ? undefined : "PostgreSQL",
  runs("redis-server", "--version") ? undefined : "redis-server",
].filter(Boolean);

let app;
if (missing.length === 0) {
  app = shop;
  if (!existsSync(join(shop, "node_modules/pg"))) {
    console.error("example: installing examples/shop's packages (npm ci --prefix examples/shop)");
    const npm = spawnSync("npm", ["ci", "--prefix", shop, "--no-audit", "--no-fund"], {
      stdio: "inherit",
    });
    if (npm.status !== 0) process.exit(npm.status ?? 1);
  }
  console.error(
    "example: examples/shop on http://127.0.0.1:5000 — try\n" +
      `  curl -d '{"item":"book","quantity":2}' http://127.0.0.1:5000/orders\n` +
      "  curl http://127.0.0.1:5000/orders/1",
  );
} else {
  app = join(root, "examples/hello");
  console.error(
    `example: ${missing.join(" and ")} not installed, so examples/hello (http://127.0.0.1:5000);` +
      " examples/shop needs PostgreSQL and redis-server (Debian: apt-get install postgresql redis-server)",
  );
}

// parity runs in its own process group, so that a signal sent to the whole group (a terminal's
// Ctrl-C, `timeout`, npm's forwarding) reaches it once, through this script: parity stops on the
// first signal and kills at once on a second, so copies of one signal that arrive together (the
// terminal's and npm's) are passed on once; a second Ctrl-C a moment later still kills at once.
const parity = spawn(
  process.execPath,
  [join(root, "bin/parity.js"), "start", "-d", app, ...process.argv.slice(2)],
  { stdio: "inherit", detached: true },
);
const lastSent = new Map();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastSent.get(signal) ?? 0) < 300) return;
    lastSent.set(signal, now);
    parity.kill(signal);
  });
}
parity.on("exit", (code, signal) => {
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
});
