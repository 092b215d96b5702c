import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeLogRetentionFunction, acknowledgeManagedPolicy } from './acknowledgements';
import { logRetention } from './log-retention';
import { LadderNetwork } from './network';
import { requireIntInRange, requireNumberInRange, requireOrdered, requirePattern, requireUnique, ScaleLadderError } from '../core/errors';

/** Props for {@link SeparatedDatabase}. */
export interface SeparatedDatabaseProps {
  /** The VPC; the cluster goes in its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Serverless v2 minimum capacity in ACU (0.5-256).
   * @default 0.5
   */
  readonly minCapacity?: number;
  /**
   * Serverless v2 maximum capacity in ACU (1-256).
   * @default 4
   */
  readonly maxCapacity?: number;
  /**
   * Days of automated backups (1-35).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Days the PostgreSQL log is kept in CloudWatch.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Aurora PostgreSQL version. Changing it later is a major-version upgrade, done in place by Aurora.
   * @default 16.9
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /**
   * An existing DB subnet group to place the cluster in (e.g. one shared by the shards of a
   * `ShardedCluster`). It must cover the VPC's isolated subnets.
   * @default - a subnet group of the VPC's isolated subnets, owned by this construct
   */
  readonly subnetGroup?: rds.ISubnetGroup;
  /**
   * An existing cluster parameter group (e.g. one shared by shards). It must set
   * `rds.force_ssl` to `1`, as the default one does, to keep TLS enforced.
   * @default - a parameter group with `rds.force_ssl = 1`, owned by this construct
   */
  readonly parameterGroup?: rds.IParameterGroup;
  /**
   * An existing enhanced-monitoring role (e.g. one shared by shards), assumable by
   * `monitoring.rds.amazonaws.com`.
   * @default - a role with the AWS managed enhanced-monitoring policy, owned by the cluster
   */
  readonly monitoringRole?: iam.IRole;
  /**
   * Regions the generated credentials secret is replicated to, so stacks in those regions
   * (e.g. an Aurora Global Database secondary) can read it there. Adding a region later
   * updates the secret in place.
   * @default - no replicas
   */
  readonly secretReplicaRegions?: string[];
}

/**
 * Rung 10K: Aurora PostgreSQL (Serverless v2 writer) in isolated subnets, credentials in
 * Secrets Manager, encrypted, TLS enforced, backed up, deletion-protected and snapshotted
 * on removal. The same cluster becomes shard 0 on the sharded rungs.
 */
export class SeparatedDatabase extends Construct {
  /** The Aurora cluster. */
  public readonly cluster: rds.DatabaseCluster;
  /** Its generated credentials (JSON: username, password, host, port, ...). */
  public readonly secret: secretsmanager.ISecret;
  /** Its network access (allow the app to connect with `connections.allowDefaultPortFrom`). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: SeparatedDatabaseProps) {
    super(scope, id);
    const minCapacity = requireNumberInRange('minCapacity', props.minCapacity ?? 0.5, 0.5, 256);
    const maxCapacity = requireNumberInRange('maxCapacity', props.maxCapacity ?? 4, 1, 256);
    requireOrdered('minCapacity', minCapacity, 'maxCapacity', maxCapacity);
    const retention = requireIntInRange('backupRetentionDays', props.backupRetentionDays ?? 7, 1, 35);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({
      version: props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_16_9,
    });

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: LadderNetwork.ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('Writer', { enablePerformanceInsights: true, autoMinorVersionUpgrade: true }),
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      credentials: rds.Credentials.fromGeneratedSecret('postgres', secretReplicaRegions(props.secretReplicaRegions, Stack.of(this).region)),
      subnetGroup: props.subnetGroup,
      monitoringRole: props.monitoringRole,
      parameterGroup: props.parameterGroup ?? new rds.ParameterGroup(this, 'Parameters', {
        engine,
        description: 'scale-ladder: TLS only',
        parameters: { 'rds.force_ssl': '1' },
      }),
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backup: { retention: Duration.days(retention), preferredWindow: '02:00-03:00' },
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logRetention('logRetentionDays', props.logRetentionDays ?? 30),
      monitoringInterval: Duration.seconds(60),
    });
    this.secret = this.cluster.secret!;
    // Credentials and instances are kept like the data they open (invariant 3); instances
    // in a cluster cannot take a snapshot of their own, so they are retained.
    for (const resource of this.cluster.node.findAll()) {
      if (resource instanceof rds.CfnDBInstance || resource instanceof secretsmanager.CfnSecret) resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    this.connections = this.cluster.connections;
    Validations.of(this).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Rotating the master secret restarts connections; enable it with cluster.addRotationSingleUser() when the app re-reads credentials.' });
    Validations.of(this).acknowledge({ id: 'AwsSolutions-RDS11', reason: 'The default PostgreSQL port is kept so the app contract (DATABASE_PORT) stays stable across rungs; the cluster is only reachable from isolated subnets.' });
    if (!props.monitoringRole) acknowledgeManagedPolicy(this, 'service-role/AmazonRDSEnhancedMonitoringRole', 'Enhanced monitoring uses the AWS managed policy built for it.');
    acknowledgeLogRetentionFunction(this);
  }
}

/** Credentials options for `secretReplicaRegions`; empty (the original behaviour) when none are given. */
function secretReplicaRegions(regions: string[] | undefined, stackRegion: string): rds.CredentialsBaseOptions {
  if (regions === undefined || regions.length === 0) return {};
  requireUnique('secretReplicaRegions', regions);
  for (const region of regions) {
    requirePattern('secretReplicaRegions', region, /^[a-z]{2}(-[a-z]+)+-\d$/, 'a list of AWS region names like eu-west-1');
    if (region === stackRegion) throw new ScaleLadderError(`secretReplicaRegions must name regions other than the stack's own (${stackRegion}), got '${region}'`);
  }
  return { replicaRegions: regions.map(region => ({ region })) };
}
