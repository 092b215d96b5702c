import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { appCompute, buildServingLayers } from './serving-layers';
import { FleetServiceOptions } from './serving-options';
import { ScaleLadderError } from '../../core/errors';
import { Tier } from '../../core/tier';
import { AppEnvironment } from '../compute/app-environment';
import { AppImage } from '../compute/app-image';
import { EventStream } from '../compute/event-stream';
import { PathRoutedService } from '../compute/path-routed-service';
import { QueueWorkers } from '../compute/queue-workers';
import { StatelessFleet } from '../compute/stateless-fleet';
import { Cache } from '../data/cache';
import { GlobalShard, SecondaryShard } from '../data/global-database';
import { RegionalCredentials } from '../data/regional-credentials';
import { ShardedCluster } from '../data/sharded-cluster';
import { GeoRoutedRegions, GeoRoutingZone } from '../edge/geo-routed-regions';
import { OriginProtection } from '../edge/origin-protection';
import { acknowledgeManagedPolicy } from '../internal/acknowledgements';
import { LadderNetwork } from '../network/network';
import { AlertTopic } from '../operations/alerts';

/** What a region other than the primary does on its rung. */
export enum RegionRole {
  /** Holds database replicas and a scaled-down fleet, ready to take traffic (rung 100M). */
  WARM_STANDBY = 'WARM_STANDBY',
  /** Serves traffic behind latency routing (rung 1B). */
  ACTIVE = 'ACTIVE',
}

/** Props for {@link RegionalLadder}. */
export interface RegionalLadderProps {
  /** The rung (the same as the primary's). */
  readonly tier: Tier;
  /** The primary region's stack name: names the global clusters and replicated secrets. */
  readonly primaryStackName: string;
  /** The primary region (where the static-assets bucket's name is published). */
  readonly primaryRegion: string;
  /** What this region does. */
  readonly role: RegionRole;
  /** The app's image. */
  readonly image: AppImage;
  /**
   * The app's port.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Path the load balancer probes.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /** This region's VPC range (distinct per region, so regions can be peered later). */
  readonly cidr: string;
  /**
   * Three availability zones of this region.
   * @default - the library's table for the region
   */
  readonly availabilityZones?: string[];
  /**
   * The hosted zone for latency routing; required for an ACTIVE region.
   * @default - no records
   */
  readonly zone?: GeoRoutingZone;
  /**
   * Certificate for HTTPS on this region's load balancer.
   * @default - HTTP
   */
  readonly certificate?: acm.ICertificate;
  /**
   * More services on the fleet, routed by path.
   * @default - none
   */
  readonly services?: FleetServiceOptions[];
  /**
   * E-mail address subscribed to this region's alert topic (every alarm of the region's stack notifies it).
   * @default - no subscription
   */
  readonly alertEmail?: string;
}

/**
 * Rung 100M/1B, one per region other than the primary, in its own stack: the network,
 * an Aurora Global Database secondary for every shard (writes forwarded to the primary),
 * and the serving layers of the rung. A WARM_STANDBY region runs the fleet at its
 * minimum; an ACTIVE one adds latency routing. The same stack serves both roles, so a
 * 100M standby becomes a 1B active region in place.
 *
 * Nothing is imported from the primary stack: global clusters are found by deterministic
 * names, the replicas of the shard secrets by the name a replicated secret gives
 * (`RegionalCredentials`), the static bucket's name through an SSM parameter read
 * by ECS across regions (full ARN). Deploy the primary stack first (the composer adds
 * that dependency).
 */
export class RegionalLadder extends Construct {
  /** The SSM parameter (in the primary region) that holds the static-assets bucket's name. */
  public static staticBucketParameterName(primaryStackName: string): string {
    return `/scale-ladder/${primaryStackName}/static-bucket`;
  }

