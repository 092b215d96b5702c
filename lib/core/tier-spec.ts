/**
 * The data that makes one rung different from another. Every layer reads its sizes and
 * switches from here, so a rung is a row of data, never a code path.
 */

/** The single server of the first rungs. */
export interface ServerSpec {
  /** Whether the server still runs (it retires once the fleet takes over; its data volume stays). */
  readonly running: boolean;
  /** Whether PostgreSQL runs on the server itself (only before the database is separated). */
  readonly hostsDatabase: boolean;
  /** vCPUs of the server, for the capacity model. */
  readonly vcpu: number;
  /** EC2 instance type (Graviton). */
  readonly awsInstanceType: string;
  /** Compute Engine machine type. */
  readonly gcpMachineType: string;
  /** Size of the separate PostgreSQL data volume/disk in GiB. */
  readonly dataVolumeGib: number;
}

/** The managed PostgreSQL database (one per shard). */
export interface DatabaseSpec {
  /** Aurora Serverless v2 minimum capacity (ACU). */
  readonly awsMinCapacityAcu: number;
  /** Aurora Serverless v2 maximum capacity (ACU). */
  readonly awsMaxCapacityAcu: number;
  /** Cloud SQL machine tier, e.g. `db-custom-2-7680`. */
  readonly gcpTier: string;
  /** Cloud SQL regional (HA) availability. */
  readonly gcpHighAvailability: boolean;
  /** Read replicas per shard (Aurora readers / Cloud SQL read replicas). */
  readonly readReplicas: number;
  /** Hash shards; shard 0 is the original database. */
  readonly shards: number;
  /** Days of automated backups. */
  readonly backupRetentionDays: number;
}

/** How a service rolls out a new version. */
export enum DeploymentStyle {
  /** Replace tasks in batches, rolling back automatically when the new ones fail. */
  ROLLING = 'ROLLING',
  /** Send a slice of traffic to the new version first, then all of it. */
  CANARY = 'CANARY',
}

/** The stateless app fleet behind the load balancer. */
export interface FleetSpec {
  /** vCPUs per task / instance. */
  readonly vcpu: number;
  /** Memory per task / instance in GiB. */
  readonly memoryGib: number;
  /** Fewest tasks / instances. */
  readonly minInstances: number;
  /** Most tasks / instances (per region). */
  readonly maxInstances: number;
  /** Average CPU the autoscaler aims for, in percent. */
  readonly targetCpuPercent: number;
  /** Requests per second one task is expected to serve; drives request-count scaling. */
  readonly targetRequestsPerInstance: number;
  /** How new versions roll out. */
  readonly deployment: DeploymentStyle;
  /** Whether extra services run behind path routing (the `services` prop); below, the app runs alone. */
  readonly routesServices: boolean;
}

/** The in-memory cache (cluster mode from the start, so it reshards in place). */
export interface CacheSpec {
  /** Node groups (hash-slot shards). */
  readonly shards: number;
  /** Replicas per shard. */
  readonly replicasPerShard: number;
  /** ElastiCache node type. */
  readonly awsNodeType: string;
  /** Memorystore capacity in GiB. */
  readonly gcpMemorySizeGib: number;
}

/** Asynchronous work: a queue with workers, and from 100M an event stream. */
export interface QueueSpec {
  /** Fewest worker tasks. */
  readonly workerMinInstances: number;
  /** Most worker tasks. */
  readonly workerMaxInstances: number;
  /** Visible messages one worker task should have in its backlog; drives backlog scaling. */
  readonly messagesPerWorker: number;
  /** Whether an event stream feeds workers too. */
  readonly eventStream: boolean;
}

/** Where the rung runs. */
export interface RegionSpec {
  /** Regions serving traffic at once (1 = one region). */
  readonly activeRegions: number;
  /** Warm-standby regions that hold replicas and a scaled-down fleet. */
  readonly warmStandbyRegions: number;
}

/** Cross-cutting operations concerns. */
export interface OperationsSpec {
  /** Days logs are kept. */
  readonly logRetentionDays: number;
  /** A dashboard and alarms on the main signals. */
  readonly dashboards: boolean;
  /** Distributed tracing and SLO burn alarms. */
  readonly tracing: boolean;
  /** Fault-injection experiment templates. */
  readonly chaosExperiments: boolean;
  /** A managed user directory (user pool / identity platform). */
  readonly authentication: boolean;
}

/** One rung of the ladder as data. */
export interface TierSpec {
  /** Short name: 1K, 10K, 100K, 1M, 10M, 100M, 1B (or a custom name). */
  readonly name: string;
  /** Monthly active users the rung is designed for. */
  readonly maxUsers: number;
  /** The single server. */
  readonly server: ServerSpec;
  /** The managed database; absent while PostgreSQL lives on the server. */
  readonly database?: DatabaseSpec;
  /** The stateless fleet; absent while the single server serves traffic. */
  readonly fleet?: FleetSpec;
  /** The cache; absent below 1M. */
  readonly cache?: CacheSpec;
  /** Whether a CDN, a static-assets bucket and edge rate limiting front the fleet. */
  readonly cdn: boolean;
  /** Queues and workers; absent below 10M. */
  readonly queue?: QueueSpec;
  /** Regions. */
  readonly regions: RegionSpec;
  /** Operations. */
  readonly operations: OperationsSpec;
}
