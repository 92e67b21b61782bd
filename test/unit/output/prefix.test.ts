import { describe, expect, it, vi } from "vitest";
import { createPrefix, formatClock, getLabelWidth } from "../../../src/output/prefix.js";

/** A clock the test moves by hand. */
function makeClock(start: Date) {
  let t = start.getTime();
  const now = vi.fn(() => new Date(t));
  return {
    now,
    advance(ms: number) {
      t += ms;
    },
  };
}

describe("getLabelWidth", () => {
  it("is at least the width of 'system'", () => {
    expect(getLabelWidth([])).toBe(6);
    expect(getLabelWidth(["a.1", "web.1"])).toBe(6);
  });

  it("fits the longest label", () => {
    expect(getLabelWidth(["web.1", "worker.10", "clock.1"])).toBe(9);
  });
});

describe("formatClock", () => {
  it("pads hours, minutes and seconds to two digits (local time)", () => {
    expect(formatClock(new Date(2024, 0, 2, 3, 4, 5))).toBe("03:04:05");
    expect(formatClock(new Date(2024, 0, 2, 23, 59, 58))).toBe("23:59:58");
    expect(formatClock(new Date(2024, 0, 2, 0, 0, 0))).toBe("00:00:00");
  });
});

describe("createPrefix", () => {
  const at = new Date(2024, 5, 7, 9, 8, 7, 100);

  it("pads the label to the width, then ' | '", () => {
    const p = createPrefix("web.1", { width: 8, timestamps: false, now: () => at });
    expect(p.current()).toBe("web.1    | ");
  });

  it("does not cut a label longer than the width", () => {
    const p = createPrefix("worker.10", { width: 6, timestamps: false, now: () => at });
    expect(p.current()).toBe("worker.10 | ");
  });

  it("pads 'system' like any label", () => {
    const p = createPrefix("system", { width: 8, timestamps: false, now: () => at });
    expect(p.current()).toBe("system   | ");
  });

  it("starts with HH:MM:SS when timestamps are on", () => {
    const p = createPrefix("web.1", { width: 6, timestamps: true, now: () => at });
    expect(p.current()).toBe("09:08:07 web.1  | ");
  });

  it("never reads the clock and paints once when timestamps are off", () => {
    const clock = makeClock(at);
    const paint = vi.fn((t: string) => `<${t}>`);
    const p = createPrefix("web.1", { width: 6, timestamps: false, now: clock.now }, paint);
    expect(p.current()).toBe("<web.1  |> ");
    expect(p.current()).toBe("<web.1  |> ");
    expect(clock.now).not.toHaveBeenCalled();
    expect(paint).toHaveBeenCalledTimes(1);
  });

  it("paints the timestamp, label and bar but not the space after the bar", () => {
    const paint = (t: string) => `[${t}]`;
    const p = createPrefix("web.1", { width: 6, timestamps: true, now: () => at }, paint);
    expect(p.current()).toBe("[09:08:07 web.1  |] ");
  });

  it("paints once per second, not once per line", () => {
    const clock = makeClock(at);
    const paint = vi.fn((t: string) => t);
    const p = createPrefix("web.1", { width: 6, timestamps: true, now: clock.now }, paint);
    for (let i = 0; i < 5; i++) {
      expect(p.current()).toBe("09:08:07 web.1  | ");
      clock.advance(100);
    }
    expect(paint).toHaveBeenCalledTimes(1);
    clock.advance(500); // 07.100 + 500 + 500 = 08.100
    expect(p.current()).toBe("09:08:08 web.1  | ");
    expect(p.current()).toBe("09:08:08 web.1  | ");
    expect(paint).toHaveBeenCalledTimes(2);
    expect(clock.now).toHaveBeenCalledTimes(7);
  });

  it("renders again when the clock goes backwards to another second", () => {
    const clock = makeClock(at);
    const p = createPrefix("web.1", { width: 6, timestamps: true, now: clock.now });
    expect(p.current()).toBe("09:08:07 web.1  | ");
    clock.advance(-1000);
    expect(p.current()).toBe("09:08:06 web.1  | ");
  });
});
