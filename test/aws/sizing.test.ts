import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppImage, Sizing, Tier, Tier10K, Tier1K, Tier1M } from '../../lib';
import { ScaleLadder } from '../../lib/aws/ladder/scale-ladder';

function build(tier: Tier, sizing?: Sizing): Template {
  const stack = new Stack(new App(), 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
  new ScaleLadder(stack, 'App', { tier, image: AppImage.fromRegistry('nginx:1.27'), sizing });
  return Template.fromStack(stack);
}

describe('sizing on AWS', () => {
  test('1M with sizes of its own: task size, floor, readers, cache node type, Aurora capacity, log retention', () => {
    const t = build(Tier.USERS_1M, {
      fleetVcpu: 2,
      fleetMemoryGib: 4,
      fleetMinInstances: 4,
      readReplicas: 3,
      cacheNodeType: 'cache.r7g.xlarge',
      databaseMinCapacityAcu: 2,
      databaseMaxCapacityAcu: 32,
      logRetentionDays: 90,
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '4096' });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 4 });
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { CacheNodeType: 'cache.r7g.xlarge' });
    t.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 2, MaxCapacity: 32 } });
    // The writer and three readers.
    t.resourceCountIs('AWS::RDS::DBInstance', 4);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the rung is recorded in the template for the planner', () => {
    expect(build(Tier.USERS_10K).toJSON().Metadata['scale-ladder']).toEqual({
      tier: '10K', rung: '10K', serverRunning: true, serverHostsDatabase: false, shards: 1, composer: 'Shop/App',
    });
  });

  test('sizes whose layer a rung lacks change nothing there', () => {
    const plain = build(Tier.USERS_1K).toJSON();
    const sized = build(Tier.USERS_1K, { fleetVcpu: 2, fleetMemoryGib: 4, cacheNodeType: 'cache.r7g.xlarge' }).toJSON();
    expect(sized).toEqual(plain);
  });

  test.each([
    [{ fleetVcpu: 3 }, 'sizing.fleetVcpu must be one of 0.25, 0.5, 1, 2, 4, 8, 16, got 3'],
    [{ fleetVcpu: 2, fleetMemoryGib: 32 }, 'sizing.fleetMemoryGib (for 2 vCPU) must be a number 4-16, got 32'],
    [{ logRetentionDays: 45 }, 'sizing.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90'],
    [{ cacheNodeType: 'n2-highmem-4' }, "sizing.cacheNodeType must be an ElastiCache node type such as cache.r7g.large, got 'n2-highmem-4'"],
    [{ databaseMachineTier: 'db-custom-4-15360' }, 'sizing.databaseMachineTier is a Google Cloud setting'],
    [{ cacheMemoryGib: 50 }, 'sizing.cacheMemoryGib is a Google Cloud setting'],
  ])('%j fails on every preset, even where its layer does not exist yet', (sizing, message) => {
    for (const Preset of [Tier1K, Tier10K, Tier1M]) {
      const stack = new Stack(new App(), 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
      expect(() => new Preset(stack, 'App', { image: AppImage.fromRegistry('nginx:1.27'), sizing: sizing as Sizing })).toThrow(message);
    }
  });

  test('two ladders in one stack are refused', () => {
    const stack = new Stack(new App(), 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
    new Tier1K(stack, 'One', { image: AppImage.fromRegistry('nginx:1.27') });
    expect(() => new Tier1K(stack, 'Two', { image: AppImage.fromRegistry('nginx:1.27') }))
      .toThrow("one stack holds one ladder: stack 'Shop' already has Shop/One, got a second one at Shop/Two");
  });
});
