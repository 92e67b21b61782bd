// An app for restart-policy tests of exports: each type counts its runs in ROOT/NAME.count.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeApp } from "./parity.js";

/** The restart app: where it is, and how often each type has run so far. */
export interface RestartApp {
  cwd: string;
  count(name: "clean" | "crash" | "once" | "again"): number;
}

/**
 * Four types whose runs last `runSeconds`: clean (exits 0) and crash (exits 3) with the default
 * policy of exports (on-failure), once (exits 3; restart never), again (exits 0; restart always).
 * With `app`, the manifest names the app (unit and program names).
 */
export function makeRestartApp(runSeconds: number, app?: string): RestartApp {
  const counter = (name: string, status: number) =>
    `${name}: echo x >> ${name}.count; sleep ${runSeconds}; exit ${status}`;
  const cwd = makeApp({
    Procfile: [
      counter("clean", 0),
      counter("crash", 3),
      counter("once", 3),
      counter("again", 0),
      "",
    ].join("\n"),
    "parity.yml": [
      ...(app === undefined ? [] : [`app: ${app}`]),
      "processes:",
      "  once: { restart: never }",
      "  again: { restart: always }",
      "",
    ].join("\n"),
  });
  return {
    cwd,
    count(name) {
      const file = join(cwd, `${name}.count`);
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0;
    },
  };
}
