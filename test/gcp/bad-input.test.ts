import { BASE, expectError } from './support';
import { Tier, gcp } from '../../lib';

const IMAGE = 'nginx:1.27';

describe('bad input fails at synth with the prop, the value and what is allowed', () => {
  test('unknown region', () => {
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, region: 'us-central9', image: IMAGE }),
      `region must be one of ${gcp.GcpRegions.names().map(r => `'${r}'`).join(', ')}, got 'us-central9'`);
  });

  test('unknown further region', () => {
    expectError(scope => new gcp.Tier100M(scope, 'App', { ...BASE, image: IMAGE, regions: ['mars-north1'] }),
      `regions[0] must be one of ${gcp.GcpRegions.names().map(r => `'${r}'`).join(', ')}, got 'mars-north1'`);
  });

  test('the primary region among the further regions', () => {
    expectError(scope => new gcp.Tier1B(scope, 'App', { ...BASE, image: IMAGE, regions: ['us-east1', 'us-central1'] }),
      'regions must not contain the primary region \'us-central1\', got ["us-east1","us-central1"]');
  });

  test('too few further regions for 1B', () => {
    expectError(scope => new gcp.Tier1B(scope, 'App', { ...BASE, image: IMAGE, regions: ['us-east1'] }),
      'regions must hold at least 2 region(s) besides \'us-central1\' for this tier, got ["us-east1"]');
  });

  test('a repeated further region', () => {
    expectError(scope => new gcp.Tier1B(scope, 'App', { ...BASE, image: IMAGE, regions: ['us-east1', 'us-east1'] }),
      'regions must not repeat an entry, got \'us-east1\' twice in ["us-east1","us-east1"]');
  });

  test('read replicas over Cloud SQL\'s limit of 10 per primary', () => {
    const tier = Tier.custom({ base: Tier.USERS_1M, name: 'wide', readReplicas: 11 });
    expectError(scope => new gcp.ScaleLadder(scope, 'App', { ...BASE, image: IMAGE, tier }),
      'readReplicas must be an integer 0-10 (Cloud SQL allows 10 replicas per primary; this tier adds 0 cross-region), got 11');
  });

  test('read replicas over the limit once the cross-region replicas are counted (1B)', () => {
    const tier = Tier.custom({ base: Tier.USERS_1B, name: 'wide-geo', readReplicas: 9 });
    expectError(scope => new gcp.ScaleLadder(scope, 'App', { ...BASE, image: IMAGE, tier }),
      'readReplicas must be an integer 0-8 (Cloud SQL allows 10 replicas per primary; this tier adds 2 cross-region), got 9');
  });

  test('a ReadReplicaSet on its own over the limit', () => {
    expectError(scope => {
      const network = new gcp.Network(scope, 'Net', BASE);
      const credentials = new gcp.DatabaseCredentials(scope, 'Creds', BASE);
      const db = new gcp.SeparatedDatabase(scope, 'Db', { ...BASE, network, credentials });
      new gcp.ReadReplicaSet(scope, 'Replicas', { ...BASE, network, primary: db.instance, replicas: 12 });
    }, 'readReplicas must be an integer 1-10, got 12');
  });

  test('shard counts', () => {
    expectError(scope => {
      const network = new gcp.Network(scope, 'Net', BASE);
      const credentials = new gcp.DatabaseCredentials(scope, 'Creds', BASE);
      const db = new gcp.SeparatedDatabase(scope, 'Db', { ...BASE, network, credentials });
      new gcp.ShardedCluster(scope, 'Shards', { ...BASE, network, credentials, shardZero: db.instance, shards: 65 });
    }, 'shards must be an integer 2-64, got 65');
    expectError(scope => {
      const network = new gcp.Network(scope, 'Net', BASE);
      const credentials = new gcp.DatabaseCredentials(scope, 'Creds', BASE);
      const db = new gcp.SeparatedDatabase(scope, 'Db', { ...BASE, network, credentials });
      new gcp.ShardedCluster(scope, 'Shards', { ...BASE, network, credentials, shardZero: db.instance, shards: 1 });
    }, 'shards must be an integer 2-64, got 1');
  });

  test('fleet sizes Cloud Run cannot run', () => {
    expectError(scope => new gcp.ScaleLadder(scope, 'App', { ...BASE, image: IMAGE, tier: Tier.custom({ base: Tier.USERS_100K, name: 'big', fleetMaxInstances: 5000 }) }),
      'fleetMaxInstances must be an integer 1-1000, got 5000');
    expectError(scope => new gcp.ScaleLadder(scope, 'App', { ...BASE, image: IMAGE, tier: Tier.custom({ base: Tier.USERS_100K, name: 'tiny', fleetVcpu: 0.5 }) }),
      'fleetVcpu must be one of 1, 2, 4, 6, 8, got 0.5');
    expectError(scope => new gcp.ScaleLadder(scope, 'App', { ...BASE, image: IMAGE, tier: Tier.custom({ base: Tier.USERS_100K, name: 'fat', fleetMemoryGib: 64 }) }),
      'fleetMemoryGib must be a number 0.5-32, got 64');
  });

  test('cache sizes Memorystore cannot run', () => {
    expectError(scope => new gcp.Cache(scope, 'Cache', { ...BASE, network: new gcp.Network(scope, 'Net', BASE), memorySizeGib: 301 }),
      'cacheMemoryGib must be an integer 1-300, got 301');
    expectError(scope => new gcp.Cache(scope, 'Cache', { ...BASE, network: new gcp.Network(scope, 'Net', BASE), memorySizeGib: 2, readReplicas: 1 }),
      'cacheMemoryGib must be at least 5 when the cache has read replicas, got 2');
  });

  test('project id, name, network CIDR, domain, port', () => {
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, project: 'X', image: IMAGE }),
      "project must be a Google Cloud project id (6-30 lowercase letters, digits or dashes, starting with a letter), got 'X'");
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, name: 'My_App', image: IMAGE }),
      "name must be 3-20 lowercase letters, digits or dashes, starting with a letter and not ending with a dash, got 'My_App'");
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, image: IMAGE, cidr: '8.8.0.0/16' }),
      "cidr must be a private IPv4 range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), a /16, got '8.8.0.0/16': not a private range");
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, image: IMAGE, domainName: 'Not A Domain' }),
      "domainName must be a lowercase DNS name such as 'shop.example.com', got 'Not A Domain'");
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, image: IMAGE, port: 70000 }),
      'port must be an integer 1-65535, got 70000');
  });

  test('a DNS zone name Cloud DNS cannot have, or a zone without a domain', () => {
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, image: IMAGE, domainName: 'shop.example.com', dnsZone: 'Shop_Zone' }),
      "dnsZone must be the name of a Cloud DNS managed zone (1-63 lowercase letters, digits or dashes, starting with a letter), such as 'shop-example-com', got 'Shop_Zone'");
    expectError(scope => new gcp.Tier100K(scope, 'App', { ...BASE, image: IMAGE, dnsZone: 'shop-example-com' }),
      "dnsZone needs domainName (the record the stack owns in zone 'shop-example-com'), got no domainName");
  });

  test('a rebalance job needs at least two shards', () => {
    expectError(scope => new gcp.ShardRebalanceJob(scope, 'Job', {
      ...BASE, network: new gcp.Network(scope, 'Net', BASE), shards: 1, shardMap: '[]', bucketAssignmentSecret: 's', passwordSecret: 'p',
    }), 'shards must be an integer 2-256, got 1');
  });

  test('a bad input never produces a template (the throw happens during construction)', () => {
    expect(() => new gcp.Tier1K(undefined as any, 'App', { ...BASE, region: 'nowhere', image: IMAGE })).toThrow(/^region must be one of/);
  });
});
