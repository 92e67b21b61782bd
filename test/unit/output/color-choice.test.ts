import { describe, expect, it } from "vitest";
import { isColorPossible, loadColors } from "../../../src/output/color-choice.js";

const pipe = { stdoutIsTTY: false, env: {}, argv: ["node", "parity", "start"] };

describe("isColorPossible", () => {
  it("follows the flag when there is one", () => {
    expect(isColorPossible(true, pipe)).toBe(true);
    expect(isColorPossible(false, { ...pipe, stdoutIsTTY: true })).toBe(false);
  });

  it("is false for a stdout that is not a terminal when nothing forces colour", () => {
    expect(isColorPossible(undefined, pipe)).toBe(false);
    expect(isColorPossible(undefined, { ...pipe, env: { TF_BUILD: "True" } })).toBe(false);
  });

  it("leaves the decision to chalk for a terminal, FORCE_COLOR, a --color argument or Azure Pipelines", () => {
    expect(isColorPossible(undefined, { ...pipe, stdoutIsTTY: true })).toBe(true);
    expect(isColorPossible(undefined, { ...pipe, env: { FORCE_COLOR: "0" } })).toBe(true);
    expect(isColorPossible(undefined, { ...pipe, argv: [...pipe.argv, "--color=256"] })).toBe(true);
    const azure = { TF_BUILD: "True", AGENT_NAME: "agent" };
    expect(isColorPossible(undefined, { ...pipe, env: azure })).toBe(true);
  });
});

describe("loadColors", () => {
  it("paints nothing and forces nothing on the children when colour is impossible", async () => {
    const colors = await loadColors(undefined, pipe);
    expect(colors.enabled).toBe(false);
    expect(colors.painter(0)("web.1 |")).toBe("web.1 |");
  });

  it("paints each type in its colour when colour is on", async () => {
    const colors = await loadColors(true, pipe);
    expect(colors.enabled).toBe(true);
    expect(colors.painter(0)("web.1 |")).toBe("\x1b[36mweb.1 |\x1b[39m");
    expect(colors.painter(1)("worker.1 |")).toBe("\x1b[33mworker.1 |\x1b[39m");
  });
});
