// Reference decoders written from the init systems' own rules, independent of the encoders: they read back what exports write.

/**
 * Parse an EnvironmentFile as systemd's env-file parser does (env-file.c in systemd 252: keys,
 * `=`, unquoted / single-quoted / double-quoted values, `#` and `;` comments, line ends \n or \r).
 */
export function decodeEnvironmentFile(text: string): Map<string, string> {
  const NEWLINE = "\n\r";
  const WHITESPACE = " \t\n\r";
  const NEED_ESCAPE = '"\\`$';
  const result = new Map<string, string>();
  type State =
    | "pre-key"
    | "key"
    | "pre-value"
    | "value"
    | "value-escape"
    | "single"
    | "double"
    | "double-escape"
    | "comment"
    | "comment-escape";
  let state: State = "pre-key";
  let key = "";
  let value = "";
  let quoted = false;
  const push = () => {
    const k = key.replace(/[ \t\n\r]+$/, "");
    const v = quoted ? value : value.replace(/[ \t\n\r]+$/, "");
    if (k !== "") result.set(k, v);
    key = "";
    value = "";
    quoted = false;
  };
  for (const c of text) {
    switch (state) {
      case "pre-key":
        if (c === "#" || c === ";") state = "comment";
        else if (!WHITESPACE.includes(c)) {
          state = "key";
          key = c;
        }
        break;
      case "key":
        if (NEWLINE.includes(c)) {
          state = "pre-key";
          key = "";
        } else if (c === "=") state = "pre-value";
        else key += c;
        break;
      case "pre-value":
        if (NEWLINE.includes(c)) {
          push();
          state = "pre-key";
        } else if (c === "'") {
          state = "single";
          quoted = true;
        } else if (c === '"') {
          state = "double";
          quoted = true;
        } else if (c === "\\") state = "value-escape";
        else if (!WHITESPACE.includes(c)) {
          state = "value";
          value += c;
        }
        break;
      case "value":
        if (NEWLINE.includes(c)) {
          push();
          state = "pre-key";
        } else if (c === "\\") state = "value-escape";
        else value += c;
        break;
      case "value-escape":
        state = "value";
        if (!NEWLINE.includes(c)) value += c;
        break;
      case "single":
        if (c === "'") state = "pre-value";
        else value += c;
        break;
      case "double":
        if (c === '"') state = "pre-value";
        else if (c === "\\") state = "double-escape";
        else value += c;
        break;
      case "double-escape":
        state = "double";
        if (NEED_ESCAPE.includes(c)) value += c;
        else if (c !== "\n") value += `\\${c}`;
        break;
      case "comment":
        if (c === "\\") state = "comment-escape";
        else if (NEWLINE.includes(c)) state = "pre-key";
        break;
      case "comment-escape":
        state = "comment";
        break;
    }
  }
  if (state !== "pre-key" && state !== "comment" && state !== "comment-escape" && key !== "") {
    push();
  }
  return result;
}

const C_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
  s: " ",
};

/**
 * Split an Exec*= value into argv as systemd does (systemd.syntax(7), systemd.service(5)):
 * specifiers first (`%%` → `%`; any other specifier is an error here), then words, double
 * quotes with C escapes, then `$$` → `$` (a `$` that systemd would expand is an error here).
 */
export function decodeExecLine(line: string): string[] {
  let unspecified = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c !== "%") {
      unspecified += c;
      continue;
    }
    if (line[i + 1] !== "%") throw new Error(`specifier %${line[i + 1]} would be expanded`);
    unspecified += "%";
    i++;
  }
  const words: string[] = [];
  let i = 0;
  const text = unspecified;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let word = "";
    while (i < text.length && !/\s/.test(text[i] as string)) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        while (text[i] !== '"') {
          if (i >= text.length) throw new Error("unterminated quote");
          if (text[i] === "\\") {
            const next = text[i + 1] as string;
            if (next === "x") {
              word += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
              i += 4;
              continue;
            }
            const decoded = C_ESCAPES[next];
            if (decoded === undefined) throw new Error(`unknown escape \\${next}`);
            word += decoded;
            i += 2;
            continue;
          }
          word += text[i];
          i++;
        }
        i++;
      } else {
        word += c;
        i++;
      }
    }
    words.push(expandDollars(word));
  }
  return words;
}

/** `$$` → `$`; a `$` followed by a name or `{` would be expanded by systemd: an error here. */
function expandDollars(word: string): string {
  let out = "";
  for (let i = 0; i < word.length; i++) {
    if (word[i] !== "$") {
      out += word[i];
      continue;
    }
    if (word[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    if (/[{A-Za-z_]/.test(word[i + 1] ?? ""))
      throw new Error(`systemd would expand ${word.slice(i)}`);
    out += "$";
  }
  return out;
}

/**
 * Read an env-dir file as `chpst -e` does (runit 2.1.2's chpst.c): an empty file unsets the
 * variable (undefined); else the first line, trailing spaces and tabs removed, NUL → newline.
 */
export function decodeEnvDirFile(contents: string): string | undefined {
  if (contents === "") return undefined;
  const cut = contents.indexOf("\n");
  const first = cut === -1 ? contents : contents.slice(0, cut);
  return first.replace(/[ \t]+$/, "").replaceAll("\0", "\n");
}
