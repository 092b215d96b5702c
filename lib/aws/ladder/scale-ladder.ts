import { CfnOutput, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AUTH_CALLBACK_PATH, requireBoolean, shareContractWithRegions } from './contract-wiring';
import { RegionalLadder, RegionRole } from './regional-ladder';
import { appCompute, buildServingLayers } from './serving-layers';
import { FleetServiceOptions } from './serving-options';
import { sizedAwsTier } from './sizing';
import { describeValue, requireIntInRange, requirePattern, requireUnique, ScaleLadderError } from '../../core/errors';
import { RUNG_STAMP_KEY, rungStampOf } from '../../core/rung-stamp';
import { Sizing } from '../../core/sizing';
import { Tier } from '../../core/tier';
import { requireFreeId, requirePrivateCidr } from '../../core/validation';
import { AppEnvironment } from '../compute/app-environment';
import { AppImage } from '../compute/app-image';
import { EventStream } from '../compute/event-stream';
import { PathRoutedService, validateFleetServices } from '../compute/path-routed-service';
import { QueueWorkers } from '../compute/queue-workers';
import { SingleServer } from '../compute/single-server';
import { StatelessFleet } from '../compute/stateless-fleet';
import { Cache } from '../data/cache';
import { GlobalShard } from '../data/global-database';
import { ReadReplicaSet } from '../data/read-replica-set';
import { RegionalCredentials } from '../data/regional-credentials';
import { SeparatedDatabase } from '../data/separated-database';
import { ShardRebalancer } from '../data/shard-rebalancer';
import { ShardedCluster } from '../data/sharded-cluster';
import { UserDirectory } from '../data/user-directory';
import { AppRecord } from '../edge/app-record';
import { CdnEdge } from '../edge/cdn-edge';
import { GeoRoutedRegions, GeoRoutingZone } from '../edge/geo-routed-regions';
import { OriginProtection, pointAtDistribution } from '../edge/origin-protection';
import { acknowledgeBucketObjects } from '../internal/acknowledgements';
import { guardStackLimits } from '../internal/stack-limits';
import { knownRegions, zonesOf } from '../network/availability-zones';
import { LadderNetwork } from '../network/network';
import { AlertTopic } from '../operations/alerts';
import { ChaosExperiments } from '../operations/chaos-experiments';
import { Monitoring } from '../operations/monitoring';
import { SloAlarms } from '../operations/slo-alarms';
import { Tracing } from '../operations/tracing';

