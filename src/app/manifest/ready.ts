// Readiness checks in parity.yml: where a tcp check connects, which URLs an http check accepts.

import type { ReadyCheck } from "../../types.js";
import { DEFAULT_TCP_HOST } from "../defaults.js";

/** How the instance's port is written in a check: $PORT or ${PORT}. */
const PORT_REFERENCE = /\$(?:PORT\b|\{PORT\})/g;
const PORT_ONLY = /^(?:\d+|\$PORT|\$\{PORT\})$/;
const MAX_PORT = 65535;

/** The check keys of `ready`, exactly one of which is given. */
export const CHECK_KINDS = ["tcp", "http", "exec", "log"] as const;

/** The check keys of a validated `ready` map (exactly one is set). */
export interface ReadyData {
  tcp?: string | number | undefined;
  http?: string | undefined;
  exec?: string | undefined;
  log?: string | undefined;
}

/** Split a tcp target (5432, "$PORT", "db:5432", "[::1]:$PORT") into host and port; undefined when malformed. */
export function parseTcpTarget(value: string | number): { host: string; port: string } | undefined {
  const text = String(value).trim();
  if (PORT_ONLY.test(text)) {
    return isPort(text) ? { host: DEFAULT_TCP_HOST, port: text } : undefined;
  }
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = text.slice(colon + 1);
  if (host === "" || /\s/.test(host) || !PORT_ONLY.test(port) || !isPort(port)) return undefined;
  return { host, port };
}

/** Tell whether an http check's URL is an http:// or https:// URL once $PORT is filled in. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.trim().replace(PORT_REFERENCE, "1"));
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Build the check of a validated `ready` map (which holds exactly one check key). */
export function toReadyCheck(ready: ReadyData): ReadyCheck {
  if (ready.tcp !== undefined) return { kind: "tcp", ...parseTcpTarget(ready.tcp)! };
  if (ready.http !== undefined) return { kind: "http", url: ready.http.trim() };
  if (ready.exec !== undefined) return { kind: "exec", command: ready.exec };
  return { kind: "log", pattern: ready.log ?? "" };
}

/** A port number in range, or a reference to $PORT. */
function isPort(text: string): boolean {
  if (!/^\d+$/.test(text)) return true;
  const port = Number(text);
  return port >= 1 && port <= MAX_PORT;
}
