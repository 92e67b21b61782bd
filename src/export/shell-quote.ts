// POSIX single quoting for the /bin/sh scripts exports generate (runit's scripts, systemd's readiness loop).

/** Quote a value as one /bin/sh word that the shell reads back exactly: every byte literal, `'` as `'\''`. */
export function quoteShell(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}
