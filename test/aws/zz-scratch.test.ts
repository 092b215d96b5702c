import { Template } from 'aws-cdk-lib/assertions';
import { SeparatedDatabase } from '../../lib';
import { ShardedCluster } from '../../lib/aws/sharded-cluster';
import { stackWithNetwork } from '../support/stacks';

test('scratch', () => {
  const { stack, vpc } = stackWithNetwork(false);
  const primary = new SeparatedDatabase(stack, 'Database', { vpc });
  const base = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
  const { stack: s2, vpc: v2 } = stackWithNetwork(false);
  const p2 = new SeparatedDatabase(s2, 'Database', { vpc: v2 });
  const sc = new ShardedCluster(s2, 'Shards', { vpc: v2, primary: p2, shards: 8, readReplicas: 2 });
  const t = Template.fromStack(s2).toJSON();
  const ids = Object.keys(t.Resources);
  console.log(base, ids.length, ids.filter(i => i.includes('Shard1')).map(i => `${i} ${t.Resources[i].Type}`).join('\n'));
  console.log(JSON.stringify(t.Resources[ids.find(i => t.Resources[i].Type === 'AWS::SSM::Parameter')!], null, 1).slice(0, 3000));
  console.log(JSON.stringify(t.Resources[ids.find(i => i.startsWith('ShardsShard1') && t.Resources[i].Type === 'AWS::SecretsManager::Secret')!], null, 1));
  void primary; void sc;
});
