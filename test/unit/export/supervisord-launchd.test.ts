// supervisord and launchd: every nasty value encoded and read back by Python's configparser (as supervisord reads
// its conf), by a real /bin/sh running the wrapper scripts, and by a minimal plist reader written from the XML rules.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseDotenv } from "../../../src/app/dotenv.js";
import { quoteEnvValue } from "../../../src/app/env-quote.js";
import { loadApp } from "../../../src/app/load.js";
import { exportApp, writePlan } from "../../../src/export/index.js";
import { escapeXml, findForbiddenCharacter } from "../../../src/export/launchd-escape.js";
import { canConfCarry, escapePercent } from "../../../src/export/supervisord-escape.js";
import { buildShellScript } from "../../../src/supervisor/shell-script.js";
import { makeInjection, NASTY_VALUES } from "../../support/export-app.js";

/** The nasty values of the systemd and runit tests, plus a few more. */
const VALUES: [string, string][] = [
  ...Object.entries(NASTY_VALUES),
  ["V_INJECT", makeInjection("/tmp/x")],
  ["V_CONTROL", "bell\x07 esc\x1b del\x7f vt\v ff\f"],
  ["V_LINE_SEPARATORS", "a\u2028b\u2029c\u0085d"],
  ["V_QUOTES_ALL", `"'\`"`],
  ["V_BACKSLASH_QUOTE", '\\"\\\\"'],
  ["V_CONF_INJECT", "x\n[program:evil]\ncommand=/bin/touch /tmp/x"],
  ["V_XML", "<string>a</string> &amp; ]]> <!-- c --> <?pi?>"],
  ["V_LONG", "x".repeat(10_000)],
];

