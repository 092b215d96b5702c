import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SeparatedDatabase, ShardRouter } from '../../lib';
import { ShardedCluster, ShardedClusterProps } from '../../lib/aws/data/sharded-cluster';
import { buildAwsRung } from '../../lib/aws/ladder/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { stackWithNetwork } from '../support/stacks';

type Extra = Omit<ShardedClusterProps, 'vpc' | 'primary' | 'shards'>;

function build(shards: number, extra: Extra = {}) {
  const { stack, vpc } = stackWithNetwork(false);
  const primary = new SeparatedDatabase(stack, 'Database', { vpc });
  const sharded = new ShardedCluster(stack, 'Shards', { vpc, primary, shards, ...extra });
  return { stack, vpc, primary, sharded };
}

function baseline(): any {
  const { stack, vpc } = stackWithNetwork(false);
  new SeparatedDatabase(stack, 'Database', { vpc });
  return Template.fromStack(stack).toJSON();
}

const ofType = (json: any, type: string) => Object.entries<any>(json.Resources).filter(([, r]) => r.Type === type);

/**
 * Renders a CloudFormation string (Fn::Join of literals, Ref and Fn::GetAtt) as text,
 * with stand-ins for deploy-time values: `<id>.<attribute>`, `ref:<id>`, and 5432 for ports.
 */
