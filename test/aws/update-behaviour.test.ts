import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { HOLDS_DATA_METADATA } from '../../lib/aws/internal/holds-data';
import { STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { AWS_STATEFUL_TYPES, isStatefulAwsType, planAwsTemplates } from '../../lib/aws/upgrade/planner';
import {
  DOCUMENTED_TYPES, interruptingProperties, provenInPlaceByTemplate, updateBehaviour, updatesInPlace,
} from '../../lib/aws/upgrade/update-behaviour';
import { AWS_RUNGS, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

/*
 * Every property that changes on a data-bearing resource between two rungs must be one AWS
 * documents as updating without replacement; the planner treats anything else as a replacement.
 */

const pairs: Array<[string, string]> = [];
AWS_RUNGS.forEach((from, i) => AWS_RUNGS.slice(i + 1).forEach(to => pairs.push([from, to])));

interface StatefulChange { readonly id: string; readonly type: string; readonly property: string; readonly newResource: any }

const changesByPair = new Map<string, StatefulChange[]>();

/** The diff of each pair is computed once per file (cloudformation-diff is slow on the big rungs). */
function statefulPropertyChanges(from: string, to: string): StatefulChange[] {
  const key = `${from} → ${to}`;
  if (!changesByPair.has(key)) changesByPair.set(key, diffStatefulProperties(from, to));
  return changesByPair.get(key)!;
}

function diffStatefulProperties(from: string, to: string): StatefulChange[] {
  const before = awsTemplatesJson(from);
  const after = awsTemplatesJson(to);
  const changes: StatefulChange[] = [];
  for (const stack of Object.keys(after).filter(s => before[s])) {
    // The change set read once: forEachDifference recomputes it for every resource it visits.
    for (const [logicalId, diff] of Object.entries(fullDiff(before[stack], after[stack]).resources.changes)) {
      if (diff.isAddition || diff.isRemoval) continue;
      const type = diff.newResourceType!;
      const marked = diff.newValue?.Metadata?.[HOLDS_DATA_METADATA] === true || diff.oldValue?.Metadata?.[HOLDS_DATA_METADATA] === true;
      if (!isStatefulAwsType(type) && !marked) continue;
      for (const property of Object.keys(diff.propertyUpdates)) changes.push({ id: `${stack}/${logicalId}`, type, property, newResource: diff.newValue });
    }
  }
  return changes;
}

describe('the cited table', () => {
  test('covers every resource type the planner treats as holding data', () => {
    for (const type of AWS_STATEFUL_TYPES) expect(DOCUMENTED_TYPES).toContain(type);
  });

  test('each in-place property names its page and the documented update behaviour', () => {
    expect(updateBehaviour('AWS::RDS::DBCluster', 'BackupRetentionPeriod')).toEqual({
      type: 'AWS::RDS::DBCluster',
      property: 'BackupRetentionPeriod',
      behaviour: 'NO_INTERRUPTION',
      citation: 'AWS::RDS::DBCluster, BackupRetentionPeriod: Update requires: No interruption (CloudFormation Template Reference)',
    });
    expect(updateBehaviour('AWS::SecretsManager::Secret', 'ReplicaRegions')?.behaviour).toBe('NO_INTERRUPTION');
    expect(updateBehaviour('AWS::RDS::DBInstance', 'DBInstanceClass')?.behaviour).toBe('SOME_INTERRUPTIONS');
  });

  test('documented replacements and unknown properties are not in it', () => {
    expect(updateBehaviour('AWS::RDS::DBCluster', 'StorageEncrypted')).toBeUndefined();
    expect(updateBehaviour('AWS::ElastiCache::ReplicationGroup', 'ReplicasPerNodeGroup')).toBeUndefined();
    expect(updateBehaviour('AWS::SecretsManager::Secret', 'Name')).toBeUndefined();
    expect(updateBehaviour('AWS::EC2::Volume', 'AvailabilityZone')).toBeUndefined();
    expect(updateBehaviour('AWS::RDS::DBCluster', 'MadeUpProperty')).toBeUndefined();
    expect(updateBehaviour('AWS::Made::Up', 'Tags')).toBeUndefined();
  });

  test('NumNodeGroups is in place only when the new template carries UseOnlineResharding', () => {
    const group = (policy?: unknown) => ({ Type: 'AWS::ElastiCache::ReplicationGroup', Properties: {}, ...(policy === undefined ? {} : { UpdatePolicy: policy }) });
    expect(updatesInPlace('AWS::ElastiCache::ReplicationGroup', 'NumNodeGroups', group({ UseOnlineResharding: true }))).toBe(true);
    expect(updatesInPlace('AWS::ElastiCache::ReplicationGroup', 'NumNodeGroups', group())).toBe(false);
    expect(updatesInPlace('AWS::ElastiCache::ReplicationGroup', 'NumNodeGroups', group({ UseOnlineResharding: false }))).toBe(false);
    expect(provenInPlaceByTemplate('AWS::ElastiCache::ReplicationGroup', 'NumNodeGroups', group({ UseOnlineResharding: true }))).toBe(true);
    // Only a template-carried condition overrides cloudformation-diff's "may replace".
    expect(provenInPlaceByTemplate('AWS::RDS::DBCluster', 'BackupRetentionPeriod', {})).toBe(false);
    expect(updateBehaviour('AWS::ElastiCache::ReplicationGroup', 'NumNodeGroups')?.citation).toMatch(/UseOnlineResharding policy, CloudFormation User Guide/);
  });

  test('interruptingProperties picks the documented "Some interruptions" ones', () => {
    expect(interruptingProperties('AWS::RDS::DBInstance', ['DBInstanceClass', 'Tags', 'PromotionTier'])).toEqual(['DBInstanceClass']);
    expect(interruptingProperties('AWS::RDS::DBCluster', ['ServerlessV2ScalingConfiguration', 'BackupRetentionPeriod'])).toEqual([]);
    expect(interruptingProperties('AWS::ElastiCache::ReplicationGroup', ['NumNodeGroups', 'AuthToken'])).toEqual(['NumNodeGroups', 'AuthToken']);
    expect(interruptingProperties('AWS::Made::Up', ['X'])).toEqual([]);
  });
});

describe.each(pairs)('swap %s → %s', (from, to) => {
  test('every property that changes on a data-bearing resource is cited as updating in place', () => {
    const uncited = statefulPropertyChanges(from, to)
      .filter(c => !updatesInPlace(c.type, c.property, c.newResource))
      .map(c => `${c.id} (${c.type}) ${c.property}`);
    expect(uncited).toEqual([]);
  });
});

test('the properties that change between rungs are the expected, cited ones', () => {
  const changed = new Set(pairs.flatMap(([from, to]) => statefulPropertyChanges(from, to).map(c => `${c.type} ${c.property}`)));
  expect([...changed].sort()).toEqual(expect.arrayContaining([
    'AWS::ElastiCache::ReplicationGroup NumNodeGroups',
    'AWS::RDS::DBCluster BackupRetentionPeriod',
    'AWS::RDS::DBCluster ServerlessV2ScalingConfiguration',
    'AWS::SecretsManager::Secret ReplicaRegions',
  ]));
  // One node type on every rung: the cache never changes node type and shard count together.
  expect(changed.has('AWS::ElastiCache::ReplicationGroup CacheNodeType')).toBe(false);
});

describe('a change the table does not cite is a replacement', () => {
  const before = { [STACK_ID]: awsTemplateJson('10K') };
  const withCluster = (mutate: (cluster: any) => void) => {
    const after = JSON.parse(JSON.stringify(awsTemplateJson('100K')));
    mutate(Object.values<any>(after.Resources).find(r => r.Type === 'AWS::RDS::DBCluster'));
    return planAwsTemplates('10K', '100K', before, { [STACK_ID]: after });
  };

  test('a made-up property on the database cluster: REPLACE naming it, UNSAFE', () => {
    const plan = withCluster(cluster => { cluster.Properties.MadeUpProperty = 'x'; });
    const cluster = plan.changes.find(c => c.type === 'AWS::RDS::DBCluster')!;
    expect(cluster).toMatchObject({ action: 'REPLACE', stateful: true });
    expect(cluster.properties![0]).toBe('MadeUpProperty');
    expect(plan.verdict).toBe('UNSAFE');
  });

  test('a cited property alone stays an UPDATE', () => {
    const plan = withCluster(cluster => { cluster.Properties.BackupRetentionPeriod = 30; });
    expect(plan.changes.find(c => c.type === 'AWS::RDS::DBCluster')).toMatchObject({ action: 'UPDATE' });
    expect(plan.verdict).not.toBe('UNSAFE');
  });
});
