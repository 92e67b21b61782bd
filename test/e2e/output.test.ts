// End-to-end: every byte a child writes reaches parity's stdout, in order, in whole lines.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, track } from "../support/parity.js";

afterEach(cleanup);

/** The text of every stdout line labelled `label`, in order. */
function linesOf(stdout: string, label: string): string[] {
  const prefix = `${label} | `;
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    const at = line.indexOf(" | ");
    if (at >= 0 && line.slice(0, at).trim() === label) out.push(line.slice(at + 3));
    else if (line.startsWith(prefix)) out.push(line.slice(prefix.length));
  }
  return out;
}

const withoutSystem = (lines: string[]) =>
  lines.filter((l) => !/^(started with pid \d+|exited with code \d+|terminated by \w+)$/.test(l));

describe("parity start: output integrity", () => {
  it("delivers 500,000 lines from one child, all of them, in order", async () => {
    const cwd = track(makeApp({ Procfile: "spew: seq 1 500000\nother: forever\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "44100"], { cwd });
    expect((await p.waitForExit(60_000)).code).toBe(0);
    const got = withoutSystem(linesOf(p.stdout(), "spew.1"));
    expect(got.length).toBe(500_000);
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== String(i + 1)) throw new Error(`line ${i + 1} is ${JSON.stringify(got[i])}`);
    }
  });

  it("delivers what a process writes while the others are being stopped", async () => {
    const cwd = track(makeApp({ Procfile: "first: sleep 0.3\nlate: print-on-term 20000\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "44200"], { cwd });
    expect((await p.waitForExit(30_000)).code).toBe(0);
    const late = linesOf(p.stdout(), "late.1");
    const bye = late.filter((l) => l.startsWith("bye "));
    expect(bye.length).toBe(20_000);
    expect(bye[0]).toBe("bye 1");
    expect(bye.at(-1)).toBe("bye 20000");
    // the exit line follows the process's last output
    expect(late.at(-1)).toMatch(/^exited with code 0$/);
  });

  it("prints a last line that has no newline", async () => {
    const cwd = track(makeApp({ Procfile: "tail: printf 'last words'\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "44300"], { cwd });
    await p.waitForExit();
    expect(linesOf(p.stdout(), "tail.1")).toContain("last words");
  });

  it("keeps multi-byte UTF-8 characters intact when they are split across reads", async () => {
    const cwd = track(makeApp({ Procfile: "utf: utf8-split\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "44400"], { cwd });
    await p.waitForExit();
    expect(linesOf(p.stdout(), "utf.1")).toContain("café € 😀");
    expect(p.stdout()).not.toContain("\uFFFD");
  });

  it("passes a 1 MiB line through whole", async () => {
    const cwd = track(
      makeApp({ Procfile: `big: node -e "process.stdout.write('x'.repeat(1 << 20) + '\\\\n')"\n` }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "44500"], { cwd });
    await p.waitForExit();
    const lines = withoutSystem(linesOf(p.stdout(), "big.1"));
    expect(lines.map((l) => l.length)).toEqual([1 << 20]);
    expect(/^x+$/.test(lines[0] ?? "")).toBe(true);
  });

  it("never interleaves two processes' lines mid-line", async () => {
    const writer = (ch: string) =>
      `node -e "for (let i = 0; i < 300; i++) process.stdout.write('${ch}'.repeat(40000) + '\\\\n'); process.stdout.write('end\\\\n'); setInterval(() => {}, 1000)"`;
    const cwd = track(makeApp({ Procfile: `a: ${writer("a")}\nb: ${writer("b")}\n` }));
    const p = runParity(["start", "--no-timestamp", "-p", "44600"], { cwd });
    await p.waitForLine(/^a\.1 +\| end$/, 30_000);
    await p.waitForLine(/^b\.1 +\| end$/, 30_000);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
    for (const [label, ch] of [
      ["a.1", "a"],
      ["b.1", "b"],
    ] as const) {
      const lines = withoutSystem(linesOf(p.stdout(), label)).filter((l) => l !== "end");
      expect(lines.length).toBe(300);
      for (const l of lines) expect(l).toBe(ch.repeat(40000));
    }
    // every line of the output is one whole line of one process
    for (const line of p.stdout().split("\n").slice(0, -1)) {
      expect(line).toMatch(/^(a\.1|b\.1|system) +\| (a+|b+|.{0,80})$/);
    }
  });

  it("shows a partial line (a prompt) after a short pause, without breaking a UTF-8 character", async () => {
    const cwd = track(makeApp({ Procfile: "ask: prompt go.flag\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "44700"], { cwd });
    await p.waitForLine(/^ask\.1 +\| Password: ü$/, 5000);
    writeFileSync(join(cwd, "go.flag"), "");
    await p.waitForLine(/^ask\.1 +\| é done$/, 5000);
    await p.waitForExit();
    expect(p.stdout()).not.toContain("\uFFFD");
  });
});

describe("parity start: line format", () => {
  it("prefixes HH:MM:SS and names padded to one column (foreman's format)", async () => {
    const cwd = track(makeApp({ Procfile: "w: echo hi; sleep 0.2\nlongname: forever long\n" }));
    const p = runParity(["start", "-p", "44800"], { cwd });
    await p.waitForExit();
    const lines = p.lines();
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d w\.1 {8}\| hi$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d longname\.1 \| long$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\d\d:\d\d:\d\d system {5}\| w\.1 exited with code 0, sending SIGTERM/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d:\d\d w\.1 {8}\| started with pid \d+$/),
    );
  });

  it("colours with -c even when stdout is a pipe, and not by default", async () => {
    const cwd = track(makeApp({ Procfile: "w: echo hi\n" }));
    const plain = runParity(["start", "-p", "44900"], { cwd });
    await plain.waitForExit();
    expect(plain.stdout()).not.toContain("\x1b[");
    const colored = runParity(["start", "-c", "-p", "44900"], { cwd });
    await colored.waitForExit();
    expect(colored.stdout()).toMatch(/\x1b\[36m\d\d:\d\d:\d\d w\.1 +\|\x1b\[39m hi/);
  });

  it("honours FORCE_COLOR without a flag, and --no-color over it", async () => {
    const cwd = track(makeApp({ Procfile: "w: echo hi\n" }));
    const forced = runParity(["start", "-p", "45000"], {
      cwd,
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    });
    await forced.waitForExit();
    expect(forced.stdout()).toContain("\x1b[36m");
    const off = runParity(["start", "--no-color", "-p", "45000"], {
      cwd,
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    });
    await off.waitForExit();
    expect(off.stdout()).not.toContain("\x1b[");
  });
});
