#!/usr/bin/env node
// parity's entry point: runs the bundled CLI and exits with its status. CommonJS (see
// bin/package.json) and one bundled file, because start-up time is a feature.
"use strict";
const { main } = require("../dist/parity.cjs");

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(
      process.env.PARITY_DEBUG
        ? `${err?.stack ?? err}\n`
        : `error: ${err?.message ?? err} (set PARITY_DEBUG=1 for details)\n`,
    );
    process.exit(70);
  },
);
