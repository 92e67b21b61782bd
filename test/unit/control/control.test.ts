import { describe, expect, it } from "vitest";
import { LogBuffer } from "../../../src/control/log-buffer.js";
import { matchNames } from "../../../src/control/names.js";
import { getSocketLocation, MAX_SOCKET_PATH } from "../../../src/control/paths.js";
import {
  createLineReader,
  encodeMessage,
  PROTOCOL_VERSION,
} from "../../../src/control/protocol.js";

const SLOTS = ["web.1", "web.2", "worker.1", "web-admin.1"];

describe("matchNames", () => {
  it("a type name means every slot of that type (not of a type with a longer name)", () => {
    expect(matchNames(["web"], SLOTS)).toEqual({ ok: true, names: ["web.1", "web.2"] });
  });

  it("a slot name means that slot; globs match slot names", () => {
    expect(matchNames(["web.2"], SLOTS)).toEqual({ ok: true, names: ["web.2"] });
    expect(matchNames(["w*.1"], SLOTS)).toEqual({
      ok: true,
      names: ["web.1", "worker.1", "web-admin.1"],
    });
    expect(matchNames(["*"], SLOTS)).toEqual({ ok: true, names: SLOTS });
  });

  it("reports every name that matches nothing", () => {
    expect(matchNames(["wbe", "web.9", "x*"], SLOTS)).toEqual({
      ok: false,
      unknown: ["wbe", "web.9", "x*"],
    });
  });

  it("accepts startable names that have no slot yet (a type left out, web.3)", () => {
    const startable = (n: string) => ["clock", "web.3"].includes(n);
    expect(matchNames(["clock", "web.3", "web.1"], SLOTS, startable)).toEqual({
      ok: true,
      names: ["clock.1", "web.3", "web.1"],
    });
  });
});

describe("LogBuffer", () => {
  it("returns the last lines per instance, oldest first, across chunk boundaries", () => {
    const logs = new LogBuffer();
    logs.append("web.1", Buffer.from("one\ntw"));
    logs.append("web.1", Buffer.from("o\nthree\n"));
    logs.append("worker.1", Buffer.from("a\n"));
    expect(logs.getRecent(["web.1", "worker.1"], 2)).toEqual([
      { name: "web.1", text: "two" },
      { name: "web.1", text: "three" },
      { name: "worker.1", text: "a" },
    ]);
  });

  it("keeps a bounded number of bytes per instance and drops a line cut by the bound", () => {
    const logs = new LogBuffer(64);
    for (let i = 0; i < 100; i++) logs.append("web.1", Buffer.from(`line ${i}\n`));
    const recent = logs.getRecent(["web.1"], 1000);
    expect(recent.at(-1)?.text).toBe("line 99");
    expect(recent.length).toBeLessThan(12);
    for (const r of recent) expect(r.text).toMatch(/^line \d+$/);
  });

  it("feeds followers until they unsubscribe", () => {
    const logs = new LogBuffer();
    const seen: string[] = [];
    const stop = logs.follow((name, chunk) => seen.push(`${name}:${chunk}`));
    logs.append("web.1", Buffer.from("x\n"));
    stop();
    logs.append("web.1", Buffer.from("y\n"));
    expect(seen).toEqual(["web.1:x\n"]);
  });
});

describe("protocol", () => {
  it("encodes one JSON object per line carrying the version", () => {
    const line = encodeMessage({ v: PROTOCOL_VERSION, id: 3, cmd: "ps" });
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual({ v: 1, id: 3, cmd: "ps" });
  });

  it("reassembles lines split across chunks and skips blank ones", () => {
    const lines: string[] = [];
    const read = createLineReader((l) => lines.push(l));
    read('{"a":');
    read('1}\n\n{"b"');
    read(":2}\n");
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });
});

describe("getSocketLocation", () => {
  it("is ROOT/.parity/parity.sock when that fits", () => {
    expect(getSocketLocation("/srv/shop", {})).toEqual({
      dir: "/srv/shop/.parity",
      path: "/srv/shop/.parity/parity.sock",
    });
  });

  it("falls back to a short, stable path under the runtime directory when ROOT is too long", () => {
    const root = `/srv/${"x".repeat(120)}`;
    const a = getSocketLocation(root, { XDG_RUNTIME_DIR: "/run/user/1000" });
    expect(a.path.length).toBeLessThanOrEqual(MAX_SOCKET_PATH);
    expect(a.path).toMatch(/^\/run\/user\/1000\/parity-\d+\/[0-9a-f]{16}\.sock$/);
    expect(getSocketLocation(root, { XDG_RUNTIME_DIR: "/run/user/1000" })).toEqual(a);
    expect(getSocketLocation(`${root}y`, { XDG_RUNTIME_DIR: "/run/user/1000" }).path).not.toBe(
      a.path,
    );
  });
});
