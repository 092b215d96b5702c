import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireCompiled } from '../package/support';

const root = path.join(__dirname, '..', '..');

function runBin(bin: string, args: string[], cwd: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

/** A directory laid out like the installed package (or a clone, with `lib/cli/main.ts`): bin/ and what the test adds. */
function layout(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-bin-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(path.join(root, 'bin', 'scale-ladder.js'), path.join(dir, 'bin', 'scale-ladder.js'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

// Stands in for build-tools/cli-from-source.js: says that it ran instead of loading TypeScript.
const LOADER_STUB = `exports.sourceEntryPoint = (root, source) => {
  require('fs').writeFileSync(require('path').join(root, 'loader-ran'), source);
  return require('path').join(root, 'source-main.js');
};`;
const SOURCE_MAIN_STUB = "exports.main = async (argv, io) => { io.stdout.write('from source: ' + argv.join(' ') + '\\n'); return 3; };";

describe('bin/scale-ladder.js', () => {
  test('runs the command from the repository clone (TypeScript source via build-tools/cli-from-source.js) and passes on the exit code', () => {
    const result = runBin(path.join(root, 'bin', 'scale-ladder.js'), ['recommend', '--users', '1000', '--json'], root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.tier).toBe('1K');
    expect(json.peakRps).toBeCloseTo(0.694, 3);
  });

  test('in the published layout (no lib/) runs the compiled dist/cli/main.js and never the clone-only loader', async () => {
    await requireCompiled();
    const dir = layout({ 'build-tools/cli-from-source.js': "throw new Error('the clone-only loader ran');" });
    try {
      fs.symlinkSync(path.join(root, 'dist'), path.join(dir, 'dist'), 'dir');
      const result = runBin(path.join(dir, 'bin', 'scale-ladder.js'), ['recommend', '--users', '1000', '--json'], dir);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(result.stdout).tier).toBe('1K');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with lib/cli/main.ts next to it, runs what the clone-only loader returns', () => {
    const dir = layout({ 'lib/cli/main.ts': '', 'build-tools/cli-from-source.js': LOADER_STUB, 'source-main.js': SOURCE_MAIN_STUB });
    try {
      const result = runBin(path.join(dir, 'bin', 'scale-ladder.js'), ['synth', '--json'], dir);
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 3, stdout: 'from source: synth --json\n', stderr: '' });
      expect(fs.readFileSync(path.join(dir, 'loader-ran'), 'utf8')).toBe(path.join(dir, 'lib', 'cli', 'main.ts'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