/** What every rung takes; the presets fix the tier. */
export interface ScaleLadderOptions {
  /**
   * The app's container image (arm64 or multi-arch), as an `AppImage` (`AppImage.fromRegistry`,
   * `AppImage.fromEcrRepository`) rather than the plain reference string Google Cloud's ladder
   * takes: on AWS the image also carries the ECR repository the tasks and the server are granted
   * pull access to.
   */
  readonly image: AppImage;
  /**
   * The port the app listens on (the app gets it as PORT). 8080 is what an app image listens on
   * without root, and Cloud Run's default; nginx images listen on 80, so pass `port: 80` for them.
   * @default 8080
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
   * The VPC's IPv4 range; fixed for the life of the deployment. Other regions get the
   * ranges that follow it (10.1.0.0/16, 10.2.0.0/16, … for the default).
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
  /**
   * Read-only path patterns (GET, HEAD and OPTIONS only, e.g. `/catalog/*`) that the CDN
   * serves through an origin group failing over to another region's origin (rung 1B);
   * checked on every rung with a CDN.
   * @default - none: region failover for every method comes from the Route 53 latency records' health checks
   */
  readonly failoverPathPatterns?: string[];
  /**
   * More services on the fleet, each behind its own path patterns. They run from the
   * rung that routes services (10M); below it the app runs alone, so the same props
   * work on every rung.
   * @default - the app alone
   */
  readonly services?: FleetServiceOptions[];
  /**
   * The other regions, in order: the first is rung 100M's warm standby, and rung 1B
   * runs the first two as active regions (one stack each, named `<stack>-<region>`).
   * @default - two of us-east-1, us-west-2, eu-west-1, eu-central-1 (not the stack's region)
   */
  readonly regions?: string[];
  /**
   * The Route 53 hosted zone. When given on any rung, the stack owns the app's A record at
   * the zone apex (the server's address, from 100K an alias to the load balancer, on 1B to
   * the latency-routed origin), so a climb moves traffic by updating that one record.
   * Required from rung 1B (latency routing between regions).
   * @default - none: point your own DNS at the entry point (`scale-ladder plan` says when it moves)
   */
  readonly zone?: GeoRoutingZone;
  /**
   * Sizes of your own (task size and counts, database capacity and readers, cache node type,
   * log retention, …) applied on every rung where their layer exists and checked on every
   * rung, so a climb keeps them. Pass the same object to every preset.
   * @default - the rung's own sizes
   */
  readonly sizing?: Sizing;
  /**
   * E-mail address subscribed to the stack's alert topic (`alerts`), which every alarm the
   * library creates notifies (alarm and OK); each other region's stack has its own topic with
   * the same subscription. Checked on every rung. SNS mails a confirmation link first. Add
   * other targets to the topic yourself, e.g.
   * `ladder.alerts.addSubscription(new subscriptions.UrlSubscription('https://…'))` or
   * `new chatbot.SlackChannelConfiguration(…, { notificationTopics: [ladder.alerts] })`;
   * its ARN is the stack output `…AlertsArn…`.
   * @default - no subscription: subscribe to the topic yourself
   */
  readonly alertEmail?: string;
  /**
   * The app's user directory (`UserDirectory`: Cognito user pool, web app client, hosted UI),
   * which the tier data switches on from rung 1M (`operations.authentication`). `false` leaves it
   * out, `true` builds it on any rung; checked on every rung. Keep it on once a rung built it: the
   * pool holds the app's users (retained and deletion-protected, a swap without it is UNSAFE).
   * @default - the tier's `operations.authentication` (on from 1M)
   */
  readonly authentication?: boolean;
  /**
   * Where sign-in sends users back with the authorization code (1-100 `https://` URLs, or
   * `http://localhost` ones; checked on every rung).
   * @default - `https://<zone name>/auth/callback` with a `zone`, else `https://<CDN domain>/auth/callback` on rungs with a CDN (required elsewhere)
   */
  readonly authCallbackUrls?: string[];
  /**
   * The hosted UI's domain prefix (`AUTH_DOMAIN` is `https://<prefix>.auth.<region>.amazoncognito.com`);
   * see `UserDirectoryProps.domainPrefix`. Checked on every rung.
   * @default - the stack name and a hash of the account, region, stack and construct path
   */
  readonly authDomainPrefix?: string;
  /**
   * Rotate every database's credentials every 30 days (Secrets Manager's hosted single-user
   * rotation; the app reads `DATABASE_SECRET` again when a new connection fails authentication,
   * docs/credentials.md). On rungs with other regions (100M, 1B) their apps read the replicas of
   * the same secrets, which follow each rotation (`RegionalCredentials`).
   * @default true
   */
  readonly credentialRotation?: boolean;
}

/** Props for {@link ScaleLadder}. */
export interface ScaleLadderProps extends ScaleLadderOptions {
  /** The rung to deploy. */
  readonly tier: Tier;
}

const PEER_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1'];

/**
 * The composer: builds the layers a tier switches on, with the sizes the tier's data
 * gives, at construct paths that never change between rungs — so swapping one preset
 * for the next updates in place and keeps every stateful resource.
 */
