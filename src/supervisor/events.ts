// What the supervisor reports, and why it stops: the output side turns these events into lines.
import type { Instance } from "../types.js";
import type { ExitStatus } from "./child.js";

/** Why the supervisor is stopping. */
export type StopReason =
  | { kind: "exit"; instance: string; status: ExitStatus }
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "output-closed" }
  | { kind: "request" }
  | { kind: "not-ready"; instance: string; reason: string }
  | { kind: "finished" };

/** Everything the supervisor reports; the output side turns these into lines. */
export type SupervisorEvent =
  | { type: "start"; instance: Instance; pid: number | undefined }
  | { type: "exit"; instance: Instance; status: ExitStatus; stopping: boolean }
  | { type: "waiting"; processType: string; on: string[] }
  | { type: "ready"; instance: Instance; elapsedMs: number }
  | { type: "restarting"; instance: Instance; delayMs: number; attempt: number }
  | { type: "failed"; instance: Instance; restarts: number; windowMs: number }
  | { type: "unready"; instance: Instance; reason: string }
  | { type: "stopping"; reason: StopReason; signal: NodeJS.Signals | undefined }
  | { type: "kill"; instance: Instance; pids: number[]; forced: boolean; afterMs: number }
  | { type: "done"; exitCode: number };