  /** The ARN of a primary-region SSM parameter; ECS reads a parameter of another region by its full ARN (commercial partition). */
  private static primaryParameterArn(primaryRegion: string, account: string, parameterName: string): string {
    if (Token.isUnresolved(account)) {
      throw new ScaleLadderError(`stack account must be concrete for a region that reads the primary's parameters, got an account-agnostic stack for ${primaryRegion}'s ${parameterName}`);
    }
    return `arn:aws:ssm:${primaryRegion}:${account}:parameter${parameterName}`;
  }

  /** The region's network. */
  public readonly network: LadderNetwork;
  /** Secondary clusters, index = shard id. */
  public readonly shards: SecondaryShard[];
  /** The values handed to the app in this region. */
  public readonly environment: AppEnvironment;
  /** The load-balanced fleet. */
  public readonly fleet: StatelessFleet;
  /** More services behind path routing. */
  public readonly services: PathRoutedService[];
  /** The cache, when the rung has one. */
  public readonly cache?: Cache;
  /** The work queue and its workers, when the rung has them. */
  public readonly queue?: QueueWorkers;
  /** The event stream, when the rung has one. */
  public readonly stream?: EventStream;
  /** Latency routing (ACTIVE regions). */
  public readonly routing?: GeoRoutedRegions;
  /** This region's alert topic: every alarm of the region's stack notifies it. */
  public readonly alerts: sns.Topic;

