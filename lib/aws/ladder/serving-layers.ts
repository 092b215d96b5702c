import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { FleetServiceOptions } from './serving-options';
import { ScaleLadderError } from '../../core/errors';
import { Tier } from '../../core/tier';
import { AppEnvironment } from '../compute/app-environment';
import { AppImage } from '../compute/app-image';
import { EventStream } from '../compute/event-stream';
import { defaultServicePriority, PathRoutedService } from '../compute/path-routed-service';
import { QueueWorkers } from '../compute/queue-workers';
import { StatelessFleet } from '../compute/stateless-fleet';
import { Cache } from '../data/cache';
import { Monitoring } from '../operations/monitoring';
import { SloAlarms } from '../operations/slo-alarms';
import { Tracing } from '../operations/tracing';

/*
 * The app-serving layers every region runs (fleet, extra services, cache, queue and
 * stream workers, tracing, dashboards and SLO alarms), built from the tier data under a
 * composer — the primary stack's ScaleLadder or another region's RegionalLadder — with
 * the same construct ids everywhere. Not part of the jsii API.
 */

export interface ServingOptions {
  readonly tier: Tier;
  readonly vpc: ec2.IVpc;
  readonly image: AppImage;
  readonly port: number;
  readonly healthCheckPath?: string;
  readonly environment: AppEnvironment;
  readonly certificate?: acm.ICertificate;
  readonly services?: FleetServiceOptions[];
  /** Fewest fleet tasks, when a warm standby runs fewer than the rung says. */
  readonly minInstances?: number;
  /** Databases the app connects to. */
  readonly databases: ec2.Connections[];
  /** Clusters the dashboards watch (the first) and chaos experiments fail over. */
  readonly clusters: rds.IDatabaseCluster[];
}

export interface ServingLayers {
  readonly fleet: StatelessFleet;
  readonly services: PathRoutedService[];
  readonly cache?: Cache;
  readonly queue?: QueueWorkers;
  readonly stream?: EventStream;
  readonly tracing?: Tracing;
  readonly monitoring?: Monitoring;
  readonly slo?: SloAlarms;
}

export interface AppCompute {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
}

/** Every app container of the layers (main, extra services, workers). */
export function appCompute(layers: ServingLayers): AppCompute[] {
  const { fleet, queue, stream } = layers;
  return [
    { taskDefinition: fleet.taskDefinition, container: fleet.container, service: fleet.service },
    ...layers.services.map(s => ({ taskDefinition: s.taskDefinition, container: s.container, service: s.service })),
    ...(queue ? [{ taskDefinition: queue.taskDefinition, container: queue.container, service: queue.service }] : []),
    ...(stream ? [{ taskDefinition: stream.taskDefinition, container: stream.container, service: stream.consumerService }] : []),
  ];
}

/**
 * Builds the cache first (its endpoint is part of the environment), then the fleet and
 * the rest; variables that only exist once a later layer does (queue, stream) are added
 * to every app container at the end.
 */
