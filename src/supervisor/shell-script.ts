// Builds the /bin/sh script that runs a Procfile command: one process where the command allows it.

// Shell words that need the shell itself (keywords, special builtins), and builtins that behave
// differently from the program of the same name (dash's echo interprets \t, `:` has no program):
// such a command keeps the shell rather than `exec`.
const SHELL_WORDS = new Set(
  "if then else elif fi case esac for while until do done function select time ! { } [[ exec cd . source export exit set unset eval trap read wait umask ulimit alias shift return break continue command readonly local getopts hash type jobs fg bg echo printf test [ kill pwd true false :".split(
    " ",
  ),
);
// ${NAME}, ${NAME:-default} and the like: expansions that do not make a command compound.
const EXPANSION = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=+?][^{}$`\\'"]*)?\}/g;
// Outside quotes: characters that can make a line more than one simple command (conservative).
const COMPOUND = "\n\r;&|()<>`{}\\";
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=[^\s"'$]*$/;
const PROGRAM = /^[A-Za-z0-9_./+@%,:-]+$/;

// True when, outside quotes, `line` has nothing that could make it a list, pipeline, group,
// redirection or command substitution. Inside double quotes only `$(` and backquotes count
// (a backslash there escapes the next character).
function isOneCommand(line: string): boolean {
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\") i++;
      else if (c === "`" || (c === "$" && line[i + 1] === "(")) return false;
    } else if (c === "'" || c === '"') quote = c;
    else if (COMPOUND.includes(c) || (c === "$" && line[i + 1] === "(")) return false;
  }
  return quote === undefined;
}

/** Returns the offset of the program word when `command` is one simple command, else -1. */
export function findProgramWord(command: string): number {
  if (!isOneCommand(command.replace(EXPANSION, "x"))) return -1;
  const word = /\S+/g;
  for (let m = word.exec(command); m; m = word.exec(command)) {
    if (ASSIGNMENT.test(m[0])) continue;
    return PROGRAM.test(m[0]) && !SHELL_WORDS.has(m[0]) ? m.index : -1;
  }
  return -1;
}

/**
 * Returns the `/bin/sh -c` script for `command`. stderr joins stdout in one pipe (as foreman
 * does), so their order is kept. A simple command replaces the shell (`exec`): one process,
 * whose pid and status are the command's own. A compound line keeps its shell, which the stop
 * signal ends at once, as in foreman: the shell must not start the line's next command after
 * the signal (a trap that lets it finish the current one cannot stop it from starting the
 * next, which then never gets the signal). Its commands get the signal from their group, and
 * parity waits for them.
 */
export function buildShellScript(command: string): string {
  const at = findProgramWord(command);
  if (at >= 0) return `exec 2>&1; ${command.slice(0, at)}exec ${command.slice(at)}`;
  return `exec 2>&1; ${command}`;
}
