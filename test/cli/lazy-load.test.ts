import { runCli } from './run-cli';

// Records which heavy modules the commands load. Each jest test file has its own module
// registry, so nothing here has been loaded before the first test runs.
const mockLoaded: string[] = [];
jest.mock('aws-cdk-lib', () => { mockLoaded.push('aws-cdk-lib'); return jest.requireActual('aws-cdk-lib'); });
jest.mock('cdktf', () => { mockLoaded.push('cdktf'); return jest.requireActual('cdktf'); });
jest.mock('@aws-cdk/cloudformation-diff', () => { mockLoaded.push('cloudformation-diff'); return jest.requireActual('@aws-cdk/cloudformation-diff'); });
jest.mock('../../lib/aws/planner', () => {
  mockLoaded.push('aws planner');
  return { planAws: () => ({ cloud: 'aws', from: '1K', to: '10K', changes: [], migrations: [], interruptions: [], verdict: 'SAFE' }) };
});
jest.mock('../../lib/gcp/planner', () => {
  mockLoaded.push('gcp planner');
  return { planGcp: () => ({ cloud: 'gcp', from: '1K', to: '10K', changes: [], migrations: [], interruptions: [], verdict: 'SAFE' }) };
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

  test('plan --cloud aws loads the AWS planner', async () => {
    expect((await runCli(['plan', '--cloud', 'aws', '--from', '1K', '--to', '10K'])).code).toBe(0);
    expect(mockLoaded).toEqual(['gcp planner', 'aws planner']);
  });
});