function render(value: any): string {
  if (typeof value === 'string') return value;
  if (value.Ref) return `ref:${value.Ref}`;
  if (value['Fn::GetAtt']) {
    const [id, attribute] = value['Fn::GetAtt'];
    return attribute === 'Endpoint.Port' ? '5432' : `${id}.${attribute}`;
  }
  if (value['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

describe('ShardedCluster with 4 shards and 2 readers each', () => {
  const { stack, primary, sharded } = build(4, { readReplicas: 2, minCapacity: 4, maxCapacity: 64, backupRetentionDays: 14 });
  const json = Template.fromStack(stack).toJSON();
  const clusters = ofType(json, 'AWS::RDS::DBCluster');
  const newClusters = clusters.filter(([id]) => id.startsWith('ShardsShard'));
  const idOf = (shard: SeparatedDatabase) => stack.resolve((shard.cluster.node.defaultChild as CfnResource).logicalId);

  test('creates shards 1-3 next to the untouched primary', () => {
    expect(clusters).toHaveLength(4);
    expect(newClusters.map(([id]) => id)).toEqual([1, 2, 3].map(i => expect.stringMatching(new RegExp(`^ShardsShard${i}Cluster[0-9A-F]{8}$`))));
    expect(sharded.shardCount).toBe(4);
    expect(sharded.shards).toHaveLength(4);
    expect(sharded.shards[0]).toBe(primary);
  });

  test('every new shard is Aurora PostgreSQL Serverless v2, encrypted, deletion-protected, snapshotted, sized as asked', () => {
    for (const [, cluster] of newClusters) {
      expect(cluster.DeletionPolicy).toBe('Snapshot');
      expect(cluster.UpdateReplacePolicy).toBe('Snapshot');
      expect(cluster.Properties).toMatchObject({
        Engine: 'aurora-postgresql',
        EngineVersion: '16.9',
        StorageEncrypted: true,
        DeletionProtection: true,
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 14,
        EnableCloudwatchLogsExports: ['postgresql'],
        ServerlessV2ScalingConfiguration: { MinCapacity: 4, MaxCapacity: 64 },
      });
    }
  });

  test('new shards share one subnet group (isolated subnets only), parameter group (TLS) and monitoring role', () => {
    const groups = ofType(json, 'AWS::RDS::DBSubnetGroup');
    expect(groups).toHaveLength(2); // the primary's and the shared one
    const shared = groups.find(([id]) => id.startsWith('ShardsSubnets'))!;
    const subnets = JSON.stringify(shared[1].Properties.SubnetIds);
    expect(subnets.match(/IsolatedSubnet\d/g)).toHaveLength(3);
    expect(subnets).not.toMatch(/PublicSubnet|PrivateSubnet/);
    expect(shared[1].DeletionPolicy).toBe('Retain');
    for (const [, cluster] of newClusters) {
      expect(cluster.Properties.DBSubnetGroupName).toEqual({ Ref: shared[0] });
      expect(cluster.Properties.DBClusterParameterGroupName).toEqual({ Ref: expect.stringMatching(/^ShardsParameters/) });
    }
    const parameterGroups = ofType(json, 'AWS::RDS::DBClusterParameterGroup');
    expect(parameterGroups).toHaveLength(2);
    for (const [, group] of parameterGroups) expect(group.Properties.Parameters).toEqual({ 'rds.force_ssl': '1' });
    const roles = ofType(json, 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('monitoring.rds.amazonaws.com'));
    expect(roles).toHaveLength(2);
    const sharedRole = roles.find(([id]) => id.startsWith('ShardsMonitoringRole'))![0];
    const writers = ofType(json, 'AWS::RDS::DBInstance').filter(([id]) => /^ShardsShard\dClusterWriter/.test(id));
    expect(writers).toHaveLength(3);
    for (const [, writer] of writers) {
      expect(writer.Properties.MonitoringRoleArn).toEqual({ 'Fn::GetAtt': [sharedRole, 'Arn'] });
      expect(writer.Properties).toMatchObject({ DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
      expect(writer.DeletionPolicy).toBe('Retain');
    }
  });

  test('each new shard has its own generated secret and its readers', () => {
    expect(ofType(json, 'AWS::SecretsManager::Secret')).toHaveLength(4);
    expect(sharded.readers).toHaveLength(3);
    for (let i = 1; i <= 3; i++) {
      const readers = ofType(json, 'AWS::RDS::DBInstance').filter(([id]) => id.startsWith(`ShardsShard${i}ReadersReader`));
      expect(readers).toHaveLength(2);
      for (const [, reader] of readers) {
        expect(reader.Properties).toMatchObject({ DBClusterIdentifier: { Ref: idOf(sharded.shards[i]) }, DBInstanceClass: 'db.serverless', PromotionTier: 1 });
        expect(reader.DeletionPolicy).toBe('Retain');
      }
      expect(sharded.readers[i - 1].readers).toHaveLength(2);
    }
  });

  test('the shard map names every shard\'s writer, reader, port and secret, in the format ShardRouter reads', () => {
    const [[, parameter]] = ofType(json, 'AWS::SSM::Parameter');
    expect(parameter.Properties.Tier).toBe('Standard');
    expect(stack.resolve(sharded.shardMapJson)).toEqual(parameter.Properties.Value);
    const map = JSON.parse(render(parameter.Properties.Value));
    const secretRef = (shard: SeparatedDatabase) => `ref:${stack.resolve((shard.cluster.node.findChild('Secret').node.findChild('Attachment').node.defaultChild as CfnResource).logicalId)}`;
    expect(map).toEqual(sharded.shards.map((shard, i) => ({
      id: i,
      host: `${idOf(shard)}.Endpoint.Address`,
      readerHost: `${idOf(shard)}.ReadEndpoint.Address`,
      port: 5432,
      secret: secretRef(shard),
    })));
    expect(map[0].host).toBe('DatabaseCluster5B53A178.Endpoint.Address');
    expect(ShardRouter.fromShardMap(render(parameter.Properties.Value), JSON.stringify(ShardRouter.balancedAssignment(1))).shardCount).toBe(4);
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('ShardedCluster leaves the primary and earlier shards as they were', () => {
  test('the primary\'s resources are byte-identical with and without sharding', () => {
    const before = baseline();
    const after = Template.fromStack(build(4).stack).toJSON();
    for (const [id, resource] of Object.entries(before.Resources)) expect(after.Resources[id]).toEqual(resource);
  });

  test('going from 4 to 8 shards only adds: Shard1-3 and the shared resources keep their ids and properties', () => {
    const four = Template.fromStack(build(4, { readReplicas: 2 }).stack).toJSON();
    const eight = Template.fromStack(build(8, { readReplicas: 2 }).stack).toJSON();
    const changed = Object.keys(four.Resources).filter(id => JSON.stringify(four.Resources[id]) !== JSON.stringify(eight.Resources[id]));
    // Only the published map changes (it lists the new shards); its value updates in place.
    expect(changed).toEqual([expect.stringMatching(/^ShardsShardMap/)]);
    expect(ofType(eight, 'AWS::SSM::Parameter')[0][1].Properties.Tier).toBe('Standard'); // 8 shards fit 4 KB
    expect(Object.keys(four.Resources).filter(id => id.includes('ShardsShard3'))).toHaveLength(8);
    expect(Object.keys(eight.Resources).filter(id => /^ShardsShard[4-7]Cluster[0-9A-F]{8}$/.test(id))).toHaveLength(4);
  });

  test('each new shard costs 6 resources plus its readers; 5 are shared (subnet group, parameter group, role, shard map, bucket assignment)', () => {
    const base = Object.keys(baseline().Resources).length;
    const count = (shards: number, readReplicas: number) =>
      Object.keys(Template.fromStack(build(shards, { readReplicas }).stack).toJSON().Resources).length - base;
    expect(count(4, 0)).toBe(3 * 6 + 5);
    expect(count(8, 2)).toBe(7 * 8 + 5);
  });

  test('8 shards on top of the whole 1M rung stay within 400 resources', () => {
    const { stack, ladder } = buildAwsRung('1M', undefined, { context: PINNED_FLAGS });
    const sharded = new ShardedCluster(ladder, 'Shards', { vpc: ladder.network.vpc, primary: ladder.database!, shards: 8, readReplicas: 2 });
    sharded.allowFrom(ladder.fleet!.service, 'app fleet');
    const resources = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    expect(resources).toBeLessThanOrEqual(400);
    expect(resources).toBeGreaterThan(7 * 8);
  });
});

describe('ShardedCluster access', () => {
  test('allowFrom opens the PostgreSQL port of every shard to the peer', () => {
    const { stack, vpc, sharded } = build(4);
    const peer = new ec2.SecurityGroup(stack, 'App', { vpc });
    sharded.allowFrom(peer, 'app');
    const peerId = stack.resolve((peer.node.defaultChild as CfnResource).logicalId);
    const rules = ofType(Template.fromStack(stack).toJSON(), 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => JSON.stringify(r.Properties.SourceSecurityGroupId) === JSON.stringify({ 'Fn::GetAtt': [peerId, 'GroupId'] }));
    expect(rules).toHaveLength(4);
    for (const [, rule] of rules) {
      // The cluster's port attribute (5432, the engine default every shard keeps).
      const port = { 'Fn::GetAtt': [expect.stringMatching(/Cluster[0-9A-F]{8}$/), 'Endpoint.Port'] };
      expect(rule.Properties).toMatchObject({ FromPort: port, ToPort: port, IpProtocol: 'tcp' });
    }
    const targets = rules.map(([, r]) => JSON.stringify(r.Properties.GroupId)).sort();
    expect(new Set(targets).size).toBe(4);
    expect(targets.some(t => t.includes('DatabaseClusterSecurityGroup'))).toBe(true);
  });

  test('grantConnect and grantSecretRead cover every shard', () => {
    const { stack, sharded } = build(4);
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    sharded.grantConnect(role);
    sharded.grantSecretRead(role);
    const roleId = stack.resolve((role.node.defaultChild as CfnResource).logicalId);
    const [[, policy]] = ofType(Template.fromStack(stack).toJSON(), 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    const connect = statements.find(s => s.Action === 'rds-db:connect');
    expect(connect.Resource).toHaveLength(4);
    for (const arn of connect.Resource) expect(JSON.stringify(arn)).toMatch(/:dbuser:.*DBClusterResourceId.*\/postgres/);
    expect(new Set(connect.Resource.map((arn: any) => JSON.stringify(arn))).size).toBe(4);
    const read = statements.filter(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    const secrets = read.flatMap(s => [s.Resource].flat()).map(r => JSON.stringify(r));
    expect(secrets.filter(s => /SecretAttachment/.test(s))).toHaveLength(4);
  });

  test('primaryReaderHost replaces shard 0\'s reader host', () => {
    const { stack, sharded } = build(2, { primaryReaderHost: 'reader.example.internal' });
    const map = JSON.parse(render(stack.resolve(sharded.shardMapJson)));
    expect(map[0].readerHost).toBe('reader.example.internal');
    expect(map[1].readerHost).toMatch(/^ShardsShard1Cluster.*\.ReadEndpoint\.Address$/);
  });

  test('a map that may exceed 4 KB (9+ shards) is published as an advanced parameter, with the given name', () => {
    const { stack } = build(9, { shardMapParameterName: '/shop/shard-map' });
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::Parameter', { Tier: 'Advanced', Name: '/shop/shard-map' });
    expect(ofType(Template.fromStack(build(16).stack).toJSON(), 'AWS::RDS::DBCluster')).toHaveLength(16); // the most one parameter holds
  });
});

describe('ShardedCluster bad input', () => {
  test.each([
    [0, 'shards must be an integer 2-64, got 0'],
    [1, 'shards must be an integer 2-64, got 1'],
    [65, 'shards must be an integer 2-64, got 65'],
    [4.5, 'shards must be an integer 2-64, got 4.5'],
    [17, 'shards must be at most 16 to publish the shard map in one SSM parameter (up to 498 bytes per shard, 8 KB per parameter), got 17'],
  ])('shards %p', (shards, message) => {
    expect(() => build(shards)).toThrow(message);
  });

  test.each([
    [{ readReplicas: 16 }, 'readReplicas must be an integer 0-15, got 16'],
    [{ minCapacity: 0.25 }, 'minCapacity must be a number 0.5-256, got 0.25'],
    [{ minCapacity: 8, maxCapacity: 4 }, 'minCapacity (8) must not exceed maxCapacity (4)'],
    [{ backupRetentionDays: 0 }, 'backupRetentionDays must be an integer 1-35, got 0'],
    [{ logRetentionDays: 31 }, 'logRetentionDays must be one of'],
    [{ shardMapParameterName: 'shard map' }, 'shardMapParameterName must be an SSM parameter path like /shop/shard-map'],
  ])('%j', (extra, message) => {
    expect(() => build(4, extra as Extra)).toThrow(message);
  });

  test('the primary must be a SeparatedDatabase in the same stack', () => {
    const { vpc, primary } = build(2);
    const other = new Stack(Stack.of(primary).node.root as App, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(() => new ShardedCluster(other, 'Shards', { vpc, primary, shards: 2 })).toThrow('primary must be in the sharded cluster\'s stack (Other), got one in Test');
    const { stack: s2, vpc: v2 } = stackWithNetwork(false);
    expect(() => new ShardedCluster(s2, 'Shards', { vpc: v2, primary: {} as SeparatedDatabase, shards: 2 })).toThrow('primary must be a SeparatedDatabase (shard 0), got {}');
  });

});
