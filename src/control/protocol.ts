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

/** Splits incoming text into complete lines, keeping the unfinished rest for the next chunk. */
export function createLineReader(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = "";
  return (chunk) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    if (rest.length > 1 << 20) rest = "";
    for (const line of lines) if (line.trim() !== "") onLine(line);
  };
}