const tmps: string[] = [];
afterEach(() => {
  for (const dir of tmps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An app in a temp directory whose root has a quote, a space and a % in its name; its env file
 * holds `values` (each checked to read back through dotenv); one process type prints its
 * environment and working directory as JSON.
 */
async function makeApp(values: [string, string][]) {
  const tmp = mkdtempSync(join(tmpdir(), "parity-export-sl-"));
  tmps.push(tmp);
  const root = join(tmp, "app it's %h");
  execFileSync("mkdir", ["-p", join(root, "sub")]);
  const text = values.map(([key, value]) => `${key}=${quoteEnvValue(value)}\n`).join("");
  const parsed = parseDotenv(text);
  for (const [key, value] of values) {
    if (parsed[key] !== value) throw new Error(`test setup: dotenv cannot hold ${key}`);
  }
  writeFileSync(join(root, ".env"), text);
  const print = "process.stdout.write(JSON.stringify({env:process.env,cwd:process.cwd()}))";
  writeFileSync(
    join(root, "Procfile"),
    `dump: exec ${JSON.stringify(process.execPath)} -e '${print}'\nsub: cd sub && exec ${JSON.stringify(process.execPath)} -e '${print}' 100% "$PS"\n`,
  );
  writeFileSync(
    join(root, "parity.yml"),
    "app: sl\nprocesses:\n  dump: { restart: never, stop_signal: SIGUSR2, stop_timeout: 2.5s }\n  sub: { depends_on: [dump], restart: { policy: on-failure, limit: 7 } }\nenvironments:\n  production:\n    formation: { dump: 1, sub: 2 }\n",
  );
  const loaded = await loadApp(
    { root, defaultEnvironment: "production", port: "48900" },
    { cwd: root, env: {} },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { tmp, root, app: loaded.value };
}

/** What each instance must get: every value, PORT and PS. */
function expectedEnv(values: [string, string][], port: number, ps: string) {
  return { ...Object.fromEntries(values), PORT: String(port), PS: ps };
}

/** Only the keys the test set (the shell adds PWD, SHLVL and the like). */
function pick(env: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in env).map((k) => [k, env[k] as string]));
}

/**
 * Read a supervisord conf as supervisord 4.2 does: RawConfigParser with `;` and `#` as inline
 * comment prefixes (after whitespace), then each value %-formatted with supervisord's
 * expansions; `command=` split with shlex (POSIX). Prints the sections as JSON.
 */
function readConfWithPython(path: string): Record<string, Record<string, string | string[]>> {
  const script = `
import configparser, json, shlex, sys
p = configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)
p.optionxform = str
with open(sys.argv[1], encoding='utf-8') as f:
    p.read_file(f)
out = {}
for section in p.sections():
    name = section.split(':', 1)[-1]
    expansions = {'here': '/here', 'program_name': name, 'group_name': name, 'process_num': 0,
                  'host_node_name': 'node', 'ENV_HOME': '/root'}
    values = {}
    for key, raw in p.items(section):
        value = raw % expansions
        values[key] = shlex.split(value) if key == 'command' else value
    out[section] = values
json.dump(out, sys.stdout)
`;
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" }));
}

describe("supervisord: conf values", () => {
  it.each(VALUES.filter(([, v]) => canConfCarry(v) && v.trim() === v))(
    "%s: configparser and supervisord's %%-expansion read back the exact value",
    (key, value) => {
      const dir = mkdtempSync(join(tmpdir(), "parity-conf-"));
      tmps.push(dir);
      const conf = join(dir, "a.conf");
      writeFileSync(conf, `[program:a]\n${key}=${escapePercent(value)}\nnext=1\n`);
      expect(readConfWithPython(conf)["program:a"]).toEqual({ [key]: value, next: "1" });
    },
  );

  it("refuses (canConfCarry) exactly the values with a line break or ; / # after whitespace", () => {
    expect(canConfCarry("a # b")).toBe(false);
    expect(canConfCarry("a\t;b")).toBe(false);
    expect(canConfCarry("a#b;c")).toBe(true);
    expect(canConfCarry("#start")).toBe(true);
    expect(canConfCarry("a\nb")).toBe(false);
    expect(escapePercent("100% %(here)s %%")).toBe("100%% %%(here)s %%%%");
  });
});

describe("supervisord encoder", () => {
  it("the conf reads back (configparser, %-expansion, shlex) and each wrapper gives exactly the values, PORT, PS and the app root", async () => {
    const values = VALUES;
    const { tmp, root, app } = await makeApp(values);
    const location = join(tmp, "conf it's#1;x %d");
    const result = exportApp(app, { format: "supervisord", location });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const written = writePlan(result.value.plan, result.value);
    if (!written.ok) throw new Error(JSON.stringify(written.problems));
    const conf = readConfWithPython(join(location, "sl.conf"));
    expect(Object.keys(conf)).toEqual([
      "group:sl",
      "program:sl-dump-1",
      "program:sl-sub-1",
      "program:sl-sub-2",
    ]);
    expect(conf["group:sl"]).toEqual({ programs: "sl-dump-1,sl-sub-1,sl-sub-2" });
    expect(conf["program:sl-dump-1"]).toEqual({
      command: [join(location, "sl-dump-1.sh")],
      priority: "100",
      autostart: "true",
      autorestart: "false",
      startretries: "0",
      stopsignal: "USR2",
      stopwaitsecs: "3",
      stopasgroup: "true",
      killasgroup: "true",
    });
    expect(conf["program:sl-sub-2"]).toMatchObject({
      priority: "110",
      autorestart: "unexpected",
      exitcodes: "0",
      startretries: "7",
    });
    // No value ever reaches the conf (environment= has no escape character).
    const text = readFileSync(join(location, "sl.conf"), "utf8");
    expect(text).not.toMatch(/^environment=/m);
    expect(text).not.toContain("héllo");
    expect(statSync(join(location, "sl.env")).mode & 0o777).toBe(0o600);
    const keys = values.map(([k]) => k).concat("PORT", "PS");
    for (const instance of app.instances) {
      const program = `sl-${instance.type}-${instance.n}`;
      const wrapper = (conf[`program:${program}`]?.command as string[] | undefined)?.[0] ?? "";
      expect(statSync(wrapper).mode & 0o777).toBe(0o700);
      const out = execFileSync("/bin/sh", [wrapper], { env: { PATH: process.env.PATH } });
      const got = JSON.parse(out.toString("utf8")) as { env: Record<string, string>; cwd: string };
      expect(pick(got.env, keys), program).toEqual(
        expectedEnv(values, instance.port, instance.name),
      );
      expect(got.cwd).toBe(instance.type === "sub" ? join(root, "sub") : root);
    }
  });

  it("with -u, the wrapper reads the env file as root and drops privileges with setpriv", async () => {
    const { app } = await makeApp([["A", "1"]]);
    const result = exportApp(app, { format: "supervisord", location: "/etc/s", user: "nobody" });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const wrapper = result.value.plan.files.find((f) => f.path === "sl-dump-1.sh");
    const text = String(wrapper?.contents);
    execFileSync("/bin/sh", ["-n", "-c", text]);
    expect(text).toContain(
      `exec setpriv --reuid='nobody' --regid="$(id -g 'nobody')" --init-groups /bin/sh -c `,
    );
    expect(text.indexOf(". '/etc/s/sl.env'")).toBeLessThan(text.indexOf("setpriv"));
    const conf = String(result.value.plan.files.find((f) => f.path === "sl.conf")?.contents);
    expect(conf).not.toMatch(/^user=/m);
  });
});

/** A plist value as the reader returns it. */
type Plist = string | number | boolean | Plist[] | { [key: string]: Plist };

/**
 * A minimal reader of XML property lists, written from the XML 1.0 rules: line ends normalised
 * (CR LF and CR → LF), the prolog, doctype and comments skipped, the five predefined entities
 * and character references decoded; only the elements exports write (dict, key, string, array,
 * integer, true, false). Anything else is an error.
 */
function readPlist(xml: string): Plist {
  const text = xml.replace(/\r\n?/g, "\n");
  let i = 0;
  const skip = () => {
    for (;;) {
      const rest = text.slice(i);
      const space = /^\s+/.exec(rest);
      if (space) i += space[0].length;
      else if (rest.startsWith("<?")) i = text.indexOf("?>", i) + 2;
      else if (rest.startsWith("<!--")) i = text.indexOf("-->", i) + 3;
      else if (rest.startsWith("<!DOCTYPE")) i = text.indexOf(">", i) + 1;
      else return;
    }
  };
  const decode = (raw: string): string => {
    if (/[<]/.test(raw)) throw new Error(`markup inside text: ${raw}`);
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
      if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
      if (ref.startsWith("#")) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
      return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[ref] as string;
    });
  };
  const textOf = (tag: string): string => {
    const open = `<${tag}>`;
    if (!text.startsWith(open, i)) throw new Error(`expected ${open} at ${i}`);
    const end = text.indexOf(`</${tag}>`, i);
    const raw = text.slice(i + open.length, end);
    if (raw.includes("&") && /&(?!(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);)/.test(raw))
      throw new Error(`bare & in ${raw}`);
    i = end + tag.length + 3;
    return decode(raw);
  };
  const value = (): Plist => {
    skip();
    if (text.startsWith("<string>", i)) return textOf("string");
    if (text.startsWith("<string/>", i)) {
      i += 9;
      return "";
    }
    if (text.startsWith("<integer>", i)) return Number(textOf("integer"));
    if (text.startsWith("<true/>", i)) {
      i += 7;
      return true;
    }
    if (text.startsWith("<false/>", i)) {
      i += 8;
      return false;
    }
    if (text.startsWith("<array>", i)) {
      i += 7;
      const items: Plist[] = [];
      for (skip(); !text.startsWith("</array>", i); skip()) items.push(value());
      i += 8;
      return items;
    }
    if (text.startsWith("<dict>", i)) {
      i += 6;
      const dict: { [key: string]: Plist } = {};
      for (skip(); !text.startsWith("</dict>", i); skip()) {
        const key = textOf("key");
        if (key in dict) throw new Error(`duplicate key ${key}`);
        dict[key] = value();
      }
      i += 7;
      return dict;
    }
    throw new Error(`unexpected ${text.slice(i, i + 20)}`);
  };
  skip();
  if (!text.startsWith('<plist version="1.0">', i)) throw new Error("no <plist>");
  i += '<plist version="1.0">'.length;
  const result = value();
  skip();
  if (!text.startsWith("</plist>", i)) throw new Error("no </plist>");
  i += 8;
  skip();
  if (i !== text.length) throw new Error("text after </plist>");
  return result;
}

