// Bundles the CLI for fast start-up: dist/parity.cjs, plus the heavy parts it loads only when an
// app needs them (the manifest reader: yaml + zod; the watcher: chokidar) as dist/lazy/*.cjs.
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
  define: { __PARITY_VERSION__: JSON.stringify(version), "import.meta.url": "__parityModuleUrl" },
  // what import.meta.url is in the ESM sources (lazy-require.ts): this bundle file's URL
  banner: { js: 'var __parityModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/** Source files (as imported) that become lazy bundles, and the bundle each becomes. */
const LAZY = [
  {
    importedAs: /[\\/]manifest[\\/]index\.js$/,
    entry: "src/app/manifest/index.ts",
    out: "manifest",
  },
  { importedAs: /[\\/]watch\.js$/, entry: "src/supervisor/watch.ts", out: "watch" },
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

await build({
  ...common,
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/parity.cjs",
  plugins: [lazyPlugin],
});
for (const lazy of LAZY) {
  await build({ ...common, entryPoints: [lazy.entry], outfile: `dist/lazy/${lazy.out}.cjs` });
}
