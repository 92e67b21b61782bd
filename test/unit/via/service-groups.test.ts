// ServiceGroups: every group a service's ./run led stays known until it is empty; a group whose
// leader is gone (control/t cannot reach it) gets the stop signal from parity, once.
import { describe, expect, it } from "vitest";
import { ServiceGroups } from "../../../src/via/service-groups.js";

function makeGroups() {
  const groupsAlive = new Set<number>();
  const leadersAlive = new Set<number>();
  const log: string[] = [];
  const groups = new ServiceGroups<string>({
    watchGroup: (g) => log.push(`watch ${g}`),
    forgetGroup: (g) => log.push(`forget ${g}`),
    groupExists: (g) => groupsAlive.has(g),
    isAlive: (pid) => leadersAlive.has(pid),
    signalGroup: (g, s) => log.push(`${s} ${g}`),
  });
  const start = (service: string, pid: number) => {
    groupsAlive.add(pid);
    leadersAlive.add(pid);
    groups.update(service, pid);
  };
  return { groups, groupsAlive, leadersAlive, log, start };
}

describe("ServiceGroups", () => {
  it("keeps a restarted service's old group while it has members, and forgets it once empty", () => {
    const { groups, groupsAlive, leadersAlive, log, start } = makeGroups();
    start("web", 10);
    groups.update("web", 10);
    expect(log).toEqual(["watch 10"]);
    // web restarted: ./run 10 is gone, a background job of it is still in group 10.
    leadersAlive.delete(10);
    start("web", 20);
    expect(groups.all().sort()).toEqual([10, 20]);
    groups.stopStrays(() => "SIGINT");
    groups.stopStrays(() => "SIGINT");
    expect(log).toEqual(["watch 10", "watch 20", "SIGINT 10"]);
    // The old group empties: forgotten at the next change (its id may be reused).
    groupsAlive.delete(10);
    start("worker", 30);
    expect(groups.all().sort()).toEqual([20, 30]);
    expect(log.slice(3)).toEqual(["watch 30", "forget 10"]);
  });

  it("signals the group of a ./run that ended before its control/t ran (the stop raced its exit)", () => {
    const { groups, leadersAlive, log, start } = makeGroups();
    start("web", 20);
    groups.stopStrays(() => "SIGTERM");
    expect(log).toEqual(["watch 20"]); // its ./run is alive: control/t stops it
    leadersAlive.delete(20); // ./run exited; the status poll has not seen it yet
    groups.stopStrays(() => "SIGTERM");
    expect(log).toEqual(["watch 20", "SIGTERM 20"]);
  });
});
