import { describe, expect, it } from "vitest";
import { parseProcfile } from "../../../src/app/procfile.js";
import type { Problem, ProcessType, Result } from "../../../src/types.js";

const parse = (text: string | Uint8Array) =>
  parseProcfile(Buffer.from(typeof text === "string" ? Buffer.from(text) : text), "Procfile");

function typesOf(result: Result<ProcessType[]>): ProcessType[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problemsOf(result: Result<ProcessType[]>): Problem[] {
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("parseProcfile entries", () => {
  it("reads name: command lines with their index and line", () => {
    const result = parse("web: node server.js\nworker: node worker.js\n");
    expect(result).toEqual({
      ok: true,
      value: [
        { name: "web", command: "node server.js", index: 0, line: 1 },
        { name: "worker", command: "node worker.js", index: 1, line: 2 },
      ],
      warnings: [],
    });
  });

  it("accepts no whitespace or several spaces and tabs after the colon", () => {
    const types = typesOf(parse("a:cmd1\nb:    cmd2\nc:\t\tcmd3\n"));
    expect(types.map((t) => t.command)).toEqual(["cmd1", "cmd2", "cmd3"]);
  });

  it("splits at the first colon only", () => {
    const [web] = typesOf(parse("web: redis-server --bind 0.0.0.0:6379 # port: 6379\n"));
    expect(web?.command).toBe("redis-server --bind 0.0.0.0:6379 # port: 6379");
  });

  it("accepts names with digits, _ and -", () => {
    const types = typesOf(parse("web-2_b: a\n_x: b\n9: c\n"));
    expect(types.map((t) => t.name)).toEqual(["web-2_b", "_x", "9"]);
  });

  it("accepts CRLF endings, a BOM, trailing whitespace and no final newline", () => {
    const result = parse(
      "\uFEFFweb: npm start  \t\r\nworker: npm run worker \r\n\r\nclock: node clock.js",
    );
    expect(typesOf(result)).toEqual([
      { name: "web", command: "npm start", index: 0, line: 1 },
      { name: "worker", command: "npm run worker", index: 1, line: 2 },
      { name: "clock", command: "node clock.js", index: 2, line: 4 },
    ]);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("keeps commands opaque: quotes, &&, shell defaults, VAR=x and 400+ characters", () => {
    const long = `cd app && PORT=\${PORT:-3000} NODE_OPTIONS="--max-old-space-size=4096" node -e 'console.log("a && b; c | d")' ${"--flag=value ".repeat(30)}&& echo "done: $PS"`;
    expect(long.length).toBeGreaterThan(400);
    const [web] = typesOf(parse(`web: ${long}\n`));
    expect(web?.command).toBe(long);
  });

  it("counts index among entries only, skipping comments and ignored lines", () => {
    const types = typesOf(parse("# comment\n\nweb: a\nweb.1: bad\nworker: b\n"));
    expect(types).toEqual([
      { name: "web", command: "a", index: 0, line: 3 },
      { name: "worker", command: "b", index: 1, line: 5 },
    ]);
  });
});

describe("parseProcfile comments", () => {
  it("skips blank lines, whitespace-only lines and # comments, also indented ones", () => {
    const result = parse("# top\n\n   \n\t# indented\n  #web: old\nweb: a\n#worker: b\n");
    expect(result).toEqual({
      ok: true,
      value: [{ name: "web", command: "a", index: 0, line: 6 }],
      warnings: [],
    });
  });
});

describe("parseProcfile warnings for ignored lines", () => {
  const warningFor = (line: string) => {
    const result = parse(`web: a\n${line}\n`);
    if (!result.ok) throw new Error("expected ok");
    expect(result.value).toHaveLength(1);
    expect(result.warnings).toHaveLength(1);
    return result.warnings[0];
  };

  it("explains a space before the colon", () => {
    expect(warningFor("worker : node w.js")).toEqual({
      severity: "warning",
      message: 'entry "worker" ignored: space before the colon',
      file: "Procfile",
      line: 2,
      fix: "remove the space before the colon",
    });
  });

  it("explains leading whitespace", () => {
    expect(warningFor("  worker: node w.js")).toEqual({
      severity: "warning",
      message: 'entry "worker" ignored: leading whitespace',
      file: "Procfile",
      line: 2,
      fix: "remove the leading whitespace",
    });
  });

  it("explains a tab-indented entry", () => {
    expect(warningFor("\tworker: node w.js")?.fix).toBe("remove the leading whitespace");
  });

  it("explains invalid name characters", () => {
    expect(warningFor("web.1: node w.js")).toEqual({
      severity: "warning",
      message: 'entry "web.1" ignored: invalid name',
      file: "Procfile",
      line: 2,
      fix: "process names may only contain letters, digits, _ and -",
    });
    expect(warningFor("my/worker: x")?.fix).toBe(
      "process names may only contain letters, digits, _ and -",
    );
    expect(warningFor("wörker: x")?.message).toBe('entry "wörker" ignored: invalid name');
  });

  it("explains a missing command, also with trailing whitespace", () => {
    const expected = {
      severity: "warning",
      message: 'entry "worker" ignored: no command',
      file: "Procfile",
      line: 2,
      fix: "add a command after the colon",
    };
    expect(warningFor("worker:")).toEqual(expected);
    expect(warningFor("worker:   \t")).toEqual(expected);
  });

  it("combines several reasons into one warning", () => {
    expect(warningFor("  web.2 :")).toEqual({
      severity: "warning",
      message:
        'entry "web.2" ignored: leading whitespace, space before the colon, invalid name, no command',
      file: "Procfile",
      line: 2,
      fix: "remove the leading whitespace; remove the space before the colon; process names may only contain letters, digits, _ and -; add a command after the colon",
    });
  });

  it("calls anything else not an entry", () => {
    const garbage = {
      severity: "warning",
      message: "not a Procfile entry; ignored",
      file: "Procfile",
      line: 2,
      fix: "write `name: command` or comment it out with #",
    };
    expect(warningFor("just some text")).toEqual(garbage);
    expect(warningFor(": node x.js")).toEqual(garbage);
    expect(warningFor("web server: node x.js")).toEqual(garbage);
    expect(warningFor("bundle exec rails s -p $PORT")).toEqual(garbage);
    expect(warningFor("===")).toEqual(garbage);
  });

  it("warns once per ignored line, with each line number", () => {
    const result = parse("web: a\nfoo\n\nbar\nworker : b\n");
    expect(result.ok && result.warnings.map((w) => w.line)).toEqual([2, 4, 5]);
  });
});

describe("parseProcfile errors", () => {
  it("reports a duplicate name naming both lines", () => {
    const problems = problemsOf(parse("web: a\nworker: b\n# c\nweb: c\n"));
    expect(problems).toEqual([
      {
        severity: "error",
        message: 'duplicate process name "web" (first defined on line 1)',
        file: "Procfile",
        line: 4,
        fix: "rename one of them: both would run under one label and one PORT",
      },
    ]);
  });

  it("reports every duplicate, each pointing at the first definition", () => {
    const problems = problemsOf(parse("web: a\nweb: b\nweb: c\n"));
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'duplicate process name "web" (first defined on line 1)'],
      [3, 'duplicate process name "web" (first defined on line 1)'],
    ]);
  });

  it("keeps warnings with the errors, in line order", () => {
    const problems = problemsOf(parse("web: a\nfoo\nweb: b\nweb.1: c\n"));
    expect(problems.map((p) => [p.severity, p.line])).toEqual([
      ["warning", 2],
      ["error", 3],
      ["warning", 4],
    ]);
  });

  it("treats names as case-sensitive, like foreman", () => {
    expect(typesOf(parse("web: a\nWeb: b\n")).map((t) => t.name)).toEqual(["web", "Web"]);
  });

  it("reports an empty file", () => {
    expect(problemsOf(parse(""))).toEqual([
      {
        severity: "error",
        message: "no process types defined",
        file: "Procfile",
        fix: "add a line such as `web: npm start`",
      },
    ]);
  });

  it("reports a file of only comments and ignored lines, keeping the warnings", () => {
    const problems = problemsOf(parse("# nothing\n\nweb : a\n"));
    expect(problems.map((p) => [p.severity, p.line, p.message])).toEqual([
      ["warning", 3, 'entry "web" ignored: space before the colon'],
      ["error", undefined, "no process types defined"],
    ]);
  });

  it("reports bytes that are not UTF-8 with the line of the first bad byte", () => {
    const bytes = Buffer.concat([
      Buffer.from("web: a\n# caf"),
      Buffer.from([0xe9]),
      Buffer.from("\nworker: "),
      Buffer.from([0xff]),
      Buffer.from("\n"),
    ]);
    expect(problemsOf(parse(bytes))).toEqual([
      {
        severity: "error",
        message: "not UTF-8 text",
        file: "Procfile",
        line: 2,
        fix: "save the file as UTF-8",
      },
    ]);
  });

  it("reports a UTF-8 sequence cut short at the end of the file", () => {
    const bytes = Buffer.concat([Buffer.from("web: a\nworker: b\nx: "), Buffer.from([0xe2, 0x82])]);
    expect(problemsOf(parse(bytes))[0]?.line).toBe(3);
  });

  it("accepts multi-byte UTF-8 in commands", () => {
    expect(typesOf(parse("web: echo 'héllo → 世界 🎉'\n"))[0]?.command).toBe(
      "echo 'héllo → 世界 🎉'",
    );
  });
});

describe("parseProcfile on realistic Procfiles", () => {
  it("reads a Rails Procfile with a release phase and a commented-out line", () => {
    const text = [
      "web: bundle exec puma -C config/puma.rb",
      "worker: bundle exec sidekiq -C config/sidekiq.yml",
      "release: bundle exec rails db:migrate && bundle exec rails db:seed",
      "# clock: bundle exec clockwork config/clock.rb",
      "",
    ].join("\n");
    const result = parse(text);
    expect(result.ok && result.value.map((t) => `${t.index}:${t.name}:${t.line}`)).toEqual([
      "0:web:1",
      "1:worker:2",
      "2:release:3",
    ]);
    expect(result.ok && result.value[2]?.command).toBe(
      "bundle exec rails db:migrate && bundle exec rails db:seed",
    );
    expect(result.ok && result.warnings).toEqual([]);
  });

  it("reads a Procfile with lines foreman ignores, warning about each", () => {
    const text = [
      "# Procfile for development",
      "web: node --inspect=0.0.0.0:9229 server.js",
      "webpack : webpack --watch",
      "    css: sass --watch src:dist",
      "Run this with `foreman start`",
      "docs.site: mkdocs serve -a 0.0.0.0:$PORT",
      "worker:",
      `api: sh -c 'cd api && exec node index.js --port \${PORT:-3000}'`,
    ].join("\r\n");
    const result = parse(text);
    if (!result.ok) throw new Error("expected ok");
    expect(result.value.map((t) => t.name)).toEqual(["web", "api"]);
    expect(result.value[1]).toEqual({
      name: "api",
      command: `sh -c 'cd api && exec node index.js --port \${PORT:-3000}'`,
      index: 1,
      line: 8,
    });
    expect(result.warnings.map((w) => [w.line, w.fix])).toEqual([
      [3, "remove the space before the colon"],
      [4, "remove the leading whitespace"],
      [5, "write `name: command` or comment it out with #"],
      [6, "process names may only contain letters, digits, _ and -"],
      [7, "add a command after the colon"],
    ]);
  });
});
