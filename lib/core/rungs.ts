import { DeploymentStyle, TierSpec } from './tier-spec';

/*
 * The ladder as data. Sizes follow the capacity model (capacity.ts): each rung's fleet
 * serves its peak with one availability zone lost. Every later rung keeps what earlier
 * rungs created and only adds or grows.
 */

const SMALL_SERVER = { vcpu: 2, awsInstanceType: 't4g.small', gcpMachineType: 'e2-small', dataVolumeGib: 20 };
const RETIRED_SERVER = { ...SMALL_SERVER, running: false, hostsDatabase: false };

const OPS_BASIC = { logRetentionDays: 30, dashboards: false, tracing: false, chaosExperiments: false, authentication: false };
const OPS_FLEET = { ...OPS_BASIC, logRetentionDays: 90, dashboards: true };
const OPS_EDGE = { ...OPS_FLEET, authentication: true };
const OPS_TRACED = { ...OPS_EDGE, logRetentionDays: 180, tracing: true };
const OPS_CHAOS = { ...OPS_TRACED, chaosExperiments: true };

const ONE_REGION = { activeRegions: 1, warmStandbyRegions: 0 };

// 100M and 1B run the same shards; 1B adds regions, not database size.
const GLOBAL_DATABASE = {
  awsMinCapacityAcu: 8,
  awsMaxCapacityAcu: 128,
  gcpTier: 'db-custom-16-61440',
  gcpHighAvailability: true,
  readReplicas: 2,
  shards: 8,
  backupRetentionDays: 35,
};

export const RUNGS: readonly TierSpec[] = [
  {
    name: '1K',
    maxUsers: 1_000,
    server: { ...SMALL_SERVER, running: true, hostsDatabase: true },
    cdn: false,
    regions: ONE_REGION,
    operations: OPS_BASIC,
  },
  {
    name: '10K',
    maxUsers: 10_000,
    server: { ...SMALL_SERVER, running: true, hostsDatabase: false },
    database: {
      awsMinCapacityAcu: 0.5,
      awsMaxCapacityAcu: 4,
      gcpTier: 'db-custom-1-3840',
      gcpHighAvailability: false,
      readReplicas: 0,
      shards: 1,
      backupRetentionDays: 7,
    },
    cdn: false,
    regions: ONE_REGION,
    operations: OPS_BASIC,
  },
  {
    name: '100K',
    maxUsers: 100_000,
    server: RETIRED_SERVER,
    database: {
      awsMinCapacityAcu: 1,
      awsMaxCapacityAcu: 16,
      gcpTier: 'db-custom-2-7680',
      gcpHighAvailability: true,
      readReplicas: 1,
      shards: 1,
      backupRetentionDays: 14,
    },
    fleet: {
      vcpu: 1,
      memoryGib: 2,
      minInstances: 2,
      maxInstances: 10,
      targetCpuPercent: 60,
      targetRequestsPerInstance: 60,
      routesServices: false,
      deployment: DeploymentStyle.ROLLING,
    },
    cdn: false,
    regions: ONE_REGION,
    operations: OPS_FLEET,
  },
  {
    name: '1M',
    maxUsers: 1_000_000,
    server: RETIRED_SERVER,
    database: {
      awsMinCapacityAcu: 2,
      awsMaxCapacityAcu: 32,
      gcpTier: 'db-custom-4-15360',
      gcpHighAvailability: true,
      readReplicas: 2,
      shards: 1,
      backupRetentionDays: 14,
    },
    fleet: {
      vcpu: 1,
      memoryGib: 2,
      minInstances: 3,
      maxInstances: 30,
      targetCpuPercent: 60,
      targetRequestsPerInstance: 60,
      routesServices: false,
      deployment: DeploymentStyle.ROLLING,
    },
    // The cache keeps one node type on every rung and grows by shards alone: CloudFormation
    // reshards a replication group online under the UseOnlineResharding update policy and
    // advises making the shard change the only change of its update (UpdatePolicy attribute,
    // CloudFormation User Guide); replicas per shard never change (ReplicasPerNodeGroup:
    // Replacement, AWS::ElastiCache::ReplicationGroup). The top rung, 24 shards × 3 nodes =
    // 72 nodes, stays within the 90 shards or nodes a cluster-mode-enabled group has by
    // default (500 on request, Valkey 7.2+; same page) and matches 12 shards of r7g.xlarge.
    cache: { shards: 1, replicasPerShard: 2, awsNodeType: 'cache.r7g.large', gcpMemorySizeGib: 5 },
    cdn: true,
    regions: ONE_REGION,
    operations: OPS_EDGE,
  },
  {
    name: '10M',
    maxUsers: 10_000_000,
    server: RETIRED_SERVER,
    database: {
      awsMinCapacityAcu: 4,
      awsMaxCapacityAcu: 64,
      gcpTier: 'db-custom-8-30720',
      gcpHighAvailability: true,
      readReplicas: 2,
      shards: 4,
      backupRetentionDays: 35,
    },
    fleet: {
      vcpu: 2,
      memoryGib: 4,
      minInstances: 6,
      maxInstances: 100,
      targetCpuPercent: 60,
      targetRequestsPerInstance: 120,
      routesServices: true,
      deployment: DeploymentStyle.CANARY,
    },
    cache: { shards: 3, replicasPerShard: 2, awsNodeType: 'cache.r7g.large', gcpMemorySizeGib: 25 },
    cdn: true,
    queue: { workerMinInstances: 2, workerMaxInstances: 20, messagesPerWorker: 100, eventStream: false },
    regions: ONE_REGION,
    operations: OPS_TRACED,
  },
  {
    name: '100M',
    maxUsers: 100_000_000,
    server: RETIRED_SERVER,
    database: GLOBAL_DATABASE,
    fleet: {
      vcpu: 4,
      memoryGib: 8,
      minInstances: 20,
      maxInstances: 300,
      targetCpuPercent: 60,
      targetRequestsPerInstance: 240,
      routesServices: true,
      deployment: DeploymentStyle.CANARY,
    },
    cache: { shards: 12, replicasPerShard: 2, awsNodeType: 'cache.r7g.large', gcpMemorySizeGib: 100 },
    cdn: true,
    queue: { workerMinInstances: 4, workerMaxInstances: 100, messagesPerWorker: 100, eventStream: true },
    regions: { activeRegions: 1, warmStandbyRegions: 1 },
    operations: OPS_CHAOS,
  },
  {
    name: '1B',
    maxUsers: 1_000_000_000,
    server: RETIRED_SERVER,
    database: GLOBAL_DATABASE,
    fleet: {
      vcpu: 4,
      memoryGib: 8,
      minInstances: 40,
      maxInstances: 1000,
      targetCpuPercent: 60,
      targetRequestsPerInstance: 240,
      routesServices: true,
      deployment: DeploymentStyle.CANARY,
    },
    cache: { shards: 24, replicasPerShard: 2, awsNodeType: 'cache.r7g.large', gcpMemorySizeGib: 300 },
    cdn: true,
    queue: { workerMinInstances: 8, workerMaxInstances: 200, messagesPerWorker: 100, eventStream: true },
    regions: { activeRegions: 3, warmStandbyRegions: 0 },
    operations: OPS_CHAOS,
  },
];
