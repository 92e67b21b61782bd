// Bundles the CLI for fast start-up: dist/parity.cjs, plus the heavy parts it loads only when an
// app needs them (the manifest reader: yaml + zod; the watcher: chokidar; the control server:
// picomatch; colours: chalk; parity export; commander, for anything but the common forms of
// parity start) as dist/lazy/*.cjs.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

const version = process.env.npm_package_version ?? "0.0.0";
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // dynamic import() becomes require(): bin/parity.js runs the bundle through vm.Script
  supported: { "dynamic-import": false },
  external: ["execa"],
  logLevel: "warning",
  write: false,
  define: { __PARITY_VERSION__: JSON.stringify(version), "import.meta.url": "__parityMeta.url" },
  // what import.meta.url is in the ESM sources (lazy-require.ts): this bundle file's URL, made
  // when first asked for (a URL parse at every start would cost ≈ 0.2 ms)
  banner: {
    js: 'var __parityMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };',
  },
};

/** Source files (as imported) that become lazy bundles, and the bundle each becomes. */
const LAZY = [
  // commander: the common forms of parity start are read without it (src/cli/start-args.ts)
  { importedAs: /^\.[\\/]commander\.js$/, entry: "src/cli/commander.ts", out: "commander" },
  {
    importedAs: /[\\/]manifest[\\/]index\.js$/,
    entry: "src/app/manifest/index.ts",
    out: "manifest",
  },
  { importedAs: /[\\/]watch\.js$/, entry: "src/supervisor/watch.ts", out: "watch" },
  // the control socket's server (with picomatch): opened 100 ms into a run, read at every start
  { importedAs: /^\.[\\/]server\.js$/, entry: "src/control/server.ts", out: "server" },
  // chalk: parity start loads it only when colour is possible
  { importedAs: /^\.[\\/]colors\.js$/, entry: "src/output/colors.ts", out: "colors" },
  // parity start --via runit (mini-prod): what it runs
  {
    importedAs: /^\.\.[\\/]via[\\/]start-via-runit\.js$/,
    entry: "src/via/start-via-runit.ts",
    out: "via",
  },
  // parity export's modules, as the export command imports them (shared code is in each)
  ...["index", "plan", "changes", "report", "write"].map((name) => ({
    importedAs: new RegExp(`^\\.\\.[\\\\/]export[\\\\/]${name}\\.js$`),
    entry: `src/export/${name}.ts`,
    out: `export-${name}`,
  })),
];

const lazyPlugin = {
  name: "lazy-bundles",
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const lazy = LAZY.find((l) => l.importedAs.test(args.path));
      return lazy ? { path: `./lazy/${lazy.out}.cjs`, external: true } : undefined;
    });
  },
};

// Writes a bundle as bin/parity.js compiles it: inside CommonJS's function wrapper (as
// Module.wrap would put it, on the same first line), so that loading it makes no second copy of
// the source; and in ASCII: one character outside ASCII (esbuild escapes them in code, not in the
// comments it keeps) makes V8 hold the whole bundle as a two-byte string, twice the memory, a
// slower compile and one more garbage collection at every start. \uXXXX (per UTF-16 unit) means
// the same in a comment, a string, a template or a regular expression.
function writeBundles(result) {
  for (const file of result.outputFiles) {
    const ascii = file.text.replace(
      /[^\0-\x7f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    mkdirSync(dirname(file.path), { recursive: true }); // a fresh clone has no dist/lazy yet
    writeFileSync(
      file.path,
      `(function (exports, require, module, __filename, __dirname) { ${ascii}\n});\n`,
    );
  }
}

writeBundles(
  await build({
    ...common,
    entryPoints: ["src/cli/main.ts"],
    outfile: "dist/parity.cjs",
    plugins: [lazyPlugin],
  }),
);
for (const lazy of LAZY) {
  writeBundles(
    await build({ ...common, entryPoints: [lazy.entry], outfile: `dist/lazy/${lazy.out}.cjs` }),
  );
}
