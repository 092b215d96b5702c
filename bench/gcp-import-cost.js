#!/usr/bin/env node
/*
 * What an AWS-only user pays for the Google Cloud side: require time and memory of the
 * package entry point (dist/index.js) with and without touching `.gcp`.
 *
 * Run after compiling (`npx jsii`):   node bench/gcp-import-cost.js [--runs N] [--json]
 *
 * Every measurement is a fresh `node` child process (nothing cached in-process between runs);
 * the script reports medians over N runs (default 7) per mode and the ratios with/without gcp.
 * Modes:
 *   baseline  node itself, nothing required (subtracted nowhere, shown for scale)
 *   root      require('dist/index.js') and touch an AWS-side/core export only
 *   gcp       require('dist/index.js'), then touch `.gcp` and one of its classes (loads cdktf and
 *             the provider-google modules the constructs import)
 *   nogcp     like root, but with dist/gcp/ kept from loading (a require hook answers it with {}):
 *             what `root` costs once the entry point loads `gcp` lazily; if `root` already equals
 *             `nogcp`, the lazy namespace works
 * The module counts split out cdktf + @cdktf/provider-google, to see who loads the Google side.
 */
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const fs = require('fs');

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 7;
const asJson = args.includes('--json');
const entry = path.resolve(__dirname, '..', 'dist', 'index.js');
if (!fs.existsSync(entry)) {
  console.error(`bench: ${entry} not found; compile first (npx jsii)`);
  process.exit(2);
}

// The child: measure one mode and print one JSON line.
const CHILD = `
const mode = process.argv[1];
const entry = process.argv[2];
const rss0 = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
if (mode === 'nogcp') {
  const Module = require('module');
  const nodePath = require('path');
  const gcpPrefix = nodePath.join(nodePath.dirname(entry), 'gcp') + nodePath.sep;
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    let resolved = '';
    try { resolved = Module._resolveFilename(request, parent, isMain); } catch (e) { /* let load report it */ }
    if (resolved.startsWith(gcpPrefix)) return {};
    return load.apply(this, arguments);
  };
}
if (mode !== 'baseline') {
  const lib = require(entry);
  if (typeof lib.Tier !== 'function') throw new Error('core export Tier missing');
  if (mode === 'gcp') {
    const gcp = lib.gcp;
    if (typeof gcp.Tier1K !== 'function' || typeof gcp.ScaleLadder !== 'function') throw new Error('gcp exports missing');
  }
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const mem = process.memoryUsage();
process.stdout.write(JSON.stringify({ ms, rssMiB: mem.rss / 1048576, rssDeltaMiB: (mem.rss - rss0) / 1048576, heapMiB: mem.heapUsed / 1048576,
  modules: Object.keys(require.cache).length,
  googleModules: Object.keys(require.cache).filter(f => /node_modules[\\/](cdktf|@cdktf[\\/]provider-google)[\\/]/.test(f)).length }));
`;

function measure(mode) {
  const out = execFileSync(process.execPath, ['-e', CHILD, mode, entry], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  return JSON.parse(out);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const modes = ['baseline', 'nogcp', 'root', 'gcp'];
const samples = Object.fromEntries(modes.map(m => [m, []]));
// Interleave the modes so drift (disk cache, CPU frequency) hits them alike; one warm-up each.
for (const m of modes) measure(m);
for (let i = 0; i < runs; i++) for (const m of modes) samples[m].push(measure(m));

const summary = {};
for (const m of modes) {
  summary[m] = {
    requireMs: median(samples[m].map(s => s.ms)),
    rssMiB: median(samples[m].map(s => s.rssMiB)),
    rssDeltaMiB: median(samples[m].map(s => s.rssDeltaMiB)),
    heapMiB: median(samples[m].map(s => s.heapMiB)),
    modules: median(samples[m].map(s => s.modules)),
    googleModules: median(samples[m].map(s => s.googleModules)),
  };
}
const ratioTo = base => ({
  requireMs: summary.gcp.requireMs / summary[base].requireMs,
  rssMiB: summary.gcp.rssMiB / summary[base].rssMiB,
  rssDeltaMiB: summary.gcp.rssDeltaMiB / summary[base].rssDeltaMiB,
});
const ratio = ratioTo('root');
const lazyRatio = ratioTo('nogcp');
const lazy = summary.root.googleModules === 0;
const result = { entry: path.relative(process.cwd(), entry), node: process.version, runs, medians: summary,
  ratioGcpToRoot: ratio, ratioGcpToNoGcp: lazyRatio, rootLoadsGoogleSide: !lazy };

if (asJson) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (n, d = 1) => n.toFixed(d);
  console.log(`import cost of ${result.entry} (node ${process.version}, median of ${runs} fresh processes per mode)`);
  console.log('mode       require ms   RSS MiB   RSS delta MiB   heap MiB   modules (cdktf+google)');
  for (const m of modes) {
    const s = summary[m];
    console.log(`${m.padEnd(10)} ${f(s.requireMs).padStart(10)} ${f(s.rssMiB).padStart(9)} ${f(s.rssDeltaMiB).padStart(15)} ${f(s.heapMiB).padStart(10)} ${String(s.modules).padStart(9)} (${s.googleModules})`);
  }
  console.log(`gcp / root:  require time x${f(ratio.requireMs, 2)}, RSS x${f(ratio.rssMiB, 2)}, RSS delta x${f(ratio.rssDeltaMiB, 2)}`);
  console.log(`gcp / nogcp: require time x${f(lazyRatio.requireMs, 2)}, RSS x${f(lazyRatio.rssMiB, 2)}, RSS delta x${f(lazyRatio.rssDeltaMiB, 2)}`);
  console.log(lazy ? 'root does not load the Google side: gcp is lazy' : 'root loads the Google side (gcp is not lazy yet): an AWS-only user pays the gcp row');
}
