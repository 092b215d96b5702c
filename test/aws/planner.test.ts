import {
  AWS_STATEFUL_TYPES, awsMigrationSteps, cacheTwoStepMigrations, diffAwsStack, diffAwsTemplates, isStatefulAwsType, layerOfPath,
  planAws, planAwsTemplates,
} from '../../lib/aws/upgrade/planner';
import { rungStampOf } from '../../lib/core/rung-stamp';
import { Tier } from '../../lib/core/tier';
import { losesData } from '../../lib/core/upgrade-plan';

/** A resource as CDK writes it: type, properties, construct path, optional deletion policy. */
function res(type: string, path: string, properties: Record<string, unknown> = {}, deletionPolicy?: string) {
  return {
    Type: type,
    Properties: properties,
    ...(deletionPolicy ? { DeletionPolicy: deletionPolicy, UpdateReplacePolicy: deletionPolicy } : {}),
    Metadata: { 'aws:cdk:path': path },
  };
}

function template(resources: Record<string, unknown>) {
  return { Resources: resources };
}

const LOGS = res('AWS::Logs::LogGroup', 'Shop/App/Server/Logs/Resource', { RetentionInDays: 30 }, 'Retain');
const CLUSTER = res('AWS::RDS::DBCluster', 'Shop/App/Database/Cluster/Resource', { Engine: 'aurora-postgresql', StorageEncrypted: true, BackupRetentionPeriod: 7 }, 'Snapshot');
const VOLUME = res('AWS::EC2::Volume', 'Shop/App/Server/DataVolume/Resource', { AvailabilityZone: 'us-east-1a', Size: 20, Encrypted: true }, 'Retain');

