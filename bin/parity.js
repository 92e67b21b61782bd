#!/usr/bin/env node
// parity's entry point: loads the bundled CLI with a V8 code cache (start-up time is a feature)
// and exits with its status. CommonJS (see bin/package.json) so that no ESM loader runs first.
// The bundle's heavy parts (dist/lazy/*.cjs: the manifest reader, the watcher) are loaded the
// same way, only when an app needs them.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const dist = path.join(__dirname, "..", "dist");
/** Scripts whose cache was missing or stale: written once parity is done. */
const staleCaches = [];
const loaded = new Map();

// Compiles and runs a CommonJS bundle with its code cache (FILE.cache) when there is a usable one.
// The build wrote each bundle inside CommonJS's function wrapper (scripts/build.mjs).
function loadBundle(file) {
  const known = loaded.get(file);
  if (known) return known.exports;
  // Read as bytes and decoded as Latin-1, which is ASCII here (the build escapes everything else):
  // the same one-read path as the cache below, ≈ 0.1 ms less than a UTF-8 read of the bundle.
  const source = fs.readFileSync(file).toString("latin1");
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${file}.cache`);
  } catch {
    // no cache yet: compile from source
  }
  const script = new vm.Script(source, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true)
    staleCaches.push({ file, script });
  const module = { exports: {} };
  loaded.set(file, module);
  // Built-in modules are the same from here; node:module (≈ 0.2 ms to load) only for a package.
  let packageRequire;
  const bundleRequire = (id) => {
    if (id.startsWith("./lazy/")) return loadBundle(path.join(dist, id));
    if (id.startsWith("node:")) return require(id);
    packageRequire ??= require("node:module").createRequire(file);
    return packageRequire(id);
  };
  script
    .runInThisContext()
    .call(module.exports, module.exports, bundleRequire, module, file, path.dirname(file));
  return module.exports;
}

// Best effort: an unwritable install directory only means no cache.
function writeCaches() {
  for (const { file, script } of staleCaches) {
    const temp = `${file}.cache.${process.pid}`;
    try {
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, `${file}.cache`);
    } catch {
      try {
        fs.unlinkSync(temp);
      } catch {
        // nothing written
      }
    }
  }
}

const { main } = loadBundle(path.join(dist, "parity.cjs"));
main(process.argv.slice(2)).then(
  (code) => {
    writeCaches();
    process.exit(code);
  },
  (err) => {
    process.stderr.write(
      process.env.PARITY_DEBUG
        ? `${err?.stack ?? err}\n`
        : `error: ${err?.message ?? err} (set PARITY_DEBUG=1 for details)\n`,
    );
    process.exit(70);
  },
);
