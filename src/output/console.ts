// Turns supervisor events and child output into prefixed lines on the single writer.
import type { Readable } from "node:stream";
import type { StopReason, SupervisorEvent } from "../supervisor/supervisor.js";
import type { Instance } from "../types.js";
import { formatSeconds } from "./format-seconds.js";
import { createLineRelay, type Timers } from "./line-relay.js";
import { createPrefix, getLabelWidth, type Prefix } from "./prefix.js";
import type { OutputWriter } from "./writer.js";

/** How the console looks. */
export interface ConsoleOptions {
  instances: Instance[];
  /** Position of each type in the Procfile: picks its colour. */
  typeIndex: Map<string, number>;
  timestamps: boolean;
  /** Returns the painter for a type index; identity when colour is off. */
  painter: (index: number) => (text: string) => string;
  now?: () => Date;
  timers?: Timers;
  /** Seconds before SIGKILL, for messages. */
  timeoutSeconds: number;
  /** Also gets every chunk of output (the control socket's log buffer). */
  onOutput?: (instance: Instance, chunk: Buffer) => void;
}

/** The output side of a run. */
export interface Console {
  attachOutput(instance: Instance, stream: Readable): Promise<void>;
  report(event: SupervisorEvent): void;
  system(text: string): void;
}

/** Creates the console that writes through `writer`. */
export function createConsole(writer: OutputWriter, options: ConsoleOptions): Console {
  const style = {
    width: getLabelWidth(options.instances.map((i) => i.name)),
    timestamps: options.timestamps,
    now: options.now ?? (() => new Date()),
  };
  const prefixes = new Map<string, Prefix>();
  const prefixFor = (instance: Instance): Prefix => {
    let p = prefixes.get(instance.name);
    if (!p) {
      const paint = options.painter(options.typeIndex.get(instance.type) ?? 0);
      p = createPrefix(instance.name, style, paint);
      prefixes.set(instance.name, p);
    }
    return p;
  };
  const systemPrefix = createPrefix("system", style);
  const line = (prefix: Prefix, text: string) => writer.writeLine(prefix.current() + text);
  const system = (text: string) => line(systemPrefix, text);

  return {
    system,
    attachOutput(instance, stream) {
      const relay = createLineRelay(
        prefixFor(instance),
        (data) => writer.write(data),
        options.timers,
      );
      let held = false;
      const unregister = writer.register({
        pause() {
          held = true;
          stream.pause();
          relay.pause();
        },
        resume() {
          held = false;
          relay.resume();
          stream.resume();
        },
      });
      // Node resumes a child's stdout by itself when the child exits; a descendant may still
      // be writing into the pipe, so keep holding it while stdout is full.
      stream.on("resume", () => {
        if (held) stream.pause();
      });
      const onOutput = options.onOutput;
      stream.on(
        "data",
        onOutput
          ? (chunk: Buffer) => {
              relay.push(chunk);
              onOutput(instance, chunk);
            }
          : (chunk: Buffer) => relay.push(chunk),
      );
      return new Promise<void>((resolve) => {
        let ended = false;
        const done = () => {
          if (ended) return;
          ended = true;
          relay.end();
          unregister();
          resolve();
        };
        // 'end' (EOF: every byte has been read) comes a turn of the event loop before 'close',
        // which waits for the pipe's handle to close; 'close' alone comes after an error.
        stream.once("end", done);
        stream.once("close", done);
        stream.once("error", () => stream.destroy());
      });
    },
    report(event) {
      switch (event.type) {
        case "start":
          line(
            prefixFor(event.instance),
            `started with pid ${event.pid ?? "(none: spawn failed)"}`,
          );
          break;
        case "exit":
          line(prefixFor(event.instance), describeExit(event.status));
          break;
        case "stopping":
          system(
            `${describeReason(event.reason)}${event.signal ? `sending ${event.signal} to all processes` : "stopping all processes"}`,
          );
          break;
        case "waiting":
          system(`${event.processType} waits for ${event.on.join(", ")} to be ready`);
          break;
        case "unready":
          system(`${event.instance.name} ${event.reason}`);
          break;
        case "ready":
          system(`${event.instance.name} ready after ${formatSeconds(event.elapsedMs)}`);
          break;
        case "restarting":
          system(
            `${event.instance.name} restarting in ${formatSeconds(event.delayMs)} (restart ${event.attempt} in a row)`,
          );
          break;
        case "failed":
          system(
            `${event.instance.name} failed: more than ${event.restarts} restarts in ${formatSeconds(event.windowMs)}; not restarting it (the others keep running)`,
          );
          break;
        case "kill":
          system(
            event.forced
              ? `sending SIGKILL to ${event.instance.name}`
              : `sending SIGKILL to ${event.instance.name}: still running after ${formatSeconds(event.afterMs)}`,
          );
          break;
        case "done":
          break;
      }
    },
  };
}

function describeExit(status: { code: number | null; signal: string | null }): string {
  if (status.code !== null) return `exited with code ${status.code}`;
  return `terminated by ${status.signal ?? "an unknown signal"}`;
}

function describeReason(reason: StopReason): string {
  switch (reason.kind) {
    case "signal":
      return `${reason.signal} received, `;
    case "exit":
      return `${reason.instance} ${describeExit(reason.status)}, `;
    case "output-closed":
      return "stdout closed, ";
    case "not-ready":
      return `${reason.instance} ${reason.reason}, `;
    case "finished":
      return "every process has finished, ";
    case "request":
      return "";
  }
}