export class ScaleLadder extends Construct {
  /** The rung. */
  public readonly tier: Tier;
  /** The stack's alert topic: every alarm of the stack notifies it (see `alertEmail`). */
  public readonly alerts: sns.Topic;
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
  /** Shards 1..N-1 and the shard map (10M+). */
  public readonly shards?: ShardedCluster;
  /** The one-off task that moves key buckets between shards (10M+). */
  public readonly rebalancer?: ShardRebalancer;
  /** The load-balanced fleet (100K+). */
  public readonly fleet?: StatelessFleet;
  /** More services behind path routing. */
  public readonly services: PathRoutedService[] = [];
  /** The cache (1M+). */
  public readonly cache?: Cache;
  /** CDN, static assets and WAF (1M+). */
  public readonly edge?: CdnEdge;
  /** The work queue and its workers (10M+). */
  public readonly queue?: QueueWorkers;
  /** The event stream and its consumers (100M+). */
  public readonly stream?: EventStream;
  /** Dashboard and alarms (100K+). */
  public readonly monitoring?: Monitoring;
  /** Tracing (10M+). */
  public readonly tracing?: Tracing;
  /** SLO burn-rate alarms (10M+). */
  public readonly slo?: SloAlarms;
  /** Fault-injection experiment templates (100M+). */
  public readonly chaos?: ChaosExperiments;
  /** Global databases, one per shard (100M+). */
  public readonly globalShards: GlobalShard[] = [];
  /** Shard credentials replicated to the other regions (100M+). */
  public readonly regionalCredentials?: RegionalCredentials;
  /** The user directory (from 1M by default; see `authentication`). */
  public readonly identity?: UserDirectory;
  /** The app's own DNS record at the zone apex, when a zone is given (server address, then load balancer). */
  public readonly appRecord?: AppRecord;
  /** Latency routing for this region (1B). */
  public readonly routing?: GeoRoutedRegions;
  /** The other regions' stacks (100M+), in the order of `regions`. */
  public readonly regionalStacks: Stack[] = [];
  /** What runs in each other region, in the order of `regions`. */
  public readonly regions: RegionalLadder[] = [];

  constructor(scope: Construct, id: string, props: ScaleLadderProps) {
    super(ladderScope(scope, id, props), id);
    if (!(props.tier instanceof Tier)) {
      throw new ScaleLadderError(`tier must be a Tier (e.g. Tier.USERS_100K), got ${JSON.stringify(props.tier)}`);
    }
    if (!(props.image instanceof AppImage)) {
      throw new ScaleLadderError(`image must be an AppImage (e.g. AppImage.fromRegistry('nginx:1.27')), got ${JSON.stringify(props.image)}`);
    }
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new ScaleLadderError('stack region must be concrete (set env.region on the stack): zones, load-balancer logs and WAF scope depend on it, got an environment-agnostic stack');
    }
    const tier = this.tier = sizedAwsTier(props.tier, props.sizing);
    const spec = tier.spec;
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    // The fleet's check (StatelessFleet), made on every rung: the server's rungs have no health check yet.
    requirePattern('healthCheckPath', props.healthCheckPath ?? '/', /^\/[A-Za-z0-9._~\-/]*$/, 'an absolute URL path such as /healthz');
    requireRoomForRegions(props.cidr);
    // Checked on every rung, even where no CDN exists yet, so a bad value never waits for 1M.
    CdnEdge.validFailoverPathPatterns(props.failoverPathPatterns);
    if (props.rateLimitPerFiveMinutes !== undefined) requireIntInRange('rateLimitPerFiveMinutes', props.rateLimitPerFiveMinutes, 100, 2_000_000_000);
    validateFleetServices(props.services);
    requireCertificateInRegion(props.certificate, stack.region);
    if (props.certificate !== undefined && spec.cdn && props.zone === undefined) {
      // CloudFront checks the origin's certificate against the viewer's host name (CdnEdge).
      throw new ScaleLadderError(`certificate needs zone from rung 1M (the CDN) on: CloudFront checks the load balancer's certificate against the host name viewers ask for, which without a zone is CloudFront's own; give zone (with a certificate for its name) or no certificate, got a certificate and no zone on rung ${spec.name}`);
    }
    const logRetentionDays = spec.operations.logRetentionDays;
    const otherRegions = this.otherRegions(props);
    const authentication = requireBoolean('authentication', props.authentication) ?? spec.operations.authentication;
    if (props.authCallbackUrls !== undefined) UserDirectory.validUrls(props.authCallbackUrls, 'authCallbackUrls');
    if (props.authDomainPrefix !== undefined) UserDirectory.validDomainPrefix(props.authDomainPrefix, 'authDomainPrefix');
    const rotation = requireBoolean('credentialRotation', props.credentialRotation) ?? true;
    stampRung(stack, tier, this.node.path);
    const alertTopic = new AlertTopic(this, 'Alerts', { email: props.alertEmail });
    this.alerts = alertTopic.topic;

