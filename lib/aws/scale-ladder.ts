import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeBucketObjects } from './acknowledgements';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';
import { Cache } from './cache';
import { CdnEdge } from './cdn-edge';
import { Monitoring } from './monitoring';
import { LadderNetwork } from './network';
import { ReadReplicaSet } from './read-replica-set';
import { SeparatedDatabase } from './separated-database';
import { SingleServer } from './single-server';
import { guardStackLimits } from './stack-limits';
import { StatelessFleet } from './stateless-fleet';
import { requireIntInRange, ScaleLadderError } from '../core/errors';
import { Tier } from '../core/tier';

/** What every rung takes; the presets fix the tier. */
export interface ScaleLadderOptions {
  /** The app's container image (arm64 or multi-arch). */
  readonly image: AppImage;
  /**
   * The port the app listens on.
   * @default 80
   */
  readonly port?: number;
  /**
   * Path the load balancer probes.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * Exactly three availability zones of the stack's region.
   * @default - the library's table for the stack's region
   */
  readonly availabilityZones?: string[];
  /**
   * The VPC's IPv4 range; fixed for the life of the deployment.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Certificate for HTTPS on the load balancer (from rung 100K).
   * @default - HTTP on the load balancer; HTTPS at the CDN from rung 1M
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Requests one client may make in 5 minutes before the edge blocks it (rung 1M+).
   * @default 2000
   */
  readonly rateLimitPerFiveMinutes?: number;
}

/** Props for {@link ScaleLadder}. */
export interface ScaleLadderProps extends ScaleLadderOptions {
  /** The rung to deploy. */
  readonly tier: Tier;
}

/**
 * The composer: builds the layers a tier switches on, with the sizes the tier's data
 * gives, at construct paths that never change between rungs — so swapping one preset
 * for the next updates in place and keeps every stateful resource.
 */
export class ScaleLadder extends Construct {
  /** The rung. */
  public readonly tier: Tier;
  /** The values handed to the app (the app contract). */
  public readonly environment: AppEnvironment;
  /** The network (final layout from rung 1K). */
  public readonly network: LadderNetwork;
  /** The single server; on rungs past 10K it only keeps its retained data volume. */
  public readonly server: SingleServer;
  /** The managed database (10K+; shard 0 from 10M). */
  public readonly database?: SeparatedDatabase;
  /** Readers of the database (100K+). */
  public readonly readers?: ReadReplicaSet;
  /** The load-balanced fleet (100K+). */
  public readonly fleet?: StatelessFleet;
  /** The cache (1M+). */
  public readonly cache?: Cache;
  /** CDN, static assets and WAF (1M+). */
  public readonly edge?: CdnEdge;
  /** Dashboard and alarms (100K+). */
  public readonly monitoring?: Monitoring;

