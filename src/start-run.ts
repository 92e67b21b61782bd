// Runs an app's instances with prefixed output until they stop, in the colours the caller decided
// (the library's start asks chalk; the CLI loads chalk only when colour is possible).
import { spawn } from "node:child_process";
import { LogBuffer } from "./control/log-buffer.js";
import { serveControl } from "./control/serve.js";
import type { Colors } from "./output/color-choice.js";
import { createConsole } from "./output/console.js";
import { openOutputSink } from "./output/stdout.js";
import { type OutputSink, OutputWriter } from "./output/writer.js";
import { handleRunSignals, type SignalSource } from "./supervisor/kill-on-signal.js";
import { readProcessTable } from "./supervisor/process-table.js";
import { restartOnChange } from "./supervisor/restart-on-change.js";
import { makeRunId } from "./supervisor/run-id.js";
import { Supervisor } from "./supervisor/supervisor.js";
import { startWatchdog } from "./supervisor/watchdog.js";
import type { App } from "./types.js";

/** Options of a run (the CLI maps foreman's flags onto these). */
export interface StartOptions {
  /** Seconds between the stop signal and SIGKILL (foreman's -t). Default 5. */
  timeoutSeconds?: number;
  /** Force colour on or off; undefined asks the terminal. */
  color?: boolean;
  /** Prefix lines with HH:MM:SS. Default true. */
  timestamps?: boolean;
  /** The shell environment the app inherits. Default: process.env. */
  shellEnv?: NodeJS.ProcessEnv;
  /** Where output goes. Default: file descriptor 1. */
  sink?: OutputSink;
  /**
   * Resolves true when the processes may be spawned (false: nothing is started, done resolves
   * with 2). Lets a caller check ports while the watchdog starts. Default: spawn at once.
   */
  gate?: Promise<boolean>;
  /** Serve the control socket (parity ps/restart/stop/start/scale/logs). Default: false. */
  control?: boolean;
  /** Restart process types when their watched files change. Default: false. */
  watch?: boolean;
  /** Where stop signals come from. Default: process. Pass null to handle none. */
  signals?: SignalSource | null;
}

/** A run in progress. */
export interface Run {
  /** Resolves with the exit status once every process is gone and all output is written. */
  readonly done: Promise<number>;
  /** Stops every process gracefully (stop signal, then SIGKILL after the timeout). */
  stop(): void;
  /** Kills every process at once. */
  kill(): void;
}

/**
 * Returns the environment every instance starts from: the shell's, plus the app's resolved
 * env files (where the shell's own values already won).
 */
export function buildBaseEnv(
  app: App,
  shellEnv: NodeJS.ProcessEnv,
  colorOutput: boolean,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...shellEnv };
  for (const [key, entry] of app.env) env[key] = entry.value;
  if (colorOutput) {
    env.FORCE_COLOR ??= "1";
    env.CLICOLOR_FORCE ??= "1";
  }
  return env;
}

/** Starts every instance of `app`, coloured as `colors` says (options.color is not read here). */
export function startRun(app: App, options: StartOptions, colors: Colors): Run {
  const shellEnv = options.shellEnv ?? process.env;
  const timeoutSeconds = options.timeoutSeconds ?? 5;
  const writer = new OutputWriter(options.sink ?? openOutputSink(1));
  const runId = makeRunId();
  const logs = new LogBuffer();
  const console = createConsole(writer, {
    instances: app.instances,
    typeIndex: new Map(app.types.map((t) => [t.name, t.index])),
    timestamps: options.timestamps ?? true,
    painter: colors.painter,
    timeoutSeconds,
    ...(options.control && { onOutput: (instance, chunk) => logs.append(instance.name, chunk) }),
  });
  const watchdog = startWatchdog(runId, shellEnv);
  const supervisor = new Supervisor(
    {
      instances: app.instances,
      cwd: app.root,
      env: buildBaseEnv(app, shellEnv, colors.enabled),
      runId,
      timeoutMs: timeoutSeconds * 1000,
      settings: app.settings,
      types: app.types,
      basePort: app.basePort,
    },
    {
      spawn,
      readTable: () => readProcessTable(true),
      timers: globalThis,
      now: Date.now,
      watchdog,
      attachOutput: (instance, stream) => console.attachOutput(instance, stream),
      isOutputBlocked: () => writer.blocked,
      report: (event) => console.report(event),
    },
  );
  writer.onClosed(() => supervisor.stop({ kind: "output-closed" }));
  const signals = handleRunSignals(options.signals === undefined ? process : options.signals, {
    stop: (reason) => supervisor.stop(reason),
    kill: (signal) => supervisor.kill(signal),
  });
  const watcher = restartOnChange(app, options.watch ?? false, supervisor, console);
  if (options.gate) {
    void options.gate.then((go) => (go ? supervisor.start() : supervisor.cancel(2)));
  } else supervisor.start();
  const control = options.control ? serveControl(app, supervisor, logs, console) : undefined;
  const done = supervisor.done.then(async (code) => {
    await (await watcher)?.close();
    control?.close();
    await Promise.race([writer.flush(), signals.finishing()]);
    signals.detach();
    return code;
  });
  return {
    done,
    stop: () => supervisor.stop({ kind: "request" }),
    kill: () => supervisor.kill("SIGKILL"),
  };
}
