import { describe, expect, it } from "vitest";
import { parseEnvFileList, parsePort, parseTimeout } from "../../../src/app/options.js";

describe("parsePort", () => {
  it("returns undefined when not given", () => {
    expect(parsePort(undefined, "-p/--port")).toEqual({ ok: true, value: undefined, warnings: [] });
  });

  it("accepts 1 to 65535", () => {
    for (const [text, port] of [
      ["1", 1],
      ["5000", 5000],
      ["65535", 65535],
      [" 8080 ", 8080],
    ] as const) {
      expect(parsePort(text, "-p/--port")).toEqual({ ok: true, value: port, warnings: [] });
    }
  });

  it.each(["0", "65536", "-1", "80.5", "abc", "", "1e3", "0x50", "50 00"])(
    "rejects %j naming the flag and the value",
    (text) => {
      expect(parsePort(text, "-p/--port")).toEqual({
        ok: false,
        problems: [
          {
            severity: "error",
            message: `invalid port "${text}"`,
            flag: "-p/--port",
            fix: "use a whole number from 1 to 65535",
          },
        ],
      });
    },
  );
});

describe("parseTimeout", () => {
  it("defaults to 5 seconds", () => {
    expect(parseTimeout(undefined, "-t/--timeout")).toEqual({ ok: true, value: 5, warnings: [] });
  });

  it("accepts whole and decimal seconds, including 0", () => {
    expect(parseTimeout("10", "-t").ok && parseTimeout("10", "-t")).toMatchObject({ value: 10 });
    for (const [text, seconds] of [
      ["0", 0],
      ["2.5", 2.5],
      [".5", 0.5],
      ["3.", 3],
      ["30", 30],
    ] as const) {
      expect(parseTimeout(text, "-t/--timeout")).toEqual({
        ok: true,
        value: seconds,
        warnings: [],
      });
    }
  });

  it.each(["-1", "abc", "", "5s", "1e2", "Infinity", "1.2.3"])(
    "rejects %j naming the flag and the value",
    (text) => {
      expect(parseTimeout(text, "-t/--timeout")).toEqual({
        ok: false,
        problems: [
          {
            severity: "error",
            message: `invalid timeout "${text}"`,
            flag: "-t/--timeout",
            fix: "give a number of seconds from 0 to 2147483, such as 5 or 2.5",
          },
        ],
      });
    },
  );
});

describe("parseEnvFileList", () => {
  it("splits at commas and resolves against cwd", () => {
    expect(parseEnvFileList(".env,config/.env.test", "/srv/app")).toEqual([
      "/srv/app/.env",
      "/srv/app/config/.env.test",
    ]);
  });

  it("keeps absolute paths, trims spaces and drops empty items", () => {
    expect(parseEnvFileList(" /etc/app.env , ,.env,", "/srv/app")).toEqual([
      "/etc/app.env",
      "/srv/app/.env",
    ]);
  });

  it("resolves parent-relative paths", () => {
    expect(parseEnvFileList("../shared/.env", "/srv/app")).toEqual(["/srv/shared/.env"]);
  });
});
