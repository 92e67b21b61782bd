import { describe, expect, it } from "vitest";
import { formatProblem, showPath } from "../../../src/app/format-problem.js";

describe("formatProblem", () => {
  it("formats a file error with line and fix", () => {
    const line = formatProblem(
      {
        severity: "error",
        message: 'duplicate process name "web" (first defined on line 1)',
        file: "/srv/app/Procfile",
        line: 4,
        fix: "rename one of them",
      },
      "/srv/app",
    );
    expect(line).toBe(
      'error: Procfile:4: duplicate process name "web" (first defined on line 1). Fix: rename one of them.',
    );
  });

  it("formats a warning", () => {
    expect(
      formatProblem({
        severity: "warning",
        message: 'entry "web" ignored: space before the colon',
        file: "Procfile",
        line: 7,
        fix: "remove the space before the colon",
      }),
    ).toBe(
      'warning: Procfile:7: entry "web" ignored: space before the colon. Fix: remove the space before the colon.',
    );
  });

  it("prints a did-you-mean fix as its own question", () => {
    expect(
      formatProblem({
        severity: "error",
        message: 'unknown process "wbe"',
        flag: "-m/--formation",
        fix: 'did you mean "web"?',
      }),
    ).toBe('error: -m/--formation: unknown process "wbe". Did you mean "web"?');
  });

  it("shows line and column", () => {
    expect(
      formatProblem({
        severity: "error",
        message: "bad key",
        file: "parity.yml",
        line: 3,
        column: 5,
      }),
    ).toBe("error: parity.yml:3:5: bad key.");
  });

  it("prefers the file to the flag, and works with neither", () => {
    expect(formatProblem({ severity: "error", message: "x", file: "/a/.env", flag: "PORT" })).toBe(
      "error: /a/.env: x.",
    );
    expect(formatProblem({ severity: "error", message: "something broke" })).toBe(
      "error: something broke.",
    );
  });

  it("does not double a final full stop", () => {
    expect(formatProblem({ severity: "error", message: "done.", fix: "do it." })).toBe(
      "error: done. Fix: do it.",
    );
  });

  it("keeps paths outside cwd absolute", () => {
    expect(
      formatProblem(
        { severity: "error", message: "env file not found", file: "/etc/app.env" },
        "/srv/app",
      ),
    ).toBe("error: /etc/app.env: env file not found.");
  });
});

describe("showPath", () => {
  it("shows paths inside cwd relative to it", () => {
    expect(showPath("/srv/app/.env", "/srv/app")).toBe(".env");
    expect(showPath("/srv/app/config/.env", "/srv/app")).toBe("config/.env");
  });

  it("keeps paths outside cwd, cwd itself and relative paths unchanged", () => {
    expect(showPath("/srv/other/.env", "/srv/app")).toBe("/srv/other/.env");
    expect(showPath("/srv/app", "/srv/app")).toBe("/srv/app");
    expect(showPath("Procfile", "/srv/app")).toBe("Procfile");
    expect(showPath("/srv/app/..hidden", "/srv/app")).toBe("..hidden");
    expect(showPath("/srv/app/x")).toBe("/srv/app/x");
  });
});