  constructor(scope: Construct, id: string, props: ScaleLadderProps) {
    super(scope, id);
    if (!(props.tier instanceof Tier)) {
      throw new ScaleLadderError(`tier must be a Tier (e.g. Tier.USERS_100K), got ${JSON.stringify(props.tier)}`);
    }
    if (!(props.image instanceof AppImage)) {
      throw new ScaleLadderError(`image must be an AppImage (e.g. AppImage.fromRegistry('nginx:1.27')), got ${JSON.stringify(props.image)}`);
    }
    if (Token.isUnresolved(Stack.of(this).region)) {
      throw new ScaleLadderError('stack region must be concrete (set env.region on the stack): zones, load-balancer logs and WAF scope depend on it, got an environment-agnostic stack');
    }
    const spec = props.tier.spec;
    const port = requireIntInRange('port', props.port ?? 80, 1, 65535);
    const logRetentionDays = spec.operations.logRetentionDays;
    this.tier = props.tier;

    this.environment = new AppEnvironment()
      .set('APP_TIER', spec.name)
      .set('APP_CLOUD', 'aws')
      .set('APP_REGION', Stack.of(this).region)
      .set('PORT', String(port));

    this.network = new LadderNetwork(this, 'Network', {
      availabilityZones: props.availabilityZones,
      cidr: props.cidr,
      privateSubnets: spec.fleet !== undefined,
    });
    const vpc = this.network.vpc;

    if (spec.database) {
      const db = spec.database;
      this.database = new SeparatedDatabase(this, 'Database', {
        vpc,
        minCapacity: db.awsMinCapacityAcu,
        maxCapacity: db.awsMaxCapacityAcu,
        backupRetentionDays: db.backupRetentionDays,
        logRetentionDays,
      });
      this.environment
        .set('DATABASE_HOST', this.database.cluster.clusterEndpoint.hostname)
        .set('DATABASE_READER_HOST', this.database.cluster.clusterReadEndpoint.hostname)
        .set('DATABASE_PORT', this.database.cluster.clusterEndpoint.port.toString())
        .set('DATABASE_NAME', 'postgres')
        .set('DATABASE_USER', 'postgres')
        .set('DATABASE_SSL', 'require')
        .setSecret('DATABASE_PASSWORD', this.database.secret, 'password');
      if (db.readReplicas > 0) {
        this.readers = new ReadReplicaSet(this, 'Readers', { cluster: this.database.cluster, count: db.readReplicas });
      }
    }

    if (spec.cache) {
      this.cache = new Cache(this, 'Cache', {
        vpc,
        shards: spec.cache.shards,
        replicasPerShard: spec.cache.replicasPerShard,
        nodeType: spec.cache.awsNodeType,
      });
      this.environment
        .set('CACHE_HOST', this.cache.host)
        .set('CACHE_PORT', this.cache.port)
        .setSecret('CACHE_AUTH_TOKEN', this.cache.authToken, 'token');
    }

    // The server exists on every rung: retired past 10K, it still holds the 1K data volume.
    this.server = new SingleServer(this, 'Server', {
      vpc,
      image: props.image,
      port,
      environment: this.environment,
      running: spec.server.running,
      hostsDatabase: spec.server.hostsDatabase,
      instanceType: spec.server.awsInstanceType,
      dataVolumeGib: spec.server.dataVolumeGib,
      logRetentionDays,
      migrationTarget: this.database && {
        host: this.database.cluster.clusterEndpoint.hostname,
        port: this.database.cluster.clusterEndpoint.port.toString(),
        secret: this.database.secret,
      },
    });
    if (this.server.instance && this.database) this.database.connections.allowDefaultPortFrom(this.server.instance, 'single server');

    if (spec.fleet) {
      const fleet = spec.fleet;
      this.fleet = new StatelessFleet(this, 'Fleet', {
        vpc,
        image: props.image,
        port,
        healthCheckPath: props.healthCheckPath,
        environment: this.environment,
        vcpu: fleet.vcpu,
        memoryGib: fleet.memoryGib,
        minTasks: fleet.minInstances,
        maxTasks: fleet.maxInstances,
        targetCpuPercent: fleet.targetCpuPercent,
        targetRequestsPerTask: fleet.targetRequestsPerInstance,
        certificate: props.certificate,
        logRetentionDays,
      });
      this.database?.connections.allowDefaultPortFrom(this.fleet.service, 'app fleet');
      this.cache?.connections.allowDefaultPortFrom(this.fleet.service, 'app fleet');
      new CfnOutput(this, 'LoadBalancerDns', { value: this.fleet.loadBalancerDnsName, description: 'Public DNS name of the load balancer' });

      if (spec.cdn) {
        this.edge = new CdnEdge(this, 'Edge', {
          loadBalancer: this.fleet.loadBalancer,
          originHttps: props.certificate !== undefined,
          rateLimitPerFiveMinutes: props.rateLimitPerFiveMinutes,
          accessLogsBucket: this.fleet.accessLogsBucket,
        });
        this.fleet.container.addEnvironment('STATIC_BUCKET', this.edge.staticBucket.bucketName);
        grantStaticAssets(this.fleet, this.edge);
        new CfnOutput(this, 'DistributionDomain', { value: this.edge.distribution.distributionDomainName, description: 'The CDN domain the app is served on' });
      }
      if (spec.operations.dashboards) {
        this.monitoring = new Monitoring(this, 'Monitoring', { fleet: this.fleet, database: this.database?.cluster });
      }
    }
    guardStackLimits(this);
  }
}

/** The app may read, write and delete static assets, and nothing else in S3. */
function grantStaticAssets(fleet: StatelessFleet, edge: CdnEdge): void {
  const role = fleet.taskDefinition.taskRole;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    resources: [edge.staticBucket.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [edge.staticBucket.bucketArn] }));
  acknowledgeBucketObjects(fleet.taskDefinition, edge.staticBucket, 'The app manages the objects of its own static-assets bucket (STATIC_BUCKET).');
}
