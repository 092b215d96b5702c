// Google Cloud constructs (cdktf + @cdktf/provider-google), exported as the `gcp` namespace.
// Only files holding public API are exported here; the helpers (common.ts, regions.ts,
// cloud-sql.ts, cloud-run.ts, startup-script.ts) and the CLI's synth-rung.ts and planner.ts are not.
export * from './base-props';
export * from './network/gcp-regions';
export * from './network/network';
export * from './data/credentials';
export * from './compute/single-server';
export * from './data/separated-database';
export * from './compute/stateless-fleet';
export * from './data/read-replica-set';
export * from './data/cache';
export * from './edge/cdn-edge';
export * from './data/sharded-cluster';
export * from './data/shard-rebalance-job';
export * from './compute/queue-workers';
export * from './edge/geo-routed-regions';
export * from './operations/operations';
export * from './data/user-directory';
export * from './ladder/scale-ladder';
export * from './ladder/presets';
export * from './upgrade/upgrade-planner';
export * from './data/credential-rotation';
