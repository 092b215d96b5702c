import { Match, Template } from 'aws-cdk-lib/assertions';
import { ReadReplicaSet, SeparatedDatabase } from '../../lib';
import { stackWithNetwork } from '../support/stacks';

describe('SeparatedDatabase', () => {
  const { stack, vpc } = stackWithNetwork(false);
  new SeparatedDatabase(stack, 'Database', { vpc, minCapacity: 1, maxCapacity: 8, backupRetentionDays: 14 });
  const template = Template.fromStack(stack);

  test('Aurora PostgreSQL Serverless v2, encrypted, deletion-protected, snapshotted on removal', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        StorageEncrypted: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 14,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['postgresql'],
        ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 8 },
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false });
  });

  test('lives in the isolated subnets', () => {
    const [group] = Object.values<any>(template.findResources('AWS::RDS::DBSubnetGroup'));
    const ids = JSON.stringify(group.Properties.SubnetIds);
    expect(ids).toContain('IsolatedSubnet1');
    expect(ids).not.toContain('PublicSubnet');
    expect(ids).not.toContain('PrivateSubnet');
  });

  test('TLS is enforced and credentials are a generated Secrets Manager secret', () => {
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"postgres"}', GenerateStringKey: 'password' }),
    });
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  test('database logs are kept for the retention period', () => {
    template.hasResourceProperties('Custom::LogRetention', { RetentionInDays: 30, LogGroupName: Match.anyValue() });
  });
});

describe('ReadReplicaSet', () => {
  test('adds serverless readers to the cluster, retained, not public', () => {
    const { stack, vpc } = stackWithNetwork(false);
    const db = new SeparatedDatabase(stack, 'Database', { vpc });
    const readers = new ReadReplicaSet(stack, 'Readers', { cluster: db.cluster, count: 2 });
    const template = Template.fromStack(stack);
    expect(readers.readers).toHaveLength(2);
    const found = template.findResources('AWS::RDS::DBInstance', { Properties: { PromotionTier: 1 } });
    expect(Object.keys(found)).toHaveLength(2);
    for (const r of Object.values<any>(found)) {
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.Properties).toMatchObject({ DBInstanceClass: 'db.serverless', Engine: 'aurora-postgresql', PubliclyAccessible: false });
    }
  });

  test('a higher count only adds readers: the first ones keep their ids', () => {
    const ids = (count: number) => {
      const { stack, vpc } = stackWithNetwork(false);
      const db = new SeparatedDatabase(stack, 'Database', { vpc });
      new ReadReplicaSet(stack, 'Readers', { cluster: db.cluster, count });
      return Object.keys(Template.fromStack(stack).findResources('AWS::RDS::DBInstance', { Properties: { PromotionTier: 1 } }));
    };
    const one = ids(1);
    expect(ids(3)).toEqual(expect.arrayContaining(one));
  });
});

describe('SeparatedDatabase and ReadReplicaSet bad input', () => {
  test.each([
    [{ minCapacity: 0.25 }, 'minCapacity must be a number 0.5-256, got 0.25'],
    [{ maxCapacity: 300 }, 'maxCapacity must be a number 1-256, got 300'],
    [{ minCapacity: 8, maxCapacity: 4 }, 'minCapacity (8) must not exceed maxCapacity (4)'],
    [{ backupRetentionDays: 36 }, 'backupRetentionDays must be an integer 1-35, got 36'],
  ])('%j', (bad, message) => {
    const { stack, vpc } = stackWithNetwork(false);
    expect(() => new SeparatedDatabase(stack, 'Database', { vpc, ...bad })).toThrow(message);
  });

  test('readReplicas over Aurora\'s limit', () => {
    const { stack, vpc } = stackWithNetwork(false);
    const db = new SeparatedDatabase(stack, 'Database', { vpc });
    expect(() => new ReadReplicaSet(stack, 'Readers', { cluster: db.cluster, count: 20 })).toThrow('readReplicas must be an integer 0-15, got 20');
  });
});
