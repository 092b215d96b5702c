import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { sizedGcpTier, stampGcpRung } from './sizing';
import { describeValue, requireIntInRange, requirePattern, ScaleLadderError } from '../../core/errors';
import { Sizing } from '../../core/sizing';
import { Tier } from '../../core/tier';
import { requireFreeId, requireImageReference } from '../../core/validation';
import { QueueWorkers } from '../compute/queue-workers';
import { SingleServer } from '../compute/single-server';
import { StatelessFleet } from '../compute/stateless-fleet';
import { Cache } from '../data/cache';
import { DATABASE_NAME, DATABASE_PORT, MAX_REPLICAS_PER_PRIMARY, shardMapJson } from '../data/cloud-sql';
import { CredentialRotation } from '../data/credential-rotation';
import { DatabaseCredentials } from '../data/credentials';
import { ReadReplicaSet } from '../data/read-replica-set';
import { SeparatedDatabase } from '../data/separated-database';
import { ShardRebalanceJob } from '../data/shard-rebalance-job';
import { ShardedCluster } from '../data/sharded-cluster';
import { UserDirectory } from '../data/user-directory';
import { CdnEdge } from '../edge/cdn-edge';
import { GeoRoutedRegions } from '../edge/geo-routed-regions';
import { baseSettings, GcpBaseProps, readerDnsName, requireDomain } from '../internal/common';
import { Network } from '../network/network';
import { resolveExtraRegions } from '../network/regions';
import { Operations } from '../operations/operations';

/** TTL of the app's A record: short, so a move of the entry point reaches clients quickly. */
const APP_RECORD_TTL_SECONDS = 60;

/** What every rung of the Google Cloud ladder takes (everything but the tier). */
export interface ScaleLadderOptions extends GcpBaseProps {
  /**
   * The app's container image, e.g. `gcr.io/google-samples/hello-app:2.0`: a registry reference
   * (pinned to a tag or digest) that Cloud Run and the server pull. A string, not AWS's `AppImage`:
   * cdktf builds no container assets, so push the image to a registry first.
   */
  readonly image: string;
  /**
   * The port the app listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * The app's health-check path.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * A domain for the app: TLS with a certificate (Let's Encrypt on the single server, a
   * Google-managed certificate on the load balancer) and HTTP→HTTPS redirect.
   * @default - HTTP on the server's or load balancer's IP
   */
  readonly domainName?: string;
  /**
   * The Cloud DNS managed zone (its name, e.g. `shop-example-com`, in the same project) that holds
   * `domainName`. The stack then owns the app's A record from the first rung on: the server's
   * static IP while the server serves, the load balancer's IP from 100K, so the move to the load
   * balancer is one in-place record update. Give it on every rung or on none.
   * @default - no record: point `domainName` at the entry point yourself (`scale-ladder plan` says when)
   */
  readonly dnsZone?: string;
  /**
   * Further regions, in order of use: the first is the warm standby on 100M and, with the
   * second, active on 1B. Their order fixes their subnets: append, never reorder.
   * @default - the primary region's peers from the library's region table
   */
  readonly regions?: string[];
  /**
   * The private /16 the network is carved from (fixed on the first rung).
   * @default '10.20.0.0/16'
   */
  readonly cidr?: string;
  /**
   * E-mail address for alerts (100K and up).
   * @default - alerts show in Cloud Monitoring only
   */
  readonly alertEmail?: string;
  /**
   * The queue workers' image (10M and up).
   * @default - the app image (workers get APP_ROLE=worker)
   */
  readonly workerImage?: string;
  /**
   * Sizes of your own (instance size and counts, database machine tier and replicas, cache
   * memory, log retention, …) applied on every rung where their layer exists and checked on
   * every rung, so a climb keeps them. Pass the same object to every preset.
   * @default - the rung's own sizes
   */
  readonly sizing?: Sizing;
  /**
   * The app's user directory (`UserDirectory`: the project's Identity Platform configuration),
   * which the tier data switches on from rung 1M (`operations.authentication`). `false` leaves it
   * out (e.g. for every ladder but one in a project: Identity Platform has one configuration per
   * project), `true` builds it on any rung; checked on every rung. Keep it on once a rung built
   * it: it holds the app's users.
   * @default - the tier's `operations.authentication` (on from 1M)
   */
  readonly authentication?: boolean;
  /**
   * Where sign-in redirects back to (1-100 `https://` URLs, or `http://localhost` ones; checked on
   * every rung): their hosts become Identity Platform's authorized domains, with `domainName`.
   * @default - `domainName`'s host is authorized when given; else Identity Platform's own list
   */
  readonly authCallbackUrls?: string[];
  /**
   * Rotate every database's password monthly (from 10K, the first rung with the managed
   * database; checked on every rung, no effect on 1K): a Cloud Run job started by Cloud
   * Scheduler sets a new password on each Cloud SQL instance and then adds it to that instance's
   * own secret, one instance at a time (`CredentialRotation`; the app reads `DATABASE_SECRET`, or
   * its shard's `secret`, again when a new connection fails authentication, docs/credentials.md).
   * The first rotation runs at the schedule's next time, never during the deploy.
   * @default true
   */
  readonly credentialRotation?: boolean;
}

