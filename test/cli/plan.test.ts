import * as fs from 'fs';
import * as path from 'path';
import { expectUsageError, runCli, tempDir } from './run-cli';
import { ResourceChange, UpgradePlan, verdictOf } from '../../lib/core/upgrade-plan';

// The planners are replaced by fakes here: this file tests the command (rendering, exit codes,
// usage); test/aws/planner.test.ts tests the AWS planner itself, with real rungs too.
const mockLoaded: string[] = [];
const mockPlanAws = jest.fn();
const mockPlanGcp = jest.fn();
jest.mock('../../lib/aws/upgrade/plan-output', () => {
  mockLoaded.push('aws');
  return { planAwsInputs: (...args: unknown[]) => mockPlanAws(...args) };
});
jest.mock('../../lib/gcp/upgrade/plan-output', () => {
  mockLoaded.push('gcp');
  return { planGcpInputs: (...args: unknown[]) => mockPlanGcp(...args) };
}, { virtual: true });

const ADD_DB: ResourceChange = { id: 'ScaleLadder/AppDatabaseCluster1234', type: 'AWS::RDS::DBCluster', layer: 'Database', action: 'ADD', stateful: true };
const UPDATE_LOGS: ResourceChange = {
  id: 'ScaleLadder/AppServerLogs99', type: 'AWS::Logs::LogGroup', layer: 'Server', action: 'UPDATE', stateful: false, properties: ['RetentionInDays'],
};
const REPLACE_SERVER: ResourceChange = {
  id: 'ScaleLadder/AppServerInstance77', type: 'AWS::EC2::Instance', layer: 'Server', action: 'REPLACE', stateful: false, properties: ['UserData'],
};
const REMOVE_ROLE_RETAINED: ResourceChange = {
  id: 'ScaleLadder/AppServerRole55', type: 'AWS::IAM::Role', layer: 'Server', action: 'REMOVE', stateful: false, retained: true,
};
const REMOVE_VOLUME: ResourceChange = {
  id: 'ScaleLadder/AppServerDataVolume55', type: 'AWS::EC2::Volume', layer: 'Server', action: 'REMOVE', stateful: true, retained: false, lost: 'the volume and its files',
};
const REPLACE_CLUSTER: ResourceChange = {
  id: 'ScaleLadder/AppDatabaseCluster1234', type: 'AWS::RDS::DBCluster', layer: 'Database', action: 'REPLACE', stateful: true, properties: ['StorageEncrypted'],
};
const MIGRATION = { title: 'Copy the data', instructions: 'run this\nthen that' };

function plan(cloud: 'aws' | 'gcp', from: string, to: string, changes: ResourceChange[], migrations = [] as typeof MIGRATION[]): UpgradePlan {
  return { cloud, from, to, changes, migrations, interruptions: [], verdict: verdictOf(changes, migrations) };
}

beforeEach(() => {
  mockPlanAws.mockReset();
  mockPlanGcp.mockReset();
});

