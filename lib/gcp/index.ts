// Google Cloud constructs (cdktf + @cdktf/provider-google), exported as the `gcp` namespace.
// Only the public API is exported here; helpers for the CLI (synth-rung.ts, planner.ts) are not.
export { GcpBaseProps } from './common';
export { GcpRegions } from './gcp-regions';
export { Network, NetworkProps } from './network';
export { DatabaseCredentials, DatabaseCredentialsProps } from './credentials';
export { SingleServer, SingleServerProps } from './single-server';
export { SeparatedDatabase, SeparatedDatabaseProps } from './separated-database';
export { StatelessFleet, StatelessFleetProps } from './stateless-fleet';
export { ReadReplicaSet, ReadReplicaSetProps } from './read-replica-set';
export { Cache, CacheProps } from './cache';
export { CdnEdge, CdnEdgeProps } from './cdn-edge';
export { ShardedCluster, ShardedClusterProps } from './sharded-cluster';
export { QueueWorkers, QueueWorkersProps } from './queue-workers';
export { GeoRoutedRegions, GeoRoutedRegionsProps } from './geo-routed-regions';
export { Operations, OperationsProps } from './operations';
export { ScaleLadder, ScaleLadderOptions, ScaleLadderProps } from './scale-ladder';
export { Tier1K, Tier10K, Tier100K, Tier1M, Tier10M, Tier100M, Tier1B } from './presets';
