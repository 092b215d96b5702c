#!/usr/bin/env node
/*
 * Synthesis cost of every rung, as ratios against a baseline measured in the same
 * process: an empty aws-cdk-lib stack (what any CDK app pays) and, for Google Cloud,
 * an empty cdktf stack. Also the cost of loading the package entry point against
 * loading aws-cdk-lib alone, each in a fresh process.
 *
 * Run after compiling:  npx projen compile && node bench/synth.js [--runs N] [--json]
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const asJson = args.includes('--json');
const dist = path.resolve(__dirname, '..', 'dist');
if (!fs.existsSync(path.join(dist, 'index.js'))) {
  console.error('bench: dist/ not found; run `npx projen compile` first');
  process.exit(2);
}
const RUNGS = ['1K', '10K', '100K', '1M', '10M', '100M', '1B'];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function tmp() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-bench-'));
}

/** Milliseconds to require `modulePath` in a fresh node process (median of runs). */
function requireCost(modulePath) {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(modulePath)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  return median(Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))));
}

const { App, CfnWaitConditionHandle, Stack } = require('aws-cdk-lib');
const { synthAwsRung } = require(path.join(dist, 'aws', 'synth-rung.js'));
const { synthGcpRung } = require(path.join(dist, 'gcp', 'synth-rung.js'));
const cdktf = require('cdktf');

// Warm both toolchains once so the numbers compare synthesis, not module loading.
synthAwsRung('1K', tmp());
synthGcpRung('1K', tmp());

const awsBaseline = median(Array.from({ length: runs }, () => time(() => {
  const app = new App({ outdir: tmp() });
  // One placeholder resource: an empty template is itself a validation warning.
  new CfnWaitConditionHandle(new Stack(app, 'Empty', { env: { account: '123456789012', region: 'us-east-1' } }), 'Placeholder');
  app.synth();
})));
const gcpBaseline = median(Array.from({ length: runs }, () => time(() => {
  const app = new cdktf.App({ outdir: tmp() });
  new cdktf.TerraformStack(app, 'empty');
  app.synth();
})));

const rows = [];
for (const rung of RUNGS) {
  let aws;
  const awsMs = median(Array.from({ length: runs }, () => time(() => { aws = synthAwsRung(rung, tmp()); })));
  let gcp;
  const gcpMs = median(Array.from({ length: runs }, () => time(() => { gcp = synthGcpRung(rung, tmp()); })));
  rows.push({
    rung,
    awsMs: Math.round(awsMs),
    awsRatio: +(awsMs / awsBaseline).toFixed(1),
    awsResources: aws.stacks.map(s => s.resources),
    gcpMs: Math.round(gcpMs),
    gcpRatio: +(gcpMs / gcpBaseline).toFixed(1),
    gcpResources: gcp.stacks.map(s => s.resources),
  });
}

const cdkRequire = requireCost('aws-cdk-lib');
const entryRequire = requireCost(path.join(dist, 'index.js'));
const result = {
  runs,
  baseline: { emptyAwsStackMs: Math.round(awsBaseline), emptyCdktfStackMs: Math.round(gcpBaseline) },
  rungs: rows,
  require: { awsCdkLibMs: Math.round(cdkRequire), entryPointMs: Math.round(entryRequire), ratio: +(entryRequire / cdkRequire).toFixed(2) },
};

if (asJson) {
  console.log(JSON.stringify(result));
} else {
  console.log(`baseline (median of ${runs}): empty CDK stack ${result.baseline.emptyAwsStackMs} ms, empty cdktf stack ${result.baseline.emptyCdktfStackMs} ms`);
  console.log('rung   aws ms (× empty)  resources per stack    gcp ms (× empty)  resources');
  for (const r of rows) {
    console.log(`${r.rung.padEnd(6)} ${String(r.awsMs).padStart(6)} (${String(r.awsRatio).padStart(5)}×)  ${r.awsResources.join(' + ').padEnd(20)} ${String(r.gcpMs).padStart(6)} (${String(r.gcpRatio).padStart(5)}×)  ${r.gcpResources.join(' + ')}`);
  }
  console.log(`require: aws-cdk-lib ${result.require.awsCdkLibMs} ms, scale-ladder entry point ${result.require.entryPointMs} ms (${result.require.ratio}×)`);
}
