#!/usr/bin/env node
/*
 * Side-by-side costs of scale-ladder against what the same work costs without it, in one run.
 * Every sample is a fresh `node` process (bench/sample.js), and each subject sample alternates
 * with a sample of its baseline (subject first on even rounds, baseline first on odd ones) so
 * that load on the machine hits both alike. Reports medians and their ratios.
 *
 *   npx projen compile                 # the bench runs the compiled package (dist/), not lib/
 *   node bench/compare.js [--runs N] [--only ID,ID…] [--no-warmup] [--json]
 *   node bench/compare.js --tests [-- JEST_ARGS…]   # the test suite: one `npx jest`, wall time
 *
 * Columns: "work" is what the row names, timed inside the process after its first requires
 * (construct + synth, the command's run, or the require itself for the require rows); "pair
 * range" is the spread of the per-round work ratios; "work CPU" is the ratio of the same section's
 * user + system CPU time, which other load on the machine disturbs less than wall time; "process"
 * is the wall time of the whole process (spawn to exit, measured here). Targets apply to the work
 * ratios, wall and CPU, as printed.
 *
 * aws-cdk-lib runs its built-in CloudFormation validation in every synth unless the app sets
 * builtinCloudFormationValidation: false or the environment has CDK_VALIDATION=false (read as
 * `process.env.CDK_VALIDATION !== "false"` in aws-cdk-lib/core/lib/private/synthesis-validation.js;
 * `cdk synth --no-validation` sets it). A user gets it by default, so the synth rows run both ways.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const sampleScript = path.join(__dirname, 'sample.js');

const argv = process.argv.slice(2);
const dashDash = argv.indexOf('--');
const args = dashDash < 0 ? argv : argv.slice(0, dashDash);
const passThrough = dashDash < 0 ? [] : argv.slice(dashDash + 1);
const option = name => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs') ?? 5);
const asJson = args.includes('--json');
const warmup = !args.includes('--no-warmup');
const only = option('--only')?.split(',');

if (!Number.isInteger(runs) || runs < 1) usage('--runs takes a whole number ≥ 1');

function usage(reason) {
  process.stderr.write(`bench: ${reason}\nusage: node bench/compare.js [--runs N] [--only ID,ID…] [--no-warmup] [--json] | --tests [-- JEST_ARGS…]\n`);
  process.exit(2);
}

// ---- test-suite mode -------------------------------------------------------------------------

if (args.includes('--tests')) {
  const started = process.hrtime.bigint();
  const jest = spawnSync('npx', ['jest', ...passThrough], { cwd: root, stdio: 'inherit' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const summary = { command: ['npx', 'jest', ...passThrough].join(' '), wallSeconds: +seconds.toFixed(1), exitCode: jest.status, node: process.version, cpus: os.cpus().length };
  if (asJson) console.log(JSON.stringify(summary));
  else console.log(`\ntest suite: \`${summary.command}\` took ${summary.wallSeconds} s wall (exit code ${summary.exitCode}; ${summary.cpus} CPUs, node ${summary.node})`);
  process.exit(jest.status ?? 1);
}

// ---- the compiled package must be there ------------------------------------------------------

for (const file of ['index.js', path.join('cli', 'main.js')]) {
  if (!fs.existsSync(path.join(dist, file))) {
    process.stderr.write(`bench: dist/${file} not found; run \`npx projen compile\` first (the bench measures the compiled package)\n`);
    process.exit(2);
  }
}

/** The newest lib/**\/*.ts newer than dist/index.js, if any: the numbers would be of older code. */
function staleSource() {
  const built = fs.statSync(path.join(dist, 'index.js')).mtimeMs;
  const walk = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : (p.endsWith('.ts') ? [p] : []);
  });
  return walk(path.join(root, 'lib')).find(f => fs.statSync(f).mtimeMs > built);
}

// ---- the comparisons -------------------------------------------------------------------------

const NO_VALIDATION = { CDK_VALIDATION: 'false' };
const VALIDATION_DEFAULT = {}; // CDK_VALIDATION removed from the environment: aws-cdk-lib's default (on)
const work = {};
const dirOf = name => path.join(work.dir, name);