describe('diffAwsStack: classification of each resource change', () => {
  test('unchanged resources are not changes', () => {
    expect(diffAwsStack('Shop', template({ Logs: LOGS, Cluster: CLUSTER }), template({ Logs: LOGS, Cluster: CLUSTER }))).toEqual([]);
  });

  test('ADD: a resource only in the higher rung, with its layer and statefulness', () => {
    expect(diffAwsStack('Shop', template({ Logs: LOGS }), template({ Logs: LOGS, Cluster: CLUSTER }))).toEqual([
      { id: 'Shop/Cluster', type: 'AWS::RDS::DBCluster', layer: 'Database', action: 'ADD', stateful: true },
    ]);
  });

  test('UPDATE: a property that changes in place', () => {
    const after = { ...CLUSTER, Properties: { ...CLUSTER.Properties, BackupRetentionPeriod: 14 } };
    const changes = diffAwsStack('Shop', template({ Cluster: CLUSTER }), template({ Cluster: after }));
    expect(changes).toEqual([
      { id: 'Shop/Cluster', type: 'AWS::RDS::DBCluster', layer: 'Database', action: 'UPDATE', stateful: true, properties: ['BackupRetentionPeriod'] },
    ]);
    expect(losesData(changes[0])).toBe(false);
  });

  test('UPDATE: a changed deletion policy is an in-place change too', () => {
    const after = { ...VOLUME, DeletionPolicy: 'Snapshot' };
    expect(diffAwsStack('Shop', template({ Volume: VOLUME }), template({ Volume: after }))).toEqual([
      { id: 'Shop/Volume', type: 'AWS::EC2::Volume', layer: 'Server', action: 'UPDATE', stateful: true, properties: ['DeletionPolicy'] },
    ]);
  });

  test('REPLACE: a property whose change WILL_REPLACE the resource; a stateful replacement loses data', () => {
    const after = { ...CLUSTER, Properties: { ...CLUSTER.Properties, StorageEncrypted: false, BackupRetentionPeriod: 14 } };
    const changes = diffAwsStack('Shop', template({ Cluster: CLUSTER }), template({ Cluster: after }));
    expect(changes).toEqual([{
      id: 'Shop/Cluster',
      type: 'AWS::RDS::DBCluster',
      layer: 'Database',
      action: 'REPLACE',
      stateful: true,
      // The property that forces the replacement comes first.
      properties: ['StorageEncrypted', 'BackupRetentionPeriod'],
      lost: 'the cluster and its databases; UpdateReplacePolicy Snapshot leaves a final snapshot, restorable only as a new resource',
    }]);
    expect(losesData(changes[0])).toBe(true);
  });

  test('REPLACE: MAY_REPLACE (e.g. an instance\'s user data) counts as a replacement', () => {
    const before = res('AWS::EC2::Instance', 'Shop/App/Server/Instance/Resource', { ImageId: 'ami-1', UserData: 'one' });
    const after = res('AWS::EC2::Instance', 'Shop/App/Server/Instance/Resource', { ImageId: 'ami-1', UserData: 'two' });
    const changes = diffAwsStack('Shop', template({ Instance: before }), template({ Instance: after }));
    expect(changes).toEqual([
      { id: 'Shop/Instance', type: 'AWS::EC2::Instance', layer: 'Server', action: 'REPLACE', stateful: false, properties: ['UserData'] },
    ]);
    expect(losesData(changes[0])).toBe(false);
  });

  test('REPLACE: replacing a resource replaces the resources whose replace-only properties reference it', () => {
    const instance = (image: string) => res('AWS::EC2::Instance', 'Shop/App/Server/Instance/Resource', { ImageId: image });
    const attachment = res('AWS::EC2::VolumeAttachment', 'Shop/App/Server/DataVolumeAttachment', { InstanceId: { Ref: 'Instance' }, VolumeId: { Ref: 'Volume' }, Device: '/dev/sdf' });
    const changes = diffAwsStack('Shop',
      template({ Instance: instance('ami-1'), Attachment: attachment, Volume: VOLUME }),
      template({ Instance: instance('ami-2'), Attachment: attachment, Volume: VOLUME }));
    expect(changes.map(c => [c.id, c.action])).toEqual([['Shop/Instance', 'REPLACE'], ['Shop/Attachment', 'REPLACE']]);
  });

  describe('cache resharding is in place only when the new template carries the UseOnlineResharding update policy', () => {
    const cache = (shards: number, options: { policy?: boolean; nodeType?: string } = {}) => ({
      ...res('AWS::ElastiCache::ReplicationGroup', 'Shop/App/Cache/ReplicationGroup',
        { ClusterMode: 'enabled', NumNodeGroups: shards, ReplicasPerNodeGroup: 2, Engine: 'valkey', CacheNodeType: options.nodeType ?? 'cache.r7g.large' }, 'Snapshot'),
      ...(options.policy === false ? {} : { UpdatePolicy: { UseOnlineResharding: true } }),
    });

    test('NumNodeGroups with the policy: UPDATE, and the swap stays SAFE', () => {
      const before = { Shop: template({ Cache: cache(12) }) };
      const after = { Shop: template({ Cache: cache(24) }) };
      expect(diffAwsTemplates(before, after)).toEqual([
        expect.objectContaining({ id: 'Shop/Cache', action: 'UPDATE', stateful: true, properties: ['NumNodeGroups'] }),
      ]);
      expect(planAwsTemplates('100M', '1B', before, after).verdict).toBe('SAFE');
    });

    test('the same change without the policy in the new template: REPLACE, UNSAFE (cluster mode alone does not make it in place)', () => {
      const before = { Shop: template({ Cache: cache(12) }) };
      const after = { Shop: template({ Cache: cache(24, { policy: false }) }) };
      const plan = planAwsTemplates('100M', '1B', before, after);
      expect(plan.changes).toEqual([expect.objectContaining({ id: 'Shop/Cache', action: 'REPLACE', stateful: true })]);
      expect(plan.changes[0].properties![0]).toBe('NumNodeGroups');
      expect(plan.verdict).toBe('UNSAFE');
      // The policy only in the deployed template does not count either.
      expect(diffAwsStack('Shop', template({ Cache: cache(12) }), template({ Cache: cache(24, { policy: false }) }))[0].action).toBe('REPLACE');
    });

    test('shard count and node type in one swap: the plan says to deploy them in two steps', () => {
      const before = { Shop: template({ Cache: cache(6, { nodeType: 'cache.r7g.xlarge' }) }) };
      const after = { Shop: template({ Cache: cache(12) }) };
      const plan = planAwsTemplates('100M', '1B', before, after);
      expect(plan.changes).toEqual([expect.objectContaining({ action: 'UPDATE', properties: ['CacheNodeType', 'NumNodeGroups'] })]);
      const steps = plan.migrations.filter(m => m.title.startsWith("Change the cache's node type and shard count in two deploys"));
      expect(steps).toHaveLength(1);
      expect(steps[0].title).toBe("Change the cache's node type and shard count in two deploys (Shop/Cache)");
      expect(steps[0].instructions).toContain('CacheNodeType cache.r7g.xlarge → cache.r7g.large');
      expect(steps[0].instructions).toContain('NumNodeGroups 6 → 12');
      expect(steps[0].instructions).toMatch(/1\. Deploy the new node type with the shard count kept at 6.*2\. Deploy rung 1B: only NumNodeGroups changes \(6 → 12\)/s);
      expect(steps[0].instructions).toContain("Tier.custom({ base: Tier.fromName('1B'), name: '1B-nodes', cacheShards: 6 })");
      expect(plan.verdict).toBe('MIGRATION');
    });

    test('one of the two alone needs no extra step', () => {
      const nodeTypeOnly = cacheTwoStepMigrations(diffAwsStack('Shop', template({ Cache: cache(6, { nodeType: 'cache.r7g.xlarge' }) }), template({ Cache: cache(6) })), {}, {});
      const shardsOnly = cacheTwoStepMigrations(diffAwsStack('Shop', template({ Cache: cache(6) }), template({ Cache: cache(12) })), {}, {});
      expect([nodeTypeOnly, shardsOnly]).toEqual([[], []]);
    });
  });

  test('REPLACE: changing the replicas per shard of a cache replaces it (so the tier data keeps it constant)', () => {
    const cache = (replicas: number) => res('AWS::ElastiCache::ReplicationGroup', 'Shop/App/Cache/ReplicationGroup',
      { ClusterMode: 'enabled', NumNodeGroups: 1, ReplicasPerNodeGroup: replicas }, 'Snapshot');
    expect(diffAwsStack('Shop', template({ Cache: cache(1) }), template({ Cache: cache(2) }))).toEqual([
      expect.objectContaining({ action: 'REPLACE', stateful: true }),
    ]);
  });

  test('REPLACE: a changed resource type', () => {
    const after = res('AWS::DynamoDB::GlobalTable', 'Shop/App/Database/Cluster/Resource', {});
    expect(diffAwsStack('Shop', template({ Cluster: CLUSTER }), template({ Cluster: after }))).toEqual([
      expect.objectContaining({ id: 'Shop/Cluster', action: 'REPLACE', stateful: true, type: 'AWS::DynamoDB::GlobalTable' }),
    ]);
  });

  test.each(['Retain', 'RetainExceptOnCreate'])('REMOVE under DeletionPolicy %s: retained, so no data is lost', policy => {
    const changes = diffAwsStack('Shop', template({ Volume: { ...VOLUME, DeletionPolicy: policy } }), template({}));
    expect(changes).toEqual([{ id: 'Shop/Volume', type: 'AWS::EC2::Volume', layer: 'Server', action: 'REMOVE', stateful: true, retained: true }]);
    expect(losesData(changes[0])).toBe(false);
  });

  test('REMOVE of a retained queue loses its messages: SQS deletes them after the retention period', () => {
    const queue = { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', Properties: {} };
    const [change] = diffAwsStack('Shop', template({ Queue: queue }), template({}));
    expect(change).toMatchObject({ action: 'REMOVE', retained: true, retainedDataExpires: true, lost: expect.stringMatching(/^the messages not yet processed: retained/) });
    expect(losesData(change)).toBe(true);
  });

  test.each([['Snapshot'], ['Delete'], [undefined]])('REMOVE under DeletionPolicy %s: the live resource is deleted, so data is lost', policy => {
    const volume = { ...VOLUME, DeletionPolicy: policy };
    const changes = diffAwsStack('Shop', template({ Volume: volume }), template({}));
    expect(changes).toEqual([{
      id: 'Shop/Volume',
      type: 'AWS::EC2::Volume',
      layer: 'Server',
      action: 'REMOVE',
      stateful: true,
      retained: false,
      lost: expect.stringMatching(/^the volume and its files/),
    }]);
    expect(losesData(changes[0])).toBe(true);
  });

  test('REMOVE of a resource that holds no data loses nothing, retained or not', () => {
    const role = res('AWS::IAM::Role', 'Shop/App/Server/Role/Resource', {});
    const [change] = diffAwsStack('Shop', template({ Role: role }), template({}));
    expect(change).toEqual({ id: 'Shop/Role', type: 'AWS::IAM::Role', layer: 'Server', action: 'REMOVE', stateful: false, retained: false });
    expect(losesData(change)).toBe(false);
  });

  test('a log group is not stateful: replacing one loses no app data', () => {
    const after = { ...LOGS, Properties: { ...LOGS.Properties, LogGroupName: 'renamed' } };
    const [change] = diffAwsStack('Shop', template({ Logs: LOGS }), template({ Logs: after }));
    expect(change).toMatchObject({ action: 'REPLACE', stateful: false });
    expect(losesData(change)).toBe(false);
  });
});

describe('stateful resource types', () => {
  test.each([
    'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::GlobalCluster', 'AWS::EC2::Volume', 'AWS::S3::Bucket',
    'AWS::ElastiCache::ReplicationGroup', 'AWS::ElastiCache::CacheCluster', 'AWS::SQS::Queue', 'AWS::Kinesis::Stream',
    'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::EFS::FileSystem', 'AWS::Backup::BackupVault',
    'AWS::Cognito::UserPool',
  ])('%s holds data', type => {
    expect(isStatefulAwsType(type)).toBe(true);
  });

  test.each(['AWS::Logs::LogGroup', 'AWS::EC2::Instance', 'AWS::ECS::Service', 'AWS::IAM::Role', 'AWS::EC2::SecurityGroup', 'AWS::CloudFront::Distribution'])(
    '%s does not', type => {
      expect(isStatefulAwsType(type)).toBe(false);
    });

  test('every stateful type is a real CloudFormation type name', () => {
    for (const type of AWS_STATEFUL_TYPES) expect(type).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z]+$/);
  });
});

