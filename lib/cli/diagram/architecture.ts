import { CapacityModel } from '../../core/capacity';
import { Tier } from '../../core/tier';
import { CacheSpec, DatabaseSpec, DeploymentStyle, FleetSpec, ServerSpec } from '../../core/tier-spec';
import { Cloud } from '../args';
import { num } from '../format';

/*
 * The architecture of a rung as a small graph, built from the tier data alone. What a box
 * is called on each cloud comes from the label table below; which boxes exist and their
 * counts come from the TierSpec, the same for both clouds.
 */

export type NodeKind = 'client' | 'edge' | 'compute' | 'data' | 'retired';

/** Columns, left to right: who calls, DNS, the CDN edge, the load balancer, compute, data. */
export enum Column { CLIENTS = 0, DNS = 1, EDGE = 2, ENTRY = 3, COMPUTE = 4, DATA = 5 }

export interface ArchNode {
  readonly id: string;
  readonly column: Column;
  readonly kind: NodeKind;
  readonly title: string;
  readonly details: string[];
  /** Inside the region frame (repeated per active region) or global. */
  readonly regional: boolean;
  /** Drawn as a cylinder in Mermaid. */
  readonly store?: boolean;
}

export interface ArchEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dashed?: boolean;
}

export interface Architecture {
  readonly cloud: Cloud;
  readonly tier: string;
  readonly title: string;
  readonly subtitle: string;
  readonly nodes: ArchNode[];
  readonly edges: ArchEdge[];
  /** The region frame's caption. */
  readonly regionLabel: string;
  /** How many copies of the region run at once (drawn as stacked frames). */
  readonly activeRegions: number;
  /** The warm-standby region, when the rung has one. */
  readonly standby?: { readonly title: string; readonly details: string[] };
  /** Cross-cutting operations, one line. */
  readonly operations: string;
}

/** What each cloud calls the pieces. Plain data: adding a cloud is adding a row. */
export interface CloudLabels {
  readonly cloudName: string;
  readonly region: string;
  readonly zones: string;
  readonly dns: string;
  readonly dnsDetail: string;
  readonly cdn: string;
  readonly cdnDetail: string;
  readonly rateLimiting: string;
  readonly staticBucket: string;
  readonly staticBucketDetail: string;
  readonly loadBalancer: string;
  readonly loadBalancerDetail: string;
  /** Whether the load balancer and static bucket are global (one for all regions) rather than per region. */
  readonly globalEntry: boolean;
  readonly server: string;
  readonly serverSize: (server: ServerSpec) => string;
  readonly serverAccess: string;
  readonly dataVolume: string;
  readonly dataVolumeDetail: string;
  readonly fleet: string;
  readonly fleetUnit: string;
  readonly deployment: Record<DeploymentStyle, string>;
  readonly database: string;
  readonly databaseSize: (db: DatabaseSpec) => string;
  /** One read replica, in the singular. */
  readonly replica: string;
  readonly secrets: string;
  readonly cache: string;
  readonly cacheSize: (cache: CacheSpec) => string;
  readonly queue: string;
  readonly workers: string;
  readonly stream: string;
  readonly authentication: string;
  readonly logs: string;
  readonly dashboards: string;
  readonly tracing: string;
  /** Absent where the cloud has no managed fault-injection service. */
  readonly chaos?: string;
  readonly standbyDatabase: string;
  readonly standbyCompute: string;
  readonly migration: string;
}

