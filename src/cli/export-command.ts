// `parity export FORMAT LOCATION`: foreman's export flags onto the library's exportApp and writePlan.
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_EXPORT_ENVIRONMENT } from "../app/defaults.js";
import { parseTimeout } from "../app/options.js";
import { suggestName } from "../app/suggest.js";
import type { ExportResult } from "../export/index.js";
import type { Problem } from "../types.js";
import {
  type AppFlags,
  addAppOptions,
  loadAppOrReport,
  printProblems,
  withoutShell,
} from "./app-options.js";
import { EXIT_USAGE, type Io } from "./io.js";

interface ExportFlags extends AppFlags {
  app?: string;
  user?: string;
  log?: string;
  run?: string;
  timeout?: string;
  dryRun?: boolean;
  check?: boolean;
  format?: string;
}

const FORMATS = ["systemd", "runit", "supervisord", "launchd"];

/** Adds the export command. */
export function addExportCommand(
  program: Command,
  io: Io,
  setStatus: (code: number) => void,
): void {
  const command = program
    .command("export")
    .description(
      "write the app's services as systemd units, runit service directories, a supervisord conf or launchd plists",
    )
    .argument("<format>", `${FORMATS.join(", ")}`)
    .argument("<location>", "the directory the files go to (such as /etc/systemd/system)");
  addAppOptions(command, DEFAULT_EXPORT_ENVIRONMENT)
    .option(
      "-a, --app <name>",
      "the name in unit and file names (default: the manifest's app, else the root's name)",
    )
    .option("-u, --user <name>", "the user the processes run as (default: the environment's user)")
    .option(
      "-l, --log <dir>",
      "the log directory (runit, supervisord, launchd; default: the environment's log, else /var/log/APP for runit)",
    )
    .option(
      "-r, --run <dir>",
      "where the services live on the node, for runit's sv paths (default: LOCATION)",
    )
    .option(
      "-m, --formation <spec>",
      "instances per type: web=2,worker=1 or all=N (default: the manifest's, else all=1)",
    )
    .option("-p, --port <port>", "base port (default: PORT from the env files, else 5000)")
    .option(
      "-t, --timeout <seconds>",
      "seconds between the stop signal and SIGKILL (types without stop_timeout)",
      "5",
    )
    .option("--dry-run", "print what would be written and removed; write nothing")
    .option("--check", "exit 1 with a diff when LOCATION differs from the export; write nothing")
    .option(
      "--format <type>",
      "json: print the plan (every file's path, mode and contents); write nothing",
    )
    .action(async (format: string, location: string, flags: ExportFlags) => {
      setStatus(await runExport(format, location, flags, io));
    });
}

/** Problems with the command line itself (format, flags that exclude each other, -t). */
function checkFlags(format: string, location: string, flags: ExportFlags): Problem[] {
  const problems: Problem[] = [];
  if (!FORMATS.includes(format)) {
    const near = suggestName(format, FORMATS);
    problems.push({
      severity: "error",
      message: `unknown export format "${format}"`,
      flag: "FORMAT",
      fix: near ? `did you mean ${near}?` : `use one of ${FORMATS.join(", ")}`,
    });
  }
  if (location.trim() === "") {
    problems.push({
      severity: "error",
      message: "LOCATION is empty",
      flag: "LOCATION",
      fix: "name a directory",
    });
  }
  if (flags.format !== undefined && flags.format !== "json") {
    problems.push({
      severity: "error",
      message: `unknown output format "${flags.format}"`,
      flag: "--format",
      fix: "use --format json",
    });
  }
  const modes = [
    flags.dryRun && "--dry-run",
    flags.check && "--check",
    flags.format !== undefined && "--format",
  ];
  const given = modes.filter((mode): mode is string => typeof mode === "string");
  if (given.length > 1) {
    problems.push({
      severity: "error",
      message: `${given.join(" and ")} cannot be combined`,
      flag: given[0] as string,
      fix: "give one of --dry-run, --check and --format json",
    });
  }
  const timeout = parseTimeout(flags.timeout, "-t/--timeout");
  if (!timeout.ok) problems.push(...timeout.problems);
  if (flags.log !== undefined && format === "systemd") {
    problems.push({
      severity: "warning",
      message:
        "-l/--log is used by runit exports only; systemd units log to the journal (journalctl -u APP-TYPE.N)",
      flag: "-l/--log",
    });
  }
  if (flags.run !== undefined && FORMATS.includes(format) && format !== "runit") {
    problems.push({
      severity: "warning",
      message: `-r/--run is used by runit exports only; ${format === "systemd" ? "systemd units" : `${format} exports`} name their files by absolute path`,
      flag: "-r/--run",
    });
  }
  return problems;
}

