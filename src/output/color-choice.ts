// Decides a run's colours, loading chalk only when colour is possible: most runs that are not
// on a terminal (pipes, CI logs, the start-up benchmark) skip chalk's ≈ 0.7 ms of start-up.

import type { ColorChoice } from "./colors.js";
import { isTerminal } from "./stdout.js";

/** How a run colours its output: at all (its children then get FORCE_COLOR), and per type. */
export interface Colors {
  enabled: boolean;
  /** Returns the painter for a type index; identity when colour is off. */
  painter: (typeIndex: number) => (text: string) => string;
}

/** What chalk's detection (supports-color) reads. */
export interface ColorWorld {
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  argv: readonly string[];
}

const NO_COLORS: Colors = { enabled: false, painter: () => (text) => text };

/**
 * Returns false only where chalk would say no colour: `choice` is false, or it is undefined, stdout
 * is not a terminal and nothing forces colour (FORCE_COLOR, a --color… argument, which chalk
 * sniffs, or Azure Pipelines' TF_BUILD with AGENT_NAME). Elsewhere chalk decides.
 */
export function isColorPossible(choice: ColorChoice, world: ColorWorld): boolean {
  if (choice !== undefined) return choice;
  if (world.stdoutIsTTY || "FORCE_COLOR" in world.env) return true;
  if ("TF_BUILD" in world.env && "AGENT_NAME" in world.env) return true;
  return world.argv.some((arg) => arg.startsWith("--color"));
}

/** Returns the colours of a run for `choice`, as the library's start would choose them. */
export async function loadColors(
  choice: ColorChoice,
  world: ColorWorld = { stdoutIsTTY: isTerminal(1), env: process.env, argv: process.argv },
): Promise<Colors> {
  if (!isColorPossible(choice, world)) return NO_COLORS;
  const { getColors } = await import("./colors.js");
  return getColors(choice);
}
