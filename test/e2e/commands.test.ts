// End-to-end: formation and PORT/PS as foreman assigns them, .env layering, run, check and env.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, makeApp, runParity, runParityToEnd, track } from "../support/parity.js";

afterEach(cleanup);

describe("parity start: formation, PORT and PS", () => {
  it("assigns PORT = base + 100 × type index + (n − 1) and PS = type.n (foreman's example)", async () => {
    const cwd = track(
      makeApp({
        Procfile:
          'web: echo "ps=$PS port=$PORT"; exec sleep 100\nworker: echo "ps=$PS port=$PORT"; exec sleep 100\n',
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-m", "web=2,worker=3", "-p", "6000"], { cwd });
    for (const want of [
      "web.1 port=6000",
      "web.2 port=6001",
      "worker.1 port=6100",
      "worker.2 port=6101",
      "worker.3 port=6102",
    ]) {
      const [name] = want.split(" ");
      await p.waitForLine(
        new RegExp(
          `^${name?.replace(".", "\\.")} +\\| ps=${want.replace(".", "\\.").replace(" ", " ")}$`,
        ),
      );
    }
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(0);
  });

  it("takes the base port from PORT in the environment, else 5000; all=N sets every type", async () => {
    const cwd = track(
      makeApp({
        Procfile: 'a: echo "$PS:$PORT"\nb: echo "$PS:$PORT"; sleep 1\n',
        ".env": "PORT=7000\n",
      }),
    );
    const p = runParity(["start", "--no-timestamp", "-m", "all=2,b=0"], { cwd });
    await p.waitForExit();
    const out = p.stdout();
    expect(out).toMatch(/a\.1 +\| a\.1:7000/);
    expect(out).toMatch(/a\.2 +\| a\.2:7001/);
    expect(out).not.toMatch(/b\.1/);
  });

  it("starts only the process types named on the command line", async () => {
    const cwd = track(makeApp({ Procfile: "a: echo from-a\nb: echo from-b\n" }));
    const p = runParity(["start", "--no-timestamp", "-p", "45200", "b"], { cwd });
    await p.waitForExit();
    expect(p.stdout()).toMatch(/b\.1 +\| from-b/);
    expect(p.stdout()).not.toContain("from-a");
  });

  it("-d sets the directory commands run in; -f finds the Procfile", async () => {
    const root = track(makeApp({ "marker.txt": "in the root\n" }));
    const elsewhere = track(makeApp({ "Procfile.dev": "show: cat marker.txt\n" }));
    const r = await runParityToEnd(
      ["start", "--no-timestamp", "-p", "45300", "-f", `${elsewhere}/Procfile.dev`, "-d", root],
      {
        cwd: elsewhere,
      },
    );
    expect(r.stdout).toMatch(/show\.1 +\| in the root/);
  });
});

describe(".env layering", () => {
  const files = {
    Procfile: 'show: echo "A=$A B=$B C=$C D=$D E=$E"\n',
    ".env": "A=env\nB=env\nC=env\nD=env\nE=env\n",
    ".env.local": "B=local\nC=local\nD=local\n",
    ".env.development": "C=development\nD=development\n",
    ".env.development.local": "D=development-local\n",
    ".env.production": "C=production\n",
    "other.env": "A=other\n",
  };

  it("reads .env → .env.local → .env.NAME → .env.NAME.local, later wins; the shell wins over all", async () => {
    const cwd = track(makeApp(files));
    const r = await runParityToEnd(["start", "--no-timestamp", "-p", "45400"], {
      cwd,
      env: { E: "shell" },
    });
    expect(r.stdout).toMatch(/A=env B=local C=development D=development-local E=shell/);
  });

  it("-E and PARITY_ENV choose the environment", async () => {
    const cwd = track(makeApp(files));
    const viaFlag = await runParityToEnd(
      ["start", "--no-timestamp", "-p", "45400", "-E", "production"],
      { cwd },
    );
    expect(viaFlag.stdout).toMatch(/A=env B=local C=production D=local E=env/);
    const viaEnv = await runParityToEnd(["start", "--no-timestamp", "-p", "45400"], {
      cwd,
      env: { PARITY_ENV: "production" },
    });
    expect(viaEnv.stdout).toMatch(/C=production/);
  });

  it("-e replaces the default list with exactly the files given", async () => {
    const cwd = track(makeApp(files));
    const r = await runParityToEnd(
      ["start", "--no-timestamp", "-p", "45400", "-e", "other.env,.env.production"],
      { cwd },
    );
    expect(r.stdout).toMatch(/A=other B= C=production D= E=/);
  });

  it("dotenv syntax: export prefix, quotes, \\n in double quotes, multi-line values", async () => {
    const cwd = track(
      makeApp({
        Procfile:
          'show: node -e "console.log(JSON.stringify([process.env.X, process.env.Y, process.env.Z, process.env.W]))"\n',
        ".env":
          'export X=\'single $HOME\'\nY="two\\nlines"\nZ="multi\nline"\nW=`back tick` # comment\n',
      }),
    );
    const r = await runParityToEnd(["start", "--no-timestamp", "-p", "45400"], { cwd });
    expect(r.stdout).toContain(
      JSON.stringify(["single $HOME", "two\nlines", "multi\nline", "back tick"]),
    );
  });
});

describe("parity run", () => {
  it("runs a shell command line in the app's environment; its exit status passes through", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n", ".env": "GREETING=hello\n" }));
    const r = await runParityToEnd(["run", 'echo "$GREETING from run"; exit 7'], { cwd });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe("hello from run\n");
  });

  it("runs a program with arguments without a shell", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n" }));
    const r = await runParityToEnd(["run", "printf", "%s|", "$HOME", "two words"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("$HOME|two words|");
  });

  it("`parity run web` runs the Procfile's web command, extra words appended", async () => {
    const cwd = track(makeApp({ Procfile: 'web: echo "web says"\n', ".env": "" }));
    const r = await runParityToEnd(["run", "web", "it's", "fine"], { cwd });
    expect(r.stdout).toBe("web says it's fine\n");
  });

  it("passes 128+N when the command is killed by a signal, and 127 for a missing program", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n" }));
    expect((await runParityToEnd(["run", "kill -TERM $$"], { cwd })).code).toBe(143);
    const missing = await runParityToEnd(["run", "no-such-program-xyz", "arg"], { cwd });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/^error: .*no-such-program-xyz/);
  });

  it("forwards SIGTERM to the command", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n" }));
    const p = runParity(
      ["run", "trap 'echo got TERM; exit 5' TERM; echo ready; while :; do sleep 0.1; done"],
      { cwd },
    );
    await p.waitForLine(/^ready$/);
    process.kill(p.pid, "SIGTERM");
    expect((await p.waitForExit()).code).toBe(5);
    expect(p.stdout()).toContain("got TERM");
  });
});

