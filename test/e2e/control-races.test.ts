// End-to-end: control commands that race the supervisor's own work, and clients that misbehave.
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, runParityToEnd, track } from "../support/parity.js";
import { isAlive, waitFor } from "../support/processes.js";

afterEach(cleanup);

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const answers = async (cwd: string) => (await runParityToEnd(["ps"], { cwd })).code === 0;

/** Sends raw lines to the app's socket and resolves with the answer lines. */
function sendRaw(cwd: string, text: string, expected: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(join(cwd, ".parity", "parity.sock"));
    let got = "";
    socket.on("data", (d) => {
      got += d;
      const lines = got.split("\n").filter(Boolean);
      if (lines.length >= expected) {
        socket.end();
        resolve(lines);
      }
    });
    socket.on("error", reject);
    socket.write(text);
  });
}

describe("control: misbehaving clients", () => {
  it("a malformed request gets an error answer and parity keeps running", async () => {
    const cwd = track(makeApp({ Procfile: "web: exec sleep 100\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "49300"], { cwd });
    await until(() => answers(cwd), 10_000);
    const replies = await sendRaw(
      cwd,
      '{"v":1,"id":1,"cmd":"stop"}\nnull\nnot json\n{"v":9,"id":4,"cmd":"ps"}\n',
      4,
    );
    expect(replies.map((r) => JSON.parse(r).ok)).toEqual([false, false, false, false]);
    expect(JSON.parse(replies[0] ?? "{}").error).toBe('stop needs "names": a list of strings');
    expect(JSON.parse(replies[3] ?? "{}").error).toMatch(/^protocol version 9 is not 1/);
    expect(await answers(cwd)).toBe(true);
    expect(isAlive(p.pid)).toBe(true);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("refuses instances beyond a type's port block", async () => {
    const cwd = track(makeApp({ Procfile: "web: exec sleep 100\nworker: exec sleep 100\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "49400"], { cwd });
    await until(() => answers(cwd), 10_000);
    const start = await runParityToEnd(["start", "web.101"], { cwd });
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(
      "error: web may have 1 to 100 instances (each type has a block of 100 ports)\n",
    );
    const scale = await runParityToEnd(["scale", "web=5000"], { cwd });
    expect(scale.code).toBe(1);
    expect((await runParityToEnd(["ps", "--json"], { cwd })).stdout).not.toMatch(/web\.101|web\.3/);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("logs -n 0 prints nothing old; a follower ends with status 0 when parity exits", async () => {
    const cwd = track(makeApp({ Procfile: "web: echo old line; exec sleep 100\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "49450"], { cwd });
    await p.waitForLine(/old line/);
    await until(() => answers(cwd), 10_000);
    expect((await runParityToEnd(["logs", "-n", "0"], { cwd })).stdout).toBe("");
    const follower = runParity(["logs", "-f", "-n", "1"], { cwd });
    await follower.waitForLine(/web\.1 +\| old line/);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
    const end = await follower.waitForExit();
    expect(end.code).toBe(0);
    expect(follower.stderr()).toBe("");
  });
});

describe("control: races with the supervisor", () => {
  it("stop of a type that waits for its dependency keeps it from starting", async () => {
    const cwd = track(
      makeApp({
        Procfile:
          "db: sleep 1; echo db ready; exec sleep 100\nweb: echo web started; exec sleep 100\n",
        "parity.yml":
          "processes:\n  db:\n    ready: { log: 'db ready', timeout: 20s }\n  web:\n    depends_on: [db]\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "49500"], { cwd });
    await until(() => answers(cwd), 10_000);
    expect((await runParityToEnd(["stop", "web"], { cwd })).code).toBe(0);
    await p.waitForLine(/db\.1 ready after/);
    // web was stopped while waiting: db's readiness must not start it
    const ps = JSON.parse((await runParityToEnd(["ps", "--json"], { cwd })).stdout) as {
      name: string;
      state: string;
    }[];
    expect(ps.find((s) => s.name === "web.1")?.state).toBe("stopped");
    expect(p.stdout()).not.toMatch(/web started/);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });

  it("a stopped dependency counts as met: its dependents start", async () => {
    const cwd = track(
      makeApp({
        Procfile: "db: exec sleep 100\nweb: echo web started; exec sleep 100\n",
        "parity.yml":
          "processes:\n  db:\n    ready: { tcp: 49698, timeout: 30s }\n  web:\n    depends_on: [db]\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "49600"], { cwd });
    await until(() => answers(cwd), 10_000);
    expect((await runParityToEnd(["stop", "db"], { cwd })).code).toBe(0);
    await p.waitForLine(/web\.1 +\| web started/, 10_000);
    expect(p.stdout()).not.toMatch(/not ready/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("while parity stops, control commands are refused and start nothing", async () => {
    const cwd = track(makeApp({ Procfile: "idle: ignore-term\n" }));
    const p = runParity(["start", "--no-timestamp", "-t", "3", "-p", "49700"], { cwd });
    await p.waitForLine(/ignoring TERM/);
    await until(() => answers(cwd), 10_000);
    process.kill(p.pid, "SIGTERM");
    await p.waitForLine(/SIGTERM received/);
    const start = await runParityToEnd(["start", "idle.2"], { cwd });
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(
      "error: parity is stopping: nothing can be started, stopped or restarted now\n",
    );
    await p.waitForExit();
    expect(p.stdout()).not.toMatch(/idle\.2/);
  });

  it("stop during a backoff cancels the pending restart", async () => {
    const cwd = track(
      makeApp({
        Procfile: "crash: echo crash run; exit 1\n",
        "parity.yml":
          "processes:\n  crash:\n    restart: { policy: on-failure, backoff: 3s, limit: 10 }\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-p", "49800"], { cwd });
    await p.waitForLine(/crash\.1 restarting in/);
    await until(() => answers(cwd), 10_000);
    expect((await runParityToEnd(["stop", "crash"], { cwd })).code).toBe(0);
    const runsAtStop = p.lines().filter((l) => /crash run/.test(l)).length;
    // the 3 s backoff (±20 %) would have fired within 3.6 s: proving it did not needs that window
    const stoppedAt = Date.now();
    await waitFor(() => Date.now() - stoppedAt > 4000 || undefined, 6000, "the backoff window");
    expect(p.lines().filter((l) => /crash run/.test(l)).length).toBe(runsAtStop);
    process.kill(p.pid, "SIGTERM");
    await p.waitForExit();
  });
});
