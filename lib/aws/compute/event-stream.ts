import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { BackgroundTaskProps } from './background-task-props';
import { buildWorkerService, WORKER_SCALE_IN_COOLDOWN, WORKER_SCALE_OUT_COOLDOWN } from './worker-service';
import { requireIntInRange, requireOrdered } from '../../core/errors';
import { notifyOnChange } from '../operations/alarm-notifications';

/** Props for {@link EventStream}. */
export interface EventStreamProps extends BackgroundTaskProps {
  /**
   * Fewest consumer tasks.
   * @default 2
   */
  readonly minInstances?: number;
  /**
   * Most consumer tasks (more than the stream's shards only adds idle tasks with the KCL).
   * @default 10
   */
  readonly maxInstances?: number;
  /**
   * Hours records stay in the stream (24-8760).
   * @default 168
   */
  readonly retentionHours?: number;
  /**
   * Iterator age, in seconds, that raises the consumer-lag alarm.
   * @default 300
   */
  readonly maxIteratorAgeSeconds?: number;
  /**
   * Customer-managed key to encrypt the stream with (every producer and consumer call
   * then also costs KMS requests).
   * @default - the AWS managed key `aws/kinesis`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Rung 100M: an event stream. A Kinesis Data Stream in on-demand mode (capacity follows
 * the write rate; no shard planning) with server-side KMS encryption, and a Fargate
 * consumer service that reads it, with an alarm on consumer lag.
 *
 * Choices: KMS with the AWS managed `aws/kinesis` key by default (encrypted at rest
 * without per-request KMS charges; pass `encryptionKey` when a customer-managed key is
 * required). Retention 7 days by default — a consumer outage over a long weekend can be
 * replayed and a new consumer can backfill a week, at the extended-retention price.
 * The stream is retained on delete and replace (records are data). Consumers scale on CPU between the bounds; how
 * many can work at once is set by the stream's shards (one lease per shard with the KCL),
 * so lag is watched by the iterator-age alarm rather than chased by the scaler. A KCL
 * consumer also needs a lease table, which the app creates or the user adds.
 */
export class EventStream extends Construct {
  /** The customer-managed key the stream is encrypted with, when one was given. */
  public readonly encryptionKey?: kms.IKey;
  /** The stream (`STREAM_NAME`). */
  public readonly stream: kinesis.Stream;
  /** Consumer logs. */
  public readonly logGroup: logs.LogGroup;
  /** The consumer task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The consumer container. */
  public readonly container: ecs.ContainerDefinition;
  /** The consumer service. */
  public readonly consumerService: ecs.FargateService;
  /** The consumer count autoscaling. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** Consumers fall behind: GetRecords.IteratorAgeMilliseconds above `maxIteratorAgeSeconds`. */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EventStreamProps) {
    super(scope, id);
    const minInstances = requireIntInRange('minInstances', props.minInstances ?? 2, 1, 1000);
    const maxInstances = requireIntInRange('maxInstances', props.maxInstances ?? 10, 1, 5000);
    requireOrdered('minInstances', minInstances, 'maxInstances', maxInstances);
    const retentionHours = requireIntInRange('retentionHours', props.retentionHours ?? 168, 24, 8760);
    const maxIteratorAge = requireIntInRange('maxIteratorAgeSeconds', props.maxIteratorAgeSeconds ?? 300, 1, 604_800);

    this.encryptionKey = props.encryptionKey;
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      ...(this.encryptionKey
        ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: this.encryptionKey }
        : { encryption: kinesis.StreamEncryption.MANAGED }),
      retentionPeriod: Duration.hours(retentionHours),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (this.encryptionKey) {
      Validations.of(this.stream).acknowledge({ id: 'AwsSolutions-KDS3', reason: 'The user asked for a customer-managed key (encryptionKey) instead of aws/kinesis.' });
    }

    const consumer = buildWorkerService(this, {
      cluster: props.cluster,
      image: props.image,
      environment: props.environment ?? new AppEnvironment(),
      variables: { STREAM_NAME: this.stream.streamName },
      command: props.command,
      vcpu: props.vcpu ?? 0.5,
      memoryGib: props.memoryGib ?? 1,
      logRetentionDays: props.logRetentionDays ?? 90,
    });
    this.logGroup = consumer.logGroup;
    this.taskDefinition = consumer.taskDefinition;
    this.container = consumer.container;
    this.consumerService = consumer.service;
    this.stream.grantRead(this.taskDefinition.taskRole);

    this.scaling = this.consumerService.autoScaleTaskCount({ minCapacity: minInstances, maxCapacity: maxInstances });
    this.scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
      scaleInCooldown: WORKER_SCALE_IN_COOLDOWN,
      scaleOutCooldown: WORKER_SCALE_OUT_COOLDOWN,
    });

    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: `Stream consumers are over ${maxIteratorAge} s behind for 5 minutes: records near the end of retention are at risk.`,
      metric: this.stream.metricGetRecordsIteratorAgeMilliseconds({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: maxIteratorAge * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notifyOnChange([this.iteratorAgeAlarm], props.alarmTopic);
  }
}
