import * as path from 'path';
import { expectUsageError, runCli, tempDir } from './run-cli';

// The cloud modules are replaced by fakes here (the real AWS synth runs in synth-real.test.ts);
// recording when each is loaded proves the command loads only the cloud it is asked for.
const mockLoaded: string[] = [];
const mockSynthAws = jest.fn();
const mockSynthGcp = jest.fn();
jest.mock('../../lib/aws/ladder/synth-rung', () => {
  mockLoaded.push('aws');
  return { synthAwsRung: (...args: unknown[]) => mockSynthAws(...args) };
});
jest.mock('../../lib/gcp/ladder/synth-rung', () => {
  mockLoaded.push('gcp');
  return { synthGcpRung: (...args: unknown[]) => mockSynthGcp(...args) };
}, { virtual: true });

type StackExtra = Partial<{ resources: number; bytes: number; outputs: number; byLayer: Record<string, number> }>;

function stack(name: string, file: string, extra: StackExtra = {}) {
  return { name, file, resources: 42, bytes: 25_700, outputs: 2, byLayer: { Network: 27, Server: 15 }, ...extra };
}

beforeEach(() => {
  mockSynthAws.mockReset();
  mockSynthGcp.mockReset();
});

describe('scale-ladder synth', () => {
  test('loads the cloud modules lazily, only the one asked for', async () => {
    expect(mockLoaded).toEqual([]);
    mockSynthAws.mockImplementation((_tier: string, outdir: string) => ({ stacks: [stack('ScaleLadder', path.join(outdir, 'ScaleLadder.template.json'))] }));
    expect((await runCli(['synth', '--cloud', 'aws', '--tier', '1K'])).code).toBe(0);
    expect(mockLoaded).toEqual(['aws']);
    mockSynthGcp.mockImplementation((_tier: string, outdir: string) => ({ stacks: [stack('scale-ladder', path.join(outdir, 'stacks/scale-ladder/cdk.tf.json'))] }));
    expect((await runCli(['synth', '--cloud', 'gcp', '--tier', '1K'])).code).toBe(0);
    expect(mockLoaded).toEqual(['aws', 'gcp']);
  });

  test('writes to scale-ladder.out/<cloud>-<tier> by default and prints the per-stack, per-layer summary', async () => {
    const workdir = tempDir();
    mockSynthAws.mockImplementation((_tier: string, outdir: string) => ({ stacks: [stack('ScaleLadder', path.join(outdir, 'ScaleLadder.template.json'))] }));
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '1m'], workdir);
    expect(mockSynthAws).toHaveBeenCalledWith('1M', path.join(workdir, 'scale-ladder.out', 'aws-1M'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('aws 1M → scale-ladder.out/aws-1M (cloud assembly: *.template.json + manifest.json)');
    expect(lines).toContain('ScaleLadder  scale-ladder.out/aws-1M/ScaleLadder.template.json');
    expect(lines.find(l => l.trim().startsWith('Network'))).toMatch(/^ {2}Network\s+27 {2}█{24}$/);
    expect(lines.find(l => l.trim().startsWith('Server'))).toMatch(/^ {2}Server\s+15 {2}█{13}$/);
    expect(lines.find(l => l.trim().startsWith('total'))).toMatch(/^ {2}total\s+42 {2}25\.1 KB template, 2 outputs$/);
    expect(result.stdout).toMatch(/^1 stack, 42 resources, 25\.1 KB in \d+\.\d s$/m);
    expect(lines).toContain('limits: ok (≤ 400 resources, ≤ 150 outputs, ≤ 800 KB per stack)');
  });

  test('--out chooses the directory; gcp summarises cdktf output and checks no CloudFormation limits', async () => {
    const workdir = tempDir();
    mockSynthGcp.mockImplementation((_tier: string, outdir: string) => ({
      stacks: [{ name: 'scale-ladder', file: path.join(outdir, 'stacks/scale-ladder/cdk.tf.json'), resources: 900, bytes: 2_000_000, byLayer: { StatelessFleet: 900 } }],
    }));
    const result = await runCli(['synth', '--cloud', 'gcp', '--tier', '1B', '--out', 'build/gcp'], workdir);
    expect(mockSynthGcp).toHaveBeenCalledWith('1B', path.join(workdir, 'build', 'gcp'));
    expect(mockSynthAws).not.toHaveBeenCalled();
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('gcp 1B → build/gcp (cdktf output: stacks/<name>/cdk.tf.json)');
    expect(result.stdout).not.toContain('limits:');
    // The Google module does not count outputs: the summary leaves them out rather than print 0.
    expect(result.stdout).toMatch(/^ {2}total\s+900 {2}1\.91 MB Terraform JSON$/m);
  });

  test('--json prints one JSON object', async () => {
    const workdir = tempDir();
    mockSynthAws.mockImplementation((_tier: string, outdir: string) => ({
      stacks: [stack('ScaleLadder', path.join(outdir, 'ScaleLadder.template.json')), stack('ScaleLadder-eu-west-1', path.join(outdir, 'ScaleLadder-eu-west-1.template.json'), { resources: 10, bytes: 300, outputs: 0, byLayer: { Regions: 10 } })],
    }));
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '1B', '--json'], workdir);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({
      cloud: 'aws',
      tier: '1B',
      outdir: 'scale-ladder.out/aws-1B',
      stacks: [
        { name: 'ScaleLadder', file: 'scale-ladder.out/aws-1B/ScaleLadder.template.json', resources: 42, bytes: 25_700, outputs: 2, byLayer: { Network: 27, Server: 15 } },
        { name: 'ScaleLadder-eu-west-1', file: 'scale-ladder.out/aws-1B/ScaleLadder-eu-west-1.template.json', resources: 10, bytes: 300, outputs: 0, byLayer: { Regions: 10 } },
      ],
      totals: { stacks: 2, resources: 52, bytes: 26_000, outputs: 2 },
      limits: { resources: 400, outputs: 150, bytes: 819_200 },
      problems: [],
    });
  });

  test('a stack over a CloudFormation limit fails the check: exit 1', async () => {
    mockSynthAws.mockImplementation((_tier: string, outdir: string) => ({
      stacks: [stack('ScaleLadder', path.join(outdir, 'ScaleLadder.template.json'), { resources: 401, outputs: 151, bytes: 900_000 })],
    }));
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '10M']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('limits: FAILED (≤ 400 resources, ≤ 150 outputs, ≤ 800 KB per stack)');
    expect(result.stdout).toContain('  stack ScaleLadder has 401 resources (limit 400)');
    expect(result.stdout).toContain('  stack ScaleLadder has 151 outputs (limit 150)');
    expect(result.stdout).toContain('  stack ScaleLadder template is 878.9 KB (limit 800.0 KB)');
    const json = await runCli(['synth', '--cloud', 'aws', '--tier', '10M', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).problems).toHaveLength(3);
  });

  test('a ScaleLadderError from the library is bad input: exit 2 with its message', async () => {
    mockSynthAws.mockImplementation(() => {
      const err = new Error('readReplicas must be 0-15, got 20');
      err.name = 'ScaleLadderError';
      throw err;
    });
    expectUsageError(await runCli(['synth', '--cloud', 'aws', '--tier', '1K']), 'scale-ladder synth: readReplicas must be 0-15, got 20');
  });

  test('any other failure exits 1 with one line, no stack trace', async () => {
    mockSynthAws.mockImplementation(() => { throw new Error('disk full\n    at somewhere (x.js:1:1)'); });
    const result = await runCli(['synth', '--cloud', 'aws', '--tier', '1K']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('scale-ladder synth: failed: disk full (set SCALE_LADDER_DEBUG=1 for details)\n');
  });

  describe('bad usage', () => {
    test('missing --cloud', async () => {
      expectUsageError(await runCli(['synth', '--tier', '1K']), 'scale-ladder synth: --cloud is required (aws or gcp)');
    });
    test('--cloud azure', async () => {
      expectUsageError(await runCli(['synth', '--cloud', 'azure', '--tier', '1K']), "scale-ladder synth: --cloud must be aws or gcp, got 'azure'");
    });
    test('missing --tier', async () => {
      expectUsageError(await runCli(['synth', '--cloud', 'aws']), 'scale-ladder synth: --tier is required (1K 10K 100K 1M 10M 100M 1B)');
    });
    test('--tier 2K', async () => {
      expectUsageError(await runCli(['synth', '--cloud', 'aws', '--tier', '2K']), "scale-ladder synth: --tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'");
    });
    test('nothing is synthesized on bad usage', async () => {
      await runCli(['synth', '--cloud', 'aws', '--tier', '2K']);
      expect(mockSynthAws).not.toHaveBeenCalled();
    });
  });
});