describe("launchd: plist strings", () => {
  it.each(VALUES.filter(([, v]) => findForbiddenCharacter(v) === undefined))(
    "%s: the plist reader reads back the exact value",
    (_key, value) => {
      const xml = `<plist version="1.0"><array><string>${escapeXml(value)}</string></array></plist>`;
      expect(readPlist(xml)).toEqual([value]);
    },
  );

  it("refuses exactly the values a plist string cannot hold (CR becomes LF, other control characters are not XML)", () => {
    const refused = VALUES.filter(([, v]) => findForbiddenCharacter(v) !== undefined);
    expect(refused.map(([k]) => k)).toEqual(["V_CARRIAGE_RETURN", "V_CONTROL"]);
    expect(readPlist(`<plist version="1.0"><string>a\rb</string></plist>`)).toBe("a\nb");
    expect(findForbiddenCharacter("a\tb\nc\u0085\u2028")).toBeUndefined();
  });
});

describe("launchd encoder", () => {
  const carried = VALUES.filter(([, v]) => findForbiddenCharacter(v) === undefined);

  it("each plist reads back with the exact values, PORT, PS, command, root and policies", async () => {
    const { root, app } = await makeApp(carried);
    const result = exportApp(app, {
      format: "launchd",
      location: "/Library/LaunchDaemons",
      user: "deploy",
      log: "/var/log/s l",
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { plan } = result.value;
    expect(plan.files.map((f) => [f.path, f.mode])).toEqual([
      ["sl-dump-1.plist", 0o600],
      ["sl-sub-1.plist", 0o600],
      ["sl-sub-2.plist", 0o600],
    ]);
    for (const instance of app.instances) {
      const label = `sl-${instance.type}-${instance.n}`;
      const file = plan.files.find((f) => f.path === `${label}.plist`);
      const job = readPlist(String(file?.contents)) as Record<string, Plist>;
      expect(job).toEqual({
        Label: label,
        ProgramArguments: ["/bin/sh", "-c", buildShellScript(instance.command)],
        WorkingDirectory: root,
        EnvironmentVariables: expectedEnv(carried, instance.port, instance.name),
        RunAtLoad: true,
        KeepAlive: instance.type === "dump" ? false : { SuccessfulExit: false },
        ExitTimeOut: instance.type === "dump" ? 3 : 5,
        UserName: "deploy",
        StandardOutPath: `/var/log/s l/${label}.log`,
        StandardErrorPath: `/var/log/s l/${label}.log`,
      });
    }
  });

  it("refuses an app whose values hold control characters, naming each key", async () => {
    const { app } = await makeApp(VALUES);
    const result = exportApp(app, { format: "launchd", location: "/Library/LaunchDaemons" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toEqual([
      'the value of "V_CARRIAGE_RETURN" (env files) contains the control character U+000D, which a launchd property list cannot hold',
      'the value of "V_CONTROL" (env files) contains the control character U+0007, which a launchd property list cannot hold',
    ]);
  });

  it("without env-file values the plists are 0644, without a log directory no log paths", async () => {
    const { app } = await makeApp([]);
    const result = exportApp(app, { format: "launchd", location: "/L" });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    for (const file of result.value.plan.files) {
      expect(file.mode).toBe(0o644);
      expect(String(file.contents)).not.toContain("StandardOutPath");
      expect(String(file.contents)).not.toContain("UserName");
    }
  });
});
