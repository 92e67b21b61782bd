import { describe, expect, it } from "vitest";
import {
  DURATION_PATTERN,
  formatDuration,
  parseDuration,
} from "../../../../src/app/manifest/durations.js";
import { isHttpUrl, parseTcpTarget, toReadyCheck } from "../../../../src/app/manifest/ready.js";
import {
  explainUncatchableSignal,
  normalizeSignal,
  SIGNAL_NAMES,
} from "../../../../src/app/manifest/signals.js";

/** $PORT in braces, as a manifest may write it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own syntax, not a template
const BRACED_PORT = "${PORT}";

describe("parseDuration", () => {
  it.each([
    [10, 10_000],
    [0.5, 500],
    [0, 0],
    ["500ms", 500],
    ["10s", 10_000],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1h2m3s4ms", 3_723_004],
  ] as const)("reads %j as %i ms", (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  it.each(["", "10", "10 s", "s", "-1s", "1s1m", "1ms1s", "1.s", "1d", "10S"])(
    "refuses %j",
    (value) => {
      expect(parseDuration(value)).toBeUndefined();
      expect(DURATION_PATTERN.test(value)).toBe(false);
    },
  );

  it("refuses negative and infinite numbers", () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it("formats milliseconds as a manifest would write them", () => {
    expect([formatDuration(500), formatDuration(30_000), formatDuration(1500)]).toEqual([
      "500ms",
      "30s",
      "1.5s",
    ]);
  });
});

describe("stop signals", () => {
  it("accepts names with and without SIG, in capitals, and normalises them", () => {
    expect(SIGNAL_NAMES).toContain("TERM");
    expect(SIGNAL_NAMES).toContain("SIGTERM");
    expect(SIGNAL_NAMES).not.toContain("sigterm");
    expect(normalizeSignal("QUIT")).toBe("SIGQUIT");
    expect(normalizeSignal("SIGUSR2")).toBe("SIGUSR2");
  });

  it("refuses KILL and STOP, with the reason", () => {
    expect(SIGNAL_NAMES).not.toContain("KILL");
    expect(SIGNAL_NAMES).not.toContain("SIGSTOP");
    expect(explainUncatchableSignal("sigkill")).toMatch(/^SIGKILL cannot be caught/);
    expect(explainUncatchableSignal("STOP")).toMatch(/^SIGSTOP cannot be caught/);
    expect(explainUncatchableSignal("TERMINATE")).toBeUndefined();
    expect(explainUncatchableSignal(9)).toBeUndefined();
  });
});

describe("ready checks", () => {
  it.each([
    [5432, { host: "localhost", port: "5432" }],
    ["$PORT", { host: "localhost", port: "$PORT" }],
    [BRACED_PORT, { host: "localhost", port: BRACED_PORT }],
    ["127.0.0.1:$PORT", { host: "127.0.0.1", port: "$PORT" }],
    ["db.internal:5432", { host: "db.internal", port: "5432" }],
    ["[::1]:6379", { host: "::1", port: "6379" }],
  ] as const)("reads the tcp target %j", (value, target) => {
    expect(parseTcpTarget(value)).toEqual(target);
  });

  it.each([0, 70000, "", "host:", ":5432", "host:http", "a b:1", "$HOST", "host:$PORTS"])(
    "refuses the tcp target %j",
    (value) => {
      expect(parseTcpTarget(value)).toBeUndefined();
    },
  );

  it("accepts http and https URLs, with $PORT in them", () => {
    expect(isHttpUrl("http://127.0.0.1:$PORT/health")).toBe(true);
    expect(isHttpUrl(`https://localhost:${BRACED_PORT}`)).toBe(true);
    expect(isHttpUrl("ftp://host/")).toBe(false);
    expect(isHttpUrl("localhost:$PORT")).toBe(false);
    expect(isHttpUrl("http://")).toBe(false);
  });

  it("builds the check of each kind", () => {
    expect(toReadyCheck({ tcp: "$PORT" })).toEqual({
      kind: "tcp",
      host: "localhost",
      port: "$PORT",
    });
    expect(toReadyCheck({ http: " http://x/ " })).toEqual({ kind: "http", url: "http://x/" });
    expect(toReadyCheck({ exec: "true" })).toEqual({ kind: "exec", command: "true" });
    expect(toReadyCheck({ log: "Listening" })).toEqual({ kind: "log", pattern: "Listening" });
  });
});
