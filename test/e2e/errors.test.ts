// End-to-end: every user error is one clear message, a non-zero exit, nothing started, no stack trace.
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParityToEnd, track } from "../support/parity.js";

afterEach(cleanup);

// Every Procfile here would create `started.flag` if anything were started.
const TOUCH = "touch started.flag; sleep 5";

interface Case {
  name: string;
  files?: Record<string, string | Buffer>;
  args: string[];
  /** Every line of stderr that is an error must match one of these, and each must match a line. */
  expect: RegExp[];
}

const cases: Case[] = [
  {
    name: "missing Procfile",
    files: {},
    args: ["start"],
    expect: [
      /^error: Procfile: Procfile not found\. Fix: create one, or point at it with -f\/--procfile\.$/,
    ],
  },
  {
    name: "missing Procfile given with -f",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-f", "Procfile.dev"],
    expect: [/^error: Procfile\.dev: Procfile not found\./],
  },
  {
    name: "duplicate process names (both lines named)",
    files: { Procfile: `web: ${TOUCH}\nworker: ${TOUCH}\nweb: ${TOUCH}\n` },
    args: ["start"],
    expect: [
      /^error: Procfile:3: duplicate process name "web" \(first defined on line 1\)\. Fix: rename one/,
    ],
  },
  {
    name: "no entries",
    files: { Procfile: "# only a comment\n\n" },
    args: ["start"],
    expect: [
      /^error: Procfile: no process types defined\. Fix: add a line such as `web: npm start`\.$/,
    ],
  },
  {
    name: "a Procfile that is not UTF-8",
    files: {
      Procfile: Buffer.concat([
        Buffer.from(`web: ${TOUCH}\nbad: echo `),
        Buffer.from([0xff, 0xfe]),
        Buffer.from("\n"),
      ]),
    },
    args: ["start"],
    expect: [/^error: Procfile:2: not UTF-8 text\./],
  },
  {
    name: "unknown formation name, with a suggestion",
    files: { Procfile: `web: ${TOUCH}\nworker: ${TOUCH}\n` },
    args: ["start", "-m", "wrker=2"],
    expect: [/^error: -m\/--formation: unknown process "wrker"\. Did you mean "worker"\?$/],
  },
  {
    name: "malformed formation count",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-m", "web=two"],
    expect: [/^error: -m\/--formation: invalid count "two" for "web"\. Fix: use a whole number/],
  },
  {
    name: "bad port",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-p", "70000"],
    expect: [
      /^error: -p\/--port: invalid port "70000"\. Fix: use a whole number from 1 to 65535\.$/,
    ],
  },
  {
    name: "bad timeout",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-t", "soon"],
    expect: [/^error: -t\/--timeout: invalid timeout "soon"\. Fix: /],
  },
  {
    name: "bad port and bad timeout together: both reported",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-t", "-1", "-p", "0"],
    expect: [/^error: -t\/--timeout: /, /^error: -p\/--port: /],
  },
  {
    name: "missing explicit env file",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-e", ".env,missing.env"],
    expect: [/^error: missing\.env: env file not found\. Fix: /],
  },
  {
    name: "unknown process on the command line",
    files: { Procfile: `web: ${TOUCH}\nworker: ${TOUCH}\n` },
    args: ["start", "wbe"],
    expect: [/^error: PROCESS argument: unknown process "wbe"\. Did you mean "web"\?$/],
  },
  {
    name: "unknown option",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "--colour"],
    expect: [/^error: unknown option '--colour'.*\(see: parity --help\)$/],
  },
  {
    name: "unknown command, with a suggestion",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["strat"],
    expect: [/^error: unknown command 'strat' \(Did you mean start\?\) \(see: parity --help\)$/],
  },
  {
    name: "a formation that starts nothing",
    files: { Procfile: `web: ${TOUCH}\nworker: ${TOUCH}\n` },
    args: ["start", "-m", "all=0"],
    expect: [
      /^error: -m\/--formation: the formation starts no process \(every count is 0\)\. Fix: /,
    ],
  },
  {
    name: "an app root that does not exist",
    files: { Procfile: `web: ${TOUCH}\n` },
    args: ["start", "-f", "Procfile", "-d", "no-such-dir"],
    expect: [/^error: -d\/--root: app root ".*no-such-dir" is not a directory\. Fix: /],
  },
  {
    name: "a port above 65535 after formation",
    files: { Procfile: `a: ${TOUCH}\nb: ${TOUCH}\n` },
    args: ["start", "-p", "65500"],
    expect: [
      /^error: -p\/--port: b\.1 would get port 65600, above 65535\. Fix: choose a base port of at most 65435/,
    ],
  },
];

describe("user errors", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const cwd = track(makeApp(c.files ?? {}));
      if (c.files?.[".env"] === undefined) writeFileSync(join(cwd, ".env"), "");
      const r = await runParityToEnd(c.args, { cwd });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
      expect(errors.length).toBe(c.expect.length);
      for (const pattern of c.expect) expect(errors).toContainEqual(expect.stringMatching(pattern));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(cwd, "started.flag"))).toBe(false);
    });
  }

  describe("a port already in use", () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((res) => (server ? server.close(() => res()) : res())));

    it("is reported with the process that wanted it, and nothing starts", async () => {
      server = createServer();
      await new Promise<void>((res) => server?.listen(45110, "127.0.0.1", () => res()));
      const cwd = track(makeApp({ Procfile: `web: ${TOUCH}\nworker: ${TOUCH}\n` }));
      const r = await runParityToEnd(["start", "-p", "45010"], { cwd });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "error: -p/--port: port 45110 (PORT of worker.1) is already in use. Fix: stop what is listening there, or choose another base port with -p/--port.\n",
      );
      expect(existsSync(join(cwd, "started.flag"))).toBe(false);
      const check = await runParityToEnd(["check", "-p", "45010"], { cwd });
      expect(check.code).toBe(1);
      expect(check.stderr).toMatch(
        /^error: -p\/--port: port 45110 \(PORT of worker\.1\) is already in use\./m,
      );
    });
  });

  it("user errors print no stack trace even with PARITY_DEBUG=1", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\nweb: false\n" }));
    const r = await runParityToEnd(["start", "-m", "nope=1"], { cwd, env: { PARITY_DEBUG: "1" } });
    expect(r.code).toBe(2);
    expect(
      r.stderr
        .split("\n")
        .filter(Boolean)
        .every((l) => l.startsWith("error: ")),
    ).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