  constructor(scope: Construct, id: string, props: RegionalLadderProps) {
    super(scope, id);
    const spec = props.tier.spec;
    if (!spec.database || !spec.fleet) {
      throw new ScaleLadderError(`tier must have a managed database and a fleet to run in another region, got '${spec.name}'`);
    }
    if (props.role === RegionRole.ACTIVE && !props.zone) {
      throw new ScaleLadderError(`zone (hostedZoneId and zoneName) must be given for an ACTIVE region, got none in ${Stack.of(this).region}`);
    }
    const port = props.port ?? 8080;
    const stack = Stack.of(this);
    const alertTopic = new AlertTopic(this, 'Alerts', { email: props.alertEmail });
    this.alerts = alertTopic.topic;

    this.network = new LadderNetwork(this, 'Network', { cidr: props.cidr, availabilityZones: props.availabilityZones, privateSubnets: true });
    const vpc = this.network.vpc;

    const standby = props.role === RegionRole.WARM_STANDBY;
    // One key, subnet group, parameter group and monitoring role for every secondary shard.
    const shared = new Construct(this, 'Databases');
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_9 });
    const sharedPieces = {
      encryptionKey: new kms.Key(shared, 'Key', {
        description: 'scale-ladder: storage of the secondary shard clusters',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      subnetGroup: new rds.SubnetGroup(shared, 'Subnets', {
        description: 'scale-ladder: isolated subnets of the secondary shard clusters',
        vpc,
        vpcSubnets: { subnetGroupName: LadderNetwork.ISOLATED },
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      parameterGroup: new rds.ParameterGroup(shared, 'Parameters', {
        engine,
        description: 'scale-ladder: TLS only (secondary region)',
        parameters: { 'rds.force_ssl': '1' },
      }),
      monitoringRole: new iam.Role(shared, 'MonitoringRole', {
        assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
      }),
    };
    acknowledgeManagedPolicy(shared, 'service-role/AmazonRDSEnhancedMonitoringRole', 'Enhanced monitoring uses the AWS managed policy built for it.');
    this.shards = Array.from({ length: spec.database.shards }, (_, i) => new SecondaryShard(this, `Shard${i}`, {
      vpc,
      globalClusterIdentifier: GlobalShard.identifierFor(props.primaryStackName, i),
      instances: 1 + (standby ? 0 : spec.database!.readReplicas),
      minCapacity: spec.database!.awsMinCapacityAcu,
      maxCapacity: spec.database!.awsMaxCapacityAcu,
      backupRetentionDays: spec.database!.backupRetentionDays,
      logRetentionDays: spec.operations.logRetentionDays,
      writeForwarding: true,
      ...sharedPieces,
    }));
    const credentials = this.shards.map((_, i) => secretsmanager.Secret.fromSecretNameV2(this, `Shard${i}Credentials`,
      RegionalCredentials.secretNameFor(props.primaryStackName, i)));

    const shard0 = this.shards[0];
    this.environment = new AppEnvironment()
      .set('APP_TIER', spec.name)
      .set('APP_CLOUD', 'aws')
      .set('APP_REGION', stack.region)
      .set('PORT', String(port))
      // Writes go to the local secondary, which forwards them to the primary region.
      .set('DATABASE_HOST', shard0.clusterEndpoint)
      .set('DATABASE_READER_HOST', shard0.readerEndpoint)
      .set('DATABASE_PORT', '5432')
      .set('DATABASE_NAME', 'postgres')
      .set('DATABASE_USER', 'postgres')
      .set('DATABASE_SSL', 'require')
      .setSecret('DATABASE_PASSWORD', credentials[0], 'password');
    if (spec.database.shards > 1) {
      this.environment
        .set('SHARD_COUNT', String(spec.database.shards))
        .set('SHARD_MAP', stack.toJsonString(this.shards.map((shard, i) => ({
          id: i,
          host: shard.clusterEndpoint,
          readerHost: shard.readerEndpoint,
          port: 5432,
          secret: RegionalCredentials.secretNameFor(props.primaryStackName, i),
        }))))
        // The assignment lives once, in the primary region: every region routes keys alike.
        .setParameter('SHARD_BUCKETS', new OtherRegionParameter(RegionalLadder.primaryParameterArn(props.primaryRegion, stack.account,
          ShardedCluster.bucketParameterNameFor(props.primaryStackName))));
    }

    // With a CDN on the rung (the primary's distribution serves every region), this region's load
    // balancer admits CloudFront only, with the header value the primary replicates here.
    if (spec.cdn) new OriginProtection(this, 'OriginProtection', { primaryStackName: props.primaryStackName });
    const serving = buildServingLayers(this, {
      tier: props.tier,
      vpc,
      image: props.image,
      port,
      healthCheckPath: props.healthCheckPath,
      environment: this.environment,
      certificate: props.certificate,
      services: props.services,
      minInstances: standby ? 1 : undefined,
      databases: this.shards.map(s => s.connections),
      clusters: [],
    });
    ({ fleet: this.fleet, services: this.services, cache: this.cache, queue: this.queue, stream: this.stream } = serving);
    if (spec.cdn) {
      if (Token.isUnresolved(stack.account)) {
        throw new ScaleLadderError(`stack account must be concrete for a region that reads the primary's static bucket, got an account-agnostic stack in ${stack.region}`);
      }
      const staticBucket = new OtherRegionParameter(RegionalLadder.primaryParameterArn(props.primaryRegion, stack.account,
        RegionalLadder.staticBucketParameterName(props.primaryStackName)));
      for (const compute of appCompute(serving)) compute.container.addSecret('STATIC_BUCKET', staticBucket);
    }
    for (const compute of appCompute(serving)) {
      for (const secret of credentials) secret.grantRead(compute.taskDefinition.taskRole);
    }
    if (props.role === RegionRole.ACTIVE) {
      this.routing = new GeoRoutedRegions(this, 'Routing', {
        zone: props.zone!,
        loadBalancer: this.fleet.loadBalancer,
        targetGroups: [this.fleet.targetGroup, ...(this.fleet.alternateTargetGroup ? [this.fleet.alternateTargetGroup] : [])],
      });
    }
    alertTopic.notifyEveryAlarm();
  }
}

/** An SSM parameter of another region as an ECS secret (CDK's own factory allows only the stack's region). */
class OtherRegionParameter extends ecs.Secret {
  public readonly hasField = false;

  constructor(public readonly arn: string) {
    super();
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameters'], resourceArns: [this.arn] });
  }
}
