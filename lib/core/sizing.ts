/**
 * Sizes of one's own that override the rung's on every rung where their layer exists, so a
 * customised deployment keeps its sizes when one preset is swapped for the next. A size whose
 * layer a rung does not have yet is still checked there (a bad value never waits for the rung
 * that uses it) and takes effect from the first rung that has the layer.
 *
 * Database capacity and cache size are per cloud because the clouds size them differently:
 * Aurora Serverless v2 in capacity units (ACUs), Cloud SQL by machine tier; ElastiCache by node
 * type, Memorystore by GiB. Setting the other cloud's field is an error.
 */
export interface Sizing {
  /** vCPUs per app task (AWS Fargate) or instance (Cloud Run). @default - the rung's */
  readonly fleetVcpu?: number;
  /** Memory per app task or instance, GiB. @default - the rung's */
  readonly fleetMemoryGib?: number;
  /** Fewest app tasks / instances (1-1000). @default - the rung's */
  readonly fleetMinInstances?: number;
  /** Most app tasks / instances per region (1-5000). @default - the rung's */
  readonly fleetMaxInstances?: number;
  /** Fewest queue workers (0-1000), from the rung with queues. @default - the rung's */
  readonly workerMinInstances?: number;
  /** Most queue workers (1-5000). @default - the rung's */
  readonly workerMaxInstances?: number;
  /** Read replicas per shard (1-15), on the rungs that have readers. @default - the rung's */
  readonly readReplicas?: number;
  /** Days of automated database backups (1-35), from the rung with a managed database. @default - the rung's */
  readonly backupRetentionDays?: number;
  /** Days logs are kept (AWS: one of CloudWatch's retention values; Google Cloud: 1-3650). @default - the rung's */
  readonly logRetentionDays?: number;
  /** AWS only: Aurora Serverless v2 minimum capacity in ACUs (0-256, steps of 0.5). @default - the rung's */
  readonly databaseMinCapacityAcu?: number;
  /** AWS only: Aurora Serverless v2 maximum capacity in ACUs (1-256, steps of 0.5). @default - the rung's */
  readonly databaseMaxCapacityAcu?: number;
  /** AWS only: the ElastiCache node type, e.g. `cache.r7g.xlarge`. @default - the rung's */
  readonly cacheNodeType?: string;
  /** Google Cloud only: the Cloud SQL machine tier, e.g. `db-custom-4-15360`. @default - the rung's */
  readonly databaseMachineTier?: string;
  /** Google Cloud only: Memorystore capacity in GiB (5-300). @default - the rung's */
  readonly cacheMemoryGib?: number;
}
