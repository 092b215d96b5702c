/** The building blocks a rung switches on, in the order the ladder adds them. */
export enum Layer {
  /** One server running the app and, on the first rung, PostgreSQL. */
  SINGLE_SERVER = 'SingleServer',
  /** A managed PostgreSQL writer outside the server. */
  SEPARATED_DATABASE = 'SeparatedDatabase',
  /** A load balancer in front of an autoscaled fleet of stateless app containers. */
  STATELESS_FLEET = 'StatelessFleet',
  /** Read replicas of the database, with a reader endpoint. */
  READ_REPLICA_SET = 'ReadReplicaSet',
  /** A managed in-memory cache (cache-aside through the app contract). */
  CACHE = 'Cache',
  /** A CDN in front of the load balancer plus a static-assets bucket and rate limiting. */
  CDN_EDGE = 'CdnEdge',
  /** Hash-sharded databases; shard 0 is the original database. */
  SHARDED_CLUSTER = 'ShardedCluster',
  /** A queue with a dead-letter queue and autoscaled workers (streams from 100M). */
  QUEUE_WORKERS = 'QueueWorkers',
  /** Several regions serving at once behind latency/geo routing. */
  GEO_ROUTED_REGIONS = 'GeoRoutedRegions',
}
