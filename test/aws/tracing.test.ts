import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppImage, StatelessFleet } from '../../lib';
import { Tracing } from '../../lib/aws/operations/tracing';
import { stackWithNetwork, testStack } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function tracedFleet() {
  const { stack, vpc } = stackWithNetwork(true);
  const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 8080 });
  const worker = new ecs.FargateTaskDefinition(stack, 'WorkerTask');
  const workerApp = worker.addContainer('Worker', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker' }),
  });
  const tracing = new Tracing(stack, 'Tracing', { samplingRate: 0.1, reservoirPerSecond: 2, logRetentionDays: 180 });
  const collector = tracing.instrument(fleet.taskDefinition, fleet.container, { serviceName: 'shop' });
  tracing.instrument(worker, workerApp);
  return { stack, fleet, tracing, collector, template: Template.fromStack(stack) };
}

const containers = (template: Template, family: RegExp) => {
  const tasks = Object.entries<any>(template.findResources('AWS::ECS::TaskDefinition')).filter(([id]) => family.test(id));
  expect(tasks).toHaveLength(1);
  return tasks[0][1].Properties.ContainerDefinitions as any[];
};

describe('Tracing', () => {
  const { stack, tracing, collector, template } = tracedFleet();

  test('adds a non-essential ADOT collector sidecar with the built-in ECS config and its own log stream', () => {
    const defs = containers(template, /^FleetTask/);
    const sidecar = defs.find(c => c.Name === 'aws-otel-collector');
    expect(sidecar).toMatchObject({
      Image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0',
      Essential: false,
      Command: ['--config=/etc/ecs/ecs-default-config.yaml'],
      HealthCheck: expect.objectContaining({ Command: ['CMD-SHELL', '/healthcheck'] }),
    });
    expect(sidecar.Image).not.toMatch(/:latest$/);
    expect(sidecar.LogConfiguration.Options['awslogs-stream-prefix']).toBe('otel');
    expect(sidecar.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: stack.getLogicalId(tracing.logGroup.node.defaultChild as any) });
    expect(collector.containerName).toBe('aws-otel-collector');
    expect(tracing.collectors).toHaveLength(2);
  });

  test('the app container sends OTLP to the sidecar and starts after it', () => {
    const app = containers(template, /^FleetTask/).find(c => c.Name === 'App');
    expect(app.Environment).toEqual(expect.arrayContaining([
      { Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: 'http://localhost:4318' },
      { Name: 'OTEL_EXPORTER_OTLP_PROTOCOL', Value: 'http/protobuf' },
      { Name: 'OTEL_SERVICE_NAME', Value: 'shop' },
    ]));
    expect(app.DependsOn).toEqual([{ ContainerName: 'aws-otel-collector', Condition: 'START' }]);
  });

  test('works on several task definitions (the worker gets its own sidecar, service name from its container)', () => {
    const defs = containers(template, /^WorkerTask/);
    expect(defs.map(c => c.Name).sort()).toEqual(['Worker', 'aws-otel-collector']);
    expect(defs.find(c => c.Name === 'Worker').Environment).toEqual(expect.arrayContaining([{ Name: 'OTEL_SERVICE_NAME', Value: 'Worker' }]));
  });

  test('task roles may write X-Ray traces and EMF metrics to the metrics log group only', () => {
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes('TaskTaskRole'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as any[];
      const xrayStatement = statements.find(s => JSON.stringify(s.Action).includes('xray:'));
      expect([...xrayStatement.Action].sort()).toEqual([
        'xray:GetSamplingRules', 'xray:GetSamplingStatisticSummaries', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
      ]);
      expect(xrayStatement.Resource).toBe('*');
      const logsStatement = statements.find(s => JSON.stringify(s.Action).includes('logs:PutLogEvents'));
      expect(logsStatement.Resource).toEqual([
        'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/application/metrics',
        'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/ecs/application/metrics:log-stream:*',
      ]);
    }
  });

  test('collector and metrics logs have a retention; the sampling rule samples at the given rate', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/ecs/application/metrics', RetentionInDays: 180 });
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 180 } }))).toHaveLength(2);
    template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ FixedRate: 0.1, ReservoirSize: 2, Priority: 9000, ServiceName: '*', Version: 1 }),
    });
    const [rule] = Object.values<any>(template.findResources('AWS::XRay::SamplingRule'));
    expect(rule.Properties.SamplingRule.RuleName.length).toBeLessThanOrEqual(32);
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('Tracing options', () => {
  test('the metrics log group can be left to another stack', () => {
    const stack = testStack();
    const tracing = new Tracing(stack, 'Tracing', { manageMetricsLogGroup: false });
    expect(tracing.metricsLogGroup).toBeUndefined();
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { LogGroupName: '/aws/ecs/application/metrics' }, 0);
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: Match.objectLike({ FixedRate: 0.05, ReservoirSize: 1 }) });
  });
});

describe('Tracing bad input', () => {
  test.each([
    [{ samplingRate: 1.5 }, 'samplingRate must be a number 0-1, got 1.5'],
    [{ reservoirPerSecond: -1 }, 'reservoirPerSecond must be an integer 0-1000, got -1'],
    [{ logRetentionDays: 45 }, 'logRetentionDays must be one of'],
    [{ collectorImage: 'public.ecr.aws/aws-observability/aws-otel-collector' }, "collectorImage must be an image reference pinned by tag or digest (not :latest), got 'public.ecr.aws/aws-observability/aws-otel-collector'"],
    [{ collectorImage: 'public.ecr.aws/aws-observability/aws-otel-collector:latest' }, "collectorImage must be an image reference pinned by tag or digest (not :latest), got 'public.ecr.aws/aws-observability/aws-otel-collector:latest'"],
  ])('%j', (bad, message) => {
    expect(() => new Tracing(testStack(), 'Tracing', bad)).toThrow(message);
  });

  test('a task definition is instrumented once', () => {
    const { stack, vpc } = stackWithNetwork(true);
    const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80 });
    const tracing = new Tracing(stack, 'Tracing');
    tracing.instrument(fleet.taskDefinition, fleet.container);
    expect(() => tracing.instrument(fleet.taskDefinition, fleet.container)).toThrow('taskDefinition must not be instrumented twice, got Test/Fleet/Task again');
  });

  test('the app container must belong to the task definition', () => {
    const stack = testStack();
    const a = new ecs.FargateTaskDefinition(stack, 'A');
    const b = new ecs.FargateTaskDefinition(stack, 'B');
    const appOfB = b.addContainer('App', { image: ecs.ContainerImage.fromRegistry('busybox:1.36') });
    expect(() => new Tracing(stack, 'Tracing').instrument(a, appOfB)).toThrow("appContainer must belong to taskDefinition, got container 'App' of Test/B");
  });

  test('service names are checked', () => {
    const stack = testStack();
    const task = new ecs.FargateTaskDefinition(stack, 'A');
    const app = task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('busybox:1.36') });
    expect(() => new Tracing(stack, 'Tracing').instrument(task, app, { serviceName: 'my shop' }))
      .toThrow('serviceName must be letters, digits, ".", "_" or "-" (1-100 characters), got \'my shop\'');
  });
});
