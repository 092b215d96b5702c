import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { ComputeRegionNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-region-network-endpoint-group';
import { DnsManagedZone } from '@cdktf/provider-google/lib/dns-managed-zone';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { Construct } from 'constructs';
import { requireIntInRange, ScaleLadderError } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import { checkRunSizing, runService } from '../compute/cloud-run';
import { StatelessFleet } from '../compute/stateless-fleet';
import { DATABASE_PORT, MAX_REPLICAS_PER_PRIMARY, postgresReplica, requireSqlTier, shardMapJson } from '../data/cloud-sql';
import { ReadReplicaSet } from '../data/read-replica-set';
import { ShardedCluster } from '../data/sharded-cluster';
import { baseSettings, GcpBaseProps, labels, readerDnsName, readerZoneDnsName } from '../internal/common';
import { Network } from '../network/network';
import { requireRegion } from '../network/regions';

/** Props of `GeoRoutedRegions`. */
export interface GeoRoutedRegionsProps extends GcpBaseProps {
  /** The network; it must have a subnet in every region named here. */
  readonly network: Network;
  /** The primary region's fleet: its load balancer takes the active regions' backends. */
  readonly fleet: StatelessFleet;
  /** Shard 0's writer (the original instance). */
  readonly shardZero: SqlDatabaseInstance;
  /**
   * Shard 0's in-region replicas (their hosts answer the primary region's reads).
   * @default - none
   */
  readonly readReplicas?: ReadReplicaSet;
  /**
   * The further shards.
   * @default - one shard
   */
  readonly shardedCluster?: ShardedCluster;
  /**
   * Regions serving traffic besides the primary: behind the same global load balancer and in
   * the geo-routed reader records.
   * @default - none
   */
  readonly activeRegions?: string[];
  /**
   * Warm-standby regions: a running service (not behind the load balancer until promoted) and
   * cross-region replicas of every shard, ready to be promoted.
   * @default - none
   */
  readonly standbyRegions?: string[];
  /** The app's container image. */
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
   * vCPUs per instance (1, 2, 4, 6 or 8).
   * @default 1
   */
  readonly vcpu?: number;
  /**
   * Memory per instance in GiB.
   * @default 2
   */
  readonly memoryGib?: number;
  /**
   * Fewest instances per active region (standby regions keep 1).
   * @default 2
   */
  readonly minInstances?: number;
  /**
   * Most instances per region.
   * @default 10
   */
  readonly maxInstances?: number;
  /**
   * Concurrent requests per instance.
   * @default 60
   */
  readonly concurrency?: number;
  /**
   * How new revisions roll out.
   * @default DeploymentStyle.ROLLING
   */
  readonly deployment?: DeploymentStyle;
  /**
   * Machine tier of the cross-region replicas.
   * @default 'db-custom-2-7680'
   */
  readonly databaseTier?: string;
  /**
   * The app's plain variables (APP_REGION, DATABASE_READER_HOST and SHARD_MAP are set per region).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Variables from Secret Manager: name → secret id.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, string>;
}

/**
 * Rungs 100M and 1B. 100M: a warm-standby region with its own Cloud Run service and a
 * cross-region read replica of every shard (promote them and add the region's NEG to the load
 * balancer to fail over). 1B: further regions active at once as backends of the one global load
 * balancer (anycast, nearest healthy region), cross-region replicas per shard, and a private
 * Cloud DNS zone whose geo-routed reader records send each region's reads to its own replicas.
 * Writes always go to the primary region's shard writers.
 */
export class GeoRoutedRegions extends Construct {
  /** The further regions, active ones first, then standby ones. */
  public readonly regionNames: string[] = [];
  /** Which of `regionNames` serve traffic (the rest are warm standbys). */
  public readonly activeRegionNames: string[];
  /** The app's Cloud Run service in each region, in `regionNames` order. */
  public readonly services: CloudRunV2Service[] = [];
  /** Load-balancer invoker bindings, in `regionNames` order. */
  public readonly invokers: CloudRunV2ServiceIamMember[] = [];
  /** Serverless NEGs, in `regionNames` order (active ones are backends of the load balancer). */
  public readonly negs: ComputeRegionNetworkEndpointGroup[] = [];
  /** Cross-region replicas: for each region (in order), one per shard (shard 0 first). */
  public readonly replicas: SqlDatabaseInstance[] = [];
  /** The private zone of the geo-routed reader records, with active regions. */
  public readonly readerZone?: DnsManagedZone;
  /** Geo-routed reader records, shard 0 first, with active regions. */
  public readonly readerRecords: DnsRecordSet[] = [];

  constructor(scope: Construct, id: string, props: GeoRoutedRegionsProps) {
    super(scope, id);
    const { project, region: primary, name } = baseSettings(props);
    const active = props.activeRegions ?? [];
    const standby = props.standbyRegions ?? [];
    [...active, ...standby].forEach((r, i) => requireRegion(`regions[${i}]`, r));
    if (active.length + standby.length === 0) {
      throw new ScaleLadderError('activeRegions or standbyRegions must name at least one region, got none');
    }
    const shardWriters = props.shardedCluster ? props.shardedCluster.shardInstances : [props.shardZero];
    const inRegionReplicas = (shard: number): SqlDatabaseInstance[] =>
      shard === 0 ? (props.readReplicas?.replicas ?? []) : props.shardedCluster!.replicasOf(shard);
    const crossRegion = active.length + standby.length;
    shardWriters.forEach((_, shard) => requireIntInRange('readReplicas', inRegionReplicas(shard).length, 0, MAX_REPLICAS_PER_PRIMARY - crossRegion));
    const tier = requireSqlTier('databaseTier', props.databaseTier ?? 'db-custom-2-7680');
    const sizing = {
      vcpu: props.vcpu ?? 1,
      memoryGib: props.memoryGib ?? 2,
      minInstances: props.minInstances ?? 2,
      maxInstances: props.maxInstances ?? 10,
      concurrency: props.concurrency ?? 60,
    };
    checkRunSizing(sizing, 'fleet');
    const geo = active.length > 0;
    this.activeRegionNames = [...active];
    const replicasIn: Record<string, SqlDatabaseInstance[]> = {};
    const port = props.port ?? 8080;

    for (const region of [...active, ...standby]) {
      const isActive = active.includes(region);
      const scopeR = new Construct(this, region);
      const replicas = shardWriters.map((writer, shard) => postgresReplica(scopeR, `Shard${shard}Replica`, {
        project,
        region,
        appName: name,
        layer: 'GeoRoutedRegions',
        name: shard === 0 ? `${name}-db-${region}` : `${name}-db-shard-${shard}-${region}`,
        network: props.network,
        tier,
        primary: writer,
      }));
      const readerOf = (shard: number) => geo ? readerDnsName(name, shard).replace(/\.$/, '') : replicas[shard].privateIpAddress;
      const environment: Record<string, string> = {
        ...(props.environment ?? {}),
        APP_REGION: region,
        DATABASE_READER_HOST: readerOf(0),
      };
      if (props.shardedCluster) {
        const secrets = props.shardedCluster.passwordSecretIds;
        environment.SHARD_MAP = shardMapJson(shardWriters.map((writer, shard) => ({
          id: shard, host: writer.privateIpAddress, readerHost: readerOf(shard), port: DATABASE_PORT, secret: secrets[shard],
        })));
      }
      const service = runService(scopeR, 'Service', {
        project,
        region,
        appName: name,
        layer: 'GeoRoutedRegions',
        serviceName: `${name}-web-${region}`,
        network: props.network,
        serviceAccountEmail: props.fleet.serviceAccount.email,
        image: props.image,
        port,
        healthCheckPath: props.healthCheckPath ?? '/',
        ...sizing,
        minInstances: isActive ? sizing.minInstances : 1,
        ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
        deployment: props.deployment ?? DeploymentStyle.ROLLING,
        environment,
        secretEnvironment: props.secretEnvironment ?? {},
      });
      const invoker = new CloudRunV2ServiceIamMember(scopeR, 'LoadBalancerInvoker', {
        project, location: region, name: service.name, role: 'roles/run.invoker', member: 'allUsers',
      });
      const neg = new ComputeRegionNetworkEndpointGroup(scopeR, 'Neg', {
        project, name: `${name}-neg-${region}`, region, networkEndpointType: 'SERVERLESS', cloudRun: { service: service.name },
      });
      if (isActive) props.fleet.addBackend(neg);
      this.regionNames.push(region);
      this.services.push(service);
      this.invokers.push(invoker);
      this.negs.push(neg);
      this.replicas.push(...replicas);
      replicasIn[region] = replicas;
    }

    if (geo) {
      this.readerZone = new DnsManagedZone(this, 'ReaderZone', {
        project,
        name: `${name}-db-internal`,
        dnsName: readerZoneDnsName(name),
        visibility: 'private',
        description: 'Geo-routed database reader names (scale-ladder)',
        privateVisibilityConfig: { networks: [{ networkUrl: props.network.vpc.id }] },
        labels: labels(name, 'GeoRoutedRegions'),
      });
      shardWriters.forEach((writer, shard) => {
        const local = inRegionReplicas(shard);
        const primaryTargets = (local.length > 0 ? local : [writer]).map(r => r.privateIpAddress);
        this.readerRecords.push(new DnsRecordSet(this, `Shard${shard}Reader`, {
          project,
          managedZone: this.readerZone!.name,
          name: readerDnsName(name, shard),
          type: 'A',
          ttl: 30,
          routingPolicy: {
            geo: [
              { location: primary, rrdatas: primaryTargets },
              ...active.map(r => ({ location: r, rrdatas: [replicasIn[r][shard].privateIpAddress] })),
            ],
          },
        }));
      });
    }
  }
}
