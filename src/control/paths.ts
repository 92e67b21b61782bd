// Where the control socket of an app lives: ROOT/.parity/parity.sock, or a short path when that is too long.
import { join } from "node:path";

/** Longest socket path the OS takes (sun_path is 108 bytes on Linux, 104 on macOS; keep a NUL). */
export const MAX_SOCKET_PATH = 103;

/** The socket's directory (mode 0700) and path (mode 0600) for the app at `root`. */
export interface SocketLocation {
  dir: string;
  path: string;
}

/**
 * Returns where the control socket of the app at `root` lives: `ROOT/.parity/parity.sock`, or,
 * when that path is too long for a Unix socket, `RUNTIME/parity-UID/HASH.sock` (RUNTIME:
 * $XDG_RUNTIME_DIR, else the temp dir), HASH naming the root. Server and clients both ask here.
 */
export function getSocketLocation(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): SocketLocation {
  const dir = join(root, ".parity");
  const path = join(dir, "parity.sock");
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH) return { dir, path };
  // node:os only for a long path: loading it cost ≈ 0.14 ms of every start
  const runtime = env.XDG_RUNTIME_DIR || process.getBuiltinModule("node:os").tmpdir();
  const short = join(runtime, `parity-${process.getuid?.() ?? "user"}`);
  const hash = hashName(root);
  return { dir: short, path: join(short, `${hash}.sock`) };
}

// A short stable name for a path (FNV-1a, twice with different seeds; node:crypto costs start-up time).
function hashName(text: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, "0");
  };
  return fnv(0x811c9dc5) + fnv(0x2166136b);
}
