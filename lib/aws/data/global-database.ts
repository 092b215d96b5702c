import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { requireIntInRange, requireNumberInRange, requireOrdered, requirePattern, ScaleLadderError } from '../../core/errors';
import { acknowledgeLogRetentionFunction, acknowledgeManagedPolicy } from '../internal/acknowledgements';
import { LadderNetwork } from '../network/network';
import { logRetention } from '../operations/log-retention';

/** Aurora's rule for global cluster identifiers (stored lower-case). */
const GLOBAL_ID = /^(?=.{1,63}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const GLOBAL_ID_RULE = '1-63 lower-case letters, digits or hyphens, starting with a letter, without consecutive or trailing hyphens';

/** The PostgreSQL port every scale-ladder database listens on (DATABASE_PORT). */
const POSTGRES_PORT = 5432;

function checkGlobalId(prop: string, value: string): string {
  return requirePattern(prop, value, GLOBAL_ID, GLOBAL_ID_RULE);
}

/** Props for {@link GlobalShard}. */
export interface GlobalShardProps {
  /**
   * The existing shard cluster that becomes the global database's primary (e.g.
   * `SeparatedDatabase.cluster` or `ShardedCluster.shards[i].cluster`). It must be in the
   * same stack; its own resource is not changed.
   */
  readonly cluster: rds.IDatabaseCluster;
  /** The shard's id (0-63); names the global cluster. */
  readonly shardId: number;
  /**
   * Identifier of the global cluster, which secondary regions' stacks name to attach.
   * @default - `GlobalShard.identifierFor(stackName, shardId)`, e.g. `shop-shard0`
   */
  readonly globalClusterIdentifier?: string;
}

/**
 * Rung 100M+: makes an existing shard cluster the primary of an Aurora Global Database.
 *
 * The `AWS::RDS::GlobalCluster` names the cluster as its `SourceDBClusterIdentifier`, so
 * adding it leaves the cluster's own resource (and its data) untouched: the cluster joins
 * the global database instead of being replaced. Engine, version and encryption come from
 * the source cluster (CloudFormation does not allow setting them alongside a source).
 * The identifier is deterministic, so other regions' stacks attach by name with no
 * cross-stack export; deploy this stack before theirs.
 *
 * After joining, engine upgrades go through the global cluster (all regions together).
 */
export class GlobalShard extends Construct {
  /**
   * The deterministic global cluster identifier for a shard: `<stackName>-shard<id>`,
   * lower-cased. Secondary stacks call this with the primary stack's name.
   * @param stackName the primary region's stack name
   * @param shardId the shard's id (0-63)
   */
  public static identifierFor(stackName: string, shardId: number): string {
    requireIntInRange('shardId', shardId, 0, 63);
    if (typeof stackName !== 'string' || Token.isUnresolved(stackName)) {
      throw new ScaleLadderError(`stackName must be a concrete stack name to derive a global cluster identifier, got ${JSON.stringify(stackName)}`);
    }
    return checkGlobalId('globalClusterIdentifier', `${stackName}-shard${shardId}`.toLowerCase());
  }

  /** The global cluster. */
  public readonly globalCluster: rds.CfnGlobalCluster;
  /** Its identifier (what secondaries attach with). */
  public readonly globalClusterIdentifier: string;

  constructor(scope: Construct, id: string, props: GlobalShardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Stack.of(props.cluster) !== stack) {
      throw new ScaleLadderError(`cluster must be in the global shard's stack (${stack.stackName}), got one in ${Stack.of(props.cluster).stackName}`);
    }
    const shardId = requireIntInRange('shardId', props.shardId, 0, 63);
    this.globalClusterIdentifier = props.globalClusterIdentifier === undefined
      ? GlobalShard.identifierFor(stack.stackName, shardId)
      : checkGlobalId('globalClusterIdentifier', props.globalClusterIdentifier);

    this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: this.globalClusterIdentifier,
      // The API takes the source as an ARN (it may be in any region).
      sourceDbClusterIdentifier: props.cluster.clusterArn,
      deletionProtection: true,
    });
    // Holds no data itself, but removing it would split the regions: kept like the clusters.
    this.globalCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The source must be available (writer included) before it can become a primary.
    this.globalCluster.node.addDependency(props.cluster);
  }
}