/** Runs one export; returns the exit status. */
async function runExport(
  format: string,
  location: string,
  flags: ExportFlags,
  io: Io,
): Promise<number> {
  const result = await planExport(format, location, flags, io);
  if (!result) return EXIT_USAGE;
  if (flags.format === "json") {
    const { renderPlanJson } = await import("../export/plan.js");
    io.stdout(renderPlanJson(result.plan, result));
    return 0;
  }
  try {
    if (flags.dryRun || flags.check) return await compareWithLocation(result, flags, io);
    return await writeToLocation(result, io);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const path = (error as NodeJS.ErrnoException).path;
    printProblems(
      [
        {
          severity: "error",
          message: `cannot ${flags.dryRun || flags.check ? "read" : "write"} ${path ?? result.location} (${code})`,
          flag: "LOCATION",
          fix: "check the permissions (an export to a system directory needs root); an interrupted export is completed and pruned by the next one",
        },
      ],
      io,
    );
    return EXIT_USAGE;
  }
}

/** Load the app without the shell's environment and plan its export; undefined after printing the problems. */
async function planExport(
  format: string,
  location: string,
  flags: ExportFlags,
  io: Io,
): Promise<ExportResult | undefined> {
  const flagProblems = checkFlags(format, location, flags);
  const errors = flagProblems.filter((p) => p.severity === "error");
  const app = await loadAppOrReport(flags, withoutShell(io), undefined, errors, {
    defaultEnvironment: DEFAULT_EXPORT_ENVIRONMENT,
  });
  printProblems(
    flagProblems.filter((p) => p.severity === "warning"),
    io,
  );
  if (!app) return undefined;
  const { exportApp } = await import("../export/index.js");
  const timeout = parseTimeout(flags.timeout, "-t/--timeout");
  const resolved = exportApp(app, {
    format,
    location: resolve(io.cwd, location),
    ...(flags.app !== undefined && { app: flags.app }),
    ...(flags.user !== undefined && { user: flags.user }),
    ...(flags.log !== undefined && { log: resolve(io.cwd, flags.log) }),
    ...(flags.run !== undefined && { run: resolve(io.cwd, flags.run) }),
    timeoutSeconds: timeout.ok ? timeout.value : 5,
  });
  printProblems(resolved.ok ? resolved.warnings : resolved.problems, io);
  return resolved.ok ? resolved.value : undefined;
}

/** --dry-run (what would change) and --check (a diff; status 1 when LOCATION differs). */
async function compareWithLocation(
  result: ExportResult,
  flags: ExportFlags,
  io: Io,
): Promise<number> {
  const { comparePlan } = await import("../export/changes.js");
  const report = await import("../export/report.js");
  const compared = comparePlan(result.plan, result);
  printProblems(compared.ok ? compared.warnings : compared.problems, io);
  if (!compared.ok) return EXIT_USAGE;
  const { changes } = compared.value;
  if (flags.dryRun) {
    io.stdout(report.renderChangeList(changes));
    io.stdout(`dry run: ${report.summarizeChanges(changes, "would")}; nothing written\n`);
    return 0;
  }
  if (!report.hasChanges(changes)) {
    io.stdout(`${result.location} is up to date (${result.app}, ${result.format})\n`);
    return 0;
  }
  io.stdout(report.renderCheckDiff(changes, result.location));
  const summary = report.summarizeChanges(changes, "would");
  io.stdout(
    `${result.location} is out of date: ${summary} (run parity export without --check to update it)\n`,
  );
  return 1;
}

/** Write the plan and say what changed. */
async function writeToLocation(result: ExportResult, io: Io): Promise<number> {
  const { writePlan } = await import("../export/write.js");
  const report = await import("../export/report.js");
  const written = writePlan(result.plan, result);
  printProblems(written.ok ? written.warnings : written.problems, io);
  if (!written.ok) return EXIT_USAGE;
  const { changes } = written.value;
  io.stdout(report.renderChangeList(changes));
  const summary = report.summarizeChanges(changes, "did");
  io.stdout(`exported ${result.app} (${result.format}) to ${result.location}: ${summary}\n`);
  return 0;
}