export const CLOUD_LABELS: Record<Cloud, CloudLabels> = {
  aws: {
    cloudName: 'AWS',
    region: 'AWS region',
    zones: '3 AZs',
    dns: 'Route 53',
    dnsDetail: 'latency records + health checks',
    cdn: 'CloudFront',
    cdnDetail: 'caching policies, origin failover',
    rateLimiting: 'AWS WAF rate limiting',
    staticBucket: 'S3 static assets',
    staticBucketDetail: 'origin access control',
    loadBalancer: 'Application Load Balancer',
    loadBalancerDetail: 'HTTPS, 3 AZs',
    globalEntry: false,
    server: 'EC2 instance',
    serverSize: s => `${s.awsInstanceType}, ${s.vcpu} vCPU`,
    serverAccess: 'Elastic IP, SSM access (no SSH)',
    dataVolume: 'EBS data volume',
    dataVolumeDetail: 'encrypted, retained, daily snapshots',
    fleet: 'ECS Fargate service',
    fleetUnit: 'tasks',
    deployment: { ROLLING: 'rolling + circuit-breaker rollback', CANARY: 'canary (blue/green) deployments' },
    database: 'Aurora PostgreSQL',
    databaseSize: d => `Serverless v2, ${num(d.awsMinCapacityAcu, d.awsMinCapacityAcu % 1 ? 1 : 0)}-${d.awsMaxCapacityAcu} ACU`,
    replica: 'reader',
    secrets: 'Secrets Manager',
    cache: 'ElastiCache (Valkey)',
    cacheSize: c => `cluster mode, ${c.awsNodeType}`,
    queue: 'SQS queue + DLQ',
    workers: 'Fargate workers',
    stream: 'Kinesis Data Streams',
    authentication: 'Cognito user pool',
    logs: 'CloudWatch Logs',
    dashboards: 'dashboard + alarms',
    tracing: 'X-Ray tracing + SLO alarms',
    chaos: 'FIS experiment templates',
    standbyDatabase: 'Aurora Global Database secondary',
    standbyCompute: 'Fargate service, scaled down',
    migration: 'one-off copy (SSM document)',
  },
  gcp: {
    cloudName: 'Google Cloud',
    region: 'Google Cloud region',
    zones: '3 zones',
    dns: 'Cloud DNS',
    dnsDetail: 'geo routing policy',
    cdn: 'Cloud CDN',
    cdnDetail: 'on the global load balancer',
    rateLimiting: 'Cloud Armor rate limiting',
    staticBucket: 'Cloud Storage bucket',
    staticBucketDetail: 'backend bucket for static',
    loadBalancer: 'Global external Application LB',
    loadBalancerDetail: 'HTTPS, serverless NEG',
    globalEntry: true,
    server: 'Compute Engine VM',
    serverSize: s => `${s.gcpMachineType}, ${s.vcpu} vCPU`,
    serverAccess: 'static IP, OS Login via IAP only',
    dataVolume: 'Persistent disk',
    dataVolumeDetail: 'snapshot schedule, prevent_destroy',
    fleet: 'Cloud Run service',
    fleetUnit: 'instances',
    deployment: { ROLLING: 'gradual rollout', CANARY: 'canary traffic split' },
    database: 'Cloud SQL for PostgreSQL',
    databaseSize: d => `${d.gcpTier}${d.gcpHighAvailability ? ', regional HA' : ''}, private IP`,
    replica: 'read replica',
    secrets: 'Secret Manager',
    cache: 'Memorystore for Redis',
    cacheSize: c => `${c.gcpMemorySizeGib} GiB, HA`,
    queue: 'Pub/Sub topic + dead-letter',
    workers: 'Cloud Run workers',
    stream: 'Pub/Sub streaming',
    authentication: 'Identity Platform',
    logs: 'Cloud Logging',
    dashboards: 'Cloud Monitoring dashboards + alerts',
    tracing: 'Cloud Trace + SLOs',
    standbyDatabase: 'cross-region read replicas',
    standbyCompute: 'second Cloud Run backend',
    migration: 'one-off copy (startup script)',
  },
};

function range(min: number, max: number): string {
  return min === max ? num(min) : `${num(min)}-${num(max)}`;
}

function fleetDetails(l: CloudLabels, f: FleetSpec): string[] {
  return [
    `${range(f.minInstances, f.maxInstances)} ${l.fleetUnit} × ${num(f.vcpu)} vCPU / ${num(f.memoryGib)} GiB`,
    `${l.zones}, autoscaled at ${f.targetCpuPercent} % CPU`,
    l.deployment[f.deployment],
  ];
}

function databaseDetails(l: CloudLabels, d: DatabaseSpec): string[] {
  const details = [
    l.databaseSize(d),
    d.readReplicas > 0 ? `writer + ${d.readReplicas} ${l.replica}${d.readReplicas === 1 ? '' : 's'}` : 'writer',
  ];
  if (d.shards > 1) details.push(`× ${d.shards} hash shards (shard 0 = original)`);
  details.push(`backups kept ${d.backupRetentionDays} days`);
  return details;
}

function cacheDetails(l: CloudLabels, c: CacheSpec): string[] {
  return [
    l.cacheSize(c),
    `${c.shards} ${c.shards === 1 ? 'shard' : 'shards'} × ${1 + c.replicasPerShard} nodes, TLS`,
  ];
}