describe('layers and stacks', () => {
  test.each([
    ['Shop/App/Database/Cluster/Resource', 'Database'],
    ['Shop/App/Server/Instance/Resource', 'Server'],
    ['Shop/App/Resource', 'Stack'],
    ['Shop/CDKMetadata/Default', 'Stack'],
    ['Shop/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/Resource', 'Stack'],
    ['Shop/Other/Database/Cluster/Resource', 'Stack'],
    [undefined, 'Stack'],
  ])('%s belongs to layer %s', (path, layer) => {
    expect(layerOfPath(path)).toBe(layer);
  });

  test('a stack only in the higher rung is all ADDs; one only in the lower rung all REMOVEs', () => {
    const changes = diffAwsTemplates(
      { 'Shop': template({ Logs: LOGS }), 'Shop-old': template({ Volume: VOLUME, Logs: LOGS }) },
      { 'Shop': template({ Logs: LOGS }), 'Shop-eu-west-1': template({ Cluster: CLUSTER, Logs: LOGS }) },
    );
    expect(changes.map(c => [c.id, c.action, c.retained])).toEqual([
      ['Shop-eu-west-1/Cluster', 'ADD', undefined],
      ['Shop-eu-west-1/Logs', 'ADD', undefined],
      ['Shop-old/Logs', 'REMOVE', true],
      ['Shop-old/Volume', 'REMOVE', true],
    ]);
  });

  test('changes are ordered by stack, layer, then the most dangerous action first', () => {
    const changes = diffAwsTemplates(
      { Shop: template({ Logs: LOGS, Cluster: CLUSTER, Instance: res('AWS::EC2::Instance', 'Shop/App/Server/Instance/Resource', { ImageId: 'a' }) }) },
      {
        Shop: template({
          Cluster: { ...CLUSTER, Properties: { ...CLUSTER.Properties, BackupRetentionPeriod: 30 } },
          Volume: VOLUME,
          Instance: res('AWS::EC2::Instance', 'Shop/App/Server/Instance/Resource', { ImageId: 'b' }),
        }),
      },
    );
    expect(changes.map(c => `${c.layer} ${c.action} ${c.id}`)).toEqual([
      'Database UPDATE Shop/Cluster',
      'Server REMOVE Shop/Logs',
      'Server REPLACE Shop/Instance',
      'Server ADD Shop/Volume',
    ]);
  });
});

