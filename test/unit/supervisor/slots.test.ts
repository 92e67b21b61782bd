import { describe, expect, it } from "vitest";
import type { InstanceRunner } from "../../../src/supervisor/instance-runner.js";
import { Slots } from "../../../src/supervisor/slots.js";
import type { Instance, ProcessType } from "../../../src/types.js";

const types: ProcessType[] = [
  { name: "web", command: "node web.js", index: 0, line: 1 },
  { name: "worker", command: "node worker.js", index: 1, line: 2 },
];

// A stand-in runner: only what Slots reads.
const fake = (instance: Instance) =>
  ({
    instance,
    state: "idle",
    restarts: 0,
    ready: false,
    run: undefined,
  }) as unknown as InstanceRunner;

describe("Slots", () => {
  it("creates slots with their formation ports and finds them by name and type", () => {
    const slots = new Slots(fake, types, 6000);
    slots.create("worker", 2);
    slots.create("web", 1);
    expect(slots.find("worker.2")?.instance.port).toBe(6101);
    expect(slots.ofType("web").map((r) => r.instance.name)).toEqual(["web.1"]);
    expect(slots.named(["web.1", "nope.1"]).map((r) => r.instance.name)).toEqual(["web.1"]);
    // ps order: Procfile order, then instance number
    expect(slots.describe(0).map((s) => s.name)).toEqual(["web.1", "worker.2"]);
  });

  it("refuses a type not in the Procfile, and instances beyond the block of 100 ports or port 65535", () => {
    const slots = new Slots(fake, types, 65400);
    expect(() => slots.check("clock", 1)).toThrow('"clock" is not a process type of the Procfile');
    expect(() => slots.check("web", 101)).toThrow("web may have 1 to 100 instances");
    expect(() => slots.check("web", 0)).toThrow("web may have 1 to 100 instances");
    expect(() => slots.check("worker", 50)).toThrow("worker.50 would get port 65549, above 65535");
  });

  it("removes a slot, and a type with no slot left", () => {
    const slots = new Slots(fake, types, 5000);
    const r = slots.create("web", 1);
    slots.remove(r);
    expect(slots.typeNames()).toEqual([]);
    expect(slots.all).toEqual([]);
  });
});