/** Props of `ScaleLadder`. */
export interface ScaleLadderProps extends ScaleLadderOptions {
  /** The rung: `Tier.USERS_1K` … `Tier.USERS_1B` or a `Tier.custom(...)`. */
  readonly tier: Tier;
}

/**
 * The Google Cloud ladder: composes the layers a tier switches on from the tier table alone.
 * Every layer is a child with a fixed id, so a stateful resource keeps its Terraform address on
 * every rung it exists on and above; swapping `Tier1M` for `Tier10M` only adds resources or
 * updates them in place (1K → 10K also copies the database off the server: a migration).
 */
export class ScaleLadder extends Construct {
  /** The rung. */
  public readonly tier: Tier;
  /** The network. */
  public readonly network: Network;
  /** The database password (every rung). */
  public readonly credentials: DatabaseCredentials;
  /** The single server: the VM while it runs, its data disk for good. */
  public readonly singleServer: SingleServer;
  /** Cloud SQL, from 10K. */
  public readonly database?: SeparatedDatabase;
  /** Read replicas, from 100K. */
  public readonly readReplicas?: ReadReplicaSet;
  /** Cloud Run behind the global load balancer, from 100K. */
  public readonly fleet?: StatelessFleet;
  /** Memorystore, from 1M. */
  public readonly cache?: Cache;
  /** CDN, static bucket and Cloud Armor, from 1M. */
  public readonly cdn?: CdnEdge;
  /** Shards 1…N-1, from 10M. */
  public readonly shards?: ShardedCluster;
  /** Pub/Sub and workers, from 10M. */
  public readonly queue?: QueueWorkers;
  /** Further regions (warm standby on 100M, active on 1B). */
  public readonly regions?: GeoRoutedRegions;
  /** Logs, dashboards, alerts, SLOs. */
  public readonly operations: Operations;
  /** The app's plain environment in the primary region (AppContract names). */
  public readonly environment: Record<string, string>;
  /** The app's secret environment: name → Secret Manager secret id. */
  public readonly secretEnvironment: Record<string, string>;
  /** Where users reach the app. */
  public readonly url: string;
  /** The app's A record in `dnsZone`, when one is given. */
  public readonly appRecord?: DnsRecordSet;
  /** The shard rebalance job, from 10M. */
  public readonly rebalanceJob?: ShardRebalanceJob;
  /** The user directory (from 1M by default; see `authentication`). */
  public readonly userDirectory?: UserDirectory;
  /** The monthly password rotation, from 10K unless `credentialRotation` is false. */
  public readonly credentialRotation?: CredentialRotation;

