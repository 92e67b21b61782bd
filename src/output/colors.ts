// Chooses whether to colour output and gives each process type its own colour (chalk).
import { Chalk, supportsColor } from "chalk";
import type { Colors } from "./color-choice.js";

const PALETTE = ["cyan", "yellow", "green", "magenta", "red", "blue"] as const;
const BRIGHT = [
  "cyanBright",
  "yellowBright",
  "greenBright",
  "magentaBright",
  "redBright",
  "blueBright",
] as const;

/** The user's colour choice: `-c/--color` forces, `--no-color` disables, undefined asks the terminal. */
export type ColorChoice = boolean | undefined;

/** Returns true when output should be coloured: the flag, else chalk's detection (TTY, NO_COLOR, FORCE_COLOR). */
export function shouldColor(choice: ColorChoice): boolean {
  if (choice !== undefined) return choice;
  return supportsColor !== false && supportsColor.level > 0;
}

/** Returns a painter for the i-th process type (or identity when colour is off). */
export function getPainter(index: number, enabled: boolean): (text: string) => string {
  if (!enabled) return (t) => t;
  const chalk = new Chalk({ level: 1 });
  const names = index < PALETTE.length ? PALETTE : BRIGHT;
  const name = names[index % PALETTE.length] ?? "cyan";
  return (t) => chalk[name](t);
}

/** Returns the colours of a run: `choice`, else chalk's detection; one painter per type. */
export function getColors(choice: ColorChoice): Colors {
  const enabled = shouldColor(choice);
  return { enabled, painter: (index) => getPainter(index, enabled) };
}
