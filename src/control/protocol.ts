import { StringDecoder } from "node:string_decoder";
// The control protocol: one JSON object per line, each carrying the protocol version.

/** Version of the protocol; a server refuses other versions. */
export const PROTOCOL_VERSION = 1;

/** What a client asks. Names are slot names (`web.2`), type names (`web`) or globs (`web.*`, `*`). */
export type ControlRequest =
  | { v: number; id: number; cmd: "hello" }
  | { v: number; id: number; cmd: "ps" }
  | { v: number; id: number; cmd: "restart" | "stop" | "start"; names: string[] }
  | { v: number; id: number; cmd: "scale"; counts: Record<string, number> }
  | { v: number; id: number; cmd: "logs"; names: string[]; follow: boolean; lines: number };

/** What the server answers: a result, an error, or (logs -f) a stream of lines then an end. */
export type ControlResponse =
  | { v: number; id: number; ok: true; result: unknown }
  | { v: number; id: number; ok: false; error: string }
  | { v: number; id: number; line: { name: string; text: string } }
  | { v: number; id: number; following: true };

/** Encodes one message as a line. */
export function encodeMessage(message: ControlRequest | ControlResponse): string {
  return `${JSON.stringify(message)}\n`;
}

/** Longest line kept whole; a longer one is passed on in pieces of this size. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Splits incoming bytes into lines (UTF-8 decoded across chunk boundaries), keeping the
 * unfinished rest for the next chunk; `keepBlank` passes on empty lines too (log output).
 */
export function createLineReader(
  onLine: (line: string) => void,
  keepBlank = false,
): (chunk: Buffer | string) => void {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  return (chunk) => {
    const lines = (rest + (typeof chunk === "string" ? chunk : decoder.write(chunk))).split("\n");
    rest = lines.pop() ?? "";
    while (rest.length > MAX_LINE_CHARS) {
      lines.push(rest.slice(0, MAX_LINE_CHARS));
      rest = rest.slice(MAX_LINE_CHARS);
    }
    for (const line of lines) if (keepBlank || line.trim() !== "") onLine(line);
  };
}
