// parseStartArgs reads the common forms of `parity start` as commander does, and leaves the rest to it.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { Io } from "../../../src/cli/io.js";
import { parseStartArgs, SWITCHES, VALUE_OPTIONS } from "../../../src/cli/start-args.js";
import { addStartCommand, type StartFlags } from "../../../src/cli/start-command.js";

const io: Io = {
  cwd: "/",
  env: {},
  version: "test",
  stdout: () => undefined,
  stderr: () => undefined,
};

/** What commander passes to start's action for `argv`, set up as main sets it up. */
async function parseWithCommander(
  argv: string[],
): Promise<{ processes: string[]; flags: StartFlags }> {
  const program = new Command("parity")
    .version("test", "-v, --version")
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  addStartCommand(program, io, () => undefined);
  const start = program.commands.find((c) => c.name() === "start") as Command;
  let parsed: { processes: string[]; flags: StartFlags } | undefined;
  start.action((processes: string[], flags: StartFlags) => {
    parsed = { processes, flags: { ...flags } };
  });
  await program.parseAsync(argv, { from: "user" });
  if (!parsed) throw new Error(`commander did not run start for ${argv.join(" ")}`);
  return parsed;
}

const READ = [
  ["start"],
  ["start", "web"],
  ["start", "web", "worker"],
  ["start", "help"],
  ["start", "a=b"],
  ["start", "-f", "Procfile"],
  ["start", "--procfile", "Procfile"],
  ["start", "--procfile=Procfile"],
  ["start", "--procfile="],
  ["start", "--procfile=a=b"],
  ["start", "-f", "a", "-f", "b"],
  ["start", "web", "-f", "Procfile", "worker"],
  ["start", "-c"],
  ["start", "--color"],
  ["start", "--no-color"],
  ["start", "-c", "--no-color"],
  ["start", "--no-color", "-c"],
  ["start", "--no-timestamp"],
  ["start", "--no-watch"],
  ["start", "--no-timestamp", "--no-watch", "-c"],
  ["start", "-t", "0"],
  ["start", "--timeout=2.5"],
  ["start", "-E", "a b"],
  [
    "start",
    "-p",
    "6000",
    "-m",
    "web=2,worker=0",
    "-e",
    ".env,.env.test",
    "-E",
    "production",
    "-d",
    "/tmp",
    "--manifest",
    "m.yml",
    "--via",
    "runit",
  ],
  ["start", "--root=/tmp", "--env=.env", "--environment=test", "--formation=all=2", "--port=1"],
  ["start", "--manifest=m.yml", "--via=runit"],
  ["start", "--"],
  ["start", "--", "-web"],
  ["start", "--", "web", "-f", "x"],
  ["start", "-f", "Procfile", "--", "web", "--no-color"],
  ["start", "--", "--"],
];

const LEFT_TO_COMMANDER = [
  [],
  ["-v"],
  ["--help"],
  ["help"],
  ["help", "start"],
  ["check"],
  ["-f", "Procfile", "start"],
  ["start", "-h"],
  ["start", "--help"],
  ["start", "-cf", "Procfile"],
  ["start", "-fProcfile"],
  ["start", "-f"],
  ["start", "web", "--timeout"],
  ["start", "--unknown"],
  ["start", "-x"],
  ["start", "-"],
  ["start", "-5"],
  ["start", "-f", "-c"],
  ["start", "-t", "-1"],
  ["start", "--procfile=-x"],
  ["start", "--no-color=1"],
  ["start", "--color=yes"],
  ["start", "--no-procfile"],
  ["start", "--toString"],
  ["start", "--constructor", "x"],
  ["start", "--proc", "Procfile"],
];

describe("parseStartArgs", () => {
  it.each(READ)("reads %j as commander does", async (...argv) => {
    const fast = parseStartArgs(argv);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(await parseWithCommander(argv));
  });

  it.each(LEFT_TO_COMMANDER)("leaves %j to commander", (...argv) => {
    expect(parseStartArgs(argv)).toBeUndefined();
  });

  it("reads every option of start in each of its written-out forms", async () => {
    const program = new Command("parity");
    addStartCommand(program, io, () => undefined);
    const start = program.commands[0] as Command;
    expect(start.options.length).toBeGreaterThan(10);
    for (const option of start.options) {
      const names = [option.short, option.long].filter((n): n is string => n !== undefined);
      for (const name of names) {
        const forms = !option.required
          ? [["start", name]]
          : name.startsWith("--")
            ? [
                ["start", name, "value"],
                ["start", `${name}=value`],
              ]
            : [["start", name, "value"]];
        for (const argv of forms) {
          const fast = parseStartArgs(argv);
          expect(fast, argv.join(" ")).toBeDefined();
          expect(fast, argv.join(" ")).toStrictEqual(await parseWithCommander(argv));
        }
      }
    }
  });

  it("knows no option that start does not declare", () => {
    const program = new Command("parity");
    addStartCommand(program, io, () => undefined);
    const start = program.commands[0] as Command;
    const declared = (flag: string) =>
      start.options.find((o) => o.short === flag || o.long === flag);
    for (const flag of Object.keys(VALUE_OPTIONS)) {
      expect(declared(flag)?.required, flag).toBe(true);
    }
    for (const flag of Object.keys(SWITCHES)) {
      const option = declared(flag);
      expect(option, flag).toBeDefined();
      expect(option?.required || option?.optional, flag).toBe(false);
    }
  });
});
