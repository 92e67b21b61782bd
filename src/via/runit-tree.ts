// parity start --via runit: the app's runit export for a private directory, with each service's
// log/run relaying its output to parity instead of svlogd. Pure: reads and writes nothing.
import { buildExportModel, type ExportInstance } from "../export/model.js";
import { makePlan, type Plan } from "../export/plan.js";
import { encodeRunit } from "../export/runit.js";
import { quoteShell } from "../export/shell-quote.js";
import type { App, Result } from "../types.js";

/** One exported instance, where its service directory and its output pipe are. */
export interface TreeService {
  instance: ExportInstance;
  /** The service directory, absolute. */
  dir: string;
  /** The named pipe its log/run writes the service's output to. */
  fifo: string;
}

/** The plan to write into `<dir>/service`, and the services in it. */
export interface RunitTree {
  app: string;
  /** The directory runsvdir scans: `<dir>/service`. */
  serviceDir: string;
  plan: Plan;
  services: TreeService[];
}

/** Where the pieces of a private tree go under its directory. */
export function treePaths(dir: string): { serviceDir: string; outputDir: string } {
  return { serviceDir: `${dir}/service`, outputDir: `${dir}/output` };
}

/**
 * Plans the runit export of `app` (loaded as for `parity export`: its env files, no shell) into
 * the private directory `dir`. The scripts are the export's, byte for byte, except that they
 * name the private directory, that no user is switched to (the local user runs everything:
 * switching needs root and the production user), and that log/run hands the output to parity.
 */
export function planRunitTree(
  app: App,
  options: { dir: string; timeoutSeconds: number },
): Result<RunitTree> {
  const { serviceDir, outputDir } = treePaths(options.dir);
  const model = buildExportModel(
    { ...app, user: undefined },
    {
      format: "runit",
      location: serviceDir,
      log: `${options.dir}/log`,
      timeoutSeconds: options.timeoutSeconds,
    },
  );
  if (!model.ok) return model;
  const services = model.value.instances.map((instance) => ({
    instance,
    dir: `${serviceDir}/${instance.service}`,
    fifo: `${outputDir}/${instance.service}`,
  }));
  const relays = new Map(services.map((s) => [`${s.instance.service}/log/run`, s.fifo]));
  const exported = encodeRunit(model.value);
  const files = exported.files.map((file) => {
    const fifo = relays.get(file.path);
    return fifo === undefined ? file : { ...file, contents: renderRelay(fifo) };
  });
  return {
    ok: true,
    value: {
      app: model.value.app,
      serviceDir,
      plan: makePlan(files, exported.dirs),
      services,
    },
    warnings: model.warnings,
  };
}

/**
 * log/run under parity: copies the service's output into its named pipe, which parity reads and
 * prefixes. runsv closes the log pipe only once the service is down, so `cat` ends after the
 * last byte, as svlogd does in production.
 */
function renderRelay(fifo: string): string {
  return (
    "#!/bin/sh\n" +
    "# Written by parity start --via runit: the service's output to parity (the export runs svlogd here).\n" +
    `exec cat >${quoteShell(fifo)}\n`
  );
}
