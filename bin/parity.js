#!/usr/bin/env node
// parity's entry point: loads the bundled CLI (with a V8 code cache: start-up time is a feature)
// and exits with its status. CommonJS (see bin/package.json) so that no ESM loader runs first.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const bundle = path.join(__dirname, "..", "dist", "parity.cjs");
const cacheFile = `${bundle}.cache`;

function loadBundle() {
  const source = fs.readFileSync(bundle, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet: compile from source
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(
      module.exports,
      module.exports,
      Module.createRequire(bundle),
      module,
      bundle,
      path.dirname(bundle),
    );
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return { main: module.exports.main, saveCache: stale ? () => writeCache(script) : () => {} };
}

// Best effort: an unwritable install directory only means no cache.
function writeCache(script) {
  const temp = `${cacheFile}.${process.pid}`;
  try {
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  } catch {
    try {
      fs.unlinkSync(temp);
    } catch {
      // nothing written
    }
  }
}

const { main, saveCache } = loadBundle();
main(process.argv.slice(2)).then(
  (code) => {
    saveCache();
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
