// parity's public API: load an app from its Procfile and env files, start it, run one command.
export { formatProblem } from "./app/format-problem.js";
export { type LoadOptions, type LoadWorld, loadApp } from "./app/load.js";
export {
  type ExportOptions,
  type ExportResult,
  exportApp,
  type Plan,
  writePlan,
} from "./export/index.js";
export { type RunOptions, runOne } from "./run.js";
export { buildBaseEnv, type Run, type StartOptions, start } from "./start.js";
export type {
  App,
  EnvEntry,
  EnvSource,
  Instance,
  Problem,
  ProcessType,
  Result,
} from "./types.js";
export {
  type PreparedRunit,
  prepareViaRunit,
  startViaRunit,
  type ViaRunitOptions,
} from "./via/start-via-runit.js";