    this.environment = new AppEnvironment()
      .set('APP_TIER', spec.name)
      .set('APP_CLOUD', 'aws')
      .set('APP_REGION', stack.region)
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
        credentialRotation: rotation,
      });
      this.environment
        .set('DATABASE_HOST', this.database.cluster.clusterEndpoint.hostname)
        .set('DATABASE_READER_HOST', this.database.cluster.clusterReadEndpoint.hostname)
        .set('DATABASE_PORT', this.database.cluster.clusterEndpoint.port.toString())
        .set('DATABASE_NAME', 'postgres')
        .set('DATABASE_USER', 'postgres')
        .set('DATABASE_SSL', 'require')
        .setSecret('DATABASE_PASSWORD', this.database.secret, 'password')
        .set('DATABASE_SECRET', this.database.secret.secretArn);
      if (db.readReplicas > 0) {
        this.readers = new ReadReplicaSet(this, 'Readers', { cluster: this.database.cluster, count: db.readReplicas });
      }
      if (db.shards > 1) {
        this.shards = new ShardedCluster(this, 'Shards', {
          vpc,
          primary: this.database,
          shards: db.shards,
          readReplicas: db.readReplicas,
          minCapacity: db.awsMinCapacityAcu,
          maxCapacity: db.awsMaxCapacityAcu,
          backupRetentionDays: db.backupRetentionDays,
          logRetentionDays,
        });
        this.environment.set('SHARD_COUNT', String(this.shards.shardCount)).set('SHARD_MAP', this.shards.shardMapJson)
          .setParameter('SHARD_BUCKETS', ecs.Secret.fromSsmParameter(this.shards.bucketParameter));
      }
    }
    const shardDatabases = this.shards?.shards ?? (this.database ? [this.database] : []);
    if (authentication) this.identity = this.buildIdentity(props);

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
    if (props.zone && this.server.elasticIp) {
      this.appRecord = new AppRecord(this, 'AppRecord', { zone: props.zone, target: { ipAddress: this.server.elasticIp.ref } });
    }

    if (spec.fleet) {
      // From the rung with a CDN the fleet built below admits CloudFront only.
      if (spec.cdn) new OriginProtection(this, 'OriginProtection', { replicaRegions: otherRegions });
      const serving = buildServingLayers(this, {
        tier: this.tier,
        vpc,
        image: props.image,
        port,
        healthCheckPath: props.healthCheckPath,
        environment: this.environment,
        certificate: props.certificate,
        services: props.services,
        databases: shardDatabases.map(d => d.connections),
        clusters: shardDatabases.map(d => d.cluster),
      });
      ({ fleet: this.fleet, cache: this.cache, queue: this.queue, stream: this.stream } = serving);
      ({ tracing: this.tracing, monitoring: this.monitoring, slo: this.slo } = serving);
      this.services.push(...serving.services);
      const fleet = serving.fleet;
      if (this.shards) {
        for (const compute of appCompute(serving)) this.shards.grantSecretRead(compute.taskDefinition.taskRole);
        this.rebalancer = new ShardRebalancer(this, 'Rebalance', {
          vpc,
          cluster: fleet.cluster,
          shards: this.shards.shards,
          shardMapJson: this.shards.shardMapJson,
          bucketAssignment: ecs.Secret.fromSsmParameter(this.shards.bucketParameter),
          logRetentionDays,
        });
      }
      new CfnOutput(this, 'LoadBalancerDns', { value: fleet.loadBalancerDnsName, description: 'Public DNS name of the load balancer' });

      const active = spec.regions.activeRegions > 1;
      if (active && !props.zone) {
        throw new ScaleLadderError(`zone (hostedZoneId and zoneName) must be given from rung 1B (latency routing between regions), got none on rung ${spec.name}`);
      }
      if (spec.cdn) {
        this.edge = new CdnEdge(this, 'Edge', {
          loadBalancer: fleet.loadBalancer,
          originHttps: props.certificate !== undefined,
          rateLimitPerFiveMinutes: props.rateLimitPerFiveMinutes,
          accessLogsBucket: fleet.accessLogsBucket,
          originDomainName: active ? GeoRoutedRegions.originName(props.zone!) : undefined,
          failoverOriginDomainName: active ? GeoRoutedRegions.regionalOriginName(props.zone!, otherRegions[0]) : undefined,
          failoverPathPatterns: props.failoverPathPatterns,
          originHeaderValue: fleet.originProtection?.headerValue,
          zone: props.zone,
          logRetentionDays,
        });
        for (const compute of appCompute(serving)) {
          compute.container.addEnvironment('STATIC_BUCKET', this.edge.staticBucket.bucketName);
          grantStaticAssets(compute.taskDefinition, this.edge);
        }
        new CfnOutput(this, 'DistributionDomain', { value: this.edge.distribution.distributionDomainName, description: 'The CDN domain the app is served on' });
      }
      if (spec.operations.chaosExperiments) {
        if (!this.slo) throw new ScaleLadderError(`chaosExperiments need SLO alarms as stop conditions (operations.tracing), got rung ${spec.name}`);
        this.chaos = new ChaosExperiments(this, 'Chaos', {
          service: fleet.service,
          availabilityZone: this.network.availabilityZones[0],
          clusters: shardDatabases.map(d => d.cluster),
          stopAlarm: this.slo.fastBurn,
          logRetentionDays,
        });
      }
      if (active) {
        this.routing = new GeoRoutedRegions(this, 'Routing', { zone: props.zone!, loadBalancer: fleet.loadBalancer, targetGroups: fleetTargetGroups(fleet) });
        // CloudFront moves to the latency-routed name only once this region answers it.
        this.edge?.distribution.node.addDependency(this.routing);
      }
      if (props.zone) {
        this.appRecord = new AppRecord(this, 'AppRecord', {
          zone: props.zone,
          target: active ? { recordInZone: GeoRoutedRegions.originName(props.zone) } : { loadBalancer: fleet.loadBalancer },
          after: this.edge?.distribution ?? this.routing ?? fleet.service,
        });
        // With a CDN the app's name is the distribution's: the load balancers admit CloudFront only.
        if (this.edge) pointAtDistribution(this.appRecord.record, this.edge.distribution.distributionDomainName);
      }
      if (this.edge) fleet.lockAfter(this.appRecord?.record ?? this.edge.distribution);
      if (otherRegions.length > 0) this.regionalCredentials = this.addRegions(props, otherRegions, shardDatabases);
      shareContractWithRegions(this.regions, {
        primaryStackName: stack.stackName, primaryRegion: stack.region, account: stack.account, identity: this.identity,
      });
    }
    alertTopic.notifyEveryAlarm();
    guardStackLimits(this);
  }

  /**
   * The user directory, with the app's variables. Built before the server and the fleet, which
   * take their environment when they are built; the CDN's domain, the default callback without a
   * zone, is read when the template is written.
   */
  private buildIdentity(props: ScaleLadderProps): UserDirectory {
    const spec = this.tier.spec;
    let callbackUrls = props.authCallbackUrls;
    let logoutUrls: string[] | undefined;
    if (callbackUrls === undefined && props.zone) callbackUrls = [`https://${props.zone.zoneName}${AUTH_CALLBACK_PATH}`];
    if (callbackUrls === undefined && spec.cdn && spec.fleet) {
      const cdnUrl = (path: string) => Lazy.string({ produce: () => `https://${this.edge!.distribution.distributionDomainName}${path}` });
      callbackUrls = [cdnUrl(AUTH_CALLBACK_PATH)];
      logoutUrls = [cdnUrl('/')];
    }
    if (callbackUrls === undefined) {
      throw new ScaleLadderError(`authCallbackUrls must be given for authentication on rung ${spec.name} without a zone or a CDN (Cognito redirects to https:// URLs only), got none`);
    }
    const identity = new UserDirectory(this, 'Identity', { callbackUrls, logoutUrls, domainPrefix: props.authDomainPrefix });
    this.environment.set('AUTH_ISSUER', identity.issuer).set('AUTH_CLIENT_ID', identity.clientId).set('AUTH_DOMAIN', identity.domainUrl);
    return identity;
  }

  /** The other regions this rung runs in, validated. */
  private otherRegions(props: ScaleLadderProps): string[] {
    const spec = this.tier.spec;
    const needed = spec.regions.activeRegions - 1 + spec.regions.warmStandbyRegions;
    const primary = Stack.of(this).region;
    const given = props.regions ?? PEER_REGIONS.filter(r => r !== primary).slice(0, 2);
    if (!Array.isArray(given)) {
      throw new ScaleLadderError(`regions must be a list of AWS region names such as ['us-west-2', 'eu-west-1'], got ${describeValue(given)}`);
    }
    requireUnique('regions', given);
    for (const region of given) {
      zonesOf(region, 'regions');
      if (region === primary) throw new ScaleLadderError(`regions must not include the stack's own region, got '${region}'`);
    }
    if (given.length < needed) {
      throw new ScaleLadderError(`regions must name at least ${needed} region${needed === 1 ? '' : 's'} besides ${primary} for rung ${spec.name} ` +
        `(${spec.regions.activeRegions} active, ${spec.regions.warmStandbyRegions} standby), got ${given.length}`);
    }
    return given.slice(0, needed);
  }

  /** Global databases here, and one stack per other region (deployed after this one). */
  private addRegions(props: ScaleLadderProps, regions: string[], shards: SeparatedDatabase[]): RegionalCredentials {
    const spec = this.tier.spec;
    const stack = Stack.of(this);
    const global = new Construct(this, 'Global');
    shards.forEach((shard, i) => this.globalShards.push(new GlobalShard(global, `Shard${i}`, { cluster: shard.cluster, shardId: i })));
    const credentials = new RegionalCredentials(global, 'Credentials', { shards, regions });
    if (this.edge) {
      new ssm.StringParameter(global, 'StaticBucketName', {
        parameterName: RegionalLadder.staticBucketParameterName(stack.stackName),
        stringValue: this.edge.staticBucket.bucketName,
        description: 'Static-assets bucket of the primary region, read by the other regions\' apps',
      });
    }
    const app = stack.node.scope as Construct;
    regions.forEach((region, i) => {
      const regional = new Stack(app, `${stack.node.id}-${region}`, {
        env: { account: stack.account, region },
        description: `scale-ladder ${spec.name}: ${region} (primary ${stack.region})`,
      });
      regional.addStackDependency(stack, 'global clusters and replicated credentials must exist first');
      const role = i < spec.regions.activeRegions - 1 ? RegionRole.ACTIVE : RegionRole.WARM_STANDBY;
      this.regionalStacks.push(regional);
      this.regions.push(new RegionalLadder(regional, this.node.id, {
        tier: this.tier,
        primaryStackName: stack.stackName,
        primaryRegion: stack.region,
        role,
        image: props.image,
        port: props.port,
        healthCheckPath: props.healthCheckPath,
        cidr: shiftedCidr(props.cidr ?? '10.0.0.0/16', i + 1),
        zone: props.zone,
        services: props.services,
        alertEmail: props.alertEmail,
      }));
      guardStackLimits(this.regions[i]);
    });
    return credentials;
  }
}

