import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { type ConsoleOptions, createConsole } from "../../../src/output/console.js";
import { OutputWriter } from "../../../src/output/writer.js";
import type { Instance } from "../../../src/types.js";
import { FakeSink, FakeTimers } from "./fakes.js";

const web: Instance = { type: "web", n: 1, name: "web.1", port: 5000, command: "serve" };
const worker: Instance = { type: "worker", n: 1, name: "worker.1", port: 5100, command: "work" };

/** A console over a real OutputWriter and a fake sink; label width is 8 ("worker.1"). */
function makeConsole(options: Partial<ConsoleOptions> = {}) {
  const sink = new FakeSink();
  const writer = new OutputWriter(sink);
  const timers = new FakeTimers();
  const console = createConsole(writer, {
    instances: [web, worker],
    typeIndex: new Map([
      ["web", 0],
      ["worker", 1],
    ]),
    timestamps: false,
    painter: () => (t) => t,
    timers,
    timeoutSeconds: 5,
    ...options,
  });
  return { sink, writer, timers, console };
}

describe("createConsole: attachOutput", () => {
  it("relays a stream's lines with the instance's prefix and resolves when it closes", async () => {
    const { sink, console } = makeConsole();
    const stream = new PassThrough();
    let settled = false;
    const attached = console.attachOutput(web, stream).then(() => {
      settled = true;
    });
    stream.write("hello\nwor");
    stream.write("ld\n");
    stream.end("tail");
    await attached;
    expect(settled).toBe(true);
    expect(sink.text()).toBe("web.1    | hello\nweb.1    | world\nweb.1    | tail\n");
  });

  it("does not resolve while the stream is open", async () => {
    const { console } = makeConsole();
    const stream = new PassThrough();
    let settled = false;
    void console.attachOutput(web, stream).then(() => {
      settled = true;
    });
    stream.write("x\n");
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    stream.end();
    await new Promise((r) => stream.once("close", r));
    await Promise.resolve();
    expect(settled).toBe(true);
  });

  it("keeps the lines of two streams whole and labelled", async () => {
    const { sink, console } = makeConsole();
    const a = new PassThrough();
    const b = new PassThrough();
    const done = Promise.all([console.attachOutput(web, a), console.attachOutput(worker, b)]);
    a.write("a1 ");
    b.write("b1\n");
    a.end("end\n");
    b.end();
    await done;
    expect(sink.text().split("\n").sort()).toEqual(["", "web.1    | a1 end", "worker.1 | b1"]);
  });

  it("paints each instance's prefix with its type's painter", async () => {
    const { sink, console } = makeConsole({ painter: (i) => (t) => `<${i}:${t}>` });
    const a = new PassThrough();
    const b = new PassThrough();
    const done = Promise.all([console.attachOutput(web, a), console.attachOutput(worker, b)]);
    a.end("x\n");
    await new Promise((r) => a.once("close", r));
    b.end("y\n");
    await done;
    expect(sink.text()).toBe("<0:web.1    |> x\n<1:worker.1 |> y\n");
  });

  it("pauses the stream while stdout is full and resumes it on drain, losing nothing", async () => {
    const { sink, writer, console } = makeConsole();
    const stream = new PassThrough();
    const attached = console.attachOutput(web, stream);
    sink.full = true;
    stream.write("first\n");
    await new Promise((r) => setImmediate(r));
    expect(writer.blocked).toBe(true);
    expect(stream.isPaused()).toBe(true);
    stream.write("second\n");
    await new Promise((r) => setImmediate(r));
    expect(sink.text()).toBe("web.1    | first\n");
    sink.drain();
    expect(stream.isPaused()).toBe(false);
    stream.end();
    await attached;
    expect(sink.text()).toBe("web.1    | first\nweb.1    | second\n");
  });

  it("flushes a partial line (a prompt) when the idle timer fires", async () => {
    const { sink, timers, console } = makeConsole();
    const stream = new PassThrough();
    const attached = console.attachOutput(web, stream);
    stream.write("Password: ");
    await new Promise((r) => setImmediate(r));
    expect(sink.text()).toBe("");
    timers.fire();
    expect(sink.text()).toBe("web.1    | Password: \n");
    stream.end();
    await attached;
    expect(sink.text()).toBe("web.1    | Password: \n");
  });

  it("stops pausing the stream once it has closed (unregistered)", async () => {
    const { sink, writer, console } = makeConsole();
    const stream = new PassThrough();
    stream.end("x\n");
    await console.attachOutput(web, stream);
    let paused = 0;
    stream.pause = () => {
      paused++;
      return stream;
    };
    sink.full = true;
    writer.writeLine("fill");
    expect(writer.blocked).toBe(true);
    expect(paused).toBe(0);
  });

  it("resolves when the stream fails", async () => {
    const { console } = makeConsole();
    const stream = new PassThrough();
    const attached = console.attachOutput(web, stream);
    stream.emit("error", new Error("boom"));
    await expect(attached).resolves.toBeUndefined();
  });
});

