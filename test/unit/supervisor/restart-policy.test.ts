import { describe, expect, it } from "vitest";
import type { ExitStatus } from "../../../src/supervisor/child.js";
import {
  createRestartHistory,
  decideAfterExit,
  getBackoffMs,
} from "../../../src/supervisor/restart-policy.js";
import type { RestartPolicy } from "../../../src/types.js";

const policy = (overrides: Partial<RestartPolicy> = {}): RestartPolicy => ({
  policy: "on-failure",
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  resetAfterMs: 30_000,
  limit: 5,
  windowMs: 60_000,
  ...overrides,
});

const CLEAN: ExitStatus = { code: 0, signal: null };
const FAILED: ExitStatus = { code: 1, signal: null };
const KILLED: ExitStatus = { code: null, signal: "SIGKILL" };
/** random() = 0.5: no jitter (factor 0.8 + 0.4 × 0.5 = 1). */
const middle = () => 0.5;
/** The largest value Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe("getBackoffMs", () => {
  it("starts at 0.5 s and doubles with each attempt up to the cap", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((a) => getBackoffMs(policy(), a, middle));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("jitters by at most -20 % (random() = 0)", () => {
    expect(getBackoffMs(policy(), 0, () => 0)).toBe(400);
    expect(getBackoffMs(policy(), 3, () => 0)).toBe(3200);
    expect(getBackoffMs(policy(), 20, () => 0)).toBe(24_000);
  });

  it("jitters by at most +20 % (random() close to 1)", () => {
    expect(getBackoffMs(policy(), 0, () => ALMOST_ONE)).toBe(600);
    expect(getBackoffMs(policy(), 3, () => ALMOST_ONE)).toBe(4800);
    // never above the cap
    expect(getBackoffMs(policy(), 20, () => ALMOST_ONE)).toBe(30_000);
  });

  it("stays within ±20 % of the un-jittered delay for any random value", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(500 * 2 ** attempt, 30_000);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, ALMOST_ONE]) {
        const delay = getBackoffMs(policy(), attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.round(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(Math.round(base * 1.2), 30_000));
      }
    }
  });

  it("does not overflow for huge attempt numbers", () => {
    for (const attempt of [31, 64, 1024, 1e6, Number.MAX_SAFE_INTEGER]) {
      const delay = getBackoffMs(policy(), attempt, middle);
      expect(delay).toBe(30_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it("follows the policy's own initial delay and cap", () => {
    const p = policy({ initialBackoffMs: 100, maxBackoffMs: 350 });
    expect([0, 1, 2, 3].map((a) => getBackoffMs(p, a, middle))).toEqual([100, 200, 350, 350]);
  });
});

describe("decideAfterExit: what each policy does with each kind of exit", () => {
  const cases: [RestartPolicy["policy"], string, ExitStatus, string][] = [
    ["never", "exit 0", CLEAN, "stop-all"],
    ["never", "exit 1", FAILED, "stop-all"],
    ["never", "killed by a signal", KILLED, "stop-all"],
    ["on-failure", "exit 0", CLEAN, "done"],
    ["on-failure", "exit 1", FAILED, "restart"],
    ["on-failure", "killed by a signal", KILLED, "restart"],
    ["always", "exit 0", CLEAN, "restart"],
    ["always", "exit 1", FAILED, "restart"],
    ["always", "killed by a signal", KILLED, "restart"],
  ];
  for (const [name, what, status, action] of cases) {
    it(`${name} + ${what} → ${action}`, () => {
      const history = createRestartHistory();
      const decision = decideAfterExit(policy({ policy: name }), status, 10, 1000, history, middle);
      expect(decision.action).toBe(action);
      if (action === "restart") {
        expect(decision).toEqual({ action: "restart", delayMs: 500, attempt: 1 });
        expect(history).toEqual({ restarts: [1000], consecutive: 1 });
      } else {
        // Nothing is restarted: the history is untouched.
        expect(history).toEqual(createRestartHistory());
      }
    });
  }

  it("treats any non-zero code as a failure", () => {
    const d = decideAfterExit(policy(), { code: 137, signal: null }, 10, 0, createRestartHistory());
    expect(d.action).toBe("restart");
  });
});

describe("decideAfterExit: backoff across restarts", () => {
  it("doubles the delay with each consecutive restart and numbers the attempts", () => {
    const p = policy({ limit: 100 });
    const history = createRestartHistory();
    const decisions = [0, 1, 2, 3, 4, 5, 6, 7].map((k) =>
      decideAfterExit(p, FAILED, 100, k * 1000, history, middle),
    );
    expect(decisions).toEqual(
      [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000].map((delayMs, k) => ({
        action: "restart",
        delayMs,
        attempt: k + 1,
      })),
    );
  });

  it("uses the injected random for jitter", () => {
    const history = createRestartHistory();
    expect(decideAfterExit(policy(), FAILED, 0, 0, history, () => 0)).toMatchObject({
      delayMs: 400,
    });
    expect(decideAfterExit(policy(), FAILED, 0, 1, history, () => ALMOST_ONE)).toMatchObject({
      delayMs: 1200,
    });
  });

  it("resets the delay after a run that lasted resetAfterMs", () => {
    const p = policy({ limit: 100 });
    const history = createRestartHistory();
    decideAfterExit(p, FAILED, 100, 0, history, middle);
    decideAfterExit(p, FAILED, 100, 1000, history, middle);
    expect(decideAfterExit(p, FAILED, 100, 2000, history, middle)).toMatchObject({
      delayMs: 2000,
      attempt: 3,
    });
    // A run of exactly resetAfterMs counts as a good run.
    expect(decideAfterExit(p, FAILED, 30_000, 40_000, history, middle)).toEqual({
      action: "restart",
      delayMs: 500,
      attempt: 1,
    });
    expect(decideAfterExit(p, FAILED, 100, 41_000, history, middle)).toMatchObject({
      delayMs: 1000,
      attempt: 2,
    });
  });

  it("does not reset after a run just shorter than resetAfterMs", () => {
    const p = policy({ limit: 100 });
    const history = createRestartHistory();
    decideAfterExit(p, FAILED, 100, 0, history, middle);
    expect(decideAfterExit(p, FAILED, 29_999, 30_000, history, middle)).toMatchObject({
      delayMs: 1000,
      attempt: 2,
    });
  });
});

describe("decideAfterExit: crash loops", () => {
  it("fails after `limit` restarts inside the window, without a restart more", () => {
    const p = policy({ limit: 3, windowMs: 10_000 });
    const history = createRestartHistory();
    const actions = [0, 1, 2].map(
      (k) => decideAfterExit(p, FAILED, 10, k * 100, history, middle).action,
    );
    expect(actions).toEqual(["restart", "restart", "restart"]);
    expect(decideAfterExit(p, FAILED, 10, 300, history, middle)).toEqual({
      action: "failed",
      restarts: 3,
      windowMs: 10_000,
    });
    expect(history.restarts).toEqual([0, 100, 200]);
  });

  it("counts killed-by-signal exits of `always` and clean exits of `always` too", () => {
    const p = policy({ policy: "always", limit: 2, windowMs: 10_000 });
    const history = createRestartHistory();
    expect(decideAfterExit(p, CLEAN, 10, 0, history).action).toBe("restart");
    expect(decideAfterExit(p, KILLED, 10, 10, history).action).toBe("restart");
    expect(decideAfterExit(p, CLEAN, 10, 20, history).action).toBe("failed");
  });

  it("forgets restarts older than the window", () => {
    const p = policy({ limit: 2, windowMs: 1000 });
    const history = createRestartHistory();
    expect(decideAfterExit(p, FAILED, 10, 0, history, middle).action).toBe("restart");
    expect(decideAfterExit(p, FAILED, 10, 500, history, middle).action).toBe("restart");
    // At 1000 the restart at 0 is exactly windowMs old: out of the window.
    expect(decideAfterExit(p, FAILED, 10, 1000, history, middle).action).toBe("restart");
    expect(history.restarts).toEqual([500, 1000]);
    // At 1499 both 500 and 1000 are inside: a third restart would be too many.
    expect(decideAfterExit(p, FAILED, 10, 1499, history, middle)).toEqual({
      action: "failed",
      restarts: 2,
      windowMs: 1000,
    });
  });

  it("spaced-out failures never fail, however many there are", () => {
    const p = policy({ limit: 2, windowMs: 1000 });
    const history = createRestartHistory();
    for (let k = 0; k < 20; k++) {
      expect(decideAfterExit(p, FAILED, 10, k * 1000, history, middle).action).toBe("restart");
    }
    expect(history.restarts).toEqual([19_000]);
  });

  it("a limit of 0 fails at the first failure", () => {
    const history = createRestartHistory();
    expect(decideAfterExit(policy({ limit: 0 }), FAILED, 10, 0, history)).toEqual({
      action: "failed",
      restarts: 0,
      windowMs: 60_000,
    });
  });
});
