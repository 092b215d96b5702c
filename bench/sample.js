#!/usr/bin/env node
/*
 * One sample of bench/compare.js: does one thing in this fresh process and writes its timings
 * as JSON to RESULT_FILE. Not meant to be run by hand (compare.js runs it, one process per sample).
 *
 *   node bench/sample.js MODE RESULT_FILE [ARG…]
 *
 * Modes (every synth writes to a fresh temporary directory, removed afterwards):
 *   empty           aws-cdk-lib: one stack with one placeholder resource, synthesized
 *   cdk-100k        aws-cdk-lib: the hand-written 100K equivalent (bench/hand-written-100k.js)
 *   tier-100k       scale-ladder (dist/index.js): Tier100K in the same app, stack and environment
 *   tier-1b         scale-ladder: Tier1B (its region stacks included), same app and stack
 *   require-cdk     require('aws-cdk-lib')
 *   require-entry   require('scale-ladder'), i.e. dist/index.js (the package's main)
 *   require-aws     require('scale-ladder') and read Tier100K (loads the AWS constructs)
 *   require-cdk-services  require('aws-cdk-lib') and the service modules the hand-written app uses
 *   cli ARG…        the `scale-ladder` command as the published bin runs it (dist/cli/main.js)
 *
 * Timings: loadMs (the requires, the constructs' modules included), workMs (construct + synth after
 * loading, or the command's run), loadCpuMs / workCpuMs (the CPU time of the same sections),
 * sinceStartMs (performance.now() at the end: since the process started), cpuMs (user + system
 * CPU of this process: less sensitive to other load on the machine than wall time).
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const [mode, resultFile, ...rest] = process.argv.slice(2);
const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const ENV = { account: '123456789012', region: 'us-east-1' };
const IMAGE = 'public.ecr.aws/docker/library/nginx:1.27';

function now() {
  return performance.now();
}

/** CPU milliseconds (user + system, all threads) this process has used so far. */
function cpuNow() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-bench-'));
}

/** Builds an app with `add(stack, libs)` and synthesizes it; the requires are timed apart. */
function synthApp(load, add) {
  const t0 = now();
  const libs = load();
  const t1 = now();
  const c1 = cpuNow();
  const outdir = tmpdir();
  try {
    const app = new libs.cdk.App({ outdir });
    const stack = new libs.cdk.Stack(app, 'Shop', { env: ENV });
    add(stack, libs);
    const assembly = app.synth();
    const t2 = now();
    const c2 = cpuNow();
    const resources = assembly.stacks.map(s => Object.keys(s.template.Resources ?? {}).length);
    return { loadMs: t1 - t0, workMs: t2 - t1, workCpuMs: c2 - c1, stacks: assembly.stacks.length, resources };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function timeLoad(load) {
  const t0 = now();
  const c0 = cpuNow();
  load();
  return { loadMs: now() - t0, loadCpuMs: cpuNow() - c0, workMs: 0 };
}

const loadCdk = () => ({ cdk: require('aws-cdk-lib') });
// The constructs' modules load with the requires, so workMs is construct + synth alone.
const loadHandWritten = () => ({ cdk: require('aws-cdk-lib'), handWritten: require('./hand-written-100k') });
const loadLadder = () => {
  const ladder = require(dist);
  // The AWS constructs load on first use (build-tools/lazy-cloud-exports.js): use them here.
  if (typeof ladder.Tier100K !== 'function') throw new Error('Tier100K missing from dist/index.js');
  return { cdk: require('aws-cdk-lib'), ladder };
};
const ladderProps = ladder => ({ image: ladder.AppImage.fromRegistry(IMAGE), port: 80 });

async function cli(args) {
  const t0 = now();
  const { main } = require(path.join(dist, 'cli', 'main.js'));
  const t1 = now();
  const c1 = cpuNow();
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: s => { stdout += s; } }, stderr: { write: s => { stderr += s; } } };
  // A synth gets a fresh output directory, as a first `scale-ladder synth` would (kept if given).
  const outdir = args[0] === 'synth' && !args.includes('--out') ? tmpdir() : undefined;
  try {
    const code = await main(outdir ? [...args, '--out', outdir] : args, io);
    const t2 = now();
    const c2 = cpuNow();
    if (code !== 0) throw new Error(`scale-ladder ${args.join(' ')} exited ${code}: ${stderr.trim() || stdout.trim().split('\n').pop()}`);
    return { loadMs: t1 - t0, workMs: t2 - t1, workCpuMs: c2 - c1, lastLine: stdout.trim().split('\n').pop() };
  } finally {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const MODES = {
  'empty': () => synthApp(loadCdk, (stack, { cdk }) => {
    // One placeholder: an empty template is itself a validation warning.
    new cdk.CfnWaitConditionHandle(stack, 'Placeholder');
  }),
  'cdk-100k': () => synthApp(loadHandWritten, (stack, { handWritten }) => handWritten.addHandWritten100K(stack)),
  'tier-100k': () => synthApp(loadLadder, (stack, { ladder }) => new ladder.Tier100K(stack, 'App', ladderProps(ladder))),
  'tier-1b': () => synthApp(loadLadder, (stack, { ladder }) => new ladder.Tier1B(stack, 'App', {
    ...ladderProps(ladder),
    // Needed from 1B (latency records in the zone).
    zone: { hostedZoneId: 'Z0EXAMPLE0SCALELADDER', zoneName: 'example.com' },
  })),
  'require-cdk': () => timeLoad(() => require('aws-cdk-lib')),
  'require-entry': () => timeLoad(() => require(dist)),
  'require-aws': () => timeLoad(() => {
    if (typeof require(dist).Tier100K !== 'function') throw new Error('Tier100K missing');
  }),
  'require-cdk-services': () => timeLoad(() => {
    for (const m of ['aws-cdk-lib', 'aws-cdk-lib/aws-ec2', 'aws-cdk-lib/aws-ecs', 'aws-cdk-lib/aws-ecs-patterns', 'aws-cdk-lib/aws-rds']) require(m);
  }),
  'cli': () => cli(rest),
};

async function run() {
  const measure = MODES[mode];
  if (!measure || !resultFile) {
    process.stderr.write(`usage: node bench/sample.js ${Object.keys(MODES).join('|')} RESULT_FILE [ARG…]\n`);
    process.exit(2);
  }
  const result = await measure();
  fs.writeFileSync(resultFile, JSON.stringify({ mode, ...result, sinceStartMs: now(), cpuMs: cpuNow() }));
}

run().catch(err => {
  process.stderr.write(`bench sample ${mode}: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
