#!/usr/bin/env node
'use strict';
// The `scale-ladder` command. In the published package it runs the compiled dist/cli/main.js
// and nothing else: neither lib/ nor build-tools/ is in the package (package.json "files").
//
// In a clone of the repository (lib/cli/main.ts next to this file) it runs the TypeScript
// source through the clone-only loader build-tools/cli-from-source.js, so that
// `npm ci && npx scale-ladder …` (README.md) works without a build step and a clone never runs
// a stale dist/. The loader is a file of its own so the package ships no TypeScript tooling;
// npm has no way to publish a different `bin` than the clone uses (npm docs, package.json
// "bin"), hence the one branch below.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'lib', 'cli', 'main.ts');
const loader = path.join(root, 'build-tools', 'cli-from-source.js');
const fromSource = fs.existsSync(source) && fs.existsSync(loader) ? require(loader).sourceEntryPoint(root, source) : undefined;
const entryPoint = fromSource || path.join(root, 'dist', 'cli', 'main.js');

// A reader that stops early (`scale-ladder plan … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', err => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode || 0);
    throw err;
  });
}

require(entryPoint)
  .main(process.argv.slice(2), process)
  .then(code => { process.exitCode = code; })
  .catch(err => {
    process.stderr.write(`scale-ladder: ${err && err.message ? String(err.message).split('\n')[0] : err}\n`);
    process.exitCode = 1;
  });
