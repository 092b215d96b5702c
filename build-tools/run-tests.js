#!/usr/bin/env node
/*
 * The main step of `npm test`: the jsii compile, the type check and lint
 * (build-tools/type-check-and-lint.js) and jest, side by side; any of them failing fails it.
 * Arguments go to jest (`npm test -- test/core`).
 *
 * Each of the three leaves part of a core idle (jest waits for npm and PostgreSQL, the other two
 * are single-threaded), so together they finish sooner than one after the other. The suites that
 * need the compiled package (test/package, test/cli/bin.test.ts) wait for the compile: it writes
 * its exit status to the file SCALE_LADDER_COMPILE_STATUS names (test/package/support.ts
 * requireCompiled). The output of the compile and of the checks follows jest's when they fail.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const COMPILE_STATUS_ENV = 'SCALE_LADDER_COMPILE_STATUS';

/** Runs a command; its output is kept for later unless `live`. */
function run(label, command, args, { env = process.env, live = false } = {}) {
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const output = [];
    if (!live) {
      child.stdout.on('data', chunk => output.push(chunk));
      child.stderr.on('data', chunk => output.push(chunk));
    }
    const done = code => resolve({ label, code, seconds: (Date.now() - started) / 1000, output: Buffer.concat(output).toString() });
    child.on('error', error => {
      output.push(Buffer.from(`${error.message}\n`));
      done(127);
    });
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

async function main() {
  const statusDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-compile-'));
  const statusFile = path.join(statusDir, 'status');
  const bin = name => path.join(ROOT, 'node_modules', '.bin', name);

  const compile = run('jsii compile', bin('projen'), ['compile']).then(result => {
    // Written whole under a temporary name, so a waiting suite never reads half of it.
    fs.writeFileSync(`${statusFile}.tmp`, String(result.code));
    fs.renameSync(`${statusFile}.tmp`, statusFile);
    return result;
  });
  const checks = run('type check and lint', process.execPath, [path.join(__dirname, 'type-check-and-lint.js')]);
  const jest = run('jest', process.execPath, [require.resolve('jest/bin/jest'), '--passWithNoTests', '--ci', ...process.argv.slice(2)], {
    env: { ...process.env, [COMPILE_STATUS_ENV]: statusFile },
    live: true,
  });

  const results = await Promise.all([jest, compile, checks]);
  fs.rmSync(statusDir, { recursive: true, force: true });
  for (const result of results.slice(1)) {
    if (result.code !== 0) process.stdout.write(`\n── ${result.label} ──\n${result.output.replace(/\n?$/, '\n')}`);
  }
  process.stdout.write(`\n${results.map(r => `${r.label}: ${r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s`).join(' · ')}\n`);
  process.exitCode = results.every(r => r.code === 0) ? 0 : 1;
}

void main();
