import { ArnFormat, Names, Stack, Validations } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { logRetention } from './log-retention';
import { requireIntInRange, requireNumberInRange, requirePattern, ScaleLadderError } from '../../core/errors';
import { nagArn } from '../internal/acknowledgements';

/** Props for {@link Tracing}. */
export interface TracingProps {
  /**
   * Fraction of requests traced beyond the per-second reservoir (0-1).
   * @default 0.05
   */
  readonly samplingRate?: number;
  /**
   * Requests per second always traced before the rate applies (0-1000).
   * @default 1
   */
  readonly reservoirPerSecond?: number;
  /**
   * Days the collectors' own logs and the application metrics (EMF) are kept.
   * @default 180
   */
  readonly logRetentionDays?: number;
  /**
   * The collector image, pinned by tag.
   * @default Tracing.COLLECTOR_IMAGE
   */
  readonly collectorImage?: string;
  /**
   * Create the log group the collector's built-in ECS config writes EMF metrics to
   * (`/aws/ecs/application/metrics`) so it has a retention. Turn off when another stack in
   * the same account and region already owns that log group.
   * @default true
   */
  readonly manageMetricsLogGroup?: boolean;
}

/** Options for {@link Tracing.instrument}. */
export interface TraceTaskOptions {
  /**
   * The service name traces and metrics carry (`OTEL_SERVICE_NAME`).
   * @default - the app container's name
   */
  readonly serviceName?: string;
}

/**
 * From rung 10M: distributed tracing with the AWS Distro for OpenTelemetry. One `Tracing`
 * per stack holds the collectors' log group and an X-Ray sampling rule; `instrument()` adds
 * an ADOT collector sidecar to any Fargate task definition (the fleet, extra services,
 * workers): OTLP in on localhost:4317 (gRPC) and :4318 (HTTP), X-Ray traces and EMF metrics
 * out, using the image's built-in ECS config.
 */
export class Tracing extends Construct {
  /** The pinned ADOT collector image. */
  public static readonly COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0';
  /** The built-in config the collector runs: OTLP and X-Ray UDP in, X-Ray and EMF out. */
  public static readonly COLLECTOR_CONFIG = '/etc/ecs/ecs-default-config.yaml';
  /** Name of the sidecar container in every instrumented task definition. */
  public static readonly COLLECTOR_CONTAINER_NAME = 'aws-otel-collector';
  /** Where the app sends OTLP (HTTP/protobuf, the OpenTelemetry SDKs' default protocol). */
  public static readonly OTLP_ENDPOINT = 'http://localhost:4318';
  /** Log group the built-in config writes EMF metrics to. */
  public static readonly METRICS_LOG_GROUP_NAME = '/aws/ecs/application/metrics';

  /** The collectors' own logs (one stream per task). */
  public readonly logGroup: logs.LogGroup;
  /** The EMF metrics log group, when managed here. */
  public readonly metricsLogGroup?: logs.LogGroup;
  /** The X-Ray sampling rule for SDKs that use X-Ray remote sampling. */
  public readonly samplingRule: xray.CfnSamplingRule;
  /** The collector sidecars added so far, one per instrumented task definition. */
  public readonly collectors: ecs.ContainerDefinition[] = [];

  private readonly image: ecs.ContainerImage;

