import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { SqlDatabase } from '@cdktf/provider-google/lib/sql-database';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { Construct } from 'constructs';
import { postgresPrimary } from './cloud-sql';
import { DatabaseCredentials } from './credentials';
import { ShardRouter } from '../../core/shard-router';
import { baseSettings, GcpBaseProps, labels, PROTECT } from '../internal/common';
import { Network } from '../network/network';

/** Props of `SeparatedDatabase`. */
export interface SeparatedDatabaseProps extends GcpBaseProps {
  /** The network; the instance gets a private IP from its private services access range. */
  readonly network: Network;
  /** The user and password (shared with the single server and every shard). */
  readonly credentials: DatabaseCredentials;
  /**
   * Cloud SQL machine tier (Enterprise edition); changing it restarts the instance in place.
   * @default 'db-custom-1-3840'
   */
  readonly databaseTier?: string;
  /**
   * Regional (HA, synchronous standby in a second zone) instead of zonal.
   * @default false
   */
  readonly highAvailability?: boolean;
  /**
   * Automated daily backups kept (1-365); point-in-time recovery keeps up to 7 days of WAL.
   * @default 7
   */
  readonly backupRetentionDays?: number;
}

/**
 * Rung 10K: Cloud SQL for PostgreSQL 16 on a private IP only (private services access), TLS
 * required, daily backups with point-in-time recovery, deletion protection (Terraform and
 * API) and `prevent_destroy`. This instance is shard 0 from the 10M rung on.
 *
 * It also holds the bucket assignment the app routes keys with once there are shards
 * (`SHARD_BUCKETS`): a Secret Manager secret whose first version puts all 256 buckets on shard
 * 0, where every row is before a rebalance. The assignment is owned at run time: only the
 * shipped rebalance step adds versions, and Terraform ignores the version's data, so no climb
 * ever resets it.
 */
export class SeparatedDatabase extends Construct {
  /** The Cloud SQL instance (shard 0 later on). */
  public readonly instance: SqlDatabaseInstance;
  /** The app's database. */
  public readonly database: SqlDatabase;
  /** The app's user. */
  public readonly user: SqlUser;
  /** The writer's private IP. */
  public readonly host: string;
  /** The secret holding the bucket assignment (`SHARD_BUCKETS`; read its `latest` version). */
  public readonly bucketAssignment: SecretManagerSecret;
  /** Its first version: every bucket on shard 0. */
  public readonly bucketAssignmentVersion: SecretManagerSecretVersion;

  constructor(scope: Construct, id: string, props: SeparatedDatabaseProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const primary = postgresPrimary(this, {
      project,
      region,
      appName: name,
      layer: 'SeparatedDatabase',
      instanceName: `${name}-db`,
      network: props.network,
      tier: props.databaseTier ?? 'db-custom-1-3840',
      highAvailability: props.highAvailability ?? false,
      backupRetentionDays: props.backupRetentionDays ?? 7,
      username: props.credentials.username,
      password: props.credentials.passwordValue,
    });
    this.instance = primary.instance;
    this.database = primary.database;
    this.user = primary.user;
    this.host = this.instance.privateIpAddress;

    this.bucketAssignment = new SecretManagerSecret(this, 'ShardBuckets', {
      project,
      secretId: `${name}-shard-buckets`,
      replication: { auto: {} },
      deletionProtection: true,
      labels: labels(name, 'SeparatedDatabase'),
      lifecycle: PROTECT,
    });
    this.bucketAssignmentVersion = new SecretManagerSecretVersion(this, 'ShardBucketsInitial', {
      secret: this.bucketAssignment.id,
      secretData: JSON.stringify(ShardRouter.balancedAssignment(1)),
      deletionPolicy: 'DISABLE',
      // secret_data is ForceNew (google/services/secretmanager/resource_secret_manager_secret_version.go);
      // ignore_changes keeps Terraform from ever writing it again once created
      // (developer.hashicorp.com/terraform/language/meta-arguments/lifecycle, "ignore_changes").
      lifecycle: { ...PROTECT, ignoreChanges: ['secret_data'] },
    });
  }
}