describe('scale-ladder plan', () => {
  test('SAFE: changes grouped by layer, totals, verdict on the last line, exit 0', async () => {
    mockPlanAws.mockReturnValue(plan('aws', '100K', '1M', [ADD_DB, UPDATE_LOGS, REPLACE_SERVER, REMOVE_ROLE_RETAINED]));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '100K', '--to', '1M']);
    expect(mockPlanAws).toHaveBeenCalledWith({ rung: '100K' }, { rung: '1M' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('aws 100K → 1M: upgrade plan');
    expect(lines[lines.length - 1]).toBe('verdict: SAFE');
    const database = lines.indexOf('Database  (1 change)');
    const server = lines.indexOf('Server  (3 changes)');
    expect(database).toBeGreaterThan(0);
    expect(server).toBeGreaterThan(database);
    expect(lines[database + 1]).toMatch(/^ {2}\+ {2}add {2}ScaleLadder\/AppDatabaseCluster1234 {2}AWS::RDS::DBCluster {2}stateful$/);
    const serverRows = lines.slice(server + 1, server + 4).map(l => l.replace(/\s+/g, ' ').trim());
    expect(serverRows).toEqual([
      '~ update ScaleLadder/AppServerLogs99 AWS::Logs::LogGroup RetentionInDays',
      '! replace ScaleLadder/AppServerInstance77 AWS::EC2::Instance UserData',
      '- remove ScaleLadder/AppServerRole55 AWS::IAM::Role retained (orphaned, not deleted)',
    ]);
    expect(lines).toContain('1 to add, 1 to update in place, 1 to replace, 1 to remove (1 of them retained)');
    expect(result.stdout).not.toContain('Migration steps');
  });

  test('MIGRATION: the steps with their instructions, exit 0', async () => {
    mockPlanAws.mockReturnValue(plan('aws', '1K', '10K', [ADD_DB], [MIGRATION]));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '1K', '--to', '10K']);
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toContain('Migration steps (run them as part of the swap; run the commands of each step as a bash script, so a STOP check ends the script, not your shell):\n  1. Copy the data\n     run this\n     then that\n');
    expect(text.trimEnd().split('\n').pop()).toBe('verdict: MIGRATION');
  });

  test('interruptions are listed with their downtime and source before the verdict', async () => {
    const interruptions = [{ id: 'ScaleLadder/google_sql_database_instance.db', what: 'the instance restarts to change its tier', downtime: 'a few minutes', source: 'Cloud SQL docs' }];
    mockPlanAws.mockReturnValue({ ...plan('aws', '100K', '1M', [ADD_DB]), interruptions });
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '100K', '--to', '1M']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Interruptions (outages during the swap: in-place updates that interrupt, and the steps):\n  ScaleLadder/google_sql_database_instance.db: the instance restarts to change its tier; expected downtime a few minutes (Cloud SQL docs)\n');
  });

  test('UNSAFE: the data-losing changes are named, exit 1', async () => {
    mockPlanAws.mockReturnValue(plan('aws', '1M', '10M', [REPLACE_CLUSTER, ADD_DB]));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '1M', '--to', '10M']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Data loss: these stateful resources would be replaced or deleted:\n  ScaleLadder/AppDatabaseCluster1234 (AWS::RDS::DBCluster) replaced\n');
    expect(result.stdout).toMatch(/! {2}replace {2}ScaleLadder\/AppDatabaseCluster1234 {2}AWS::RDS::DBCluster {2}stateful; StorageEncrypted; LOSES DATA/);
    expect(result.stdout.trimEnd().split('\n').pop()).toBe('verdict: UNSAFE');
  });

  test('a removed stateful resource is UNSAFE too, with what it loses', async () => {
    mockPlanAws.mockReturnValue(plan('aws', '1M', '10M', [REMOVE_VOLUME]));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '1M', '--to', '10M']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('stateful; deleted; LOSES DATA');
    expect(result.stdout).toContain('  ScaleLadder/AppServerDataVolume55 (AWS::EC2::Volume) deleted: loses the volume and its files\n');
  });

  test('no changes at all is SAFE', async () => {
    mockPlanAws.mockReturnValue(plan('aws', '100M', '1B', []));
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '100M', '--to', '1B']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No resource changes.');
    expect(result.stdout.trimEnd().split('\n').pop()).toBe('verdict: SAFE');
  });

  test('--json prints the plan and a summary as one object; the exit code still follows the verdict', async () => {
    const unsafe = plan('aws', '1M', '10M', [REPLACE_CLUSTER, ADD_DB, REMOVE_ROLE_RETAINED], [MIGRATION]);
    mockPlanAws.mockReturnValue(unsafe);
    const result = await runCli(['plan', '--cloud', 'aws', '--from', '1M', '--to', '10M', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ ...unsafe, summary: { added: 1, updated: 0, replaced: 1, removed: 1, retained: 1 } });
  });

  test('--cloud gcp uses the Google planner', async () => {
    mockPlanGcp.mockReturnValue(plan('gcp', '10K', '100K', [
      { id: 'google_sql_database_instance.db', type: 'google_sql_database_instance', layer: 'Database', action: 'UPDATE', stateful: true, properties: ['settings'] },
    ]));
    const result = await runCli(['plan', '--cloud', 'gcp', '--from', '10K', '--to', '100K']);
    expect(mockPlanGcp).toHaveBeenCalledWith({ rung: '10K' }, { rung: '100K' });
    expect(mockLoaded).toContain('gcp');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('gcp 10K → 100K: upgrade plan');
  });

  describe('bad usage', () => {
    test('a downgrade is planned, not refused', async () => {
      mockPlanAws.mockReturnValue(plan('aws', '1M', '10K', [REMOVE_VOLUME]));
      const result = await runCli(['plan', '--cloud', 'aws', '--from', '1M', '--to', '10k']);
      expect(mockPlanAws).toHaveBeenCalledWith({ rung: '1M' }, { rung: '10K' });
      expect(result.code).toBe(1);
    });
    test('a path is passed on resolved; a rung written as a path is a path', async () => {
      mockPlanAws.mockReturnValue(plan('aws', '10K', '100K', []));
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, '10K'));
      fs.mkdirSync(path.join(dir, 'cdk.out.100K'));
      await runCli(['plan', '--cloud', 'aws', '--from', './10K', '--to', 'cdk.out.100K'], dir);
      expect(mockPlanAws).toHaveBeenCalledWith({ path: path.join(dir, '10K') }, { path: path.join(dir, 'cdk.out.100K') });
    });
    test('missing --cloud', async () => {
      expectUsageError(await runCli(['plan', '--from', '1K', '--to', '10K']), 'scale-ladder plan: --cloud is required (aws or gcp)');
    });
    test('missing --from', async () => {
      expectUsageError(await runCli(['plan', '--cloud', 'aws', '--to', '10K']), 'scale-ladder plan: --from is required (a rung (1K 10K 100K 1M 10M 100M 1B) or a path: a cdk.out directory or *.template.json on AWS, a cdktf output directory or cdk.tf.json on Google Cloud)');
    });
    test('missing --to', async () => {
      expectUsageError(await runCli(['plan', '--cloud', 'aws', '--from', '1K']), 'scale-ladder plan: --to is required (a rung (1K 10K 100K 1M 10M 100M 1B) or a path: a cdk.out directory or *.template.json on AWS, a cdktf output directory or cdk.tf.json on Google Cloud)');
    });
    test('--to 2K', async () => {
      expectUsageError(await runCli(['plan', '--cloud', 'aws', '--from', '1K', '--to', '2K']),
        "scale-ladder plan: --to must be a rung (1K, 10K, 100K, 1M, 10M, 100M, 1B) or the path of synthesized output (a cdk.out directory or *.template.json on AWS, a cdktf output directory or cdk.tf.json on Google Cloud), got '2K': no such file or directory");
    });
    test('no planner runs on bad usage', async () => {
      await runCli(['plan', '--cloud', 'aws', '--from', '1M', '--to', '2K']);
      expect(mockPlanAws).not.toHaveBeenCalled();
    });
  });
});
