import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { requireIntInRange, requireNumberInRange, requireOrdered, requirePattern, requireUnique, ScaleLadderError } from '../../core/errors';
import { acknowledgeLogRetentionFunction, acknowledgeManagedPolicy } from '../internal/acknowledgements';
import { LadderNetwork } from '../network/network';
import { logRetention } from '../operations/log-retention';

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
  /**
   * Rotate the credentials every 30 days with Secrets Manager's hosted single-user rotation
   * function for PostgreSQL, which runs in the isolated subnets next to the cluster. Each rotation
   * sets a new password on the database, then makes it the secret's current version (same secret,
   * same ARN). Open connections stay open; the next new connection needs the new password, so the
   * app reads the secret again when a connection fails authentication (docs/credentials.md). The
   * first rotation runs 30 days after rotation is switched on, not at deploy. Switching it on adds
   * resources and updates none that hold data.
   * @default false
   */
  readonly credentialRotation?: boolean;
  /**
   * The Secrets Manager interface endpoint (private DNS on) the rotation function reaches
   * Secrets Manager through from the isolated subnets. A VPC takes one such endpoint per service:
   * give the first database's `secretsManagerEndpoint` to the others in the same VPC.
   * @default - one owned by this construct, in the isolated subnets, when `credentialRotation` is on
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;
}

/** A database's credential rotation and the endpoint it reaches Secrets Manager through. */
interface Rotation {
  readonly rotation: secretsmanager.RotationSchedule;
  readonly endpoint: ec2.IInterfaceVpcEndpoint;
}

/** Days between two rotations of a database's credentials. */
const ROTATION_DAYS = 30;

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
  /** The rotation of its credentials, when `credentialRotation` is on. */
  public readonly rotation?: secretsmanager.RotationSchedule;
  /** The Secrets Manager endpoint the rotation uses (given or owned), when `credentialRotation` is on. */
  public readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: SeparatedDatabaseProps) {
    super(scope, id);
    const minCapacity = requireNumberInRange('minCapacity', props.minCapacity ?? 0.5, 0.5, 256);
    const maxCapacity = requireNumberInRange('maxCapacity', props.maxCapacity ?? 4, 1, 256);
    for (const [prop, value] of [['minCapacity', minCapacity], ['maxCapacity', maxCapacity]] as const) {
      if (!Number.isInteger(value * 2)) throw new ScaleLadderError(`${prop} must be a multiple of 0.5 ACU (Aurora Serverless v2 capacity steps), got ${value}`);
    }
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
    if (credentialRotation(props.credentialRotation)) {
      ({ rotation: this.rotation, endpoint: this.secretsManagerEndpoint } = this.rotateCredentials(props.vpc, props.secretsManagerEndpoint));
    } else {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotation is switched off (credentialRotation: false), e.g. while the app does not yet read its secret again on a failed login; docs/credentials.md gives the procedure to rotate by hand.',
      });
    }
    if (!props.monitoringRole) acknowledgeManagedPolicy(this, 'service-role/AmazonRDSEnhancedMonitoringRole', 'Enhanced monitoring uses the AWS managed policy built for it.');
    acknowledgeLogRetentionFunction(this);
  }

  /**
   * Hosted single-user rotation (AWS::SecretsManager::RotationSchedule with HostedRotationLambda,
   * RotationType PostgreSQLSingleUser; the AWS::SecretsManager-2024-09-16 transform creates the
   * function). A rotation schedule is a resource of its own: the secret keeps its ARN and its
   * CloudFormation definition, and each rotation adds a version to it ("How rotation works",
   * Secrets Manager User Guide). RotateImmediatelyOnUpdate false: the first rotation waits for the
   * schedule instead of running during the deploy (AWS::SecretsManager::RotationSchedule,
   * CloudFormation Template Reference).
   */
  private rotateCredentials(vpc: ec2.IVpc, given?: ec2.IInterfaceVpcEndpoint): Rotation {
    // The function runs in the isolated subnets, which have no route out: Secrets Manager is
    // reached through an interface endpoint whose private DNS name is the service's own
    // ("Using an AWS Secrets Manager VPC endpoint", Secrets Manager User Guide).
    const endpoint = given ?? this.secretsManagerEndpointIn(vpc);
    const hostedRotation = secretsmanager.HostedRotation.postgreSqlSingleUser({
      vpc,
      vpcSubnets: { subnetGroupName: LadderNetwork.ISOLATED },
    });
    const rotation = this.secret.addRotationSchedule('Rotation', {
      hostedRotation,
      automaticallyAfter: Duration.days(ROTATION_DAYS),
      rotateImmediatelyOnUpdate: false,
    });
    rotation.node.addDependency(endpoint);
    this.cluster.connections.allowDefaultPortFrom(hostedRotation, 'credentials rotation');
    return { rotation, endpoint };
  }

  /**
   * An interface endpoint with private DNS answers every Secrets Manager call made in the VPC, so
   * it admits HTTPS from the whole VPC range (the fleet and the server read their secrets through
   * it too), written as the VPC's literal range where the VPC is defined in this app.
   */
  private secretsManagerEndpointIn(vpc: ec2.IVpc): ec2.InterfaceVpcEndpoint {
    const endpoint = new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetGroupName: LadderNetwork.ISOLATED },
      privateDnsEnabled: true,
      open: false,
    });
    const cfnVpc = vpc.node.defaultChild;
    const literal = cfnVpc instanceof ec2.CfnVPC && typeof cfnVpc.cidrBlock === 'string' && !Token.isUnresolved(cfnVpc.cidrBlock) ? cfnVpc.cidrBlock : undefined;
    endpoint.connections.allowFrom(ec2.Peer.ipv4(literal ?? vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS to Secrets Manager from the VPC');
    return endpoint;
  }
}

/** `credentialRotation`, checked. */
function credentialRotation(value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ScaleLadderError(`credentialRotation must be a boolean (true or false), got ${JSON.stringify(value)}`);
  }
  return value ?? false;
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
