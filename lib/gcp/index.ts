// Google Cloud constructs (cdktf + @cdktf/provider-google), exported as the `gcp` namespace.
// Only files holding public API are exported here; the helpers (common.ts, regions.ts,
// cloud-sql.ts, cloud-run.ts, startup-script.ts) and the CLI's synth-rung.ts and planner.ts are not.
export * from './base-props';
export * from './gcp-regions';
export * from './network';
export * from './credentials';
export * from './single-server';
export * from './separated-database';
export * from './stateless-fleet';
export * from './read-replica-set';
export * from './cache';
export * from './cdn-edge';
export * from './sharded-cluster';
export * from './shard-rebalance-job';
export * from './queue-workers';
export * from './geo-routed-regions';
export * from './operations';
export * from './user-directory';
export * from './scale-ladder';
export * from './presets';
export * from './upgrade-planner';
export * from './credential-rotation';
