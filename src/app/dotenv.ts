// dotenv's parser (the reference for .env syntax), loaded the first time an env file is read.
import { lazyRequire } from "../lazy-require.js";

let dotenvParse: ((text: string) => Record<string, string>) | undefined;

/** Parses .env text exactly as dotenv does. */
export function parseDotenv(text: string): Record<string, string> {
  dotenvParse ??= (lazyRequire("dotenv") as typeof import("dotenv")).parse;
  return dotenvParse(text);
}
