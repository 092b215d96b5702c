import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { BackgroundTaskProps } from './background-task-props';
import { trackMetricMath } from './metric-math-scaling';
import { buildWorkerService, WORKER_SCALE_IN_COOLDOWN, WORKER_SCALE_OUT_COOLDOWN } from './worker-service';
import { requireIntInRange, requireOrdered } from '../../core/errors';
import { notifyOnChange } from '../operations/alarm-notifications';

/** Props for {@link QueueWorkers}. */
export interface QueueWorkersProps extends BackgroundTaskProps {
  /**
   * Fewest worker tasks (at least 1: backlog per task is undefined at zero tasks).
   * @default 1
   */
  readonly minInstances?: number;
  /**
   * Most worker tasks.
   * @default 10
   */
  readonly maxInstances?: number;
  /**
   * Visible messages per worker task the autoscaler aims for (the backlog per worker): the
   * messages one task works through in the latency you accept (e.g. 10 messages/s × 10 s = 100).
   * @default 100
   */
  readonly messagesPerWorker?: number;
  /**
   * Longest time, in seconds, a worker may spend on one message. The queue's visibility
   * timeout is six times this, so a slow message is not handed to a second worker while
   * the first still holds it (retries and a task stopping mid-message included).
   * @default 30
   */
  readonly messageTimeBudgetSeconds?: number;
  /**
   * Deliveries (receives) of one message before it moves to the dead-letter queue: the queue's
   * redrive policy `maxReceiveCount` in SQS (1-1000).
   * @default 5
   */
  readonly maxDeliveryAttempts?: number;
  /**
   * Age in seconds of the oldest waiting message that raises the backlog alarm.
   * @default 900
   */
  readonly maxMessageAgeSeconds?: number;
  /**
   * Customer-managed key for both queues.
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Rung 10M: asynchronous work. An SQS queue with a dead-letter queue, a Fargate worker
 * service in the cluster's private subnets scaled on backlog per task, and alarms on
 * dead letters and on the age of the oldest message.
 *
 * Choices, each deliberate:
 * - Visibility timeout = 6 × the per-message time budget (AWS's guidance for consumers),
 *   so a message is redelivered only when its worker really gave up on it.
 * - Retention 4 days on the queue (work older than that is stale; it also covers a
 *   weekend of stopped workers) and 14 days, the maximum, on the dead-letter queue: a
 *   standard queue keeps a message's original enqueue time when it is dead-lettered, so
 *   the DLQ must keep messages longer than the queue or they would expire on arrival.
 * - maxDeliveryAttempts 5 (SQS's maxReceiveCount): a transient failure (a throttled
 *   dependency, a task stopped on scale-in) gets four retries; a poison message reaches
 *   the DLQ after about 5 × visibility (15 minutes by default) instead of blocking
 *   workers forever.
 * - Long polling (20 s) so idle workers do not spin on empty receives.
 * - Scaling: target tracking on the metric-math expression visible messages ÷ running
 *   tasks (AWS's backlog-per-instance pattern). Unlike step scaling on queue depth it
 *   needs no hand-tuned steps and adapts to any fleet size: it adds tasks in proportion
 *   to the backlog and removes them as the backlog per task falls below the target.
 *   Running tasks come from Container Insights (`ECS/ContainerInsights` RunningTaskCount),
 *   so the cluster must have Container Insights on (the fleet's cluster does).
 * - Both queues are retained on delete and replace; messages are data.
 */
export class QueueWorkers extends Construct {
  /** The work queue (`QUEUE_URL`). */
  public readonly queue: sqs.Queue;
  /** Messages that failed `maxDeliveryAttempts` times. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Worker logs. */
  public readonly logGroup: logs.LogGroup;
  /** The worker task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The worker container. */
  public readonly container: ecs.ContainerDefinition;
  /** The worker service. */
  public readonly service: ecs.FargateService;
  /** The worker count autoscaling. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** Any message in the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The oldest waiting message is older than `maxMessageAgeSeconds`. */
  public readonly oldestMessageAlarm: cloudwatch.Alarm;
  /** Both alarms. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: QueueWorkersProps) {
    super(scope, id);
    const minInstances = requireIntInRange('minInstances', props.minInstances ?? 1, 1, 1000);
    const maxInstances = requireIntInRange('maxInstances', props.maxInstances ?? 10, 1, 5000);
    requireOrdered('minInstances', minInstances, 'maxInstances', maxInstances);
    const messagesPerWorker = requireIntInRange('messagesPerWorker', props.messagesPerWorker ?? 100, 1, 1_000_000);
    // SQS allows a visibility timeout of up to 12 hours: 6 × 7200 s.
    const budget = requireIntInRange('messageTimeBudgetSeconds', props.messageTimeBudgetSeconds ?? 30, 1, 7200);
    const maxReceiveCount = requireIntInRange('maxDeliveryAttempts', props.maxDeliveryAttempts ?? 5, 1, 1000);
    const maxAge = requireIntInRange('maxMessageAgeSeconds', props.maxMessageAgeSeconds ?? 900, 60, 1_209_600);
    const encryption = props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(6 * budget),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const worker = buildWorkerService(this, {
      cluster: props.cluster,
      image: props.image,
      environment: props.environment ?? new AppEnvironment(),
      variables: { QUEUE_URL: this.queue.queueUrl },
      command: props.command,
      vcpu: props.vcpu ?? 0.5,
      memoryGib: props.memoryGib ?? 1,
      logRetentionDays: props.logRetentionDays ?? 90,
    });
    this.logGroup = worker.logGroup;
    this.taskDefinition = worker.taskDefinition;
    this.container = worker.container;
    this.service = worker.service;
    this.queue.grantConsumeMessages(this.taskDefinition.taskRole);

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: minInstances, maxCapacity: maxInstances });
    trackMetricMath(this.scaling, 'Backlog', this.scaling, {
      expression: new cloudwatch.MathExpression({
        expression: 'visible / running',
        label: 'visible messages per running worker',
        usingMetrics: {
          visible: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Average' }),
          running: new cloudwatch.Metric({
            namespace: 'ECS/ContainerInsights',
            metricName: 'RunningTaskCount',
            dimensionsMap: { ClusterName: props.cluster.clusterName, ServiceName: this.service.serviceName },
            period: Duration.minutes(1),
            statistic: 'Average',
          }),
        },
        period: Duration.minutes(1),
      }),
      targetValue: messagesPerWorker,
      scaleInCooldown: WORKER_SCALE_IN_COOLDOWN,
      scaleOutCooldown: WORKER_SCALE_OUT_COOLDOWN,
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'Messages reached the dead-letter queue: a worker failed on them maxReceiveCount times. Inspect, fix, then redrive.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.oldestMessageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `The oldest waiting message has been queued for over ${maxAge} s for 5 minutes: workers are stuck, failing or at maxWorkers.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: maxAge,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [this.deadLetterAlarm, this.oldestMessageAlarm];
    notifyOnChange(this.alarms, props.alarmTopic);
  }
}
