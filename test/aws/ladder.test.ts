import { isStatefulAwsType, planAwsTemplates } from '../../lib/aws/planner';
import { STACK_ID } from '../../lib/aws/synth-rung';
import { ResourceChange } from '../../lib/core/upgrade-plan';
import { awsTemplateJson, LOWER_AWS_RUNGS } from '../support/rungs';

/*
 * Swap safety (DESIGN invariant 1): for every ordered pair of rungs, deploying the higher
 * one over the lower one replaces or removes no stateful resource, proven on the
 * CloudFormation diff (@aws-cdk/cloudformation-diff) of the two synthesized templates.
 */

const pairs: Array<[string, string]> = [];
LOWER_AWS_RUNGS.forEach((from, i) => LOWER_AWS_RUNGS.slice(i + 1).forEach(to => pairs.push([from, to])));

function plan(from: string, to: string) {
  return planAwsTemplates(from, to, { [STACK_ID]: awsTemplateJson(from) }, { [STACK_ID]: awsTemplateJson(to) });
}

function statefulIds(template: any, stateful: (type: string) => boolean): string[] {
  return Object.entries<any>(template.Resources).filter(([, r]) => stateful(r.Type)).map(([id]) => id);
}

const dangerous = (c: ResourceChange) => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE');

describe.each(pairs)('swap %s → %s', (from, to) => {
  const result = plan(from, to);

  test('no stateful resource is replaced or removed', () => {
    expect(result.changes.filter(dangerous)).toEqual([]);
  });

  test('every stateful resource of the lower rung keeps its logical id', () => {
    const lower = statefulIds(awsTemplateJson(from), isStatefulAwsType);
    expect(lower.length).toBeGreaterThan(0);
    expect(Object.keys(awsTemplateJson(to).Resources)).toEqual(expect.arrayContaining(lower));
  });

  test('the verdict is SAFE, or MIGRATION where the database leaves the server', () => {
    expect(result.verdict).toBe(from === '1K' ? 'MIGRATION' : 'SAFE');
  });
});

describe('1K → 10K moves the database off the server without losing it', () => {
  const result = plan('1K', '10K');
  const volumeId = Object.keys(awsTemplateJson('1K').Resources).find(id => /ServerDataVolume[0-9A-F]{8}$/.test(id))!;

  test('the data volume survives: same logical id, retained, not replaced', () => {
    expect(volumeId).toBeDefined();
    const after = awsTemplateJson('10K').Resources[volumeId];
    expect(after).toMatchObject({ Type: 'AWS::EC2::Volume', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(result.changes.find(c => c.id.endsWith(`/${volumeId}`))).toBeUndefined();
  });

  test('the plan ships the copy step', () => {
    expect(result.migrations).toHaveLength(1);
    expect(result.migrations[0].instructions).toContain('aws ssm send-command --document-name "$DOC"');
  });

  test('the volume stays declared (and retained) on every higher rung, after the server retires', () => {
    for (const rung of LOWER_AWS_RUNGS.slice(1)) {
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