describe('planAwsTemplates: migrations and verdict', () => {
  const withOutputs = (resources: Record<string, unknown>) => ({
    Resources: resources,
    Outputs: {
      AppServerServerInstanceId786BE3DC: { Value: { Ref: 'Instance' } },
      AppServerMigrateDatabaseDocument11280FC7: { Value: { Ref: 'Doc' } },
    },
  });

  test('1K → 10K needs the database copy: MIGRATION, with the SSM instructions naming the real outputs', () => {
    const plan = planAwsTemplates('1K', '10K', { Shop: template({ Volume: VOLUME }) }, { Shop: withOutputs({ Volume: VOLUME, Cluster: CLUSTER }) });
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan).toMatchObject({ cloud: 'aws', from: '1K', to: '10K' });
    expect(plan.migrations).toHaveLength(1);
    const { title, instructions } = plan.migrations[0];
    expect(title).toBe('Copy the server\'s PostgreSQL into the managed database (1K → 10K)');
    expect(instructions).toContain('aws ssm send-command --document-name "$DOC" --targets Key=InstanceIds,Values="$INSTANCE"');
    // The exact keys from the template, not a substring match.
    expect(instructions).toContain(
      'DOC=$(aws cloudformation describe-stacks --stack-name Shop --query "Stacks[0].Outputs[?OutputKey==\'AppServerMigrateDatabaseDocument11280FC7\'].OutputValue | [0]" --output text)');
    expect(instructions).toContain("Outputs[?OutputKey=='AppServerServerInstanceId786BE3DC']");
    expect(instructions).toMatch(/exact row counts and checksums/);
    expect(instructions).toMatch(/only when every\s+table matches restarts the app/);
    expect(instructions).toMatch(/old data volume is retained.*Delete it by hand/s);
  });

  test('the migrations are required by the tier data whatever the templates say', () => {
    expect(awsMigrationSteps(['SERVER_DATABASE_TO_MANAGED'], rungStampOf(Tier.USERS_1K, 'S/App'), rungStampOf(Tier.USERS_1B, 'S/App'), {}, {})).toHaveLength(1);
    expect(planAwsTemplates('1K', '1B', {}, {}).migrations.map(m => m.title)).toEqual([
      'Copy the server\'s PostgreSQL into the managed database (1K → 10K)',
      'Retire the single server (1K → 1B)',
      'Rebalance key buckets onto the new shards (1 → 8 shards)',
    ]);
    expect(planAwsTemplates('1K', '1B', {}, {}).migrations[0].instructions).toMatch(/^One deploy cannot do 1K → 1B.*Climb through rung 10K/s);
    expect(planAwsTemplates('1K', '1B', {}, {}).verdict).toBe('MIGRATION');
    expect(planAwsTemplates('10K', '1M', {}, {}).verdict).toBe('MIGRATION');
    expect(planAwsTemplates('100K', '1M', {}, {}).verdict).toBe('SAFE');
    expect(planAwsTemplates('100M', '1B', {}, {}).verdict).toBe('SAFE');
  });

  test('only additions and in-place updates: SAFE', () => {
    const plan = planAwsTemplates('100K', '1M', { Shop: template({ Logs: LOGS }) }, {
      Shop: template({ Logs: { ...LOGS, Properties: { RetentionInDays: 90 } }, Cluster: CLUSTER }),
    });
    expect(plan.migrations).toEqual([]);
    expect(plan.verdict).toBe('SAFE');
  });

  test('a stateful resource replaced: UNSAFE, even on a migration pair', () => {
    const after = { ...CLUSTER, Properties: { ...CLUSTER.Properties, StorageEncrypted: false } };
    expect(planAwsTemplates('100K', '1M', { Shop: template({ Cluster: CLUSTER }) }, { Shop: template({ Cluster: after }) }).verdict).toBe('UNSAFE');
    expect(planAwsTemplates('1K', '10K', { Shop: template({ Cluster: CLUSTER }) }, { Shop: template({ Cluster: after }) }).verdict).toBe('UNSAFE');
  });

  test('a stateful resource removed without Retain: UNSAFE; with Retain: SAFE', () => {
    expect(planAwsTemplates('100K', '1M', { Shop: template({ Cluster: CLUSTER }) }, { Shop: template({}) }).verdict).toBe('UNSAFE');
    expect(planAwsTemplates('100K', '1M', { Shop: template({ Volume: VOLUME }) }, { Shop: template({}) }).verdict).toBe('SAFE');
  });

  test('bad rung names are rejected with the library\'s message', () => {
    expect(() => planAwsTemplates('2K', '10K', {}, {})).toThrow("tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'");
  });
});

