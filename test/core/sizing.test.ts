import { validateSizing } from '../../lib/core/sizing-rules';
import { Tier } from '../../lib/core/tier';

describe('Tier.withSizing', () => {
  test('applies each size to the layers the rung has, and keeps name, rank and layers', () => {
    const sized = Tier.USERS_1M.withSizing({ fleetVcpu: 2, fleetMemoryGib: 4, fleetMinInstances: 3, readReplicas: 4, logRetentionDays: 90, cacheNodeType: 'cache.r7g.xlarge' });
    expect([sized.name, sized.rank, sized.layers]).toEqual([Tier.USERS_1M.name, Tier.USERS_1M.rank, Tier.USERS_1M.layers]);
    expect(sized.spec.fleet).toMatchObject({ vcpu: 2, memoryGib: 4, minInstances: 3, maxInstances: Tier.USERS_1M.spec.fleet!.maxInstances });
    expect(sized.spec.database!.readReplicas).toBe(4);
    expect(sized.spec.cache!.awsNodeType).toBe('cache.r7g.xlarge');
    expect(sized.spec.operations.logRetentionDays).toBe(90);
  });

  test('never adds a layer: no fleet on 1K, no readers on 10K, whatever the sizes say', () => {
    const sizing = { fleetVcpu: 2, fleetMemoryGib: 4, readReplicas: 3, cacheMemoryGib: 50 };
    expect(Tier.USERS_1K.withSizing(sizing).layers).toEqual(Tier.USERS_1K.layers);
    expect(Tier.USERS_1K.withSizing(sizing).spec.fleet).toBeUndefined();
    expect(Tier.USERS_10K.withSizing(sizing).spec.database!.readReplicas).toBe(0);
  });

  test('leaves the rung untouched', () => {
    Tier.USERS_100K.withSizing({ fleetVcpu: 4, fleetMemoryGib: 8 });
    expect(Tier.USERS_100K.spec.fleet!.vcpu).toBe(1);
  });

  test.each([
    [{ fleetVcpu: 0.1 }, 'sizing.fleetVcpu must be a number 0.25-16, got 0.1'],
    [{ fleetMinInstances: 0 }, 'sizing.fleetMinInstances must be an integer 1-1000, got 0'],
    [{ fleetMinInstances: 9, fleetMaxInstances: 5 }, 'sizing.fleetMinInstances (9) must not exceed sizing.fleetMaxInstances (5)'],
    [{ readReplicas: 0 }, 'sizing.readReplicas must be an integer 1-15, got 0'],
    [{ backupRetentionDays: 36 }, 'sizing.backupRetentionDays must be an integer 1-35, got 36'],
    [{ databaseMinCapacityAcu: 0.7 }, 'sizing.databaseMinCapacityAcu must be a multiple of 0.5 ACU, got 0.7'],
    [{ databaseMinCapacityAcu: 8, databaseMaxCapacityAcu: 4 }, 'sizing.databaseMinCapacityAcu (8) must not exceed sizing.databaseMaxCapacityAcu (4)'],
    [{ cacheMemoryGib: 2 }, 'sizing.cacheMemoryGib must be an integer 5-300, got 2'],
    [{ cacheNodeType: '' }, 'sizing.cacheNodeType must be a non-empty string, got ""'],
    [{ fleetVcpus: 2 }, 'sizing.fleetVcpus is not a size scale-ladder knows; allowed: fleetVcpu,'],
    [{ fleetVcpu: '2' }, "sizing.fleetVcpu must be a number 0.25-16, got '2'"],
  ])('%j is refused on every rung: %s', (sizing, message) => {
    for (const tier of Tier.all()) expect(() => tier.withSizing(sizing as any)).toThrow(message);
  });

  test('a size that clashes with the rung\'s own is named with both', () => {
    // 1M's fleet runs up to its own maximum; a minimum above it cannot hold.
    const max = Tier.USERS_1M.spec.fleet!.maxInstances;
    expect(() => Tier.USERS_1M.withSizing({ fleetMinInstances: max + 1 }))
      .toThrow(`fleet minimum (sizing.fleetMinInstances or the rung's) (${max + 1}) must not exceed fleet maximum (sizing.fleetMaxInstances or the rung's) (${max})`);
  });
});

describe('validateSizing per cloud', () => {
  test('the other cloud\'s fields are refused with what to use instead', () => {
    expect(() => validateSizing({ databaseMachineTier: 'db-custom-2-7680' }, 'aws'))
      .toThrow('sizing.databaseMachineTier is a Google Cloud setting; on AWS use sizing.databaseMinCapacityAcu / databaseMaxCapacityAcu (Aurora capacity units), got "db-custom-2-7680"');
    expect(() => validateSizing({ cacheNodeType: 'cache.r7g.large' }, 'gcp'))
      .toThrow('sizing.cacheNodeType is an AWS setting; on Google Cloud use sizing.cacheMemoryGib (Memorystore GiB), got "cache.r7g.large"');
  });

  test('not an object', () => {
    expect(() => validateSizing(5 as any, 'aws')).toThrow('sizing must be an object of sizes (e.g. { fleetVcpu: 2, fleetMemoryGib: 4 }), got 5');
  });
});
