import { Match, Template } from 'aws-cdk-lib/assertions';
import { Cache } from '../../lib';
import { stackWithNetwork } from '../support/stacks';

describe('Cache', () => {
  const { stack, vpc } = stackWithNetwork(true);
  new Cache(stack, 'Cache', { vpc, shards: 3, replicasPerShard: 2, nodeType: 'cache.r7g.large' });
  const template = Template.fromStack(stack);

  test('Valkey in cluster mode, Multi-AZ with failover, TLS and encryption at rest, snapshotted on removal', () => {
    template.hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: Match.objectLike({
        Engine: 'valkey',
        ClusterMode: 'enabled',
        CacheParameterGroupName: 'default.valkey8.cluster.on',
        NumNodeGroups: 3,
        ReplicasPerNodeGroup: 2,
        AutomaticFailoverEnabled: true,
        MultiAZEnabled: true,
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
        AuthToken: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      }),
      DeletionPolicy: 'Snapshot',
    });
  });

  test('the shard count changes in place: the group carries the UseOnlineResharding update policy', () => {
    template.hasResource('AWS::ElastiCache::ReplicationGroup', { UpdatePolicy: { UseOnlineResharding: true } });
  });

  test('private: isolated subnets and a security group with no open ingress', () => {
    const [group] = Object.values<any>(template.findResources('AWS::ElastiCache::SubnetGroup'));
    expect(JSON.stringify(group.Properties.SubnetIds)).toContain('IsolatedSubnet');
    expect(JSON.stringify(group.Properties.SubnetIds)).not.toContain('PublicSubnet');
    const groups = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'scale-ladder cache' } });
    for (const g of Object.values<any>(groups)) expect(g.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the AUTH token is a retained Secrets Manager secret', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'token', PasswordLength: 64 }) },
      DeletionPolicy: 'Retain',
    });
  });
});

test('500 nodes fit in one group', () => {
  const { stack, vpc } = stackWithNetwork(true);
  expect(() => new Cache(stack, 'Cache', { vpc, shards: 250, replicasPerShard: 1 })).not.toThrow();
});

describe('Cache bad input', () => {
  test.each([
    [{ shards: 0 }, 'cacheShards must be an integer 1-500, got 0'],
    [{ replicasPerShard: 6 }, 'cacheReplicasPerShard must be an integer 0-5, got 6'],
    [{ nodeType: 'r7g.large' }, "nodeType must be an ElastiCache node type such as cache.r7g.large, got 'r7g.large'"],
    [{ engineVersion: '6.2' }, "engineVersion must be a Valkey version such as 8.0 or 7.2, got '6.2'"],
    [{ shards: 100, replicasPerShard: 5 }, 'cacheShards × (1 + cacheReplicasPerShard) must be at most 500 nodes, got 100 × (1 + 5) = 600'],
  ])('%j', (bad, message) => {
    const { stack, vpc } = stackWithNetwork(true);
    expect(() => new Cache(stack, 'Cache', { vpc, ...bad })).toThrow(message);
  });
});