/**
 * An ACM certificate is usable by a load balancer only in its own region ("Requesting a public
 * certificate", ACM User Guide: certificates are regional; CloudFront takes us-east-1 ones, which
 * the edge stack makes). A certificate whose ARN names another region is refused here.
 */
function requireCertificateInRegion(certificate: acm.ICertificate | undefined, region: string): void {
  if (certificate === undefined) return;
  if (typeof certificate !== 'object' || certificate === null || typeof certificate.certificateArn !== 'string') {
    throw new ScaleLadderError(`certificate must be an ACM certificate (e.g. acm.Certificate.fromCertificateArn(this, 'Cert', arn)), got ${describeValue(certificate)}`);
  }
  if (Token.isUnresolved(certificate.certificateArn)) return;
  const certRegion = certificate.certificateArn.split(':')[3];
  if (certRegion && certRegion !== region) {
    throw new ScaleLadderError(`certificate must be in the stack's region ${region} (the load balancer's), got one in ${certRegion}: ${certificate.certificateArn}`);
  }
}

/**
 * Records the rung in the template's Metadata section, so `scale-ladder plan` can plan a climb
 * from the synthesized output alone. CloudFormation keeps template Metadata as data and acts on
 * none of it (Metadata section, CloudFormation User Guide).
 */