  constructor(scope: Construct, id: string, props: TracingProps = {}) {
    super(scope, id);
    const samplingRate = requireNumberInRange('samplingRate', props.samplingRate ?? 0.05, 0, 1);
    const reservoir = requireIntInRange('reservoirPerSecond', props.reservoirPerSecond ?? 1, 0, 1000);
    const retention = logRetention('logRetentionDays', props.logRetentionDays ?? 180);
    const imageName = requirePattern('collectorImage', props.collectorImage ?? Tracing.COLLECTOR_IMAGE, /^[^\s:@]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/,
      'an image reference pinned by tag or digest (not :latest)');
    if (imageName.endsWith(':latest')) {
      throw new ScaleLadderError(`collectorImage must be an image reference pinned by tag or digest (not :latest), got '${imageName}'`);
    }
    this.image = ecs.ContainerImage.fromRegistry(imageName);

    this.logGroup = new logs.LogGroup(this, 'CollectorLogs', { retention });
    if (props.manageMetricsLogGroup ?? true) {
      this.metricsLogGroup = new logs.LogGroup(this, 'MetricsLogs', { logGroupName: Tracing.METRICS_LOG_GROUP_NAME, retention });
    }

    this.samplingRule = new xray.CfnSamplingRule(this, 'SamplingRule', {
      samplingRule: {
        ruleName: Names.uniqueResourceName(this, { maxLength: 32 }),
        priority: 9000,
        fixedRate: samplingRate,
        reservoirSize: reservoir,
        serviceName: '*',
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
  }

  /**
   * Adds the collector sidecar to `taskDefinition`, points `appContainer` at it and lets the
   * task role write traces and metrics. Each task definition can be instrumented once.
   * @returns the collector container
   */
  public instrument(
    taskDefinition: ecs.FargateTaskDefinition,
    appContainer: ecs.ContainerDefinition,
    options: TraceTaskOptions = {},
  ): ecs.ContainerDefinition {
    if (appContainer.taskDefinition !== taskDefinition) {
      const owner = appContainer.taskDefinition.node.path;
      throw new ScaleLadderError(`appContainer must belong to taskDefinition, got container '${appContainer.containerName}' of ${owner}`);
    }
    if (taskDefinition.findContainer(Tracing.COLLECTOR_CONTAINER_NAME)) {
      throw new ScaleLadderError(`taskDefinition must not be instrumented twice, got ${taskDefinition.node.path} again`);
    }
    const serviceName = requirePattern('serviceName', options.serviceName ?? appContainer.containerName,
      /^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-" (1-100 characters)');

    const collector = taskDefinition.addContainer(Tracing.COLLECTOR_CONTAINER_NAME, {
      image: this.image,
      essential: false,
      command: [`--config=${Tracing.COLLECTOR_CONFIG}`],
      memoryReservationMiB: 64,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'otel' }),
      healthCheck: { command: ['/healthcheck'] },
    });
    appContainer.addContainerDependencies({ container: collector, condition: ecs.ContainerDependencyCondition.START });
    // cdk-nag's ECS2 is raised by any plain variable of the task definition's containers, and an
    // acknowledgement of it covers them all: acknowledge it here only when the OTEL_* variables are
    // the app container's only ones, so it never hides a variable someone else added (the ladder's
    // services acknowledge their own contract variables).
    const ownEnvironment = (appContainer.renderContainerDefinition().environment ?? []) as unknown[];
    if (ownEnvironment.length === 0) {
      Validations.of(taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason: 'The OTEL_* variables are the local collector address and a service name, not secrets.',
      });
    }
    appContainer.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', Tracing.OTLP_ENDPOINT);
    appContainer.addEnvironment('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf');
    appContainer.addEnvironment('OTEL_SERVICE_NAME', serviceName);

    this.grantWrite(taskDefinition);
    this.collectors.push(collector);
    return collector;
  }

  /** X-Ray write (as AWSXrayWriteOnlyAccess) and EMF writes to the metrics log group only. */
  private grantWrite(taskDefinition: ecs.FargateTaskDefinition): void {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:GetSamplingStatisticSummaries',
      ],
      resources: ['*'],
    }));
    const stack = Stack.of(this);
    const group = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: Tracing.METRICS_LOG_GROUP_NAME, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const streams = `${group}:log-stream:*`;
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [group, streams],
    }));
    const role = taskDefinition.taskRole;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray trace and sampling actions support no resource-level permissions (the AWSXrayWriteOnlyAccess statement); other grants on this role name their resources.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, streams)}]`,
      reason: 'The collector writes one EMF log stream per task, named at run time, in the one metrics log group.',
    });
  }
}
