import { describe, expect, it } from "vitest";
import {
  createLineRelay,
  getUtf8SafeLength,
  MAX_LINE_BYTES,
  PARTIAL_LINE_IDLE_MS,
  prefixLines,
} from "../../../src/output/line-relay.js";
import { FakeTimers } from "./fakes.js";

const P = "p | ";
const prefix = { current: () => P };
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A relay over fake timers that records each write as a latin1 string (bytes 1:1). */
function makeRelay(idleMs?: number) {
  const timers = new FakeTimers();
  const writes: Buffer[] = [];
  const relay = createLineRelay(prefix, (data) => writes.push(Buffer.from(data)), timers, idleMs);
  const out = () => writes.map((w) => w.toString("latin1"));
  const push = (data: string | Buffer) =>
    relay.push(typeof data === "string" ? Buffer.from(data) : data);
  return { relay, timers, writes, out, push };
}

/** Removes the prefix and the trailing newline the relay adds to a piece. */
function body(write: Buffer): Buffer {
  expect(write.subarray(0, P.length).toString("latin1")).toBe(P);
  expect(write[write.length - 1]).toBe(10);
  return write.subarray(P.length, -1);
}

describe("getUtf8SafeLength", () => {
  const chars = [
    { name: "1-byte", char: "A", bytes: 1 },
    { name: "2-byte", char: "é", bytes: 2 },
    { name: "3-byte", char: "€", bytes: 3 },
    { name: "4-byte", char: "😀", bytes: 4 },
  ];

  for (const { name, char, bytes } of chars) {
    it(`keeps a whole ${name} character and holds back every cut of it`, () => {
      const encoded = Buffer.from(char);
      expect(encoded.length).toBe(bytes);
      for (let cut = 0; cut <= bytes; cut++) {
        const alone = encoded.subarray(0, cut);
        const expectedAlone = cut === bytes ? bytes : 0;
        expect(getUtf8SafeLength(alone), `${name} alone cut at ${cut}`).toBe(expectedAlone);

        const afterText = Buffer.concat([Buffer.from("xy"), alone]);
        const expectedAfter = cut === bytes ? 2 + bytes : 2;
        expect(getUtf8SafeLength(afterText), `${name} after "xy" cut at ${cut}`).toBe(
          expectedAfter,
        );

        const afterMultiByte = Buffer.concat([Buffer.from("😀é"), alone]);
        const expectedAfterMb = cut === bytes ? 6 + bytes : 6;
        expect(getUtf8SafeLength(afterMultiByte), `${name} after "😀é" cut at ${cut}`).toBe(
          expectedAfterMb,
        );
      }
    });
  }

  it("returns 0 for an empty buffer", () => {
    expect(getUtf8SafeLength(Buffer.alloc(0))).toBe(0);
  });

  it("keeps plain ASCII whole", () => {
    expect(getUtf8SafeLength(Buffer.from("hello"))).toBe(5);
  });

  it("passes continuation bytes with no lead byte through (not UTF-8: nothing to wait for)", () => {
    expect(getUtf8SafeLength(Buffer.from([0x80]))).toBe(1);
    expect(getUtf8SafeLength(Buffer.from([0x80, 0xbf, 0x80]))).toBe(3);
    expect(getUtf8SafeLength(Buffer.from([0x41, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
  });

  it("does not wait for a lead byte that is already followed by ASCII", () => {
    expect(getUtf8SafeLength(Buffer.from([0xc3, 0x41]))).toBe(2);
    expect(getUtf8SafeLength(Buffer.from([0xe2, 0x82, 0x41]))).toBe(3);
  });

  it("keeps a lead byte followed by more continuation bytes than it needs", () => {
    expect(getUtf8SafeLength(Buffer.from([0xc3, 0xa9, 0xa9]))).toBe(3);
  });

  it("holds back only the incomplete character after complete ones", () => {
    const buf = Buffer.concat([Buffer.from("aé€"), Buffer.from("😀").subarray(0, 2)]);
    expect(getUtf8SafeLength(buf)).toBe(buf.length - 2);
  });
});

describe("prefixLines", () => {
  it("prefixes every line of a newline-terminated body", () => {
    expect(prefixLines(P, Buffer.from("a\nb\n")).toString("latin1")).toBe("p | a\np | b\n");
  });

  it("prefixes an empty line", () => {
    expect(prefixLines(P, Buffer.from("\n")).toString("latin1")).toBe("p | \n");
    expect(prefixLines(P, Buffer.from("\n\n")).toString("latin1")).toBe("p | \np | \n");
  });

  it("keeps CR of CRLF line endings", () => {
    expect(prefixLines(P, Buffer.from("a\r\nb\r\n")).toString("latin1")).toBe("p | a\r\np | b\r\n");
  });

  it("leaves every non-newline byte unchanged", () => {
    const bytes = Buffer.from([0x00, 0x7f, 0x80, 0xc3, 0xff, 0x0d, 0x0a]);
    const out = prefixLines(P, bytes);
    expect(out.equals(Buffer.concat([Buffer.from(P), bytes]))).toBe(true);
  });

  it("keeps multi-byte UTF-8 text intact", () => {
    expect(prefixLines(P, Buffer.from("héllo 😀\nwörld\n")).toString("utf8")).toBe(
      "p | héllo 😀\np | wörld\n",
    );
  });
});

describe("createLineRelay", () => {
  it("writes complete lines of one chunk at once, prefixed, and arms no timer", () => {
    const { push, out, timers } = makeRelay();
    push("one\ntwo\n");
    expect(out().join("")).toBe("p | one\np | two\n");
    expect(timers.armed).toBe(0);
  });

  it("writes the lines of many chunks in order", () => {
    const { push, out } = makeRelay();
    push("a\n");
    push("b\nc\n");
    push("d\n");
    expect(out().join("")).toBe("p | a\np | b\np | c\np | d\n");
  });

  it("joins a line split across chunks into one prefixed line", () => {
    const { push, out, timers } = makeRelay();
    push("hel");
    expect(out()).toEqual([]);
    push("lo wo");
    expect(out()).toEqual([]);
    push("rld\nnext");
    expect(out()).toEqual(["p | hello world\n"]);
    push("\n");
    expect(out()).toEqual(["p | hello world\n", "p | next\n"]);
    expect(timers.armed).toBe(0);
  });

  it("shows a partial line after the idle timer, newline-terminated", () => {
    const { push, out, timers } = makeRelay();
    push("Password: ");
    expect(timers.delays()).toEqual([PARTIAL_LINE_IDLE_MS]);
    expect(out()).toEqual([]);
    expect(timers.fire()).toBe(1);
    expect(out()).toEqual(["p | Password: \n"]);
    expect(timers.armed).toBe(0);
    push("secret\n");
    expect(out()).toEqual(["p | Password: \n", "p | secret\n"]);
  });

  it("uses the idle delay it is given", () => {
    const { push, timers } = makeRelay(25);
    push("x");
    expect(timers.delays()).toEqual([25]);
  });

  it("restarts the idle timer on each chunk (only one is ever armed)", () => {
    const { push, timers, out } = makeRelay();
    push("a");
    push("b");
    push("c");
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(out()).toEqual(["p | abc\n"]);
  });

  it("disarms the idle timer when a chunk completes the line", () => {
    const { push, timers } = makeRelay();
    push("abc");
    expect(timers.armed).toBe(1);
    push("\n");
    expect(timers.armed).toBe(0);
  });

  it("does not flush a partial line while paused; resume re-arms the timer", () => {
    const { relay, push, timers, out } = makeRelay();
    push("partial");
    expect(timers.armed).toBe(1);
    relay.pause();
    expect(timers.armed).toBe(0);
    push(" more");
    expect(timers.armed).toBe(0);
    expect(timers.fire()).toBe(0);
    expect(out()).toEqual([]);
    relay.resume();
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(out()).toEqual(["p | partial more\n"]);
  });

  it("resume arms nothing when no partial line is pending", () => {
    const { relay, push, timers } = makeRelay();
    push("whole\n");
    relay.pause();
    relay.resume();
    expect(timers.armed).toBe(0);
  });

  it("never cuts a UTF-8 character in a partial flush: the held-back bytes come with the rest", () => {
    const { push, timers, writes } = makeRelay();
    const euro = Buffer.from("€");
    push(Buffer.concat([Buffer.from("price: "), euro.subarray(0, 2)]));
    timers.fire();
    expect(writes.map((w) => w.toString("utf8"))).toEqual(["p | price: \n"]);
    push(Buffer.concat([euro.subarray(2), Buffer.from("5\n")]));
    expect(writes.map((w) => w.toString("utf8"))).toEqual(["p | price: \n", "p | €5\n"]);
  });

  it("holds back a lone incomplete character on flush and writes nothing for it", () => {
    const { push, timers, writes, relay } = makeRelay();
    push(Buffer.from("😀").subarray(0, 3));
    timers.fire();
    expect(writes).toEqual([]);
    relay.end();
    expect(writes.length).toBe(1);
    expect(body(writes[0] as Buffer).equals(Buffer.from("😀").subarray(0, 3))).toBe(true);
  });

  it("shows held-back bytes after a second idle period when nothing completes them (a latin1 prompt)", () => {
    const { push, timers, writes } = makeRelay();
    push(Buffer.from([0x6e, 0x61, 0xef, 0x76, 0x65, 0x3f, 0x20, 0xe9])); // "naïve? é" in latin1
    timers.fire();
    expect(writes.map((w) => body(w).toString("latin1"))).toEqual(["na\u00efve? "]);
    expect(timers.armed).toBe(1);
    timers.fire();
    expect(writes.map((w) => body(w).toString("latin1"))).toEqual(["na\u00efve? ", "\u00e9"]);
    expect(timers.armed).toBe(0);
  });

  it("keeps every piece valid UTF-8 when text arrives a byte at a time with flushes between", () => {
    const { push, timers, writes, relay } = makeRelay();
    const text = Buffer.from("aé€😀b😀€éz");
    for (let i = 0; i < text.length; i++) {
      push(text.subarray(i, i + 1));
      timers.fire();
    }
    relay.end();
    for (const w of writes) expect(() => utf8.decode(w)).not.toThrow();
    expect(Buffer.concat(writes.map(body)).equals(text)).toBe(true);
  });

  it("end() writes the last line without a newline, adding one", () => {
    const { relay, push, out, timers } = makeRelay();
    push("done\nlast");
    relay.end();
    expect(out()).toEqual(["p | done\n", "p | last\n"]);
    expect(timers.armed).toBe(0);
  });

  it("end() writes nothing when nothing is pending", () => {
    const { relay, push, out } = makeRelay();
    push("done\n");
    relay.end();
    expect(out()).toEqual(["p | done\n"]);
  });

  it("splits a line that reaches MAX_LINE_BYTES without waiting for its newline", () => {
    const { push, writes, timers } = makeRelay();
    push(Buffer.alloc(MAX_LINE_BYTES - 10, 0x61));
    expect(writes).toEqual([]);
    push(Buffer.alloc(20, 0x62));
    expect(writes.length).toBe(1);
    const piece = body(writes[0] as Buffer);
    expect(piece.length).toBe(MAX_LINE_BYTES);
    expect(piece.subarray(-10).toString()).toBe("bbbbbbbbbb");
    expect(timers.armed).toBe(1);
    push("\n");
    expect(writes.length).toBe(2);
    expect((writes[1] as Buffer).toString("latin1")).toBe("p | bbbbbbbbbb\n");
  });

  it("writes a chunk of exactly MAX_LINE_BYTES as one piece and keeps nothing", () => {
    const { push, writes, timers } = makeRelay();
    push(Buffer.alloc(MAX_LINE_BYTES, 0x61));
    expect(writes.length).toBe(1);
    expect(body(writes[0] as Buffer).length).toBe(MAX_LINE_BYTES);
    expect(timers.armed).toBe(0);
  });

  it("does not cut a UTF-8 character at the MAX_LINE_BYTES split", () => {
    const { push, writes } = makeRelay();
    push(Buffer.concat([Buffer.alloc(MAX_LINE_BYTES - 1, 0x61), Buffer.from("é")]));
    expect(writes.length).toBe(1);
    expect(body(writes[0] as Buffer).length).toBe(MAX_LINE_BYTES - 1);
    push("z\n");
    expect((writes[1] as Buffer).toString("utf8")).toBe("p | éz\n");
  });

  it("passes bytes that are not UTF-8 through unchanged (latin1 round trip)", () => {
    const { push, writes, relay } = makeRelay();
    const all = Buffer.from(Array.from({ length: 256 }, (_, b) => b).filter((b) => b !== 10));
    for (let i = 0; i < all.length; i += 7) push(all.subarray(i, i + 7));
    push("\n");
    relay.end();
    expect(writes.length).toBe(1);
    expect(body(writes[0] as Buffer).equals(all)).toBe(true);
  });

  it("loses no byte of invalid UTF-8 across idle flushes", () => {
    const { push, writes, relay, timers } = makeRelay();
    const all = Buffer.from(Array.from({ length: 256 }, (_, b) => 255 - b).filter((b) => b !== 10));
    for (let i = 0; i < all.length; i += 5) {
      push(all.subarray(i, i + 5));
      timers.fire();
    }
    relay.end();
    expect(Buffer.concat(writes.map(body)).equals(all)).toBe(true);
  });

  it("keeps CRLF line endings", () => {
    const { push, out } = makeRelay();
    push("a\r\nb");
    push("\r\n");
    expect(out()).toEqual(["p | a\r\n", "p | b\r\n"]);
  });

  it("asks the prefix for the current text on every write", () => {
    let n = 0;
    const writes: string[] = [];
    const relay = createLineRelay(
      { current: () => `${++n} | ` },
      (d) => writes.push(d.toString()),
      new FakeTimers(),
    );
    relay.push(Buffer.from("a\n"));
    relay.push(Buffer.from("b\n"));
    expect(writes).toEqual(["1 | a\n", "2 | b\n"]);
  });
});