describe('planAws on real rungs', () => {
  test('1K → 10K is a MIGRATION: the database moves, nothing stateful is replaced or deleted', () => {
    const plan = planAws('1K', '10K');
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.changes.filter(losesData)).toEqual([]);
    // The managed database arrives in its own layer; the server's volume stays untouched.
    expect(plan.changes).toContainEqual(expect.objectContaining({ type: 'AWS::RDS::DBCluster', action: 'ADD', stateful: true }));
    expect(plan.changes.find(c => c.type === 'AWS::RDS::DBCluster')!.layer).not.toBe('Stack');
    expect(plan.changes.filter(c => c.type === 'AWS::EC2::Volume')).toEqual([]);
    expect(plan.migrations[0].instructions).toMatch(/--stack-name ScaleLadder --query "Stacks\[0\]\.Outputs\[\?OutputKey=='App[A-Za-z0-9]*MigrateDatabaseDocument[0-9A-F]{8}'\]/);
  });

  test('100K → 1M is SAFE', () => {
    const plan = planAws('100K', '1M');
    expect(plan.changes.filter(losesData)).toEqual([]);
    expect(plan.migrations).toEqual([]);
    expect(plan.verdict).toBe('SAFE');
    expect(plan.changes.some(c => c.action === 'ADD')).toBe(true);
  });
});
