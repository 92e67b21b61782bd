// A tiny shell process that outlives parity: when parity dies, even by SIGKILL, it kills what parity started.
import { type ChildProcess, spawn } from "node:child_process";
import { MARKER_VAR } from "./process-table.js";

// Reads `+PGID` / `-PGID` lines until its stdin (a pipe from parity) closes, which happens
// whenever parity exits, however it exits. Then it kills the process groups still listed and,
// where /proc exists, every process whose environment carries this run's marker; last, it removes
// the run's private directory when there is one (--via runit's tree). A line is
// handled without starting a process (no sed): it comes while parity starts or stops one.
const SCRIPT = `
trap '' INT TERM HUP
groups=" "
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*)
      g=\${line#-}
      case $groups in
        *" $g "*) groups="\${groups%%" $g "*} \${groups#*" $g "}" ;;
      esac
      ;;
  esac
done
for g in $groups; do kill -9 "-$g" 2>/dev/null; done
if [ -d /proc/self ]; then
  i=0
  while [ $i -lt 40 ]; do
    pids=$(grep -lsaF -e "$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3)
    [ -n "$pids" ] || break
    kill -KILL $pids 2>/dev/null
    i=$((i + 1))
    sleep 0.05
  done
fi
[ -z "$2" ] || rm -rf -- "$2"
`;

/** The parity side of the watchdog. */
export interface Watchdog {
  /** A process group now exists: kill it if parity dies. */
  watchGroup(pgid: number): void;
  /** A process group is gone: forget it (its id may be reused). */
  forgetGroup(pgid: number): void;
  readonly pid: number | undefined;
}

/**
 * Starts the watchdog for run `runId`; `env` is the environment it runs with (without the
 * marker); `privateDir`, a directory only this run uses, is removed once its processes are gone.
 */
export function startWatchdog(
  runId: string,
  env: NodeJS.ProcessEnv,
  privateDir?: string,
): Watchdog {
  const child: ChildProcess = spawn(
    "/bin/sh",
    ["-c", SCRIPT, "parity-watchdog", `${MARKER_VAR}=${runId}/`, privateDir ?? ""],
    {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
      env,
    },
  );
  child.unref();
  const stdin = child.stdin;
  // The pipe must not keep parity alive; it closes when parity exits.
  (stdin as unknown as { _handle?: { unref?: () => void } } | null)?._handle?.unref?.();
  stdin?.on("error", () => undefined);
  const send = (line: string) => {
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  };
  return {
    watchGroup: (pgid) => send(`+${pgid}`),
    forgetGroup: (pgid) => send(`-${pgid}`),
    pid: child.pid,
  };
}
