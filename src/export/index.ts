// parity export: an app as an init system's files (the plan, pure data), and the formats that encode it.
import type { App, Problem, Result } from "../types.js";
import { encodeLaunchd, refuseForLaunchd } from "./launchd.js";
import { buildExportModel, type ExportModel, type ExportOptions } from "./model.js";
import type { Plan } from "./plan.js";
import { encodeRunit } from "./runit.js";
import { encodeSupervisord, refuseForSupervisord } from "./supervisord.js";
import { encodeSystemd, refuseForSystemd } from "./systemd.js";

export { type Change, comparePlan, type ExportTarget, type PlanChanges } from "./changes.js";
export type { ExportModel, ExportOptions } from "./model.js";
export { type Plan, type PlanDir, type PlanFile, renderPlanJson } from "./plan.js";
export { writePlan } from "./write.js";

/** Every format parity export knows, implemented or not. */
export const EXPORT_FORMATS = ["systemd", "runit", "supervisord", "launchd"] as const;

/** A format's encoder: the model in, the plan out (pure); and what the format cannot express. */
export interface Encoder {
  encode: (model: ExportModel) => Plan;
  /** Problems with a model this format cannot carry exactly (refused, never rewritten). */
  refuse?: (model: ExportModel) => Problem[];
}

/** The implemented encoders; a new format adds one line here. */
const ENCODERS: Partial<Record<string, Encoder>> = {
  systemd: { encode: encodeSystemd, refuse: refuseForSystemd },
  runit: { encode: encodeRunit },
  supervisord: { encode: encodeSupervisord, refuse: refuseForSupervisord },
  launchd: { encode: encodeLaunchd, refuse: refuseForLaunchd },
};

/** The result of an export: the plan, and the app name and location it is for. */
export interface ExportResult {
  app: string;
  format: string;
  location: string;
  plan: Plan;
}

/** Tell whether `format` has an encoder. */
export function isExportFormat(format: string): boolean {
  return ENCODERS[format] !== undefined;
}

/**
 * Plan the export of `app` as `options.format`: every file's path (relative to the location),
 * mode and contents. Pure: reads and writes nothing. Names that cannot be used are refused
 * with problems, never rewritten. The processes get the app's env-file values (load the app
 * with an empty shell environment), plus PORT and PS per instance.
 */
export function exportApp(app: App, options: ExportOptions): Result<ExportResult> {
  const encoder = ENCODERS[options.format];
  if (!encoder) {
    return {
      ok: false,
      problems: [
        {
          severity: "error",
          message: `export format "${options.format}" is not available`,
          flag: "FORMAT",
          fix: `use one of ${Object.keys(ENCODERS).join(", ")}`,
        },
      ],
    };
  }
  const model = buildExportModel(app, options);
  if (!model.ok) return model;
  const refused = encoder.refuse?.(model.value) ?? [];
  if (refused.length > 0) return { ok: false, problems: [...model.warnings, ...refused] };
  const { app: name, location } = model.value;
  const plan = encoder.encode(model.value);
  return {
    ok: true,
    value: { app: name, format: options.format, location, plan },
    warnings: model.warnings,
  };
}