/** Props for {@link SecondaryShard}. */
export interface SecondaryShardProps {
  /** The VPC of the secondary region; the cluster goes in its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /** Identifier of the global cluster to join (see `GlobalShard.identifierFor`). */
  readonly globalClusterIdentifier: string;
  /**
   * Serverless v2 instances in the secondary cluster (1-16). All serve reads; the first
   * (promotion tier 0) becomes the writer after a switchover or failover.
   * @default 1
   */
  readonly instances?: number;
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
   * Days of automated backups (1-35); they apply once the cluster is promoted.
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Days the PostgreSQL log is kept in CloudWatch.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Aurora PostgreSQL version; must equal the global database's (the primary's).
   * @default 16.9
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /**
   * Forward writes sent to this cluster to the primary region (Aurora PostgreSQL 16 and
   * later in all minor versions; 15.4+ and 14.9+). Writes then see the primary's latency;
   * reads here may lag the primary. Switching it on or off needs no reboot.
   * @default false
   */
  readonly writeForwarding?: boolean;
  /**
   * KMS key in this region that encrypts the cluster's storage.
   * @default - a new customer managed key with rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * An existing DB subnet group (e.g. shared by this region's secondary shards).
   * @default - a subnet group of the VPC's isolated subnets
   */
  readonly subnetGroup?: rds.ISubnetGroup;
  /**
   * An existing cluster parameter group of the same family; it must set `rds.force_ssl = 1`.
   * @default - a parameter group with `rds.force_ssl = 1`
   */
  readonly parameterGroup?: rds.IParameterGroup;
  /**
   * An existing enhanced-monitoring role (e.g. shared by this region's secondary shards).
   * @default - a role with the AWS managed enhanced-monitoring policy
   */
  readonly monitoringRole?: iam.IRole;
}

/**
 * Rung 100M (warm standby) and 1B (active-active): an Aurora PostgreSQL cluster in another
 * region's stack that joins a shard's global database as a read-only secondary.
 *
 * It has no credentials of its own (a secondary inherits the primary's users), is
 * encrypted with a KMS key of its own region, TLS-only, deletion-protected, snapshotted
 * on removal, and runs Serverless v2 instances (supported in Aurora global databases).
 * Reads here are eventually consistent with the primary region (typically under a
 * second of lag); with `writeForwarding`, writes are forwarded to the primary.
 */
export class SecondaryShard extends Construct {
  /** The secondary cluster. */
  public readonly cluster: rds.CfnDBCluster;
  /** Its instances, `Instance1` … (a higher count only adds). */
  public readonly instances: rds.CfnDBInstance[] = [];
  /** The key that encrypts its storage. */
  public readonly encryptionKey: kms.IKey;
  /** Its subnet group. */
  public readonly subnetGroup: rds.ISubnetGroup;
  /** Its cluster parameter group. */
  public readonly parameterGroup: rds.IParameterGroup;
  /** Its enhanced-monitoring role. */
  public readonly monitoringRole: iam.IRole;
  /** Its security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Its network access (allow this region's app with `connections.allowDefaultPortFrom`). */
  public readonly connections: ec2.Connections;
  /** Keeps its PostgreSQL log for the retention period. */
  public readonly logRetention: logs.LogRetention;
  /** Host of the cluster endpoint (writes, once this region is promoted). */
  public readonly clusterEndpoint: string;
  /** Host of the reader endpoint (reads in this region; forwarded writes when enabled). */
  public readonly readerEndpoint: string;
  /** The global cluster it joined. */
  public readonly globalClusterIdentifier: string;

