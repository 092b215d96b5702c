import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { Construct } from 'constructs';
import { MAX_REPLICAS_PER_PRIMARY, postgresReplica, requireSqlTier } from './cloud-sql';
import { requireIntInRange } from '../../core/errors';
import { baseSettings, GcpBaseProps } from '../internal/common';
import { Network } from '../network/network';

/** Props of `ReadReplicaSet`. */
export interface ReadReplicaSetProps extends GcpBaseProps {
  /** The network (replicas are private-IP only, like the primary). */
  readonly network: Network;
  /** The primary instance to replicate. */
  readonly primary: SqlDatabaseInstance;
  /** Read replicas in the primary's region (Cloud SQL allows 10 per primary, cross-region ones included). */
  readonly replicas: number;
  /**
   * Replicas of this primary created elsewhere (cross-region), which count against Cloud SQL's limit.
   * @default 0
   */
  readonly otherReplicas?: number;
  /**
   * Machine tier of each replica.
   * @default 'db-custom-2-7680'
   */
  readonly databaseTier?: string;
}

/**
 * Rung 100K: Cloud SQL read replicas of the writer in its region (the writer turns regional/HA on
 * the same rung). Replica i keeps its name and address on every higher rung; replicas are only
 * ever added. Reads from a replica may lag writes (asynchronous replication).
 */
export class ReadReplicaSet extends Construct {
  /** The replicas, first to last. */
  public readonly replicas: SqlDatabaseInstance[] = [];
  /** The private IP the app reads from (the first replica). */
  public readonly readerHost: string;

  constructor(scope: Construct, id: string, props: ReadReplicaSetProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const other = props.otherReplicas ?? 0;
    const max = MAX_REPLICAS_PER_PRIMARY - other;
    requireIntInRange('readReplicas', props.replicas, 1, max);
    const tier = requireSqlTier('databaseTier', props.databaseTier ?? 'db-custom-2-7680');
    for (let i = 1; i <= props.replicas; i++) {
      this.replicas.push(postgresReplica(this, `Replica${i}`, {
        project,
        region,
        appName: name,
        layer: 'ReadReplicaSet',
        name: `${props.primary.name}-replica-${i}`,
        network: props.network,
        tier,
        primary: props.primary,
      }));
    }
    this.readerHost = this.replicas[0].privateIpAddress;
  }
}