export function buildServingLayers(scope: Construct, o: ServingOptions): ServingLayers {
  const spec = o.tier.spec;
  if (!spec.fleet) throw new ScaleLadderError(`tier must have a stateless fleet to serve from, got '${spec.name}'`);
  const logRetentionDays = spec.operations.logRetentionDays;
  const env = o.environment;

  let cache: Cache | undefined;
  if (spec.cache) {
    cache = new Cache(scope, 'Cache', {
      vpc: o.vpc,
      shards: spec.cache.shards,
      replicasPerShard: spec.cache.replicasPerShard,
      nodeType: spec.cache.awsNodeType,
    });
    env.set('CACHE_HOST', cache.host).set('CACHE_PORT', cache.port).setSecret('CACHE_AUTH_TOKEN', cache.authToken, 'token');
  }

  const fleet = new StatelessFleet(scope, 'Fleet', {
    vpc: o.vpc,
    image: o.image,
    port: o.port,
    healthCheckPath: o.healthCheckPath,
    environment: env,
    vcpu: spec.fleet.vcpu,
    memoryGib: spec.fleet.memoryGib,
    minInstances: o.minInstances ?? spec.fleet.minInstances,
    maxInstances: spec.fleet.maxInstances,
    targetCpuPercent: spec.fleet.targetCpuPercent,
    targetRequestsPerInstance: spec.fleet.targetRequestsPerInstance,
    certificate: o.certificate,
    logRetentionDays,
    deployment: spec.fleet.deployment,
  });

  const services = (spec.fleet.routesServices ? o.services ?? [] : []).map((s, i) => new PathRoutedService(scope, `Service-${s.name}`, {
    fleet,
    name: s.name,
    image: s.image ?? o.image,
    pathPatterns: s.pathPatterns,
    priority: s.priority ?? defaultServicePriority(i),
    port: o.port,
    healthCheckPath: s.healthCheckPath ?? o.healthCheckPath,
    vcpu: s.vcpu ?? spec.fleet!.vcpu,
    memoryGib: s.memoryGib ?? spec.fleet!.memoryGib,
    minInstances: s.minInstances ?? o.minInstances ?? spec.fleet!.minInstances,
    maxInstances: s.maxInstances ?? spec.fleet!.maxInstances,
    deployment: spec.fleet!.deployment,
    environment: env,
    logRetentionDays,
  }));

  const monitoring = spec.operations.dashboards
    ? new Monitoring(scope, 'Monitoring', { fleet, database: o.clusters[0] as rds.DatabaseCluster | undefined })
    : undefined;
  const alarmTopic = monitoring?.alarmTopic;

  let queue: QueueWorkers | undefined;
  let stream: EventStream | undefined;
  if (spec.queue) {
    queue = new QueueWorkers(scope, 'Queue', {
      cluster: fleet.cluster,
      image: o.image,
      environment: env,
      minInstances: spec.queue.workerMinInstances,
      maxInstances: spec.queue.workerMaxInstances,
      messagesPerWorker: spec.queue.messagesPerWorker,
      alarmTopic,
      logRetentionDays,
    });
    env.set('QUEUE_URL', queue.queue.queueUrl);
    if (spec.queue.eventStream) {
      stream = new EventStream(scope, 'Stream', {
        cluster: fleet.cluster,
        image: o.image,
        environment: env,
        minInstances: spec.queue.workerMinInstances,
        maxInstances: spec.queue.workerMaxInstances,
        alarmTopic,
        logRetentionDays,
      });
      env.set('STREAM_NAME', stream.stream.streamName);
    }
  }

  const tracing = spec.operations.tracing ? new Tracing(scope, 'Tracing', { logRetentionDays }) : undefined;
  const slo = spec.operations.tracing
    ? new SloAlarms(scope, 'Slo', { loadBalancer: fleet.loadBalancer, targetGroup: fleet.targetGroup, alarmTopic })
    : undefined;

  const layers: ServingLayers = { fleet, services, cache, queue, stream, tracing, monitoring, slo };
  for (const compute of appCompute(layers)) {
    completeEnvironment(compute.container, env);
    env.grantRead(compute.taskDefinition.taskRole);
    for (const db of o.databases) db.allowDefaultPortFrom(compute.service, 'app');
    if (cache) cache.connections.allowDefaultPortFrom(compute.service, 'app');
    queue?.queue.grantSendMessages(compute.taskDefinition.taskRole);
    stream?.stream.grantWrite(compute.taskDefinition.taskRole);
    tracing?.instrument(compute.taskDefinition, compute.container);
  }
  return layers;
}

/** Adds the variables and secrets a container does not have yet (those of later layers). */
function completeEnvironment(container: ecs.ContainerDefinition, env: AppEnvironment): void {
  const rendered = container.renderContainerDefinition();
  const entries = [rendered.environment, rendered.secrets].flatMap(list => (Array.isArray(list) ? list : []));
  const present = new Set(entries.map(kv => (kv as { name: string }).name));
  for (const [name, value] of Object.entries(env.variables)) if (!present.has(name)) container.addEnvironment(name, value);
  for (const [name, secret] of Object.entries(env.ecsSecrets())) if (!present.has(name)) container.addSecret(name, secret);
}
