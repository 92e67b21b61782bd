// The runtime schema of parity.yml (zod): every key, type and allowed value; parity.schema.json is made from it.

import * as z from "zod";
import { DURATION_FIX, DURATION_PATTERN, parseDuration } from "./durations.js";
import { CHECK_KINDS, isHttpUrl, parseTcpTarget } from "./ready.js";
import { explainUncatchableSignal, normalizeSignal, SIGNAL_FIX, SIGNAL_NAMES } from "./signals.js";

/** How an error message describes a field's bad value: what it should be, and the fix. */
export interface FieldHint {
  /** What the value should be, after "is not": "a duration", "a restart policy". */
  noun: string;
  fix: string;
  /** A more precise fix for some bad values (SIGKILL), else undefined. */
  explain?: (input: unknown) => string | undefined;
}

/** Hints of the fields, read by the error messages (JSON Schema gets the descriptions only). */
export const fieldHints = z.registry<FieldHint>();

/** The restart policies. */
export const RESTART_POLICIES = ["never", "on-failure", "always"] as const;

const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// The portable user names exports accept (export-rules.md: `User=0day` once ran as root).
const USER_NAME = /^[a-z_][a-z0-9_-]{0,30}$/;

/** Give a schema its description (for editors) and its hint (for error messages). */
function hinted<T extends z.ZodType>(schema: T, description: string, hint: FieldHint): T {
  const described = schema.meta({ description });
  fieldHints.add<z.core.$ZodType>(described, hint);
  return described;
}

/** A duration: seconds as a number, or text with units; parsed to milliseconds. */
function duration(description: string, allowZero: boolean) {
  const seconds = allowZero ? z.number().min(0) : z.number().positive();
  const parsed = z
    .union([seconds, z.string().regex(DURATION_PATTERN)])
    .transform((value) => parseDuration(value) ?? 0)
    .refine((ms) => allowZero || ms > 0);
  const noun = allowZero ? "a duration" : "a duration of more than 0";
  return hinted(parsed, `${description}: seconds (0.5, 10) or text (500ms, 10s, 2m, 1m30s)`, {
    noun,
    fix: DURATION_FIX,
  });
}

/** A non-empty string, which error messages call `noun`. */
function listItem(noun: string, fix: string) {
  const item = z.string().min(1);
  fieldHints.add<z.core.$ZodType>(item, { noun, fix });
  return item;
}

