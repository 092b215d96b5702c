import * as fs from 'fs';
import * as path from 'path';
import { runCli, tempDir } from './run-cli';

// Records which heavy modules the commands load. Each jest test file has its own module
// registry, so nothing here has been loaded before the first test runs.
const mockLoaded: string[] = [];
jest.mock('aws-cdk-lib', () => { mockLoaded.push('aws-cdk-lib'); return jest.requireActual('aws-cdk-lib'); });
jest.mock('cdktf', () => { mockLoaded.push('cdktf'); return jest.requireActual('cdktf'); });
jest.mock('@aws-cdk/cloudformation-diff', () => { mockLoaded.push('cloudformation-diff'); return jest.requireActual('@aws-cdk/cloudformation-diff'); });
jest.mock('../../lib/gcp/upgrade/plan-output', () => {
  mockLoaded.push('gcp planner');
  return { planGcpInputs: () => ({ cloud: 'gcp', from: '1K', to: '10K', changes: [], migrations: [], interruptions: [], verdict: 'SAFE' }) };
}, { virtual: true });

describe('the command loads only what it needs', () => {
  test('recommend, diagram and --help load no cloud library at all', async () => {
    expect((await runCli(['recommend', '--users', '1000000'])).code).toBe(0);
    expect((await runCli(['diagram', '--cloud', 'aws', '--tier', '1B'])).code).toBe(0);
    expect((await runCli(['diagram', '--cloud', 'gcp', '--tier', '1B'])).code).toBe(0);
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['synth', '--help'])).code).toBe(0);
    expect(mockLoaded).toEqual([]);
  });

  test('plan --cloud gcp loads the Google planner only', async () => {
    expect((await runCli(['plan', '--cloud', 'gcp', '--from', '1K', '--to', '10K'])).code).toBe(0);
    expect(mockLoaded).toEqual(['gcp planner']);
  });

  test('plan --cloud aws of two outputs on disk loads the CloudFormation diff but not aws-cdk-lib', async () => {
    const dir = tempDir();
    const stamp = (tier: string, serverRunning: boolean) => ({
      Metadata: { 'scale-ladder': { tier, rung: tier, serverRunning, serverHostsDatabase: false, shards: 1, composer: 'Shop/App' } },
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: tier } } },
    });
    fs.writeFileSync(path.join(dir, 'before.template.json'), JSON.stringify(stamp('100K', false)));
    fs.writeFileSync(path.join(dir, 'after.template.json'), JSON.stringify(stamp('1M', false)));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', 'before.template.json', '--to', 'after.template.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // One template on each side is one stack whatever the files are called: the topic is updated, not replaced.
    expect(result.stdout).toMatch(/~ {2}update {2}after\/Topic {2}AWS::SNS::Topic {2}DisplayName/);
    expect(mockLoaded).toEqual(['gcp planner', 'cloudformation-diff']);
  });
});
