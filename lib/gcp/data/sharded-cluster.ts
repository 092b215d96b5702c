import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SqlDatabase } from '@cdktf/provider-google/lib/sql-database';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { Construct } from 'constructs';
import { DATABASE_PORT, MAX_REPLICAS_PER_PRIMARY, postgresPrimary, postgresReplica, ShardMapEntry, shardMapJson } from './cloud-sql';
import { DatabaseCredentials, InstancePasswordSecret } from './credentials';
import { requireIntInRange } from '../../core/errors';
import { baseSettings, GcpBaseProps } from '../internal/common';
import { Network } from '../network/network';

/** Props of `ShardedCluster`. */
export interface ShardedClusterProps extends GcpBaseProps {
  /** The network. */
  readonly network: Network;
  /**
   * The user and the generated password: every new shard's user is created with it, and each
   * shard's own secret (`<name>-db-shard-<i>-password`) starts with it. Shard 0 keeps
   * `credentials.secret`.
   */
  readonly credentials: DatabaseCredentials;
  /** Shard 0: the original instance (`SeparatedDatabase.instance`), which stays where it is. */
  readonly shardZero: SqlDatabaseInstance;
  /**
   * Reader host of shard 0.
   * @default - shard 0's writer
   */
  readonly shardZeroReaderHost?: string;
  /** Number of hash shards, shard 0 included (2-64). Shards are only ever added. */
  readonly shards: number;
  /**
   * Read replicas per new shard, in its region.
   * @default 0
   */
  readonly replicasPerShard?: number;
  /**
   * Replicas of each shard created elsewhere (cross-region), counted against Cloud SQL's limit.
   * @default 0
   */
  readonly otherReplicasPerShard?: number;
  /**
   * Machine tier of every new shard and its replicas.
   * @default 'db-custom-2-7680'
   */
  readonly databaseTier?: string;
  /**
   * Regional (HA) shards.
   * @default true
   */
  readonly highAvailability?: boolean;
  /**
   * Automated backups kept per shard (1-365).
   * @default 14
   */
  readonly backupRetentionDays?: number;
}

/**
 * Rung 10M: hash shards, each its own Cloud SQL for PostgreSQL instance (private IP, TLS, PITR,
 * deletion protection, `prevent_destroy`). Shard 0 is the original instance at its original
 * address; this construct adds shards 1…N-1 (plus their read replicas) and publishes the shard
 * map (`SHARD_MAP`) the app routes keys with (`ShardRouter`, consistent hashing).
 */
export class ShardedCluster extends Construct {
  /** Every shard's writer, shard 0 first. */
  public readonly shardInstances: SqlDatabaseInstance[];
  /** The databases of the new shards (1…N-1). */
  public readonly databases: SqlDatabase[] = [];
  /** The users of the new shards (1…N-1). */
  public readonly users: SqlUser[] = [];
  /** Read replicas of the new shards, shard by shard (shard 0's are `ReadReplicaSet`'s). */
  public readonly replicas: SqlDatabaseInstance[] = [];
  /** Every shard's password secret, shard 0 (`credentials.secret`) first. */
  public readonly passwordSecrets: SecretManagerSecret[];
  /** The new shards' own password secrets (1…N-1). */
  public readonly shardSecrets: InstancePasswordSecret[] = [];
  /** The shard map (JSON, with Terraform references for the hosts; each entry names its shard's secret). */
  public readonly shardMap: string;

  private readonly replicasByShard: SqlDatabaseInstance[][];

  constructor(scope: Construct, id: string, props: ShardedClusterProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const shards = requireIntInRange('shards', props.shards, 2, 64);
    const perShard = props.replicasPerShard ?? 0;
    requireIntInRange('readReplicas', perShard, 0, MAX_REPLICAS_PER_PRIMARY - (props.otherReplicasPerShard ?? 0));
    const tier = props.databaseTier ?? 'db-custom-2-7680';
    this.shardInstances = [props.shardZero];
    this.passwordSecrets = [props.credentials.secret];
    this.replicasByShard = [[]];
    const entries: ShardMapEntry[] = [{
      id: 0,
      host: props.shardZero.privateIpAddress,
      readerHost: props.shardZeroReaderHost ?? props.shardZero.privateIpAddress,
      port: DATABASE_PORT,
      secret: props.credentials.secret.secretId,
    }];
    for (let i = 1; i < shards; i++) {
      const shard = new Construct(this, `Shard${i}`);
      const instanceName = `${name}-db-shard-${i}`;
      const primary = postgresPrimary(shard, {
        project,
        region,
        appName: name,
        layer: 'ShardedCluster',
        instanceName,
        network: props.network,
        tier,
        highAvailability: props.highAvailability ?? true,
        backupRetentionDays: props.backupRetentionDays ?? 14,
        username: props.credentials.username,
        password: props.credentials.passwordValue,
      });
      // The shard's own secret, named after its instance; its first version is the password the
      // user above is created with, so adding it changes no password (and no user: password is
      // not ForceNew on google_sql_user, terraform-provider-google v6.50.0
      // google/services/sql/resource_sql_user.go, and nothing about the user changes here).
      const own = new InstancePasswordSecret(shard, 'PasswordSecret', {
        project,
        region,
        name,
        secretId: `${instanceName}-password`,
        initialPassword: props.credentials.passwordValue,
        layer: 'ShardedCluster',
      });
      this.shardSecrets.push(own);
      this.passwordSecrets.push(own.secret);
      const replicas: SqlDatabaseInstance[] = [];
      for (let j = 1; j <= perShard; j++) {
        replicas.push(postgresReplica(shard, `Replica${j}`, {
          project,
          region,
          appName: name,
          layer: 'ShardedCluster',
          name: `${instanceName}-replica-${j}`,
          network: props.network,
          tier,
          primary: primary.instance,
        }));
      }
      this.shardInstances.push(primary.instance);
      this.databases.push(primary.database);
      this.users.push(primary.user);
      this.replicasByShard.push(replicas);
      this.replicas.push(...replicas);
      entries.push({
        id: i,
        host: primary.instance.privateIpAddress,
        readerHost: (replicas[0] ?? primary.instance).privateIpAddress,
        port: DATABASE_PORT,
        secret: own.secret.secretId,
      });
    }
    this.shardMap = shardMapJson(entries);
  }

  /**
   * Lets `member` (`serviceAccount:…`) read the password secrets of shards 1…N-1, which its
   * `SHARD_MAP` names (shard 0's is the app's `DATABASE_PASSWORD` secret, granted with it): an app
   * that re-reads a shard's secret after a rotation (docs/credentials.md) needs no other grant.
   * `label` names the grants (one per shard and member).
   */
  public grantPasswordRead(member: string, label: string): SecretManagerSecretIamMember[] {
    return this.passwordSecrets.slice(1).map((secret, i) => new SecretManagerSecretIamMember(this, `Shard${i + 1}PasswordRead-${label}`, {
      project: secret.project, secretId: secret.id, role: 'roles/secretmanager.secretAccessor', member,
    }));
  }

  /** The secret ids of every shard's password, shard 0 first (the `secret` of each `SHARD_MAP` entry). */
  public get passwordSecretIds(): string[] {
    return this.passwordSecrets.map(s => s.secretId);
  }

  /** The in-region read replicas of shard `shard` (empty for shard 0: see `ReadReplicaSet`). */
  public replicasOf(shard: number): SqlDatabaseInstance[] {
    return [...(this.replicasByShard[shard] ?? [])];
  }
}