function stampRung(stack: Stack, tier: Tier, composerPath: string): void {
  const metadata = stack.templateOptions.metadata ?? {};
  const existing = metadata[RUNG_STAMP_KEY];
  if (existing) {
    throw new ScaleLadderError(`one stack holds one ladder: stack '${stack.stackName}' already has ${existing.composer}, got a second one at ${composerPath}`);
  }
  stack.templateOptions.metadata = { ...metadata, [RUNG_STAMP_KEY]: rungStampOf(tier, composerPath) };
}

/** The most other regions a rung of the ladder runs in (each gets the range after the previous one). */
const MAX_OTHER_REGIONS = Math.max(...Tier.all().map(t => t.spec.regions.activeRegions - 1 + t.spec.regions.warmStandbyRegions));

/**
 * Checks on every rung that the ranges the other regions' VPCs get from 100M on (`cidr` moved
 * up by one /16 per region, shiftedCidr) are private ranges too, so a climb never fails on them.
 */
function requireRoomForRegions(cidr: string | undefined): void {
  const given = requirePrivateCidr('cidr', cidr ?? '10.0.0.0/16', 16, 20);
  for (let offset = 1; offset <= MAX_OTHER_REGIONS; offset++) {
    const [a, b, ...rest] = given.split('.');
    const next = [a, String(Number(b) + offset), ...rest].join('.');
    const ok = Number(b) + offset <= 255 && (() => {
      try {
        requirePrivateCidr('cidr', next, 16, 20);
        return true;
      } catch {
        return false;
      }
    })();
    if (!ok) {
      throw new ScaleLadderError(`cidr must leave room for the ${MAX_OTHER_REGIONS} private ranges after it that rungs 100M and 1B give the other regions' VPCs ` +
        `(the second number moves up by one per region: 10.0.0.0/16 → 10.1.0.0/16, 10.2.0.0/16), got '${given}': the range for region ${offset} would be '${next}', not a private range`);
    }
  }
}

