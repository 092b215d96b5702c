import * as fs from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

// Real synthesis through the command, recording whether the other cloud's library is loaded
// (each test file has its own module registry, so nothing is loaded before the test).
const mockLoaded: string[] = [];
jest.mock('aws-cdk-lib', () => { mockLoaded.push('aws-cdk-lib'); return jest.requireActual('aws-cdk-lib'); });
jest.mock('cdktf', () => { mockLoaded.push('cdktf'); return jest.requireActual('cdktf'); });

describe('scale-ladder synth --cloud gcp (real rung)', () => {
  test('--cloud gcp writes cdktf output and summarises it, without loading aws-cdk-lib', async () => {
    const workdir = tempDir();
    const result = await runCli(['synth', '--cloud', 'gcp', '--tier', '1K', '--out', 'gcp'], workdir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('gcp 1K → gcp (cdktf output: stacks/<name>/cdk.tf.json)');
    const files = fs.readdirSync(path.join(workdir, 'gcp', 'stacks'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(workdir, 'gcp', 'stacks', files[0], 'cdk.tf.json'))).toBe(true);
    expect(mockLoaded).toContain('cdktf');
    expect(mockLoaded).not.toContain('aws-cdk-lib');
  });
});
