import { SqlDatabase } from '@cdktf/provider-google/lib/sql-database';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { Construct } from 'constructs';
import { requireIntInRange, requirePattern } from '../../core/errors';
import { labels, PROTECT } from '../internal/common';
import { Network } from '../network/network';

/*
 * Cloud SQL for PostgreSQL building blocks shared by SeparatedDatabase, ReadReplicaSet,
 * ShardedCluster and GeoRoutedRegions. Internal: not exported from the package.
 */

/** The PostgreSQL major version of every instance (matches the server's postgres:16). */
export const DATABASE_VERSION = 'POSTGRES_16';
/** Cloud SQL's limit of read replicas (in-region and cross-region together) per primary. */
export const MAX_REPLICAS_PER_PRIMARY = 10;
/** Database name and port the app uses on every rung. */
export const DATABASE_NAME = 'app';
export const DATABASE_PORT = 5432;

export function requireSqlTier(prop: string, tier: string): string {
  return requirePattern(prop, tier, /^db-(custom-\d{1,2}-\d{3,6}|f1-micro|g1-small|n1-(standard|highmem)-\d{1,2}|perf-optimized-N-\d{1,2})$/,
    "a Cloud SQL Enterprise machine tier such as 'db-custom-2-7680'");
}

export interface PrimaryOptions {
  readonly project: string;
  readonly region: string;
  readonly appName: string;
  readonly layer: string;
  readonly instanceName: string;
  readonly network: Network;
  readonly tier: string;
  readonly highAvailability: boolean;
  readonly backupRetentionDays: number;
  readonly username: string;
  readonly password: string;
}

export interface Primary {
  readonly instance: SqlDatabaseInstance;
  readonly database: SqlDatabase;
  readonly user: SqlUser;
}

function ipConfiguration(network: Network) {
  return {
    ipv4Enabled: false,
    privateNetwork: network.vpc.id,
    allocatedIpRange: network.privateServicesRange.name,
    sslMode: 'ENCRYPTED_ONLY',
    enablePrivatePathForGoogleCloudServices: false,
  };
}

/** A protected, private-IP, TLS-only PostgreSQL primary with PITR backups, its database and user. */
export function postgresPrimary(scope: Construct, o: PrimaryOptions): Primary {
  requireSqlTier('databaseTier', o.tier);
  const retention = requireIntInRange('backupRetentionDays', o.backupRetentionDays, 1, 365);
  const instance = new SqlDatabaseInstance(scope, 'Instance', {
    project: o.project,
    name: o.instanceName,
    region: o.region,
    databaseVersion: DATABASE_VERSION,
    deletionProtection: true,
    settings: {
      tier: o.tier,
      edition: 'ENTERPRISE',
      availabilityType: o.highAvailability ? 'REGIONAL' : 'ZONAL',
      diskType: 'PD_SSD',
      diskAutoresize: true,
      deletionProtectionEnabled: true,
      retainBackupsOnDelete: true,
      userLabels: labels(o.appName, o.layer),
      ipConfiguration: ipConfiguration(o.network),
      backupConfiguration: {
        enabled: true,
        startTime: '02:00',
        pointInTimeRecoveryEnabled: true,
        transactionLogRetentionDays: Math.min(7, retention),
        backupRetentionSettings: { retainedBackups: retention, retentionUnit: 'COUNT' },
      },
      maintenanceWindow: { day: 7, hour: 3, updateTrack: 'stable' },
      insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: true, recordClientAddress: false },
      databaseFlags: [{ name: 'log_min_duration_statement', value: '1000' }],
    },
    dependsOn: [o.network.privateServicesConnection],
    lifecycle: PROTECT,
  });
  const database = new SqlDatabase(scope, 'Database', {
    project: o.project,
    instance: instance.name,
    name: DATABASE_NAME,
    deletionPolicy: 'ABANDON',
    lifecycle: PROTECT,
  });
  const user = new SqlUser(scope, 'User', {
    project: o.project,
    instance: instance.name,
    name: o.username,
    password: o.password,
    deletionPolicy: 'ABANDON',
    // The rotation job changes the password after the first apply; a later change to this
    // argument must never set the first one back (the provider updates `password` in place:
    // resourceSqlUserUpdate, google/services/sql/resource_sql_user.go). Terraform then keeps
    // the value it created the user with (lifecycle ignore_changes).
    lifecycle: { ignoreChanges: ['password'] },
  });
  return { instance, database, user };
}

export interface ReplicaOptions {
  readonly project: string;
  readonly region: string;
  readonly appName: string;
  readonly layer: string;
  readonly name: string;
  readonly network: Network;
  readonly tier: string;
  readonly primary: SqlDatabaseInstance;
}

/** A protected, private-IP, TLS-only read replica of `primary` (in its region or another). */
export function postgresReplica(scope: Construct, id: string, o: ReplicaOptions): SqlDatabaseInstance {
  return new SqlDatabaseInstance(scope, id, {
    project: o.project,
    name: o.name,
    region: o.region,
    databaseVersion: DATABASE_VERSION,
    masterInstanceName: o.primary.name,
    instanceType: 'READ_REPLICA_INSTANCE',
    deletionProtection: true,
    replicaConfiguration: { failoverTarget: false },
    settings: {
      tier: o.tier,
      edition: 'ENTERPRISE',
      availabilityType: 'ZONAL',
      diskType: 'PD_SSD',
      diskAutoresize: true,
      deletionProtectionEnabled: true,
      userLabels: labels(o.appName, o.layer),
      ipConfiguration: ipConfiguration(o.network),
      insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: true, recordClientAddress: false },
      databaseFlags: [{ name: 'log_min_duration_statement', value: '1000' }],
    },
    lifecycle: PROTECT,
  });
}

/** One shard's entry in `SHARD_MAP` (the format `ShardRouter` reads). */
export interface ShardMapEntry {
  readonly id: number;
  readonly host: string;
  readonly readerHost: string;
  readonly port: number;
  readonly secret: string;
}

/** The `SHARD_MAP` JSON. */
export function shardMapJson(entries: readonly ShardMapEntry[]): string {
  return JSON.stringify(entries.map(e => ({ id: e.id, host: e.host, readerHost: e.readerHost, port: e.port, secret: e.secret })));
}