/** The longest construct path below the ladder that names a resource (the rotation function's security group, whose description is its path). */
const LONGEST_INNER_PATH = '/Database/Cluster/Secret/Attachment/Rotation/SecurityGroup';
/** CloudFormation allows 128 characters in a stack name (CreateStack, `StackName`) and 255 in a security group description (AWS::EC2::SecurityGroup `GroupDescription`). */
const MAX_STACK_NAME = 128;
const MAX_GROUP_DESCRIPTION = 255;
/** Aurora global cluster identifiers have at most 63 characters (GlobalShard.identifierFor, `<stack>-shard<id>`, ids up to 63). */
const MAX_GLOBAL_ID = 63;
const MAX_SHARD_ID = 63;
/** What aws-cdk-lib puts before a load balancer's path in its security group's description. */
const ELB_GROUP_DESCRIPTION = 'Automatically created Security Group for ELB ';

/**
 * The scope, once `id` is checked: a string no other child of `scope` has, short enough that the
 * paths of the ladder's resources (security group descriptions name them) and the other regions'
 * stack names (`<stack>-<region>`) fit CloudFormation's limits. Runs before `super(...)` so that
 * neither `constructs` nor CloudFormation's template validation refuses the id first.
 */
function ladderScope(scope: Construct, id: string, props: ScaleLadderProps): Construct {
  if (props === null || typeof props !== 'object') {
    throw new ScaleLadderError(`props must be an object with at least tier and image (e.g. { tier: Tier.USERS_1K, image: AppImage.fromRegistry('nginx:1.27') }), got ${describeValue(props)}`);
  }
  const stack = Stack.of(scope);
  const longestRegion = Math.max(...knownRegions().map(r => r.length));
  if (stack.node.id.length + 1 + longestRegion > MAX_STACK_NAME) {
    throw new ScaleLadderError(`stack id must be at most ${MAX_STACK_NAME - 1 - longestRegion} characters, so that the other regions' stacks of rungs 100M and 1B ` +
      `('<stack id>-<region>') fit CloudFormation's ${MAX_STACK_NAME}, got '${stack.node.id}' (${stack.node.id.length} characters)`);
  }
  if (!Token.isUnresolved(stack.stackName)) {
    // Rungs 100M and 1B name each shard's global cluster after the stack (GlobalShard.identifierFor).
    const maxName = MAX_GLOBAL_ID - `-shard${MAX_SHARD_ID}`.length;
    if (stack.stackName.length > maxName || /--|-$/.test(stack.stackName)) {
      throw new ScaleLadderError(`stack name must be at most ${maxName} characters without consecutive or trailing hyphens: rungs 100M and 1B name ` +
        `each shard's Aurora global cluster '<stack name>-shard<N>' (1-63 characters), got '${stack.stackName}' (${stack.stackName.length} characters)`);
    }
  }
  // The other regions' copies sit at `<stack>-<region>/<id>/…`, one region name longer.
  const outer = scope.node.path.length + 1 + longestRegion + 1;
  // (A few characters spare: aws-cdk-lib's descriptions are not a documented format.)
  const inner = Math.max(LONGEST_INNER_PATH.length, ELB_GROUP_DESCRIPTION.length + '/Fleet/LoadBalancer'.length) + 8;
  return requireFreeId(scope, id, Math.max(1, MAX_GROUP_DESCRIPTION - outer - inner), `a ladder in '${scope.node.path}'`);
}

/** `cidr` with its second octet moved up by `offset` (10.0.0.0/16 → 10.1.0.0/16). */
function shiftedCidr(cidr: string, offset: number): string {
  const [a, b, ...rest] = cidr.split('.');
  const shifted = Number(b) + offset;
  if (shifted > 255) throw new ScaleLadderError(`cidr must leave room for ${offset} more /16 ranges after it, got '${cidr}'`);
  return [a, String(shifted), ...rest].join('.');
}

/** The target groups that serve the fleet's main service (both groups of a canary fleet). */
function fleetTargetGroups(fleet: StatelessFleet): elbv2.ApplicationTargetGroup[] {
  return [fleet.targetGroup, ...(fleet.alternateTargetGroup ? [fleet.alternateTargetGroup] : [])];
}

/** The app may read, write and delete static assets, and nothing else in S3. */
function grantStaticAssets(taskDefinition: ecs.TaskDefinition, edge: CdnEdge): void {
  const role = taskDefinition.taskRole;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    resources: [edge.staticBucket.arnForObjects('*')],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [edge.staticBucket.bucketArn] }));
  acknowledgeBucketObjects(taskDefinition, edge.staticBucket, 'The app manages the objects of its own static-assets bucket (STATIC_BUCKET).');
}