describe("parity check", () => {
  it("prints a one-line summary and exits 0; warnings for lines foreman ignores", async () => {
    const cwd = track(
      makeApp({ Procfile: "web: npm start\nworker : node worker.js\nclock: node clock.js\n" }),
    );
    const r = await runParityToEnd(["check"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toMatch(
      /^ok: Procfile defines 2 process types \(web, clock\).*; 1 warning/,
    );
    expect(r.stderr + r.stdout).toMatch(/warning: Procfile:2: .*space before the colon/);
  });

  it("--strict makes those warnings errors", async () => {
    const cwd = track(makeApp({ Procfile: "web: npm start\nworker : node worker.js\n" }));
    const r = await runParityToEnd(["check", "--strict"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Procfile:2: /);
  });

  it("reports every problem at once, and --json gives them as data", async () => {
    const cwd = track(makeApp({ Procfile: "web: a\nweb: b\n" }));
    const text = await runParityToEnd(["check", "-m", "wbe=2", "-p", "x"], { cwd });
    expect(text.code).toBe(1);
    expect(
      text.stderr.split("\n").filter((l) => l.startsWith("error: ")).length,
    ).toBeGreaterThanOrEqual(2);
    const json = await runParityToEnd(["check", "--json"], { cwd });
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems[0]).toMatchObject({ severity: "error", line: 2 });
  });

  it("--json on a good app lists types and instances", async () => {
    const cwd = track(makeApp({ Procfile: "web: a\nworker: b\n" }));
    const r = await runParityToEnd(["check", "--json", "-m", "web=2", "-p", "8000"], { cwd });
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.app.instances).toEqual([
      { name: "web.1", port: 8000 },
      { name: "web.2", port: 8001 },
      { name: "worker.1", port: 8100 },
    ]);
  });
});

describe("parity env", () => {
  const files = {
    Procfile: "web: true\n",
    ".env": "PLAIN=one\nAPI_TOKEN=abc123\nOVER=env\n",
    ".env.development": "OVER=dev\n",
  };

  it("prints the resolved environment with secrets masked", async () => {
    const cwd = track(makeApp(files));
    const r = await runParityToEnd(["env"], { cwd, env: { PLAIN: "from shell" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('API_TOKEN=********\nOVER=dev\nPLAIN="from shell"\n');
  });

  it("--explain names the file and line or the shell; --show-secrets unmasks", async () => {
    const cwd = track(makeApp(files));
    const r = await runParityToEnd(["env", "--explain", "--show-secrets"], {
      cwd,
      env: { PLAIN: "x" },
    });
    expect(r.stdout).toMatch(/^API_TOKEN=abc123 +# from \.env:2$/m);
    expect(r.stdout).toMatch(/^OVER=dev +# from \.env\.development:1 \(overrides \.env:3\)$/m);
    expect(r.stdout).toMatch(/^PLAIN=x +# from the shell \(overrides \.env:1\)$/m);
  });
});

describe("review fixes: run and env without a Procfile, PORT from the shell, -e ''", () => {
  it("parity run and parity env work in a directory without a Procfile", async () => {
    const cwd = track(makeApp({ ".env": "A=1\n" }));
    const run = await runParityToEnd(["run", 'echo "A=$A"'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("A=1\n");
    const env = await runParityToEnd(["env"], { cwd });
    expect(env.stdout).toBe("A=1\n");
    const start = await runParityToEnd(["start"], { cwd });
    expect(start.code).toBe(2);
    expect(start.stderr).toMatch(/Procfile not found/);
  });

  it("parity run keeps the shell's PORT over the env files'", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n", ".env": "PORT=7000\n" }));
    const r = await runParityToEnd(["run", 'echo "$PORT"'], { cwd, env: { PORT: "9123" } });
    expect(r.stdout).toBe("9123\n");
  });

  it("-e with no file is a flag error", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n" }));
    const r = await runParityToEnd(["start", "-e", ""], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: -e/--env: no env file given. Fix: name one or more files, separated by commas, such as -e .env,.env.test.\n",
    );
  });

  it("a timeout above what a timer can hold is refused", async () => {
    const cwd = track(makeApp({ Procfile: "web: true\n" }));
    const r = await runParityToEnd(["start", "-t", "3000000"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: -t\/--timeout: invalid timeout "3000000"\. Fix: give a number of seconds from 0 to 2147483/,
    );
  });

  it("a command may contain U+2028", async () => {
    const cwd = track(makeApp({ Procfile: "w: echo 'a\u2028b'\n" }));
    const r = await runParityToEnd(["start", "--no-timestamp", "-p", "45900"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/w\.1 +\| a\u2028b/);
  });
});