const COMPARISONS = [
  {
    id: 'tier100k',
    title: 'Tier100K synth / hand-written aws-cdk-lib 100K',
    subject: { mode: 'tier-100k' },
    baseline: { mode: 'cdk-100k' },
    variants: 'validation',
    target: 1.2,
  },
  {
    id: 'tier1b',
    title: 'Tier1B synth (3 stacks) / empty stack synth',
    subject: { mode: 'tier-1b' },
    baseline: { mode: 'empty' },
    variants: 'validation',
    target: 2,
  },
  {
    id: 'require',
    title: "require('scale-ladder') / require('aws-cdk-lib')",
    subject: { mode: 'require-entry' },
    baseline: { mode: 'require-cdk' },
    target: 1.1,
  },
  {
    id: 'require-aws',
    title: "require('scale-ladder').Tier100K / aws-cdk-lib + ec2, ecs, ecs-patterns, rds",
    subject: { mode: 'require-aws' },
    baseline: { mode: 'require-cdk-services' },
  },
  {
    id: 'plan',
    title: 'plan --cloud aws --from 1M --to 10M / synth --tier 10M',
    subject: { mode: 'cli', args: ['plan', '--cloud', 'aws', '--from', '1M', '--to', '10M'] },
    baseline: { mode: 'cli', args: ['synth', '--cloud', 'aws', '--tier', '10M'] },
    variants: 'validation',
  },
  {
    id: 'plan-dirs',
    title: 'plan of two synthesized cdk.out dirs (1M, 10M) / synth --tier 10M',
    subject: { mode: 'cli', args: () => ['plan', '--cloud', 'aws', '--from', dirOf('1M'), '--to', dirOf('10M')] },
    baseline: { mode: 'cli', args: ['synth', '--cloud', 'aws', '--tier', '10M'] },
    // The plan synthesizes nothing; the baseline is the synth a user gets (validation on).
    setup: () => {
      for (const rung of ['1M', '10M']) {
        sample({ mode: 'cli', args: ['synth', '--cloud', 'aws', '--tier', rung, '--out', dirOf(rung)] }, NO_VALIDATION);
      }
    },
  },
];

const rows = [];
for (const c of COMPARISONS) {
  if (c.variants === 'validation') {
    rows.push({ ...c, id: c.id, validation: 'on (default)', env: VALIDATION_DEFAULT });
    rows.push({ ...c, id: `${c.id}-novalidation`, validation: 'off', env: NO_VALIDATION });
  } else {
    rows.push({ ...c, validation: c.id.startsWith('plan') ? 'on (default)' : '–', env: VALIDATION_DEFAULT });
  }
}
const selected = only ? rows.filter(r => only.some(o => r.id === o || r.id.startsWith(`${o}-`))) : rows;
if (only && selected.length === 0) usage(`--only matched none of ${rows.map(r => r.id).join(', ')}`);

// ---- sampling --------------------------------------------------------------------------------

/** Runs one sample in a fresh process; returns its timings with the wall time seen from here. */
function sample(spec, env) {
  const resultFile = path.join(work.dir, `sample-${process.pid}-${work.count = (work.count ?? 0) + 1}.json`);
  const specArgs = typeof spec.args === 'function' ? spec.args() : (spec.args ?? []);
  const childEnv = { ...process.env, ...env };
  if (!('CDK_VALIDATION' in env)) delete childEnv.CDK_VALIDATION;
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [sampleScript, spec.mode, resultFile, ...specArgs], { cwd: root, env: childEnv, encoding: 'utf8' });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) {
    throw new Error(`sample ${spec.mode} ${specArgs.join(' ')} failed (exit ${child.status}):\n${child.stderr}`);
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  fs.rmSync(resultFile, { force: true });
  return { ...result, processMs };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** What a row's "work" is: the require for require rows, the timed section otherwise. */
const isRequire = row => row.subject.mode.startsWith('require');
const workOf = (row, s) => (isRequire(row) ? s.loadMs : s.workMs);
const workCpuOf = (row, s) => (isRequire(row) ? s.loadCpuMs : s.workCpuMs);

function measure(row) {
  if (row.setup && !row.setupDone) {
    row.setup();
    for (const r of rows) if (r.setup === row.setup) r.setupDone = true;
  }
  if (warmup) {
    sample(row.subject, row.env);
    sample(row.baseline, row.env);
  }
  const subject = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      subject.push(sample(row.subject, row.env));
      baseline.push(sample(row.baseline, row.env));
    } else {
      baseline.push(sample(row.baseline, row.env));
      subject.push(sample(row.subject, row.env));
    }
    progress(`${row.id}: round ${i + 1}/${runs}`);
  }
  const stat = (list, f) => median(list.map(f));
  const m = {
    subject: { processMs: stat(subject, s => s.processMs), workMs: stat(subject, s => workOf(row, s)), workCpuMs: stat(subject, s => workCpuOf(row, s)), cpuMs: stat(subject, s => s.cpuMs) },
    baseline: { processMs: stat(baseline, s => s.processMs), workMs: stat(baseline, s => workOf(row, s)), workCpuMs: stat(baseline, s => workCpuOf(row, s)), cpuMs: stat(baseline, s => s.cpuMs) },
  };
  const pairRatios = subject.map((s, i) => workOf(row, s) / workOf(row, baseline[i]));
  return {
    id: row.id,
    title: row.title,
    validation: row.validation,
    target: row.target ?? null,
    medians: m,
    ratio: {
      process: m.subject.processMs / m.baseline.processMs,
      work: m.subject.workMs / m.baseline.workMs,
      workCpu: m.subject.workCpuMs / m.baseline.workCpuMs,
      cpu: m.subject.cpuMs / m.baseline.cpuMs,
    },
    // Compared as printed (two decimals): the medians are not more precise than that.
    met: row.target === undefined ? null : {
      wall: +(m.subject.workMs / m.baseline.workMs).toFixed(2) <= row.target,
      cpu: +(m.subject.workCpuMs / m.baseline.workCpuMs).toFixed(2) <= row.target,
    },
    pairRange: [Math.min(...pairRatios), Math.max(...pairRatios)],
    resources: { subject: subject[0].resources ?? null, baseline: baseline[0].resources ?? null },
    samples: { subject, baseline },
  };
}

