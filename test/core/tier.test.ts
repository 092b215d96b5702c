import { Layer, Tier } from '../../lib';

describe('Tier', () => {
  test('seven rungs, named as everywhere, in order of users', () => {
    expect(Tier.all().map(t => t.name)).toEqual(['1K', '10K', '100K', '1M', '10M', '100M', '1B']);
    expect(Tier.all().map(t => t.rank)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const users = Tier.all().map(t => t.spec.maxUsers);
    expect(users).toEqual([...users].sort((a, b) => a - b));
  });

  test('layers are cumulative as in the rung table, except the server retiring at 100K', () => {
    expect(Tier.USERS_1K.layers).toEqual([Layer.SINGLE_SERVER]);
    expect(Tier.USERS_10K.layers).toEqual([Layer.SINGLE_SERVER, Layer.SEPARATED_DATABASE]);
    expect(Tier.USERS_100K.layers).toEqual([Layer.SEPARATED_DATABASE, Layer.STATELESS_FLEET, Layer.READ_REPLICA_SET]);
    expect(Tier.USERS_1M.layers).toEqual([Layer.SEPARATED_DATABASE, Layer.STATELESS_FLEET, Layer.READ_REPLICA_SET, Layer.CACHE, Layer.CDN_EDGE]);
    expect(Tier.USERS_10M.hasLayer(Layer.SHARDED_CLUSTER) && Tier.USERS_10M.hasLayer(Layer.QUEUE_WORKERS)).toBe(true);
    expect(Tier.USERS_1B.hasLayer(Layer.GEO_ROUTED_REGIONS)).toBe(true);
    expect(Tier.USERS_100M.hasLayer(Layer.GEO_ROUTED_REGIONS)).toBe(false);
  });

  test('a higher rung never shrinks what a lower rung built (counts and sizes only grow)', () => {
    const rungs = Tier.all();
    for (let i = 1; i < rungs.length; i++) {
      const [lo, hi] = [rungs[i - 1].spec, rungs[i].spec];
      expect(hi.server.dataVolumeGib).toBeGreaterThanOrEqual(lo.server.dataVolumeGib);
      if (lo.database) {
        expect(hi.database!.readReplicas).toBeGreaterThanOrEqual(lo.database.readReplicas);
        expect(hi.database!.shards).toBeGreaterThanOrEqual(lo.database.shards);
        expect(hi.database!.awsMaxCapacityAcu).toBeGreaterThanOrEqual(lo.database.awsMaxCapacityAcu);
        expect(hi.database!.backupRetentionDays).toBeGreaterThanOrEqual(lo.database.backupRetentionDays);
      }
      if (lo.fleet) expect(hi.fleet!.maxInstances).toBeGreaterThanOrEqual(lo.fleet.maxInstances);
      if (lo.cache) {
        expect(hi.cache!.shards).toBeGreaterThanOrEqual(lo.cache.shards);
        expect(hi.cache!.gcpMemorySizeGib).toBeGreaterThanOrEqual(lo.cache.gcpMemorySizeGib);
      }
      expect(hi.operations.logRetentionDays).toBeGreaterThanOrEqual(lo.operations.logRetentionDays);
    }
  });

  test('fromName is case-insensitive and rejects unknown rungs with the allowed list', () => {
    expect(Tier.fromName('1m')).toBe(Tier.USERS_1M);
    expect(() => Tier.fromName('2K')).toThrow("tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2K'");
  });

  test('custom tiers override sizes and keep the base rung\'s layers and position', () => {
    const tier = Tier.custom({ base: Tier.USERS_100K, name: 'shop-peak', readReplicas: 3, fleetMaxInstances: 40, fleetVcpu: 2, fleetMemoryGib: 4 });
    expect(tier.name).toBe('shop-peak');
    expect(tier.rank).toBe(Tier.USERS_100K.rank);
    expect(tier.layers).toEqual(Tier.USERS_100K.layers);
    expect(tier.spec.database!.readReplicas).toBe(3);
    expect(tier.spec.fleet).toMatchObject({ maxInstances: 40, vcpu: 2, memoryGib: 4, minInstances: 2 });
    expect(Tier.USERS_100K.spec.database!.readReplicas).toBe(1); // the preset is untouched
  });

  test.each([
    [{ base: Tier.USERS_1K, name: 'x', readReplicas: 1 }, "readReplicas needs a base tier with a managed database; base '1K' has none"],
    [{ base: Tier.USERS_10K, name: 'x', fleetMaxInstances: 4 }, "fleet sizing needs a base tier with a stateless fleet; base '10K' has none"],
    [{ base: Tier.USERS_100K, name: 'x', cacheShards: 2 }, "cacheShards needs a base tier with a cache; base '100K' has none"],
    [{ base: Tier.USERS_100K, name: 'x', readReplicas: 20 }, 'readReplicas must be an integer 0-15, got 20'],
    [{ base: Tier.USERS_10M, name: 'x', shards: 0 }, 'shards must be an integer 1-64, got 0'],
    [{ base: Tier.USERS_100K, name: 'x', fleetMinInstances: 20, fleetMaxInstances: 10 }, 'fleetMinInstances (20) must not exceed fleetMaxInstances (10)'],
    [{ base: Tier.USERS_100K, name: 'x', fleetVcpu: 32 }, 'fleetVcpu must be a number 0.25-16, got 32'],
    [{ base: Tier.USERS_1M, name: 'x', cacheReplicasPerShard: 9 }, 'cacheReplicasPerShard must be an integer 0-5, got 9'],
    [{ base: Tier.USERS_1M, name: 'bad name!' }, "name must be 1-32 letters, digits or dashes, got 'bad name!'"],
    [{ base: '100K' as any, name: 'x' }, 'base must be a Tier (e.g. Tier.USERS_100K), got "100K"'],
  ])('custom tier bad input %#', (props, message) => {
    expect(() => Tier.custom(props)).toThrow(message);
  });
});

describe('tier data that keeps swaps in place', () => {
  test('cache replicas per shard never change once the cache exists (changing them replaces an ElastiCache group)', () => {
    const replicas = new Set(Tier.all().filter(t => t.spec.cache).map(t => t.spec.cache!.replicasPerShard));
    expect(replicas.size).toBe(1);
  });
});
