import { describe, expect, it } from "vitest";
import { measureDistance, suggestName } from "../../../src/app/suggest.js";

describe("measureDistance", () => {
  it("counts inserts, deletes, substitutions and adjacent swaps as one edit each", () => {
    expect(measureDistance("web", "web")).toBe(0);
    expect(measureDistance("web", "webs")).toBe(1);
    expect(measureDistance("web", "eb")).toBe(1);
    expect(measureDistance("web", "wab")).toBe(1);
    expect(measureDistance("wbe", "web")).toBe(1);
    expect(measureDistance("", "abc")).toBe(3);
    expect(measureDistance("kitten", "sitting")).toBe(3);
  });
});

describe("suggestName", () => {
  const names = ["web", "worker", "clock", "release"];

  it("suggests the closest name for a typo", () => {
    expect(suggestName("wbe", names)).toBe("web");
    expect(suggestName("wroker", names)).toBe("worker");
    expect(suggestName("clok", names)).toBe("clock");
    expect(suggestName("relase", names)).toBe("release");
  });

  it("ignores case when measuring", () => {
    expect(suggestName("WEB", names)).toBe("web");
  });

  it("allows two edits for short words", () => {
    expect(suggestName("wbx", names)).toBe("web");
    expect(suggestName("w", names)).toBe("web");
  });

  it("suggests nothing for a distant word", () => {
    expect(suggestName("database", names)).toBeUndefined();
    expect(suggestName("xyz", names)).toBeUndefined();
  });

  it("never suggests a name that shares nothing with the word", () => {
    expect(suggestName("ab", ["cd"])).toBeUndefined();
  });

  it("allows a third of the length for long words", () => {
    const long = ["notification-dispatcher"];
    expect(suggestName("notifcation-dispatchr", long)).toBe("notification-dispatcher");
    expect(suggestName("notifcatn-dispatchr", long)).toBe("notification-dispatcher");
    expect(suggestName("nothing-like-it-at-all", long)).toBeUndefined();
  });

  it("breaks ties in favour of the first candidate", () => {
    expect(suggestName("wab", ["wxb", "web"])).toBe("wxb");
    expect(suggestName("wab", ["web", "wxb"])).toBe("web");
  });

  it("prefers a closer candidate that comes later", () => {
    expect(suggestName("workr", ["wore", "worker"])).toBe("worker");
  });

  it("returns undefined without candidates", () => {
    expect(suggestName("web", [])).toBeUndefined();
  });
});