/** The architecture of `tier` on `cloud`. */
export function architectureOf(cloud: Cloud, tier: Tier): Architecture {
  const l = CLOUD_LABELS[cloud];
  const spec = tier.spec;
  const nodes: ArchNode[] = [];
  const edges: ArchEdge[] = [];
  const add = (node: ArchNode) => { nodes.push(node); return node.id; };
  const link = (from: string | undefined, to: string | undefined, label?: string, dashed?: boolean) => {
    if (from && to) edges.push({ from, to, ...(label ? { label } : {}), ...(dashed ? { dashed } : {}) });
  };

  const peak = new CapacityModel().traffic(spec.maxUsers).peakRps;
  const users = add({
    id: 'users',
    column: Column.CLIENTS,
    kind: 'client',
    regional: false,
    title: 'Users',
    details: [`up to ${num(spec.maxUsers)} monthly`, `peak ≈ ${num(peak, peak < 10 ? 1 : 0)} req/s`],
  });

  // Global edge.
  const dns = spec.regions.activeRegions > 1
    ? add({ id: 'dns', column: Column.DNS, kind: 'edge', regional: false, title: l.dns, details: [l.dnsDetail] })
    : undefined;
  const cdn = spec.cdn
    ? add({ id: 'cdn', column: Column.EDGE, kind: 'edge', regional: false, title: l.cdn, details: [l.cdnDetail, l.rateLimiting] })
    : undefined;

  // Regional entry.
  const lb = spec.fleet
    ? add({ id: 'lb', column: Column.ENTRY, kind: 'edge', regional: !l.globalEntry, title: l.loadBalancer, details: [l.loadBalancerDetail] })
    : undefined;
  const bucket = spec.cdn
    ? add({ id: 'static', column: Column.ENTRY, kind: 'data', regional: !l.globalEntry, title: l.staticBucket, details: [l.staticBucketDetail, 'STATIC_BUCKET'] })
    : undefined;

  // Compute.
  const server = spec.server.running
    ? add({
      id: 'server',
      column: Column.COMPUTE,
      kind: 'compute',
      regional: true,
      title: l.server,
      details: [l.serverSize(spec.server), spec.server.hostsDatabase ? 'app container + PostgreSQL' : 'app container', l.serverAccess],
    })
    : undefined;
  const fleet = spec.fleet
    ? add({ id: 'fleet', column: Column.COMPUTE, kind: 'compute', regional: true, title: l.fleet, details: fleetDetails(l, spec.fleet) })
    : undefined;
  const workers = spec.queue
    ? add({
      id: 'workers',
      column: Column.COMPUTE,
      kind: 'compute',
      regional: true,
      title: l.workers,
      details: [`${range(spec.queue.workerMinInstances, spec.queue.workerMaxInstances)} ${l.fleetUnit}`, `scaled on backlog (${spec.queue.messagesPerWorker} per worker)`],
    })
    : undefined;
  const app = fleet ?? server;

  // Data.
  const volume = spec.server.running
    ? add({
      id: 'volume',
      column: Column.DATA,
      kind: spec.server.hostsDatabase ? 'data' : 'retired',
      regional: true,
      store: true,
      title: l.dataVolume,
      details: spec.server.hostsDatabase
        ? [`${spec.server.dataVolumeGib} GiB PostgreSQL data`, l.dataVolumeDetail]
        : ['old PostgreSQL data, retained', 'delete by hand after the migration'],
    })
    : undefined;
  const db = spec.database
    ? add({ id: 'db', column: Column.DATA, kind: 'data', regional: true, store: true, title: l.database, details: databaseDetails(l, spec.database) })
    : undefined;
  const cache = spec.cache
    ? add({ id: 'cache', column: Column.DATA, kind: 'data', regional: true, store: true, title: l.cache, details: cacheDetails(l, spec.cache) })
    : undefined;
  const queue = spec.queue
    ? add({ id: 'queue', column: Column.DATA, kind: 'data', regional: true, title: l.queue, details: ['QUEUE_URL'] })
    : undefined;
  const stream = spec.queue?.eventStream
    ? add({ id: 'stream', column: Column.DATA, kind: 'data', regional: true, title: l.stream, details: ['event stream, on-demand'] })
    : undefined;
  const secrets = spec.database
    ? add({
      id: 'secrets',
      column: Column.DATA,
      kind: 'data',
      regional: true,
      title: l.secrets,
      details: [spec.cache ? 'database + cache credentials' : 'database credentials'],
    })
    : undefined;
  const auth = spec.operations.authentication
    ? add({ id: 'auth', column: Column.DATA, kind: 'data', regional: true, title: l.authentication, details: ['sign-up / sign-in'] })
    : undefined;

  // The request path.
  const entry = [dns, cdn, lb ?? server].filter((id): id is string => id !== undefined);
  link(users, entry[0], spec.cdn || dns ? undefined : 'HTTP');
  for (let i = 1; i < entry.length; i++) link(entry[i - 1], entry[i]);
  link(lb, fleet);
  link(cdn, bucket, '/static/*');
  if (spec.server.hostsDatabase) link(server, volume, 'PostgreSQL');
  link(app, db, spec.database && spec.database.readReplicas > 0 ? 'SQL (writer / readers)' : 'SQL');
  link(volume, spec.server.hostsDatabase ? undefined : db, l.migration, true);
  link(app, cache, 'cache-aside');
  link(app, queue, 'jobs');
  link(app, stream, 'events');
  link(queue, workers);
  link(stream, workers);
  link(workers, db);
  link(app, secrets, undefined, true);
  link(app, auth, undefined, true);

  const standby = spec.regions.warmStandbyRegions > 0
    ? { title: `${l.region} (warm standby)`, details: [l.standbyDatabase, l.standbyCompute] }
    : undefined;

  const ops = spec.operations;
  const operations = [
    `${l.logs} ${ops.logRetentionDays} days`,
    ops.dashboards ? l.dashboards : undefined,
    ops.tracing ? l.tracing : undefined,
    ops.chaosExperiments ? l.chaos : undefined,
  ].filter(Boolean).join(' · ');

  const regions = spec.regions.activeRegions;
  return {
    cloud,
    tier: tier.name,
    title: `scale-ladder ${tier.name} on ${l.cloudName}`,
    subtitle: tier.layers.join(' + '),
    nodes,
    edges,
    regionLabel: regions > 1 ? `${l.region} × ${regions}, active-active` : l.region,
    activeRegions: regions,
    standby,
    operations,
  };
}