function progress(text) {
  if (!asJson && process.stderr.isTTY) process.stderr.write(`\r${text.padEnd(60)}`);
}

// ---- run and print ---------------------------------------------------------------------------

work.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-compare-'));
const stale = staleSource();
const loadBefore = os.loadavg()[0];
const started = Date.now();
let results;
try {
  results = selected.map(measure);
} finally {
  fs.rmSync(work.dir, { recursive: true, force: true });
}
if (!asJson && process.stderr.isTTY) process.stderr.write(`\r${''.padEnd(60)}\r`);
const meta = {
  node: process.version,
  cpus: os.cpus().length,
  runs,
  warmup,
  loadAverage: { before: +loadBefore.toFixed(1), after: +os.loadavg()[0].toFixed(1) },
  seconds: Math.round((Date.now() - started) / 1000),
  staleDist: stale ? path.relative(root, stale) : null,
};

if (asJson) {
  console.log(JSON.stringify({ ...meta, results }, null, 2));
} else {
  const ms = v => (v >= 100 ? String(Math.round(v)) : v.toFixed(1));
  const x = v => `${v.toFixed(2)}×`;
  const header = ['comparison (subject / baseline)', 'CDK validation', 'work ms', 'work', 'pair range', 'work CPU', 'process ms', 'process', 'target'];
  const body = results.map(r => [
    r.title,
    r.validation,
    `${ms(r.medians.subject.workMs)} / ${ms(r.medians.baseline.workMs)}`,
    x(r.ratio.work),
    `${r.pairRange[0].toFixed(2)}–${r.pairRange[1].toFixed(2)}`,
    x(r.ratio.workCpu),
    `${ms(r.medians.subject.processMs)} / ${ms(r.medians.baseline.processMs)}`,
    x(r.ratio.process),
    r.target === null ? '' : `≤ ${r.target}×: wall ${r.met.wall ? 'met' : 'MISSED'}, CPU ${r.met.cpu ? 'met' : 'MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map(b => b[i].length)));
  const line = cells => cells.map((cell, i) => (i >= 2 && i <= 7 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`scale-ladder bench: medians of ${runs} fresh processes per side, alternated (node ${meta.node}, ${meta.cpus} CPUs, load ${meta.loadAverage.before} → ${meta.loadAverage.after}, ${meta.seconds} s)`);
  console.log(line(header));
  console.log(line(widths.map(w => '-'.repeat(w))));
  for (const b of body) console.log(line(b));
  const counted = new Set();
  for (const r of results.filter(r => r.resources.subject && !counted.has(r.title) && counted.add(r.title))) {
    console.log(`resources per stack, ${r.title}: ${r.resources.subject.join(' + ')} / ${r.resources.baseline.join(' + ')}`);
  }
  console.log('work = construct + synth, the command\'s run, or the require (wall, and CPU: user + system); process = spawn to exit; targets apply to work.');
  console.log('Under load the wall ratios scatter (see pair range); the CPU ratios hold, and on an idle machine a synth\'s wall time is its CPU time.');
  if (meta.staleDist) console.log(`warning: ${meta.staleDist} is newer than dist/: run \`npx projen compile\` to measure the current source`);
}