/** A string or a list of strings (read as a one-item list). */
function stringList(description: string, hint: FieldHint, itemNoun: string) {
  const item = listItem(itemNoun, hint.fix);
  return hinted(z.union([item, z.array(item)]), description, hint);
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const readyCheckSchemas = {
  tcp: hinted(
    z
      .union([z.int().min(1).max(65535), z.string()])
      .refine((value) => parseTcpTarget(value) !== undefined),
    "Ready when a TCP connection succeeds: a port (5432, $PORT) or host:port",
    {
      noun: "a TCP address",
      fix: 'write a port (5432 or $PORT) or host:port ("127.0.0.1:$PORT")',
    },
  ),
  http: hinted(
    z
      .string()
      .regex(/^https?:\/\//)
      .refine(isHttpUrl),
    "Ready when a GET of this URL answers 2xx or 3xx; $PORT is the instance's port",
    {
      noun: "an http:// or https:// URL",
      fix: 'write a URL such as "http://127.0.0.1:$PORT/health"',
    },
  ),
  exec: hinted(
    z.string().trim().min(1),
    "Ready when this command (run by /bin/sh in the app root) exits 0",
    { noun: "a command", fix: 'write a shell command such as "pg_isready -p $PORT"' },
  ),
  log: hinted(
    z
      .string()
      .min(1)
      .refine((pattern) => isRegExp(pattern)),
    "Ready when the process prints a line matching this regular expression (JavaScript syntax)",
    {
      noun: "a regular expression",
      fix: 'write a pattern such as "Listening on" or "ready to accept connections$" (escape ( ) [ ] . + * ? with \\)',
    },
  ),
};

const readySchema = hinted(
  z
    .object({
      tcp: readyCheckSchemas.tcp.optional(),
      http: readyCheckSchemas.http.optional(),
      exec: readyCheckSchemas.exec.optional(),
      log: readyCheckSchemas.log.optional(),
      interval: duration("Time between two checks", false).optional(),
      timeout: duration("Time the checks may take in all before the run fails", false).optional(),
    })
    .strict()
    .superRefine((ready, ctx) => {
      const given = CHECK_KINDS.filter((kind) => ready[kind] !== undefined);
      if (given.length === 1) return;
      ctx.addIssue({
        code: "custom",
        message:
          given.length === 0
            ? "no check given"
            : `${given.length} checks given (${given.join(", ")})`,
        params: { fix: "give exactly one of tcp, http, exec or log" },
      });
    })
    .meta({ oneOf: CHECK_KINDS.map((kind) => ({ required: [kind] })) }),
  "How to tell that the process is ready: exactly one of tcp, http, exec, log",
  {
    noun: "a readiness check",
    fix: "write a map with one check: { http: URL }, { tcp: PORT }, { exec: COMMAND } or { log: PATTERN }",
  },
);

const policySchema = hinted(z.enum(RESTART_POLICIES), "When an exited process starts again", {
  noun: "a restart policy",
  fix: "use never, on-failure or always",
});

const restartSchema = hinted(
  z.union([
    policySchema,
    z
      .object({
        policy: policySchema,
        backoff: duration("First delay before a restart, doubled after each one", false).optional(),
        max_backoff: duration("Longest delay before a restart", false).optional(),
        reset_after: duration("Uptime after which the delay starts over", false).optional(),
        limit: hinted(
          z.int().min(1),
          "More restarts than this within `window` mark the process failed (the rest keep running)",
          {
            noun: "a number of restarts (1 or more)",
            fix: "write a whole number, 1 or more",
          },
        ).optional(),
        window: duration(
          "The period in which `limit` restarts mark the process failed",
          false,
        ).optional(),
      })
      .strict(),
  ]),
  "never (its exit stops everything), on-failure or always; or a map with policy and backoff settings",
  {
    noun: "a restart policy",
    fix: "use never, on-failure or always, or a map such as { policy: on-failure, limit: 5 }",
  },
);

const dependency = listItem("a process type", "write the name of a process type of the Procfile");

const dependsOnSchema = hinted(
  z.union([
    dependency,
    z.array(dependency),
    z.record(
      z.string(),
      z
        .object({
          restart: hinted(z.boolean(), "Restart this process when the dependency restarts", {
            noun: "true or false",
            fix: "write true or false",
          }).optional(),
        })
        .strict()
        .nullable(),
    ),
  ]),
  "Process types that must be ready before this one starts (and stop after it)",
  {
    noun: "a list of process types",
    fix: "write a list such as [postgresql, redis], or a map such as { postgresql: { restart: true } }",
  },
);

/** The settings of one process type (also the shape of per-environment overrides). */
export const processSchema = z
  .object({
    ready: readySchema.optional(),
    depends_on: dependsOnSchema.optional(),
    stop_signal: hinted(
      z.enum(SIGNAL_NAMES).transform(normalizeSignal),
      "Signal that asks the process to stop (SIGKILL follows after stop_timeout)",
      { noun: "a stop signal", fix: SIGNAL_FIX, explain: explainUncatchableSignal },
    ).optional(),
    stop_timeout: duration("Time between the stop signal and SIGKILL", true).optional(),
    restart: restartSchema.optional(),
    watch: stringList(
      "Globs (relative to the app root) whose changes restart this process",
      {
        noun: "a glob or a list of globs",
        fix: 'write a glob such as "src/**/*.ts", or a list of them ([] for none)',
      },
      "a glob",
    ).optional(),
  })
  .strict()
  .meta({ description: "Settings of one process type of the Procfile" });

/** Settings per process type. */
function processMap(description: string) {
  return hinted(z.record(z.string(), processSchema), description, {
    noun: "a map of process types",
    fix: "write each process type as a key: processes: { web: { restart: always } }",
  });
}

/** The settings of one environment. */
export const environmentSchema = z
  .object({
    env_files: stringList(
      "Env files (relative to the app root, each must exist), replacing .env, .env.local, .env.NAME, .env.NAME.local",
      { noun: "a file or a list of files", fix: "write a list such as [.env, .env.production]" },
      "a file path",
    ).optional(),
    formation: hinted(
      z.record(
        z.string(),
        hinted(z.int().min(0), "Instances of this process type (all: of every type)", {
          noun: "a number of instances",
          fix: "write a whole number, 0 or more",
        }),
      ),
      "Instances per process type, as -m: { web: 2, all: 1 }",
      {
        noun: "a map of instance counts",
        fix: "write type: count pairs such as { web: 2, worker: 1 }",
      },
    ).optional(),
    user: hinted(z.string().regex(USER_NAME), "User the exported services run as", {
      noun: "a user name",
      fix: "write a user name such as deploy: lowercase letters, digits, _ and -, starting with a letter or _, at most 31 characters",
    }).optional(),
    log: hinted(z.string().startsWith("/"), "Directory of the exported services' logs", {
      noun: "an absolute directory path",
      fix: "write an absolute path such as /var/log/shop",
    }).optional(),
    watch: hinted(
      z.boolean(),
      "Whether watch globs restart processes here (default: only in development)",
      {
        noun: "true or false",
        fix: "write true or false",
      },
    ).optional(),
    processes: processMap(
      "Per-process settings in this environment, over the top-level processes",
    ).optional(),
  })
  .strict()
  .meta({ description: "Settings of one environment (-E/--environment, PARITY_ENV)" });

/** The whole manifest. */
export const manifestSchema = z
  .object({
    app: hinted(
      z.string().regex(APP_NAME),
      "App name used by exports (default: the root directory's name)",
      {
        noun: "an app name",
        fix: "use letters, digits, _, . and - only, starting with a letter or digit",
      },
    ).optional(),
    procfile: hinted(z.string().min(1), "The Procfile, relative to this file (default: Procfile)", {
      noun: "a file path",
      fix: "write a path such as Procfile.dev",
    }).optional(),
    processes: processMap(
      "Settings per process type of the Procfile, shared by every environment",
    ).optional(),
    environments: hinted(
      z.record(z.string(), environmentSchema),
      "Settings per environment: development, production, …",
      {
        noun: "a map of environments",
        fix: "write each environment as a key: environments: { production: { user: deploy } }",
      },
    ).optional(),
  })
  .strict();

/** A validated manifest: durations in milliseconds, signals as SIGxxx. */
export type ManifestData = z.output<typeof manifestSchema>;
/** One process type's settings in a validated manifest. */
export type ProcessData = z.output<typeof processSchema>;
