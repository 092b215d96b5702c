import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LadderNetwork, SeparatedDatabase } from '../../lib';
import { GlobalShard, SecondaryShard, SecondaryShardProps } from '../../lib/aws/data/global-database';
import { ShardedCluster } from '../../lib/aws/data/sharded-cluster';
import { PINNED_FLAGS } from '../support/feature-flags';
import { stackWithNetwork, testStack } from '../support/stacks';

const ofType = (json: any, type: string) => Object.entries<any>(json.Resources).filter(([, r]) => r.Type === type);
const logicalId = (stack: Stack, construct: { node: { defaultChild?: any } }) =>
  stack.resolve((construct.node.defaultChild as CfnResource).logicalId);

function nagFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks().validateScope(stack).violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`);
}

/** A stack in another region with the ladder's network, for a secondary shard. */
function secondaryStack(region = 'us-west-2') {
  const stack = testStack(region);
  const network = new LadderNetwork(stack, 'Network', { privateSubnets: true });
  return { stack, vpc: network.vpc };
}

function secondary(extra: Partial<SecondaryShardProps> = {}) {
  const { stack, vpc } = secondaryStack();
  const shard = new SecondaryShard(stack, 'Secondary0', { vpc, globalClusterIdentifier: 'test-shard0', ...extra });
  return { stack, vpc, shard, json: Template.fromStack(stack).toJSON() };
}

describe('GlobalShard', () => {
  function primary() {
    const { stack, vpc } = stackWithNetwork(false);
    const db = new SeparatedDatabase(stack, 'Database', { vpc });
    return { stack, vpc, db };
  }

  test('makes the existing cluster the source of a protected global cluster named after the stack and shard', () => {
    const { stack, db } = primary();
    const global = new GlobalShard(stack, 'Global0', { cluster: db.cluster, shardId: 0 });
    const [[id, resource], ...rest] = ofType(Template.fromStack(stack).toJSON(), 'AWS::RDS::GlobalCluster');
    expect(rest).toHaveLength(0);
    expect(id).toBe(stack.resolve(global.globalCluster.logicalId));
    expect(global.globalClusterIdentifier).toBe('test-shard0');
    expect(resource.Properties).toEqual({
      GlobalClusterIdentifier: 'test-shard0',
      DeletionProtection: true,
      SourceDBClusterIdentifier: {
        'Fn::Join': ['', ['arn:aws:rds:eu-west-1:123456789012:cluster:', { Ref: logicalId(stack, db.cluster) }]],
      },
    });
    // Engine, version and encryption come from the source; CloudFormation rejects them alongside it.
    expect(resource.Properties.Engine).toBeUndefined();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.DependsOn).toEqual(expect.arrayContaining([logicalId(stack, db.cluster), expect.stringMatching(/^DatabaseClusterWriter/)]));
  });

  test('adding it changes no existing resource, so the source cluster is updated in place, never replaced', () => {
    const before = Template.fromStack(primary().stack).toJSON();
    const { stack, db } = primary();
    new GlobalShard(stack, 'Global0', { cluster: db.cluster, shardId: 0 });
    const after = Template.fromStack(stack).toJSON();
    for (const [id, resource] of Object.entries(before.Resources)) expect(after.Resources[id]).toEqual(resource);
    expect(Object.keys(after.Resources).length - Object.keys(before.Resources).length).toBe(1);
  });

  test('one per shard of a sharded cluster, each with its own identifier; cdk-nag stays quiet', () => {
    const { stack, vpc, db } = primary();
    const sharded = new ShardedCluster(stack, 'Shards', { vpc, primary: db, shards: 4 });
    const globals = sharded.shards.map((shard, i) => new GlobalShard(stack, `Global${i}`, { cluster: shard.cluster, shardId: i }));
    const json = Template.fromStack(stack).toJSON();
    expect(ofType(json, 'AWS::RDS::GlobalCluster').map(([, r]) => r.Properties.GlobalClusterIdentifier)).toEqual(['test-shard0', 'test-shard1', 'test-shard2', 'test-shard3']);
    expect(globals[3].globalCluster.sourceDbClusterIdentifier).toBe(sharded.shards[3].cluster.clusterArn);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('identifierFor is deterministic and lower-case, so other regions name the global cluster without exports', () => {
    expect(GlobalShard.identifierFor('Shop', 3)).toBe('shop-shard3');
    expect(GlobalShard.identifierFor('ScaleLadder-Prod', 0)).toBe('scaleladder-prod-shard0');
  });

  test('a primary and a secondary stack share the global cluster by name only (no cross-stack references)', () => {
    const app = new App({ context: PINNED_FLAGS });
    const env = { account: '123456789012' };
    const primaryStack = new Stack(app, 'Shop', { env: { ...env, region: 'eu-west-1' } });
    const db = new SeparatedDatabase(primaryStack, 'Database', { vpc: new LadderNetwork(primaryStack, 'Network').vpc });
    const global = new GlobalShard(primaryStack, 'Global0', { cluster: db.cluster, shardId: 0 });
    const secondaryStackInUs = new Stack(app, 'ShopUsWest2', { env: { ...env, region: 'us-west-2' } });
    const vpc = new LadderNetwork(secondaryStackInUs, 'Network').vpc;
    new SecondaryShard(secondaryStackInUs, 'Secondary0', { vpc, globalClusterIdentifier: GlobalShard.identifierFor(primaryStack.stackName, 0) });
    secondaryStackInUs.addStackDependency(primaryStack);
    const assembly = app.synth();
    const secondaryJson = assembly.getStackByName('ShopUsWest2').template;
    const primaryJson = assembly.getStackByName('Shop').template;
    expect(global.globalClusterIdentifier).toBe('shop-shard0');
    expect(ofType(secondaryJson, 'AWS::RDS::DBCluster')[0][1].Properties.GlobalClusterIdentifier).toBe('shop-shard0');
    expect(JSON.stringify(secondaryJson)).not.toContain('Fn::ImportValue');
    expect(primaryJson.Outputs ?? {}).toEqual({});
  });

  describe('bad input', () => {
    test.each([
      [{ shardId: 64 }, 'shardId must be an integer 0-63, got 64'],
      [{ shardId: -1 }, 'shardId must be an integer 0-63, got -1'],
      [{ shardId: 0, globalClusterIdentifier: '1shop' }, 'globalClusterIdentifier must be 1-63 lower-case letters, digits or hyphens, starting with a letter, without consecutive or trailing hyphens, got \'1shop\''],
      [{ shardId: 0, globalClusterIdentifier: 'shop--0' }, 'got \'shop--0\''],
      [{ shardId: 0, globalClusterIdentifier: 'shop-' }, 'got \'shop-\''],
      [{ shardId: 0, globalClusterIdentifier: 'Shop' }, 'got \'Shop\''],
      [{ shardId: 0, globalClusterIdentifier: 'a'.repeat(64) }, `got '${'a'.repeat(64)}'`],
    ])('%j', (extra, message) => {
      const { stack, db } = primary();
      expect(() => new GlobalShard(stack, 'Global', { cluster: db.cluster, ...extra })).toThrow(message);
    });

    test('a stack name that makes the identifier too long', () => {
      expect(() => GlobalShard.identifierFor('S'.repeat(57), 0)).toThrow(`globalClusterIdentifier must be 1-63 lower-case letters, digits or hyphens, starting with a letter, without consecutive or trailing hyphens, got '${'s'.repeat(57)}-shard0'`);
      expect(GlobalShard.identifierFor('S'.repeat(56), 0)).toHaveLength(63);
    });

    test('the cluster must be in the same stack', () => {
      const { stack, db } = primary();
      const other = new Stack(stack.node.root as App, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
      expect(() => new GlobalShard(other, 'Global', { cluster: db.cluster, shardId: 0 })).toThrow('cluster must be in the global shard\'s stack (Other), got one in Test');
    });
  });
});

describe('SecondaryShard', () => {
  const { stack, shard, json } = secondary({ instances: 2, minCapacity: 1, maxCapacity: 16, writeForwarding: true, backupRetentionDays: 14 });
  const [[clusterId, cluster]] = ofType(json, 'AWS::RDS::DBCluster');

  test('joins the global cluster as an encrypted, deletion-protected Serverless v2 cluster without credentials of its own', () => {
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-postgresql',
      EngineVersion: '16.9',
      GlobalClusterIdentifier: 'test-shard0',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(stack, shard.encryptionKey as kms.Key), 'Arn'] },
      DeletionProtection: true,
      EnableGlobalWriteForwarding: true,
      EnableIAMDatabaseAuthentication: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 16 },
      BackupRetentionPeriod: 14,
      EnableCloudwatchLogsExports: ['postgresql'],
      Port: 5432,
    });
    for (const absent of ['MasterUsername', 'MasterUserPassword', 'ManageMasterUserPassword', 'DatabaseName', 'SnapshotIdentifier']) {
      expect(cluster.Properties[absent]).toBeUndefined();
    }
    expect(cluster.DeletionPolicy).toBe('Snapshot');
    expect(cluster.UpdateReplacePolicy).toBe('Snapshot');
    expect(ofType(json, 'AWS::SecretsManager::Secret')).toHaveLength(0);
  });

  test('its instances are serverless, private, monitored and retained; the first is promotion tier 0', () => {
    const instances = ofType(json, 'AWS::RDS::DBInstance');
    expect(instances.map(([id]) => id)).toEqual([expect.stringMatching(/^Secondary0Instance1/), expect.stringMatching(/^Secondary0Instance2/)]);
    instances.forEach(([, instance], i) => {
      expect(instance.Properties).toMatchObject({
        DBClusterIdentifier: { Ref: clusterId },
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.serverless',
        PubliclyAccessible: false,
        EnablePerformanceInsights: true,
        MonitoringInterval: 60,
        MonitoringRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^Secondary0MonitoringRole/), 'Arn'] },
        PromotionTier: i === 0 ? 0 : 1,
      });
      expect(instance.DeletionPolicy).toBe('Retain');
    });
    expect(shard.instances).toHaveLength(2);
  });

  test('the key is in this region, rotated and retained (snapshots depend on it)', () => {
    const [[, key]] = ofType(json, 'AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  test('isolated subnets, TLS-only parameters of the engine family, closed security group', () => {
    const [[groupId, group]] = ofType(json, 'AWS::RDS::DBSubnetGroup');
    expect(cluster.Properties.DBSubnetGroupName).toEqual({ Ref: groupId });
    const subnets = JSON.stringify(group.Properties.SubnetIds);
    expect(subnets.match(/IsolatedSubnet\d/g)).toHaveLength(3);
    expect(subnets).not.toMatch(/PublicSubnet|PrivateSubnet/);
    const [[parametersId, parameters]] = ofType(json, 'AWS::RDS::DBClusterParameterGroup');
    expect(cluster.Properties.DBClusterParameterGroupName).toEqual({ Ref: parametersId });
    expect(parameters.Properties).toMatchObject({ Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1' } });
    const [[sgId, sg]] = ofType(json, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('Secondary0'));
    expect(cluster.Properties.VpcSecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(ofType(json, 'AWS::EC2::SecurityGroupIngress')).toHaveLength(0);
  });

  test('the PostgreSQL log is kept for the retention period', () => {
    const [[, retention]] = ofType(json, 'Custom::LogRetention');
    expect(retention.Properties).toMatchObject({
      RetentionInDays: 30,
      LogGroupName: { 'Fn::Join': ['', ['/aws/rds/cluster/', { Ref: clusterId }, '/postgresql']] },
    });
  });

  test('endpoints come from the cluster', () => {
    expect(stack.resolve(shard.readerEndpoint)).toEqual({ 'Fn::GetAtt': [clusterId, 'ReadEndpoint.Address'] });
    expect(stack.resolve(shard.clusterEndpoint)).toEqual({ 'Fn::GetAtt': [clusterId, 'Endpoint.Address'] });
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('SecondaryShard options', () => {
  test('defaults: one instance, 0.5-4 ACU, no write forwarding', () => {
    const { json } = secondary();
    const [[, cluster]] = ofType(json, 'AWS::RDS::DBCluster');
    expect(cluster.Properties).toMatchObject({
      EnableGlobalWriteForwarding: false,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      BackupRetentionPeriod: 7,
    });
    expect(ofType(json, 'AWS::RDS::DBInstance')).toHaveLength(1);
  });

  test('more instances only add: Instance1 keeps its id and properties', () => {
    const one = secondary({ instances: 1 }).json;
    const three = secondary({ instances: 3 }).json;
    const changed = Object.keys(one.Resources).filter(id => JSON.stringify(one.Resources[id]) !== JSON.stringify(three.Resources[id]));
    expect(changed).toEqual([]);
    expect(ofType(three, 'AWS::RDS::DBInstance')).toHaveLength(3);
  });

  test('shared key, subnet group, parameter group and monitoring role replace its own', () => {
    const { stack, vpc } = secondaryStack();
    const encryptionKey = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    const subnetGroup = new rds.SubnetGroup(stack, 'SharedSubnets', { description: 'shared', vpc, vpcSubnets: { subnetGroupName: LadderNetwork.ISOLATED } });
    const parameterGroup = new rds.ParameterGroup(stack, 'SharedParameters', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_9 }),
      parameters: { 'rds.force_ssl': '1' },
    });
    const monitoringRole = new iam.Role(stack, 'SharedMonitoring', { assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com') });
    for (const i of [0, 1]) {
      new SecondaryShard(stack, `Secondary${i}`, { vpc, globalClusterIdentifier: `shop-shard${i}`, encryptionKey, subnetGroup, parameterGroup, monitoringRole });
    }
    const json = Template.fromStack(stack).toJSON();
    expect(ofType(json, 'AWS::KMS::Key')).toHaveLength(1);
    expect(ofType(json, 'AWS::RDS::DBSubnetGroup')).toHaveLength(1);
    expect(ofType(json, 'AWS::RDS::DBClusterParameterGroup')).toHaveLength(1);
    expect(ofType(json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('Secondary'))).toHaveLength(0);
    const clusters = ofType(json, 'AWS::RDS::DBCluster');
    expect(clusters.map(([, c]) => c.Properties.GlobalClusterIdentifier)).toEqual(['shop-shard0', 'shop-shard1']);
    for (const [, c] of clusters) expect(c.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack, encryptionKey), 'Arn'] });
  });

  test('connections and grantConnect open the cluster to this region\'s app', () => {
    const { stack, vpc } = secondaryStack();
    const shard = new SecondaryShard(stack, 'Secondary0', { vpc, globalClusterIdentifier: 'shop-shard0' });
    const app = new ec2.SecurityGroup(stack, 'App', { vpc });
    shard.connections.allowDefaultPortFrom(app, 'app');
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    shard.grantConnect(role);
    const json = Template.fromStack(stack).toJSON();
    const [[, rule]] = ofType(json, 'AWS::EC2::SecurityGroupIngress');
    expect(rule.Properties).toMatchObject({ FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp', SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(stack, app), 'GroupId'] } });
    const clusterId = stack.resolve(shard.cluster.logicalId);
    const policy = ofType(json, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles).includes(logicalId(stack, role)))![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'rds-db:connect',
      Resource: { 'Fn::Join': ['', ['arn:aws:rds-db:us-west-2:123456789012:dbuser:', { 'Fn::GetAtt': [clusterId, 'DBClusterResourceId'] }, '/postgres']] },
    }));
  });
});

describe('SecondaryShard bad input', () => {
  test.each([
    [{ instances: 0 }, 'instances must be an integer 1-16, got 0'],
    [{ instances: 17 }, 'instances must be an integer 1-16, got 17'],
    [{ minCapacity: 0 }, 'minCapacity must be a number 0.5-256, got 0'],
    [{ maxCapacity: 512 }, 'maxCapacity must be a number 1-256, got 512'],
    [{ minCapacity: 16, maxCapacity: 8 }, 'minCapacity (16) must not exceed maxCapacity (8)'],
    [{ backupRetentionDays: 40 }, 'backupRetentionDays must be an integer 1-35, got 40'],
    [{ logRetentionDays: 2 }, 'logRetentionDays must be one of'],
    [{ globalClusterIdentifier: 'shop_shard0' }, 'globalClusterIdentifier must be 1-63 lower-case letters, digits or hyphens, starting with a letter, without consecutive or trailing hyphens, got \'shop_shard0\''],
    [{ globalClusterIdentifier: '' }, 'globalClusterIdentifier must be 1-63 lower-case letters'],
  ])('%j', (extra, message) => {
    expect(() => secondary(extra)).toThrow(message);
  });
});

describe('SeparatedDatabase secret replicas for secondary regions', () => {
  test('the generated secret is replicated to the named regions; the cluster and its ids are unchanged', () => {
    const plain = stackWithNetwork(false);
    new SeparatedDatabase(plain.stack, 'Database', { vpc: plain.vpc });
    const before = Template.fromStack(plain.stack).toJSON();
    const { stack, vpc } = stackWithNetwork(false);
    new SeparatedDatabase(stack, 'Database', { vpc, secretReplicaRegions: ['us-west-2', 'ap-southeast-2'] });
    const after = Template.fromStack(stack).toJSON();
    const changed = Object.keys(before.Resources).filter(id => JSON.stringify(before.Resources[id]) !== JSON.stringify(after.Resources[id]));
    expect(Object.keys(after.Resources).sort()).toEqual(Object.keys(before.Resources).sort());
    expect(changed).toHaveLength(1);
    const secret = after.Resources[changed[0]];
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.ReplicaRegions).toEqual([{ Region: 'us-west-2' }, { Region: 'ap-southeast-2' }]);
    expect(secret.DeletionPolicy).toBe('Retain');
  });

  test.each([
    [['us-west-2', 'us-west-2'], 'secretReplicaRegions must not repeat an entry, got \'us-west-2\' twice'],
    [['mars-1'], 'secretReplicaRegions must be a list of AWS region names like eu-west-1, got \'mars-1\''],
    [['eu-west-1'], 'secretReplicaRegions must name regions other than the stack\'s own (eu-west-1), got \'eu-west-1\''],
  ])('%j', (regions, message) => {
    const { stack, vpc } = stackWithNetwork(false);
    expect(() => new SeparatedDatabase(stack, 'Database', { vpc, secretReplicaRegions: regions })).toThrow(message);
  });
});
