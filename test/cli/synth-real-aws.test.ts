import * as fs from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

// Real synthesis through the command, recording whether the other cloud's library is loaded
// (each test file has its own module registry, so nothing is loaded before the test).
const mockLoaded: string[] = [];
jest.mock('aws-cdk-lib', () => { mockLoaded.push('aws-cdk-lib'); return jest.requireActual('aws-cdk-lib'); });
jest.mock('cdktf', () => { mockLoaded.push('cdktf'); return jest.requireActual('cdktf'); });

describe('scale-ladder synth --cloud aws (real rung)', () => {
  test('--cloud aws writes a cloud assembly and summarises it, without loading cdktf', async () => {
    const workdir = tempDir();
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '1K', '--json'], workdir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.outdir).toBe('scale-ladder.out/aws-1K');
    expect(fs.existsSync(path.join(workdir, 'scale-ladder.out/aws-1K/manifest.json'))).toBe(true);
    expect(json.stacks.length).toBeGreaterThanOrEqual(1);
    for (const stack of json.stacks) {
      const file = path.join(workdir, stack.file);
      expect(file).toMatch(/\.template\.json$/);
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(stack.resources).toBe(Object.keys(template.Resources).length);
      expect(stack.outputs).toBe(Object.keys(template.Outputs ?? {}).length);
      expect(stack.bytes).toBe(fs.statSync(file).size);
      expect(Object.values<number>(stack.byLayer).reduce((a, b) => a + b, 0)).toBe(stack.resources);
    }
    expect(json.problems).toEqual([]);
    expect(mockLoaded).toContain('aws-cdk-lib');
    expect(mockLoaded).not.toContain('cdktf');
  });
});
