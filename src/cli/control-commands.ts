// `parity ps|restart|stop|scale|logs`: thin clients of a running parity's control socket.
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import type { RequestBody } from "../control/client.js";
import type { SocketLocation } from "../control/paths.js";
import type { SlotInfo } from "../supervisor/supervisor.js";
import type { Io } from "./io.js";

/** Exit status of a client error: no parity running here, an unknown name, a refused request. */
const EXIT_CLIENT = 1;

interface ClientFlags {
  procfile?: string;
  root?: string;
}

/** The app root a client means: -d, else the -f Procfile's directory, else the current directory. */
export function findAppRoot(flags: ClientFlags, io: Io): string {
  if (flags.root) return resolve(io.cwd, flags.root);
  if (flags.procfile) return dirname(resolve(io.cwd, flags.procfile));
  return io.cwd;
}

/** Where the socket of the app at `root` is. */
export async function locateSocket(root: string, io: Io): Promise<SocketLocation> {
  const { getSocketLocation } = await import("../control/paths.js");
  return getSocketLocation(root, io.env);
}

/** Sends one request; prints the error line and returns undefined when it failed. */
export async function ask(
  root: string,
  body: RequestBody,
  io: Io,
  onLine?: (line: { name: string; text: string }) => void,
  onRecentDone?: () => void,
): Promise<{ result: unknown } | undefined> {
  const { sendRequest, NotRunningError } = await import("../control/client.js");
  const location = await locateSocket(root, io);
  try {
    const answer = await sendRequest(location, body, onLine, onRecentDone);
    if (answer.ok) return { result: answer.result };
    io.stderr(`error: ${answer.error}\n`);
  } catch (err) {
    if (err instanceof NotRunningError) {
      io.stderr(
        `error: no parity is running for ${root} (no control socket at ${location.path}). Fix: start it with parity start, or point at the app with -d/--root.\n`,
      );
    } else io.stderr(`error: ${(err as Error).message}\n`);
  }
  return undefined;
}

function addClientOptions(command: Command, short = true): Command {
  return command
    .option(
      short ? "-f, --procfile <file>" : "--procfile <file>",
      "the app's Procfile (its directory is the app root)",
    )
    .option("-d, --root <dir>", "the app root (default: the current directory)");
}

/** Formats milliseconds as 1h02m, 3m04s, 12s. */
function formatUptime(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Renders `parity ps` as a table for people. */
export function renderPs(slots: SlotInfo[]): string {
  const rows = [
    ["NAME", "PID", "STATE", "UPTIME", "RESTARTS", "PORT", "READY"],
    ...slots.map((s) => [
      s.name,
      s.pid === null ? "-" : String(s.pid),
      s.state,
      formatUptime(s.uptimeMs),
      String(s.restarts),
      String(s.port),
      s.ready ? "yes" : "no",
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

/** Adds ps, restart, stop, scale and logs. */
export function addControlCommands(
  program: Command,
  io: Io,
  setStatus: (code: number) => void,
): void {
  addClientOptions(program.command("ps").description("list the running processes of this app"))
    .option("--json", "print them as JSON")
    .action(async (flags: ClientFlags & { json?: boolean }) => {
      const answer = await ask(findAppRoot(flags, io), { cmd: "ps" }, io);
      if (!answer) return setStatus(EXIT_CLIENT);
      const slots = answer.result as SlotInfo[];
      io.stdout(flags.json ? `${JSON.stringify(slots, null, 2)}\n` : renderPs(slots));
      setStatus(0);
    });

  for (const [cmd, what] of [
    ["restart", "restart processes (web, web.2, globs; default: all); the others are untouched"],
    ["stop", "stop processes (they stay stopped until parity start NAME); parity keeps running"],
  ] as const) {
    addClientOptions(
      program.command(cmd).description(what).argument("[name...]", "web, web.2 or a glob"),
    ).action(async (names: string[], flags: ClientFlags) => {
      const answer = await ask(findAppRoot(flags, io), { cmd, names }, io);
      if (!answer) return setStatus(EXIT_CLIENT);
      io.stdout(
        `${cmd === "restart" ? "restarted" : "stopped"}: ${(answer.result as string[]).join(", ")}\n`,
      );
      setStatus(0);
    });
  }

  addClientOptions(
    program
      .command("scale")
      .description("run this many instances of process types: parity scale web=3 worker=1")
      .argument("<counts...>", "TYPE=N items (also comma-separated)"),
  ).action(async (items: string[], flags: ClientFlags) => {
    const counts: Record<string, number> = {};
    for (const item of items.flatMap((i) => i.split(",")).filter(Boolean)) {
      const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(item.trim());
      if (!match?.[1] || match[2] === undefined) {
        io.stderr(`error: scale: malformed item "${item}". Fix: write TYPE=N, such as web=3.\n`);
        return setStatus(2);
      }
      counts[match[1]] = Number(match[2]);
    }
    const answer = await ask(findAppRoot(flags, io), { cmd: "scale", counts }, io);
    if (!answer) return setStatus(EXIT_CLIENT);
    io.stdout(renderPs(answer.result as SlotInfo[]));
    setStatus(0);
  });

  addClientOptions(
    program
      .command("logs")
      .description("print recent output of processes (default: all), then follow it with -f")
      .argument("[name...]", "web, web.2 or a glob"),
    false,
  )
    .option("-f, --follow", "keep printing new output until interrupted")
    .option("-n, --lines <count>", "recent lines per process", "100")
    .action(async (names: string[], flags: ClientFlags & { follow?: boolean; lines: string }) => {
      const lines = Number(flags.lines);
      if (!Number.isInteger(lines) || lines < 0) {
        io.stderr(
          `error: -n/--lines: invalid count "${flags.lines}". Fix: give a whole number, 0 or more.\n`,
        );
        return setStatus(2);
      }
      // Recent lines are gathered to pad names to one column; followed lines use that width.
      let width = 0;
      let recent: { name: string; text: string }[] | undefined = [];
      const print = (line: { name: string; text: string }) =>
        io.stdout(`${line.name.padEnd(width)} | ${line.text}\n`);
      const flushRecent = () => {
        if (!recent) return;
        width = Math.max(width, ...recent.map((l) => l.name.length), 6);
        for (const l of recent) print(l);
        recent = undefined;
      };
      const answer = await ask(
        findAppRoot(flags, io),
        { cmd: "logs", names, follow: flags.follow === true, lines },
        io,
        (line) => {
          if (recent) recent.push(line);
          else print(line);
        },
        flushRecent,
      );
      flushRecent();
      setStatus(answer ? 0 : EXIT_CLIENT);
    });
}
