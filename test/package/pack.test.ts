import * as fs from 'fs';
import * as path from 'path';
import { npmPack, PackResult, requireCompiled, ROOT, tempDir } from './support';

/*
 * What `npm pack` ships: the compiled library, the one command, the jsii assembly, the docs and
 * the bundled dependencies — never build or test outputs, sources, tests or build tools
 * (package.json "files", set in .projenrc.ts).
 */

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const bundled: string[] = manifest.bundledDependencies;

/** Every path the package may hold. */
function allowed(file: string): boolean {
  if (['package.json', 'README.md', 'LICENSE', 'API.md', '.jsii', 'bin/scale-ladder.js'].includes(file)) return true;
  // The pages README links, and the diagrams it embeds.
  if (/^docs\/[a-z-]+\.md$/.test(file) || /^docs\/diagrams\/[a-z0-9-]+\.svg$/i.test(file)) return true;
  if (/^dist\/.+\.(js|d\.ts)$/.test(file)) return true;
  // A bundled dependency and what it brings (npm docs, package.json "bundleDependencies").
  return file.startsWith('node_modules/');
}

/** What a clone holds and the package must not: outputs, sources, tests, tools. */
const NEVER = [
  /^scale-ladder\.out\//, /(^|\/)cdk\.out\//, /(^|\/)cdktf\.out\//, /^stacks\//, /^\.bench\//, /^bench\//,
  /^coverage\//, /^test-reports\//, /(^|\/)junit\.xml$/, /\.tsbuildinfo$/, /^test\//, /^build-tools\//,
  /^lib\//, /^examples\//, /^projenrc\//, /^\.projen\//, /^\.ci\//, /\.tgz$/, /^tsconfig/, /^\.projenrc/,
  /^\.(npmignore|gitignore|gitattributes|eslintrc\.json)$/, /^package-lock\.json$/,
];

describe('npm pack', () => {
  beforeAll(requireCompiled);
  // The repository's own dry run, read by two tests (each npm run costs seconds).
  let repositoryPack: PackResult | undefined;
  const packRepository = () => (repositoryPack ??= npmPack(ROOT, { dryRun: true }));

  test('ships the compiled library, the command, the assembly, the docs and the bundled dependencies, nothing else', () => {
    const pack = packRepository();
    const files = pack.files.map(f => f.path);
    const own = files.filter(f => !f.startsWith('node_modules/'));
    console.log(`npm pack: ${pack.filename}, ${(pack.size / 1e6).toFixed(2)} MB packed, ${(pack.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${pack.entryCount} files (${own.length} of the package's own)`);

    expect(files.filter(f => !allowed(f))).toEqual([]);
    expect(files.filter(f => NEVER.some(re => re.test(f)))).toEqual([]);
    expect(own).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', '.jsii', 'bin/scale-ladder.js', 'docs/install.md', 'docs/credentials.md', 'docs/security.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']));
    // Only the declared bundled dependencies (and what they need) come along, each with its package.json.
    expect(pack.bundled).toEqual(expect.arrayContaining(bundled));
    for (const name of bundled) expect(files).toContain(`node_modules/${name}/package.json`);
  });

  test('leaves outputs out even when a clone holds them', () => {
    // A stand-in clone with an output of every kind beside the files that ship: npm applies the
    // same package.json "files" (and .npmignore) to it as to the repository.
    const dir = tempDir('scale-ladder-pack-');
    try {
      const decoys = [
        'scale-ladder.out/aws-1K/ScaleLadder.template.json', 'cdk.out/manifest.json', 'cdktf.out/stacks/shop/cdk.tf.json',
        'dist/cdk.out/manifest.json', 'stacks/shop/cdk.tf.json', '.bench/run.json', 'bench/synth.js', 'coverage/lcov.info',
        'test-reports/junit.xml', 'tsconfig.tsbuildinfo', 'dist/tsconfig.tsbuildinfo', 'test/core/tier.test.ts',
        'build-tools/cli-from-source.js', 'build-tools/lazy-cloud-exports.js', 'lib/index.ts', 'dist/index.js.map',
        'examples/aws/app.ts', 'scale-ladder-0.0.0.tgz',
      ];
      const shipped = ['bin/scale-ladder.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', '.jsii', 'API.md', 'README.md', 'LICENSE', 'docs/install.md'];
      for (const file of [...decoys, ...shipped]) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), '\n');
      }
      const { bundledDependencies, dependencies, ...rest } = manifest;
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(rest));
      for (const ignore of ['.npmignore', '.gitignore']) fs.copyFileSync(path.join(ROOT, ignore), path.join(dir, ignore));

      const files = npmPack(dir, { dryRun: true }).files.map(f => f.path).sort();
      expect(files).toEqual([...shipped, 'package.json'].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the packaged command needs no TypeScript tooling: its clone-only loader stays out', () => {
    const files = packRepository().files.map(f => f.path);
    expect(files).not.toContain('build-tools/cli-from-source.js');
    expect(files).not.toContain('lib/cli/main.ts');
    // The published bin requires only Node built-ins and, outside a clone, the compiled CLI.
    const bin = fs.readFileSync(path.join(ROOT, 'bin', 'scale-ladder.js'), 'utf8');
    expect(bin).not.toMatch(/ts-node|typescript/);
    expect([...bin.matchAll(/require\(([^)]*)\)/g)].map(m => m[1])).toEqual(["'fs'", "'path'", 'loader', 'entryPoint']);
  });

  test('declares the Node versions it runs on and one command', () => {
    expect(manifest.engines).toEqual({ node: '>= 20.9.0' });
    expect(process.versions.node.split('.').map(Number)[0]).toBeGreaterThanOrEqual(20);
    expect(manifest.bin).toEqual({ 'scale-ladder': 'bin/scale-ladder.js' });
    expect(manifest.peerDependenciesMeta).toEqual({ 'aws-cdk-lib': { optional: true }, 'cdktf': { optional: true }, '@cdktf/provider-google': { optional: true } });
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['@cdktf/provider-google', 'aws-cdk-lib', 'cdktf', 'constructs']);
  });
});
