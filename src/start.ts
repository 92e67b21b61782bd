// The library's `start`: runs an app's instances with prefixed output until they stop.
import { getColors } from "./output/colors.js";
import { type Run, type StartOptions, startRun } from "./start-run.js";
import type { App } from "./types.js";

export { buildBaseEnv, type Run, type StartOptions } from "./start-run.js";

/** Starts every instance of `app`; colour as options.color says, else as the terminal allows. */
export function start(app: App, options: StartOptions = {}): Run {
  return startRun(app, options, getColors(options.color));
}
