// ServiceGroups: every group a service's ./run led stays known until it is empty; strays get the stop signal.
import { describe, expect, it } from "vitest";
import { ServiceGroups } from "../../../src/via/service-groups.js";

describe("ServiceGroups", () => {
  it("keeps a restarted service's old group while it has members, and forgets it once empty", () => {
    const alive = new Set<number>();
    const log: string[] = [];
    const groups = new ServiceGroups<string>({
      watchGroup: (g) => log.push(`watch ${g}`),
      forgetGroup: (g) => log.push(`forget ${g}`),
      groupExists: (g) => alive.has(g),
      signalGroup: (g, s) => log.push(`${s} ${g}`),
    });
    alive.add(10);
    groups.update("web", 10);
    groups.update("web", 10);
    expect(log).toEqual(["watch 10"]);
    // web restarted: 10 left a member behind (a background job of the old ./run).
    alive.add(20);
    groups.update("web", 20);
    expect(groups.all().sort()).toEqual([10, 20]);
    groups.stopStrays(() => "SIGINT");
    expect(log).toEqual(["watch 10", "watch 20", "SIGINT 10"]);
    // The old group empties: forgotten at the next change (its id may be reused).
    alive.delete(10);
    groups.update("worker", 30);
    expect(groups.all().sort()).toEqual([20, 30]);
    expect(log.slice(3)).toEqual(["watch 30", "forget 10"]);
    // A service that is down: its last group is a stray while it has members.
    groups.update("web", 0);
    groups.stopStrays((s) => (s === "web" ? "SIGTERM" : "SIGINT"));
    expect(log.at(-1)).toBe("SIGTERM 20");
    alive.delete(20);
    groups.stopStrays(() => "SIGTERM");
    expect(log.at(-1)).toBe("forget 20");
    expect(groups.all()).toEqual([30]);
  });
});
