// What the CLI commands read from and write to, passed in so tests can run them in-process.

/** Exit status of a user error (bad flag, bad file): nothing was started. */
export const EXIT_USAGE = 2;

/** The world a command sees. */
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  version: string;
  /** For command results (check, env); `start` writes through its own single writer instead. */
  stdout(text: string): void;
  stderr(text: string): void;
}