  constructor(scope: Construct, id: string, props: ScaleLadderProps) {
    super(requireFreeId(requireProps(scope, props), id, 255, 'a Google Cloud ladder'), id);
    if (!(props.tier instanceof Tier)) {
      throw new ScaleLadderError(`tier must be a Tier (e.g. Tier.USERS_100K), got ${JSON.stringify(props.tier)}`);
    }
    const base = baseSettings(props);
    const { project, region, name } = base;
    const tier = this.tier = sizedGcpTier(props.tier, props.sizing);
    stampGcpRung(TerraformStack.of(this), tier, this.node.path);
    const spec = tier.spec;
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    const healthCheckPath = requirePattern('healthCheckPath', props.healthCheckPath ?? '/', /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, "an absolute URL path such as '/healthz'");
    if (props.domainName !== undefined) requireDomain(props.domainName);
    if (props.dnsZone !== undefined) {
      requirePattern('dnsZone', props.dnsZone, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
        "the name of a Cloud DNS managed zone (1-63 lowercase letters, digits or dashes, starting with a letter), such as 'shop-example-com'");
      if (props.domainName === undefined) {
        throw new ScaleLadderError(`dnsZone needs domainName (the record the stack owns in zone '${props.dnsZone}'), got no domainName`);
      }
    }
    if (props.credentialRotation !== undefined && typeof props.credentialRotation !== 'boolean') {
      throw new ScaleLadderError(`credentialRotation must be a boolean (true or false), got ${JSON.stringify(props.credentialRotation)}`);
    }
    if (props.authentication !== undefined && typeof props.authentication !== 'boolean') {
      throw new ScaleLadderError(`authentication must be a boolean (true or false), got ${JSON.stringify(props.authentication)}`);
    }
    const callbackDomains = props.authCallbackUrls === undefined ? [] : UserDirectory.callbackDomains(props.authCallbackUrls, 'authCallbackUrls');
    requireImageReference('image', props.image);
    if (props.workerImage !== undefined) requireImageReference('workerImage', props.workerImage);

    // Regions: the first `activeRegions - 1` further regions serve traffic, the next ones stand by.
    const activeExtra = spec.regions.activeRegions - 1;
    const extras = resolveExtraRegions(region, props.regions, activeExtra + spec.regions.warmStandbyRegions);
    const activeRegions = extras.slice(0, activeExtra);
    const standbyRegions = extras.slice(activeExtra);
    const geoDns = activeRegions.length > 0;

    const db = spec.database;
    if (db) {
      // Cloud SQL caps replicas per primary (in-region and cross-region together).
      const max = MAX_REPLICAS_PER_PRIMARY - extras.length;
      if (!Number.isInteger(db.readReplicas) || db.readReplicas < 0 || db.readReplicas > max) {
        throw new ScaleLadderError(`readReplicas must be an integer 0-${max} (Cloud SQL allows ${MAX_REPLICAS_PER_PRIMARY} replicas per primary; ` +
          `this tier adds ${extras.length} cross-region), got ${JSON.stringify(db.readReplicas)}`);
      }
      requireIntInRange('shards', db.shards, 1, 64);
    }

    this.network = new Network(this, 'Network', { ...base, cidr: props.cidr, extraRegions: extras });
    this.credentials = new DatabaseCredentials(this, 'Credentials', base);

    if (db) {
      this.database = new SeparatedDatabase(this, 'SeparatedDatabase', {
        ...base,
        network: this.network,
        credentials: this.credentials,
        databaseTier: db.gcpTier,
        highAvailability: db.gcpHighAvailability,
        backupRetentionDays: db.backupRetentionDays,
      });
      if (db.readReplicas > 0) {
        this.readReplicas = new ReadReplicaSet(this, 'ReadReplicaSet', {
          ...base,
          network: this.network,
          primary: this.database.instance,
          replicas: db.readReplicas,
          otherReplicas: extras.length,
          databaseTier: db.gcpTier,
        });
      }
      if (db.shards > 1) {
        this.shards = new ShardedCluster(this, 'ShardedCluster', {
          ...base,
          network: this.network,
          credentials: this.credentials,
          shardZero: this.database.instance,
          shardZeroReaderHost: this.readReplicas?.readerHost,
          shards: db.shards,
          replicasPerShard: db.readReplicas,
          otherReplicasPerShard: extras.length,
          databaseTier: db.gcpTier,
          highAvailability: db.gcpHighAvailability,
          backupRetentionDays: db.backupRetentionDays,
        });
      }
    }
    if (spec.cache) {
      this.cache = new Cache(this, 'Cache', {
        ...base,
        network: this.network,
        memorySizeGib: spec.cache.gcpMemorySizeGib,
        readReplicas: spec.cache.replicasPerShard,
      });
    }
    if (spec.cdn) this.cdn = new CdnEdge(this, 'CdnEdge', base);
    if (props.authentication ?? spec.operations.authentication) {
      const domains = [...new Set([...(props.domainName ? [props.domainName] : []), ...callbackDomains])];
      this.userDirectory = new UserDirectory(this, 'UserDirectory', { ...base, authorizedDomains: domains.length > 0 ? domains : undefined });
    }

    // The app contract: the same names on every rung (AppContract), secrets from Secret Manager.
    const hostsDatabase = spec.server.hostsDatabase || !this.database;
    const writer = hostsDatabase ? '127.0.0.1' : this.database!.host;
    const env: Record<string, string> = {
      APP_TIER: tier.name,
      APP_CLOUD: 'gcp',
      APP_REGION: region,
      PORT: String(port),
      DATABASE_HOST: writer,
      DATABASE_READER_HOST: geoDns ? readerDnsName(name, 0).replace(/\.$/, '') : this.readReplicas?.readerHost ?? writer,
      DATABASE_PORT: String(DATABASE_PORT),
      DATABASE_NAME,
      DATABASE_USER: this.credentials.username,
      DATABASE_SSL: hostsDatabase ? 'disable' : 'require',
    };
    const secretEnv: Record<string, string> = { DATABASE_PASSWORD: this.credentials.secret.id };
    if (this.database) env.DATABASE_SECRET = this.credentials.secret.id;
    if (this.cache) {
      env.CACHE_HOST = this.cache.host;
      env.CACHE_PORT = this.cache.port;
      secretEnv.CACHE_AUTH_TOKEN = this.cache.authSecret.id;
    }
    if (this.cdn) env.STATIC_BUCKET = this.cdn.bucket.name;
    if (this.userDirectory) {
      env.AUTH_ISSUER = this.userDirectory.issuer;
      env.AUTH_CLIENT_ID = this.userDirectory.clientId;
      env.AUTH_DOMAIN = this.userDirectory.authDomain;
    }
    if (this.shards) {
      // The bucket assignment is read from Secret Manager's `latest` version when an instance
      // starts (cloud.google.com/run/docs/configuring/secrets: secrets in environment variables
      // are resolved at instance startup), so new instances pick up a published rebalance.
      secretEnv.SHARD_BUCKETS = this.database!.bucketAssignment.id;
      env.SHARD_COUNT = String(this.shards.shardInstances.length);
      env.SHARD_MAP = geoDns
        ? shardMapJson(this.shards.shardInstances.map((w, i) => ({
          id: i, host: w.privateIpAddress, readerHost: readerDnsName(name, i).replace(/\.$/, ''), port: DATABASE_PORT, secret: this.shards!.passwordSecretIds[i],
        })))
        : this.shards.shardMap;
    }
    if (spec.queue) env.QUEUE_URL = `projects/${project}/topics/${name}-work`;
    if (spec.queue?.eventStream) env.STREAM_NAME = `projects/${project}/topics/${name}-events`;
    this.environment = env;
    this.secretEnvironment = secretEnv;
    if (this.shards) {
      this.rebalanceJob = new ShardRebalanceJob(this.shards, 'Rebalance', {
        ...base,
        network: this.network,
        shards: this.shards.shardInstances.length,
        shardMap: env.SHARD_MAP,
        bucketAssignmentSecret: this.database!.bucketAssignment.id,
        passwordSecret: this.credentials.secret.id,
        shardPasswordSecrets: this.shards.passwordSecrets.slice(1).map(s => s.id),
        databaseUser: this.credentials.username,
        databaseName: DATABASE_NAME,
      });
    }
    if (this.database && (props.credentialRotation ?? true)) {
      // Shard 0 (the managed database) first, then every further shard, each with its own secret.
      // Read replicas, in-region and in other regions, follow their primary.
      const primaries = this.shards ? this.shards.shardInstances : [this.database.instance];
      const secrets = this.shards ? this.shards.passwordSecretIds : [this.credentials.secret.secretId];
      this.credentialRotation = new CredentialRotation(this, 'CredentialRotation', {
        ...base,
        pairs: primaries.map((instance, i) => ({ instance: instance.name, secretId: secrets[i] })),
        databaseUser: this.credentials.username,
      });
    }

    this.singleServer = new SingleServer(this, 'SingleServer', {
      ...base,
      network: this.network,
      image: props.image,
      port,
      running: spec.server.running,
      hostsDatabase,
      machineType: spec.server.gcpMachineType,
      dataDiskGib: spec.server.dataVolumeGib,
      domainName: spec.fleet ? undefined : props.domainName,
      environment: env,
      secretEnvironment: secretEnv,
    });

    const fleet = spec.fleet;
    if (fleet) {
      this.fleet = new StatelessFleet(this, 'StatelessFleet', {
        ...base,
        network: this.network,
        image: props.image,
        port,
        healthCheckPath,
        vcpu: fleet.vcpu,
        memoryGib: fleet.memoryGib,
        minInstances: fleet.minInstances,
        maxInstances: fleet.maxInstances,
        concurrency: fleet.targetRequestsPerInstance,
        deployment: fleet.deployment,
        domainName: props.domainName,
        edge: this.cdn,
        environment: env,
        secretEnvironment: secretEnv,
        extraRoles: spec.operations.tracing ? ['roles/cloudtrace.agent'] : undefined,
      });
    } else if (extras.length > 0 || spec.queue) {
      throw new ScaleLadderError(`tier '${tier.name}' must have a stateless fleet to use further regions or queue workers, got none`);
    }

    if (spec.queue) {
      this.queue = new QueueWorkers(this, 'QueueWorkers', {
        ...base,
        network: this.network,
        image: props.workerImage ?? props.image,
        port,
        healthCheckPath,
        minInstances: spec.queue.workerMinInstances,
        maxInstances: spec.queue.workerMaxInstances,
        messagesPerWorker: spec.queue.messagesPerWorker,
        eventStream: spec.queue.eventStream,
        environment: env,
        secretEnvironment: secretEnv,
        publishers: [`serviceAccount:${this.fleet!.serviceAccount.email}`],
      });
    }
    // Every runtime that gets SHARD_MAP may read each shard's own secret (the other regions'
    // services run as the fleet's account).
    if (this.shards) {
      if (this.fleet) this.shards.grantPasswordRead(`serviceAccount:${this.fleet.serviceAccount.email}`, 'StatelessFleet');
      if (this.queue) this.shards.grantPasswordRead(`serviceAccount:${this.queue.serviceAccount.email}`, 'QueueWorkers');
    }

    if (extras.length > 0) {
      if (!this.database) throw new ScaleLadderError(`tier '${tier.name}' must have a managed database to use further regions, got none`);
      this.regions = new GeoRoutedRegions(this, 'GeoRoutedRegions', {
        ...base,
        network: this.network,
        fleet: this.fleet!,
        shardZero: this.database.instance,
        readReplicas: this.readReplicas,
        shardedCluster: this.shards,
        activeRegions,
        standbyRegions,
        image: props.image,
        port,
        healthCheckPath,
        vcpu: fleet!.vcpu,
        memoryGib: fleet!.memoryGib,
        minInstances: fleet!.minInstances,
        maxInstances: fleet!.maxInstances,
        concurrency: fleet!.targetRequestsPerInstance,
        deployment: fleet!.deployment,
        databaseTier: db!.gcpTier,
        environment: env,
        secretEnvironment: secretEnv,
      });
    }

    this.operations = new Operations(this, 'Operations', {
      ...base,
      logRetentionDays: spec.operations.logRetentionDays,
      backendServiceName: this.fleet ? `${name}-backend` : undefined,
      dashboards: spec.operations.dashboards,
      slo: spec.operations.tracing,
      alertEmail: props.alertEmail,
    });

    if (props.dnsZone) {
      // rrdatas and ttl update in place: google/services/dns/resource_dns_record_set.go marks
      // neither ForceNew, and resourceDnsRecordSetUpdate replaces the old record data with the
      // new in one Cloud DNS change.
      this.appRecord = new DnsRecordSet(this, 'AppRecord', {
        project,
        managedZone: props.dnsZone,
        name: `${props.domainName}.`,
        type: 'A',
        ttl: APP_RECORD_TTL_SECONDS,
        rrdatas: [this.fleet ? this.fleet.address.address : this.singleServer.address.address],
      });
    }

    this.url = this.fleet ? this.fleet.url
      : props.domainName ? `https://${props.domainName}` : `http://${this.singleServer.address.address}`;
  }
}

/** The scope, once `props` is known to be an object (checked before the construct is added to it). */
function requireProps(scope: Construct, props: unknown): Construct {
  if (props === null || typeof props !== 'object') {
    throw new ScaleLadderError(`props must be an object with at least project, region, image and tier, got ${describeValue(props)}`);
  }
  return scope;
}
