import { describe, expect, it } from "vitest";
import { buildShellScript, findProgramWord } from "../../../src/supervisor/shell-script.js";

describe("findProgramWord", () => {
  it.each([
    ["node web.js", 0],
    ["bundle exec puma -C config/puma.rb -p $PORT", 0],
    ["FOO=1 BAR=x node web.js", 12],
    ['node -e "a; b | c"', 0],
    ["sh -c 'sleep 1 && echo done'", 0],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    ["rails s -p ${PORT:-3000}", 0],
    ['node "a \\" ; b"', 0],
  ])("treats %j as one command (program at %i)", (command, at) => {
    expect(findProgramWord(command)).toBe(at);
  });

  it.each([
    "cd app && node web.js",
    "node a.js; node b.js",
    "node a.js | tee log",
    "node a.js > out.log",
    "node a.js &",
    "(node a.js)",
    "echo $(date)",
    "echo `date`",
    'echo "$(date)"',
    "while true; do x; done",
    "cd /tmp",
    "export FOO=1",
    "exec node web.js",
    'FOO="a b" node web.js',
    "node 'unterminated",
    "$CMD --flag",
    "node a.js\nnode b.js",
    'echo "x\\ty"',
    ": noop",
    "printf '%s\\n' a",
    "true",
  ])("keeps the shell for %j", (command) => {
    expect(findProgramWord(command)).toBe(-1);
  });
});

describe("buildShellScript", () => {
  it("execs a simple command after merging stderr into stdout", () => {
    expect(buildShellScript("FOO=1 node web.js")).toBe("exec 2>&1; FOO=1 exec node web.js");
  });

  it("keeps the shell, without traps, for a compound line", () => {
    expect(buildShellScript("cd app && node web.js")).toBe("exec 2>&1; cd app && node web.js");
  });
});
