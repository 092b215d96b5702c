import { STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { isStatefulAwsType, planAwsTemplates } from '../../lib/aws/upgrade/planner';
import { Tier } from '../../lib/core/tier';
import { requiredMigrations, ResourceChange } from '../../lib/core/upgrade-plan';
import { AWS_RUNGS, awsPlan, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

/*
 * Swap safety: for every ordered pair of rungs, deploying the higher
 * one over the lower one replaces or removes no stateful resource, proven on the
 * CloudFormation diff (@aws-cdk/cloudformation-diff) of the two synthesized templates.
 */

const pairs: Array<[string, string]> = [];
AWS_RUNGS.forEach((from, i) => AWS_RUNGS.slice(i + 1).forEach(to => pairs.push([from, to])));

function statefulIds(template: any, stateful: (type: string) => boolean): string[] {
  return Object.entries<any>(template.Resources).filter(([, r]) => stateful(r.Type)).map(([id]) => id);
}

const dangerous = (c: ResourceChange) => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE');

describe.each(pairs)('swap %s → %s', (from, to) => {
  const result = awsPlan(from, to);

  test('no stateful resource is replaced or removed', () => {
    expect(result.changes.filter(dangerous)).toEqual([]);
  });

  test('every stateful resource of the lower rung keeps its stack and logical id', () => {
    for (const [stack, template] of Object.entries(awsTemplatesJson(from))) {
      const lower = statefulIds(template, isStatefulAwsType);
      expect(lower.length).toBeGreaterThan(0);
      expect(Object.keys(awsTemplatesJson(to)[stack].Resources)).toEqual(expect.arrayContaining(lower));
    }
  });

  test('the verdict is MIGRATION exactly where the tier data asks for a step (database leaves or server retires, shards grow), else SAFE', () => {
    const kinds = requiredMigrations(Tier.fromName(from), Tier.fromName(to));
    expect(result.verdict).toBe(kinds.length > 0 ? 'MIGRATION' : 'SAFE');
    expect(result.migrations).toHaveLength(kinds.length);
  });
});

describe('1K → 10K moves the database off the server without losing it', () => {
  const result = awsPlan('1K', '10K');
  const volumeId = Object.keys(awsTemplateJson('1K').Resources).find(id => /ServerDataVolume[0-9A-F]{8}$/.test(id))!;

  test('the data volume survives: same logical id, retained, not replaced', () => {
    expect(volumeId).toBeDefined();
    const after = awsTemplateJson('10K').Resources[volumeId];
    expect(after).toMatchObject({ Type: 'AWS::EC2::Volume', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(result.changes.find(c => c.id.endsWith(`/${volumeId}`))).toBeUndefined();
  });

  test('the plan ships the copy step', () => {
    expect(result.migrations.map(m => m.title)).toEqual(['Copy the server\'s PostgreSQL into the managed database (1K → 10K)']);
    expect(result.migrations[0].instructions).toContain('aws ssm send-command --document-name "$DOC"');
  });

  test('the volume stays declared (and retained) on every higher rung, after the server retires', () => {
    for (const rung of AWS_RUNGS.slice(1)) {
      expect(awsTemplateJson(rung).Resources[volumeId]).toMatchObject({ Type: 'AWS::EC2::Volume', DeletionPolicy: 'Retain' });
    }
  });
});

describe('the swap check can fail', () => {
  const before = { [STACK_ID]: awsTemplateJson('10K') };
  const mutated = (mutate: (resources: Record<string, any>) => void) => {
    const after = JSON.parse(JSON.stringify(awsTemplateJson('100K')));
    mutate(after.Resources);
    return planAwsTemplates('10K', '100K', before, { [STACK_ID]: after });
  };

  test('a database cluster whose engine changes (a replacement) makes the swap UNSAFE', () => {
    const result = mutated(resources => {
      Object.values<any>(resources).find(r => r.Type === 'AWS::RDS::DBCluster').Properties.Engine = 'aurora-mysql';
    });
    expect(result.changes.filter(dangerous).map(c => [c.type, c.action, c.layer])).toEqual([['AWS::RDS::DBCluster', 'REPLACE', 'Database']]);
    expect(result.verdict).toBe('UNSAFE');
  });

  test('a data volume dropped from the template is caught even though it is retained', () => {
    const result = mutated(resources => {
      const id = Object.keys(resources).find(k => resources[k].Type === 'AWS::EC2::Volume')!;
      delete resources[id];
    });
    expect(result.changes.filter(dangerous).map(c => [c.type, c.action, c.retained])).toEqual([['AWS::EC2::Volume', 'REMOVE', true]]);
  });
});

describe('multi-region rungs', () => {
  test('100M adds one warm-standby region stack; 1B keeps it (same name) and adds another', () => {
    expect(Object.keys(awsTemplatesJson('10M'))).toEqual([STACK_ID]);
    const standby = Object.keys(awsTemplatesJson('100M')).filter(s => s !== STACK_ID);
    expect(standby).toEqual([`${STACK_ID}-us-west-2`]);
    expect(Object.keys(awsTemplatesJson('1B')).sort()).toEqual([STACK_ID, `${STACK_ID}-eu-west-1`, `${STACK_ID}-us-west-2`]);
  });

  test('a region stack attaches to the primary\'s global clusters by name, with no cross-stack import', () => {
    const primary = awsTemplateJson('1B');
    const regional = awsTemplatesJson('1B')[`${STACK_ID}-us-west-2`];
    const globalIds = Object.values<any>(primary.Resources).filter(r => r.Type === 'AWS::RDS::GlobalCluster').map(r => r.Properties.GlobalClusterIdentifier);
    expect(globalIds).toHaveLength(8);
    const attached = Object.values<any>(regional.Resources).filter(r => r.Type === 'AWS::RDS::DBCluster').map(r => r.Properties.GlobalClusterIdentifier);
    expect(attached.sort()).toEqual([...globalIds].sort());
    expect(JSON.stringify(regional)).not.toContain('Fn::ImportValue');
    expect(primary.Outputs ?? {}).not.toHaveProperty('ExportsOutput');
  });
});
