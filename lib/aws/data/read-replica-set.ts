import { RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { requireIntInRange } from '../../core/errors';

/** Props for {@link ReadReplicaSet}. */
export interface ReadReplicaSetProps {
  /** The Aurora cluster to add readers to. */
  readonly cluster: rds.DatabaseCluster;
  /** Number of readers (0-15, Aurora's limit). */
  readonly count: number;
}

/**
 * Rung 100K: Aurora Serverless v2 readers in the same cluster. They share the cluster's
 * storage, so adding one copies nothing; the app reads through the reader endpoint
 * (DATABASE_READER_HOST) and must tolerate replica lag for reads after its own writes.
 */
export class ReadReplicaSet extends Construct {
  /** The reader instances, `Reader1` … `ReaderN` (a higher count only adds). */
  public readonly readers: rds.CfnDBInstance[] = [];
  /** Host of the cluster's reader endpoint. */
  public readonly readerEndpoint: string;

  constructor(scope: Construct, id: string, props: ReadReplicaSetProps) {
    super(scope, id);
    const count = requireIntInRange('readReplicas', props.count, 0, 15);
    for (let i = 1; i <= count; i++) {
      const reader = new rds.CfnDBInstance(this, `Reader${i}`, {
        dbClusterIdentifier: props.cluster.clusterIdentifier,
        engine: 'aurora-postgresql',
        dbInstanceClass: 'db.serverless',
        // Tiers 0-1 scale with the writer, so a failover lands on a warm reader.
        promotionTier: 1,
        publiclyAccessible: false,
        enablePerformanceInsights: true,
        autoMinorVersionUpgrade: true,
      });
      // Retained like every database resource: a lowered count orphans a reader rather than deleting it.
      reader.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.readers.push(reader);
    }
    this.readerEndpoint = props.cluster.clusterReadEndpoint.hostname;
  }
}