  constructor(scope: Construct, id: string, props: SecondaryShardProps) {
    super(scope, id);
    const globalClusterIdentifier = checkGlobalId('globalClusterIdentifier', props.globalClusterIdentifier);
    const instances = requireIntInRange('instances', props.instances ?? 1, 1, 16);
    const minCapacity = requireNumberInRange('minCapacity', props.minCapacity ?? 0.5, 0.5, 256);
    const maxCapacity = requireNumberInRange('maxCapacity', props.maxCapacity ?? 4, 1, 256);
    requireOrdered('minCapacity', minCapacity, 'maxCapacity', maxCapacity);
    const retention = requireIntInRange('backupRetentionDays', props.backupRetentionDays ?? 7, 1, 35);
    const logDays = logRetention('logRetentionDays', props.logRetentionDays ?? 30);
    const version = props.engineVersion ?? rds.AuroraPostgresEngineVersion.VER_16_9;
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version });
    this.globalClusterIdentifier = globalClusterIdentifier;

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `scale-ladder: storage of the ${globalClusterIdentifier} secondary cluster`,
      enableKeyRotation: true,
      // Snapshots taken on removal are encrypted with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.subnetGroup = props.subnetGroup ?? new rds.SubnetGroup(this, 'Subnets', {
      description: `scale-ladder: isolated subnets of the ${globalClusterIdentifier} secondary cluster`,
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: LadderNetwork.ISOLATED },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.parameterGroup = props.parameterGroup ?? new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'scale-ladder: TLS only (secondary region)',
      parameters: { 'rds.force_ssl': '1' },
    });
    if (props.monitoringRole) {
      this.monitoringRole = props.monitoringRole;
    } else {
      this.monitoringRole = new iam.Role(this, 'MonitoringRole', {
        assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
      });
      acknowledgeManagedPolicy(this, 'service-role/AmazonRDSEnhancedMonitoringRole', 'Enhanced monitoring uses the AWS managed policy built for it.');
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `scale-ladder: ${globalClusterIdentifier} secondary cluster`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(POSTGRES_PORT) });

    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      engine: 'aurora-postgresql',
      engineVersion: version.auroraPostgresFullVersion,
      globalClusterIdentifier,
      // No MasterUsername/password and no DatabaseName: a secondary inherits them.
      dbSubnetGroupName: this.subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      dbClusterParameterGroupName: this.parameterGroup.bindToCluster({}).parameterGroupName,
      port: POSTGRES_PORT,
      storageEncrypted: true,
      kmsKeyId: this.encryptionKey.keyArn,
      serverlessV2ScalingConfiguration: { minCapacity, maxCapacity },
      enableGlobalWriteForwarding: props.writeForwarding ?? false,
      enableIamDatabaseAuthentication: true,
      deletionProtection: true,
      copyTagsToSnapshot: true,
      backupRetentionPeriod: retention,
      preferredBackupWindow: '02:00-03:00',
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      enableCloudwatchLogsExports: ['postgresql'],
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);

    for (let i = 1; i <= instances; i++) {
      const instance = new rds.CfnDBInstance(this, `Instance${i}`, {
        dbClusterIdentifier: this.cluster.ref,
        engine: 'aurora-postgresql',
        dbInstanceClass: 'db.serverless',
        // Tiers 0-1 scale with the writer-to-be, so a promoted region starts warm.
        promotionTier: i === 1 ? 0 : 1,
        publiclyAccessible: false,
        enablePerformanceInsights: true,
        autoMinorVersionUpgrade: true,
        monitoringInterval: 60,
        monitoringRoleArn: this.monitoringRole.roleArn,
      });
      // Instances in a cluster cannot take a snapshot of their own: retained like the data.
      instance.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.instances.push(instance);
    }

    this.logRetention = new logs.LogRetention(this, 'LogRetention', {
      logGroupName: `/aws/rds/cluster/${this.cluster.ref}/postgresql`,
      retention: logDays,
    });
    this.clusterEndpoint = this.cluster.attrEndpointAddress;
    this.readerEndpoint = this.cluster.attrReadEndpointAddress;

    acknowledgeLogRetentionFunction(this);
  }

  /**
   * Grants IAM database authentication (`rds-db:connect`) as `dbUser` on this cluster.
   * @param grantee the principal
   * @param dbUser the database user (default `postgres`)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [Stack.of(this).formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${this.cluster.attrDbClusterResourceId}/${dbUser ?? 'postgres'}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    });
  }
}
