// Writes an env value so that dotenv's `parse` reads back exactly the same string.

import { parseDotenv } from "./dotenv.js";

/** Quote a value for a .env line only when needed, choosing a form dotenv reads back exactly. */
export function quoteEnvValue(value: string): string {
  if (!/[\s#"'`]/.test(value)) return value;
  const escaped = `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  const quoted: [form: string, quote: string][] = [
    [escaped, '"'],
    [`'${value}'`, "'"],
    [`\`${value}\``, "`"],
  ];
  // First the quotes that do not occur in the value (clear to any reader), then any form at all.
  const clean = quoted.filter(([, quote]) => !value.includes(quote)).map(([form]) => form);
  const forms = [...clean, ...quoted.map(([form]) => form), `"${value}"`, value];
  // dotenv is the reference parser: keep the first form it reads back exactly.
  return forms.find((form) => readsBack(form, value)) ?? escaped;
}

/** Tell whether dotenv reads `K=<form>` back as `value`, alone and before a comment. */
function readsBack(form: string, value: string): boolean {
  const plain = parseDotenv(`K=${form}\nZ=1\n`);
  const commented = parseDotenv(`K=${form}  # c\nZ=1\n`);
  return plain.K === value && commented.K === value && plain.Z === "1" && commented.Z === "1";
}
