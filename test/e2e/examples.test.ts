// End-to-end: every bundled example starts, serves, and stops cleanly, so none goes stale.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, runParity } from "../support/parity.js";
import { waitFor } from "../support/processes.js";

afterEach(cleanup);

const examplesDir = resolve(import.meta.dirname, "../../examples");
const examples = readdirSync(examplesDir).filter((d) =>
  existsSync(join(examplesDir, d, "Procfile")),
);
// An example with a test file of its own (test/e2e/shop.test.ts: servers to install, ports to
// pass, a data directory) is tested there, not here.
const ownTest = (name: string) => existsSync(join(import.meta.dirname, `${name}.test.ts`));
// Below 32768, outside Linux's range of ephemeral ports: a connection another test closed
// (TIME_WAIT for 60 s on its client port) can never hold this port.
const PORT = 26100;

describe("examples", () => {
  it("the hello example exists (the README's first command runs it)", () => {
    expect(examples).toContain("hello");
  });

  for (const name of examples.filter((n) => !ownTest(n))) {
    it(`${name}: every process starts and says something, then SIGTERM stops all with status 0`, async () => {
      const dir = join(examplesDir, name);
      const p = runParity(
        ["start", "--no-timestamp", "-f", join(dir, "Procfile"), "-p", String(PORT)],
        {
          cwd: dir,
        },
      );
      const started = await p.waitForLine(/started with pid/);
      expect(started).toBeTruthy();
      await waitFor(
        () => {
          const spoke = new Set(
            p
              .lines()
              .filter((l) => !/\| (started with pid|exited with code|terminated by)/.test(l))
              .map((l) => l.split(" ")[0]),
          );
          const labels = new Set(
            p
              .lines()
              .map((l) => l.split(" ")[0])
              .filter((l) => l !== "system"),
          );
          return labels.size > 0 && [...labels].every((l) => spoke.has(l));
        },
        15_000,
        `every ${name} process to print a line`,
      );
      if (name === "hello") {
        const res = await fetch(`http://127.0.0.1:${PORT}/`);
        expect(await res.text()).toBe("hello from development (web.1)\n");
      }
      expect(p.stdout()).not.toMatch(/exited with code [1-9]/);
      process.kill(p.pid, "SIGTERM");
      expect((await p.waitForExit()).code).toBe(0);
    });
  }
});
