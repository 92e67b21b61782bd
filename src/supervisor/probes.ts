// One attempt of each readiness check: a TCP connect, an HTTP GET, a command's exit status.
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";

export { expandPort } from "./expand-port.js";

/** Resolves true when a TCP connection to host:port succeeds within `timeoutMs`. */
export function tryTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Resolves true when GET `url` answers with a status below 400 within `timeoutMs`. */
export function tryHttp(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const request = parsed.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(parsed, { method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
    req.end();
  });
}

/**
 * Resolves true when `command` (via /bin/sh, in its own process group) exits 0 within
 * `timeoutMs`; its group is killed when it takes longer or `abort` fires, and after it exits
 * (a background child it left).
 */
export function tryExec(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  abort?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (abort?.aborted) {
      resolve(false);
      return;
    }
    const child = spawn("/bin/sh", ["-c", command], { cwd, env, stdio: "ignore", detached: true });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, timeoutMs);
    abort?.addEventListener("abort", killGroup);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      abort?.removeEventListener("abort", killGroup);
      killGroup();
      resolve(ok);
    };
    child.once("error", () => finish(false));
    child.once("exit", (code) => finish(code === 0));
  });
}
