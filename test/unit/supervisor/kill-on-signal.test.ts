import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import {
  handleRunSignals,
  handleStopSignals,
  STOP_SIGNALS,
} from "../../../src/supervisor/kill-on-signal.js";

function makeTarget() {
  return { stop: vi.fn(), kill: vi.fn() };
}

describe("handleStopSignals", () => {
  it("handles SIGINT, SIGTERM and SIGHUP", () => {
    expect([...STOP_SIGNALS].sort()).toEqual(["SIGHUP", "SIGINT", "SIGTERM"]);
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`stops gracefully on a first ${signal}`, () => {
      const emitter = new EventEmitter();
      const target = makeTarget();
      handleStopSignals(emitter, target);
      emitter.emit(signal, signal);
      expect(target.stop).toHaveBeenCalledTimes(1);
      expect(target.stop).toHaveBeenCalledWith({ kind: "signal", signal });
      expect(target.kill).not.toHaveBeenCalled();
    });

    it(`kills at once on a second signal after a first ${signal}`, () => {
      const emitter = new EventEmitter();
      const target = makeTarget();
      handleStopSignals(emitter, target);
      emitter.emit(signal, signal);
      emitter.emit("SIGINT", "SIGINT");
      expect(target.stop).toHaveBeenCalledTimes(1);
      expect(target.kill).toHaveBeenCalledTimes(1);
      expect(target.kill).toHaveBeenCalledWith("SIGINT");
    });
  }

  it("kills on every later signal, with that signal", () => {
    const emitter = new EventEmitter();
    const target = makeTarget();
    handleStopSignals(emitter, target);
    emitter.emit("SIGTERM", "SIGTERM");
    emitter.emit("SIGHUP", "SIGHUP");
    emitter.emit("SIGTERM", "SIGTERM");
    expect(target.stop).toHaveBeenCalledTimes(1);
    expect(target.kill.mock.calls).toEqual([["SIGHUP"], ["SIGTERM"]]);
  });

  it("detach removes every listener it added and no other", () => {
    const emitter = new EventEmitter();
    const other = () => undefined;
    emitter.on("SIGINT", other);
    const detach = handleStopSignals(emitter, makeTarget());
    for (const s of STOP_SIGNALS) expect(emitter.listenerCount(s)).toBe(s === "SIGINT" ? 2 : 1);
    detach();
    expect(emitter.listenerCount("SIGINT")).toBe(1);
    expect(emitter.listeners("SIGINT")).toEqual([other]);
    for (const s of ["SIGTERM", "SIGHUP"]) expect(emitter.listenerCount(s)).toBe(0);
  });

  it("does nothing on signals after detach", () => {
    const emitter = new EventEmitter();
    const target = makeTarget();
    const detach = handleStopSignals(emitter, target);
    detach();
    for (const s of STOP_SIGNALS) {
      expect(emitter.listenerCount(s)).toBe(0);
      emitter.emit(s, s);
    }
    expect(target.stop).not.toHaveBeenCalled();
    expect(target.kill).not.toHaveBeenCalled();
  });

  it("keeps separate counts for separate handlers", () => {
    const emitter = new EventEmitter();
    const first = makeTarget();
    const detachFirst = handleStopSignals(emitter, first);
    emitter.emit("SIGINT", "SIGINT");
    detachFirst();
    const second = makeTarget();
    const detachSecond = handleStopSignals(emitter, second);
    emitter.emit("SIGINT", "SIGINT");
    expect(second.stop).toHaveBeenCalledTimes(1);
    expect(second.kill).not.toHaveBeenCalled();
    detachSecond();
    for (const s of STOP_SIGNALS) expect(emitter.listenerCount(s)).toBe(0);
  });
});

describe("handleRunSignals", () => {
  it("a kill while the run finishes its output ends that wait; one before does not", async () => {
    const emitter = new EventEmitter();
    const target = makeTarget();
    const signals = handleRunSignals(emitter, target);
    emitter.emit("SIGTERM", "SIGTERM");
    emitter.emit("SIGTERM", "SIGTERM"); // a kill before the finish
    expect(target.kill).toHaveBeenCalledTimes(1);
    let ended = false;
    void signals.finishing().then(() => {
      ended = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false);
    emitter.emit("SIGINT", "SIGINT");
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(true);
    expect(target.kill).toHaveBeenCalledTimes(2);
    signals.detach();
    expect(emitter.listenerCount("SIGINT")).toBe(0);
  });
});
