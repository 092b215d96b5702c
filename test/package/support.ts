import { execFile, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/*
 * Helpers for the package tests: what `npm pack` ships, and empty apps that install the packed
 * tarball from the local npm cache only (no registry request), the way a user's app would.
 */

export const ROOT = path.join(__dirname, '..', '..');

/** One entry of `npm pack --json` (npm docs, "npm pack"). */
export interface PackResult {
  readonly filename: string;
  /** The tarball's size in bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number }>;
  readonly bundled: readonly string[];
}

/** `npm pack --json` in `dir`: the tarball written to `destination`, or only its listing with `dryRun`. */
export function npmPack(dir: string, options: { dryRun?: boolean; destination?: string } = {}): PackResult {
  const args = ['pack', '--json', '--ignore-scripts'];
  if (options.dryRun) args.push('--dry-run');
  if (options.destination) args.push('--pack-destination', options.destination);
  const out = execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out)[0];
}

/**
 * Fails with what to run when the compiled package (dist/, post-processed) is missing. Under
 * `npm test` the compile runs beside jest (build-tools/run-tests.js): this first waits for it to
 * finish, and fails if it failed.
 */
export async function requireCompiled(): Promise<void> {
  const statusFile = process.env.SCALE_LADDER_COMPILE_STATUS;
  if (statusFile) {
    while (!fs.existsSync(statusFile)) await new Promise(resolve => setTimeout(resolve, 100));
    const status = fs.readFileSync(statusFile, 'utf8');
    if (status !== '0') throw new Error(`the jsii compile that npm test runs beside jest failed (exit ${status}): its output follows jest's`);
  }
  const index = path.join(ROOT, 'dist', 'index.js');
  if (!fs.existsSync(index) || !fs.readFileSync(index, 'utf8').includes('/* lazy-cloud-exports */')) {
    throw new Error(`${index} is missing or not post-processed: run 'npx projen compile' first (npm test does)`);
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly bundleDependencies?: readonly string[];
  readonly [key: string]: unknown;
}

/**
 * The entries of this repository's package-lock.json that `names` need at run time: each
 * package where Node would resolve it from the top (`node_modules/a/node_modules/b` before
 * `node_modules/b`), what it bundles, its dependencies and its required peers, without the
 * `dev`/`peer` flags, which describe this repository and not the app. The lockfile holds each
 * tarball's integrity, which is what lets `npm ci --offline` take it from the npm cache.
 */
function lockEntriesFor(names: readonly string[]): Record<string, LockEntry> {
  const packages: Record<string, LockEntry> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
  const picked: Record<string, LockEntry> = {};
  const visit = (name: string, from: string): void => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      const entry = packages[key];
      if (entry) {
        if (picked[key]) return;
        picked[key] = entry;
        for (const [nested, value] of Object.entries(packages)) {
          if (nested.startsWith(`${key}/node_modules/`)) picked[nested] = value;
        }
        const bundled = new Set(entry.bundleDependencies ?? []);
        for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
          if (!bundled.has(dep)) visit(dep, key);
        }
        for (const peer of Object.keys(entry.peerDependencies ?? {})) {
          if (!entry.peerDependenciesMeta?.[peer]?.optional) visit(peer, key);
        }
        return;
      }
      if (!dir) throw new Error(`${name} (needed by ${from || 'the app'}) is not in package-lock.json`);
    }
  };
  for (const name of names) visit(name, '');
  return Object.fromEntries(Object.entries(picked).map(([key, { dev, peer, devOptional, ...entry }]) => [key, entry]));
}

/**
 * Writes an empty app to `dir` whose package.json and package-lock.json depend on the packed
 * tarball (copied in as scale-ladder.tgz) and on `peers` at the versions this repository
 * locks. `installApp` then installs exactly that, from the cache.
 */
export function writeApp(dir: string, tarball: string, peers: readonly string[]): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const entries = lockEntriesFor(peers);
  const dependencies: Record<string, string> = { 'scale-ladder': 'file:scale-ladder.tgz' };
  for (const peer of peers) dependencies[peer] = entries[`node_modules/${peer}`].version!;
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(tarball, path.join(dir, 'scale-ladder.tgz'));
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  const app = { name: 'app', version: '1.0.0', private: true, dependencies };
  const lock = {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies },
      ...entries,
      'node_modules/scale-ladder': {
        version: manifest.version,
        resolved: 'file:scale-ladder.tgz',
        integrity,
        license: manifest.license,
        bundleDependencies: manifest.bundledDependencies,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
        peerDependencies: manifest.peerDependencies,
        peerDependenciesMeta: manifest.peerDependenciesMeta,
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end, whatever its exit code (async, so two apps can work side by side). */
export function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise(resolve => {
    execFile(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `npm ci --offline` in an app written by `writeApp`: every package comes from the npm cache
 * (npm docs, "config": offline), which `npm ci` in this repository filled.
 */
export async function installApp(dir: string): Promise<void> {
  const result = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  if (result.code !== 0) {
    const hint = /ENOTCACHED/.test(result.stderr) ? " (a package is not in the npm cache: run 'npm ci' in the repository first)" : '';
    throw new Error(`npm ci --offline in ${dir} failed${hint}:\n${result.stderr}`);
  }
}
