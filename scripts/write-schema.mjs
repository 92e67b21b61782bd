// Writes parity.schema.json from the built runtime schema: run `npm run build` first.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildJsonSchema } from "../dist/app/manifest/json-schema.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "parity.schema.json");
writeFileSync(file, `${JSON.stringify(buildJsonSchema(), null, 2)}\n`);
// Format it as the linter expects, so that `npm run lint` stays clean.
execFileSync(join(root, "node_modules", ".bin", "biome"), ["format", "--write", file], {
  stdio: "ignore",
});
console.log(`wrote ${file}`);
