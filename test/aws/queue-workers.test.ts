import { CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AppEnvironment, AppImage } from '../../lib';
import { EventStream, EventStreamProps } from '../../lib/aws/compute/event-stream';
import { QueueWorkers, QueueWorkersProps } from '../../lib/aws/compute/queue-workers';
import { stackWithNetwork } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function withCluster(): { stack: Stack; vpc: ec2.Vpc; cluster: ecs.Cluster } {
  const { stack, vpc } = stackWithNetwork(true);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  return { stack, vpc, cluster };
}

function nagFindings(stack: Stack): string[] {
  stack.node.findAll().filter(CfnResource.isCfnResource);
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`);
}

function logicalId(construct: IConstruct): string {
  return Stack.of(construct).resolve((construct.node.defaultChild as CfnElement).logicalId);
}

describe('QueueWorkers', () => {
  const { stack, cluster } = withCluster();
  const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns') });
  const secret = new secretsmanager.Secret(stack, 'DbSecret');
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Test fixture: rotation belongs to the database layer, not the workers.' });
  const environment = new AppEnvironment().set('APP_TIER', '10M').setSecret('DATABASE_PASSWORD', secret, 'password');
  const workers = new QueueWorkers(stack, 'Work', {
    cluster,
    image,
    environment,
    command: ['node', 'worker.js'],
    minInstances: 2,
    maxInstances: 20,
    messagesPerWorker: 50,
    messageTimeBudgetSeconds: 40,
    maxMessageAgeSeconds: 600,
    alarmTopic: topic,
    logRetentionDays: 30,
  });
  const template = Template.fromStack(stack);
  const queueId = logicalId(workers.queue);
  const dlqId = logicalId(workers.deadLetterQueue);

  test('work queue: visibility 6 × the time budget, 4-day retention, long polling, SSE, redrive after 5 receives', () => {
    expect(template.toJSON().Resources[queueId].Properties).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 240,
      MessageRetentionPeriod: 4 * 24 * 3600,
      ReceiveMessageWaitTimeSeconds: 20,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  test('dead-letter queue keeps messages 14 days (longer than the work queue) with SSE', () => {
    expect(template.toJSON().Resources[dlqId].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('both queues are retained on delete and on replacement', () => {
    for (const id of [queueId, dlqId]) {
      expect(template.toJSON().Resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('both queues refuse requests without TLS', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    }
  });

  test('worker task: arm64, the overridden command, the app contract plus QUEUE_URL, secrets from Secrets Manager', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        Command: ['node', 'worker.js'],
        Environment: [{ Name: 'APP_TIER', Value: '10M' }, { Name: 'QUEUE_URL', Value: { Ref: queueId } }],
        Secrets: [Match.objectLike({ Name: 'DATABASE_PASSWORD' })],
        PortMappings: Match.absent(),
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('worker service: private subnets, no load balancer, circuit breaker with rollback', () => {
    const service = template.toJSON().Resources[logicalId(workers.service)].Properties;
    expect(service.LaunchType).toBe('FARGATE');
    // The scalable target owns the count: a swap must not reset a scaled-out worker fleet.
    expect(service.DesiredCount).toBeUndefined();
    expect(service.LoadBalancers).toBeUndefined();
    expect(service.DeploymentConfiguration).toMatchObject({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 });
    expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    const subnets = JSON.stringify(service.NetworkConfiguration.AwsvpcConfiguration.Subnets);
    expect(subnets).toContain('PrivateSubnet1');
    expect(subnets).toContain('PrivateSubnet3');
    expect(subnets).not.toContain('Public');
    expect(subnets).not.toContain('Isolated');
  });

  test('workers may consume the queue and nothing else in SQS', () => {
    const roleId = logicalId(workers.taskDefinition.taskRole);
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
    })]);
    expect(JSON.stringify(statements)).not.toContain('sqs:SendMessage');
  });

  test('scales between the bounds on backlog per task (metric math: visible messages / running tasks)', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 20, ScalableDimension: 'ecs:service:DesiredCount' });
    const policies = Object.values<any>(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'));
    expect(policies).toHaveLength(1);
    const config = policies[0].Properties.TargetTrackingScalingPolicyConfiguration;
    expect(config.TargetValue).toBe(50);
    const metrics = config.CustomizedMetricSpecification.Metrics;
    expect(metrics.find((m: any) => m.ReturnData)).toMatchObject({ Id: 'tracked', Expression: 'visible / running' });
    expect(metrics.find((m: any) => m.Id === 'visible').MetricStat).toEqual({
      Stat: 'Average',
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }] },
    });
    const running = metrics.find((m: any) => m.Id === 'running').MetricStat;
    expect(running.Metric).toMatchObject({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' });
    expect(running.Metric.Dimensions.map((d: any) => d.Name)).toEqual(['ClusterName', 'ServiceName']);
  });

  test('alarms: any dead letter, and the oldest message older than the limit, both notifying the topic', () => {
    const topicRef = [{ Ref: logicalId(topic) }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: topicRef,
      OKActions: topicRef,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 600,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      AlarmActions: topicRef,
    });
    expect(workers.alarms).toEqual([workers.deadLetterAlarm, workers.oldestMessageAlarm]);
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('QueueWorkers defaults and a customer-managed key', () => {
  test('SSE-KMS with the given key, 180 s visibility, one worker minimum, no alarm actions', () => {
    const { stack, cluster } = withCluster();
    const key = new kms.Key(stack, 'QueueKey', { enableKeyRotation: true });
    new QueueWorkers(stack, 'Work', { cluster, image, encryptionKey: key });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [logicalId(key), 'Arn'] };
    const queues = Object.values<any>(template.findResources('AWS::SQS::Queue')).map(q => q.Properties);
    expect(queues.map(q => q.KmsMasterKeyId)).toEqual([keyArn, keyArn]);
    expect(queues.map(q => q.SqsManagedSseEnabled)).toEqual([undefined, undefined]);
    expect(queues.find(q => q.RedrivePolicy).VisibilityTimeout).toBe(180);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10 });
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
    expect(nagFindings(stack)).toEqual([]);
  });

  test('maxDeliveryAttempts is the redrive policy\'s maxReceiveCount', () => {
    const { stack, cluster } = withCluster();
    new QueueWorkers(stack, 'Work', { cluster, image, maxDeliveryAttempts: 7 });
    const queues = Object.values<any>(Template.fromStack(stack).findResources('AWS::SQS::Queue')).map(q => q.Properties);
    expect(queues.find(q => q.RedrivePolicy).RedrivePolicy.maxReceiveCount).toBe(7);
  });
});

describe('QueueWorkers bad input', () => {
  test.each<[Partial<QueueWorkersProps>, string]>([
    [{ minInstances: 0 }, 'minInstances must be an integer 1-1000, got 0'],
    [{ minInstances: 5, maxInstances: 2 }, 'minInstances (5) must not exceed maxInstances (2)'],
    [{ messagesPerWorker: 0 }, 'messagesPerWorker must be an integer 1-1000000, got 0'],
    [{ messageTimeBudgetSeconds: 7201 }, 'messageTimeBudgetSeconds must be an integer 1-7200, got 7201'],
    [{ maxDeliveryAttempts: 0 }, 'maxDeliveryAttempts must be an integer 1-1000, got 0'],
    [{ maxMessageAgeSeconds: 30 }, 'maxMessageAgeSeconds must be an integer 60-1209600, got 30'],
    [{ vcpu: 0.5, memoryGib: 8 }, 'memoryGib (for 0.5 vCPU) must be a number 1-4, got 8'],
    [{ command: [] }, 'command must list at least one argument (or be left out to run the image\'s default), got []'],
    [{ logRetentionDays: 2 }, 'logRetentionDays must be one of'],
  ])('%j', (bad, message) => {
    const { stack, cluster } = withCluster();
    expect(() => new QueueWorkers(stack, 'Work', { cluster, image, ...bad })).toThrow(message);
  });
});

describe('EventStream', () => {
  const { stack, cluster } = withCluster();
  const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: kms.Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns') });
  const events = new EventStream(stack, 'Events', {
    cluster,
    image,
    environment: new AppEnvironment().set('APP_TIER', '100M'),
    command: ['node', 'consumer.js'],
    minInstances: 3,
    maxInstances: 12,
    retentionHours: 72,
    maxIteratorAgeSeconds: 120,
    alarmTopic: topic,
  });
  const template = Template.fromStack(stack);
  const streamId = logicalId(events.stream);

  test('on-demand stream, KMS-encrypted with aws/kinesis, retention as given, retained', () => {
    const resources = template.toJSON().Resources;
    expect(resources[streamId]).toMatchObject({
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        RetentionPeriodHours: 72,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(resources[streamId].Properties.ShardCount).toBeUndefined();
    expect(events.encryptionKey).toBeUndefined();
  });

  test('consumer gets STREAM_NAME and the command, and may read the stream (only)', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Command: ['node', 'consumer.js'],
        Environment: [{ Name: 'APP_TIER', Value: '100M' }, { Name: 'STREAM_NAME', Value: { Ref: streamId } }],
      })],
    });
    const roleId = logicalId(events.taskDefinition.taskRole);
    const [policy] = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Action: expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']), Resource: { 'Fn::GetAtt': [streamId, 'Arn'] } }),
    ]);
    expect(JSON.stringify(statements)).not.toContain('kinesis:PutRecord');
  });

  test('consumers scale on CPU between the bounds', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60,
      }),
    });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent(), LoadBalancers: Match.absent() });
  });

  test('consumer-lag alarm on GetRecords.IteratorAgeMilliseconds, notifying the topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Dimensions: [{ Name: 'StreamName', Value: { Ref: streamId } }],
      Statistic: 'Maximum',
      Threshold: 120_000,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalId(topic) }],
    });
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('a customer-managed key encrypts the stream and the consumer may decrypt with it', () => {
    const { stack: s, cluster: c } = withCluster();
    const key = new kms.Key(s, 'StreamKey', { enableKeyRotation: true });
    const e = new EventStream(s, 'Events', { cluster: c, image, encryptionKey: key });
    const t = Template.fromStack(s);
    const keyArn = { 'Fn::GetAtt': [logicalId(key), 'Arn'] };
    t.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn } });
    const [policy] = Object.values<any>(t.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: logicalId(e.taskDefinition.taskRole) }]));
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Action: 'kms:Decrypt', Resource: keyArn })]));
    expect(nagFindings(s)).toEqual([]);
  });

  test('defaults: 7-day retention, 2-10 consumers, 5-minute lag alarm', () => {
    const { stack: s, cluster: c } = withCluster();
    new EventStream(s, 'Events', { cluster: c, image });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: 168 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 300_000, AlarmActions: Match.absent() });
  });
});

describe('EventStream bad input', () => {
  test.each<[Partial<EventStreamProps>, string]>([
    [{ retentionHours: 12 }, 'retentionHours must be an integer 24-8760, got 12'],
    [{ minInstances: 4, maxInstances: 3 }, 'minInstances (4) must not exceed maxInstances (3)'],
    [{ maxInstances: 0 }, 'maxInstances must be an integer 1-5000, got 0'],
    [{ maxIteratorAgeSeconds: 0 }, 'maxIteratorAgeSeconds must be an integer 1-604800, got 0'],
    [{ vcpu: 3 }, 'vcpu must be one of 0.25, 0.5, 1, 2, 4, 8, 16, got 3'],
  ])('%j', (bad, message) => {
    const { stack, cluster } = withCluster();
    expect(() => new EventStream(stack, 'Events', { cluster, image, ...bad })).toThrow(message);
  });
});