describe("createConsole: report", () => {
  const render = (event: Parameters<ReturnType<typeof createConsole>["report"]>[0]) => {
    const { sink, console } = makeConsole();
    console.report(event);
    return sink.text();
  };

  it("renders a start with its pid", () => {
    expect(render({ type: "start", instance: web, pid: 4242 })).toBe(
      "web.1    | started with pid 4242\n",
    );
  });

  it("renders a start whose spawn failed", () => {
    expect(render({ type: "start", instance: worker, pid: undefined })).toBe(
      "worker.1 | started with pid (none: spawn failed)\n",
    );
  });

  it("renders an exit with a code", () => {
    const status = { code: 3, signal: null };
    expect(render({ type: "exit", instance: web, status, stopping: false })).toBe(
      "web.1    | exited with code 3\n",
    );
  });

  it("renders an exit with code 0", () => {
    const status = { code: 0, signal: null };
    expect(render({ type: "exit", instance: worker, status, stopping: true })).toBe(
      "worker.1 | exited with code 0\n",
    );
  });

  it("renders an exit by a signal", () => {
    const status = { code: null, signal: "SIGTERM" as const };
    expect(render({ type: "exit", instance: web, status, stopping: true })).toBe(
      "web.1    | terminated by SIGTERM\n",
    );
  });

  it("renders an exit with neither code nor signal", () => {
    const status = { code: null, signal: null };
    expect(render({ type: "exit", instance: web, status, stopping: true })).toBe(
      "web.1    | terminated by an unknown signal\n",
    );
  });

  it("renders stopping on a signal", () => {
    const reason = { kind: "signal" as const, signal: "SIGINT" as const };
    expect(render({ type: "stopping", reason, signal: "SIGTERM" })).toBe(
      "system   | SIGINT received, sending SIGTERM to all processes\n",
    );
  });

  it("renders stopping after an exit with a code", () => {
    const reason = {
      kind: "exit" as const,
      instance: "web.1",
      status: { code: 3, signal: null },
    };
    expect(render({ type: "stopping", reason, signal: "SIGTERM" })).toBe(
      "system   | web.1 exited with code 3, sending SIGTERM to all processes\n",
    );
  });

  it("renders stopping after an exit by a signal", () => {
    const reason = {
      kind: "exit" as const,
      instance: "worker.1",
      status: { code: null, signal: "SIGSEGV" as const },
    };
    expect(render({ type: "stopping", reason, signal: "SIGINT" })).toBe(
      "system   | worker.1 terminated by SIGSEGV, sending SIGINT to all processes\n",
    );
  });

  it("renders stopping because stdout closed", () => {
    expect(render({ type: "stopping", reason: { kind: "output-closed" }, signal: "SIGTERM" })).toBe(
      "system   | stdout closed, sending SIGTERM to all processes\n",
    );
  });

  it("renders stopping on request", () => {
    expect(render({ type: "stopping", reason: { kind: "request" }, signal: "SIGTERM" })).toBe(
      "system   | sending SIGTERM to all processes\n",
    );
  });

  it("renders a forced kill (second signal)", () => {
    expect(render({ type: "kill", instance: web, pids: [1, 2], forced: true, afterMs: 0 })).toBe(
      "system   | sending SIGKILL to web.1\n",
    );
  });

  it("renders a kill after the timeout, naming the timeout", () => {
    expect(
      render({ type: "kill", instance: worker, pids: [1], forced: false, afterMs: 2500 }),
    ).toBe("system   | sending SIGKILL to worker.1: still running after 2.5s\n");
  });

  it("renders nothing for done", () => {
    expect(render({ type: "done", exitCode: 0 })).toBe("");
  });

  it("writes system lines with the system prefix", () => {
    const { sink, console } = makeConsole();
    console.system("hello");
    expect(sink.text()).toBe("system   | hello\n");
  });

  it("prefixes system lines with the time when timestamps are on", () => {
    const { sink, console } = makeConsole({
      timestamps: true,
      now: () => new Date(2024, 0, 1, 13, 2, 9),
    });
    console.report({ type: "start", instance: web, pid: 7 });
    console.system("hi");
    expect(sink.text()).toBe("13:02:09 web.1    | started with pid 7\n13:02:09 system   | hi\n");
  });

  it("does not paint system lines", () => {
    const { sink, console } = makeConsole({ painter: (i) => (t) => `<${i}:${t}>` });
    console.report({ type: "stopping", reason: { kind: "request" }, signal: "SIGTERM" });
    console.report({ type: "start", instance: worker, pid: 1 });
    expect(sink.text()).toBe(
      "system   | sending SIGTERM to all processes\n<1:worker.1 |> started with pid 1\n",
    );
  });
});
