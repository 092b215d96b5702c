import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AppEnvironment, AppImage, DeploymentStyle, StatelessFleet, StatelessFleetProps } from '../../lib';
import { PathRoutedService, PathRoutedServiceProps } from '../../lib/aws/compute/path-routed-service';
import { stackWithNetwork } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');
const ordersImage = AppImage.fromRegistry('public.ecr.aws/docker/library/httpd:2.4');

function logicalId(construct: IConstruct): string {
  return Stack.of(construct).resolve((construct.node.defaultChild as CfnElement).logicalId);
}

function fleetStack(fleetProps: Partial<StatelessFleetProps> = {}): { stack: Stack; vpc: ec2.Vpc; fleet: StatelessFleet } {
  const { stack, vpc } = stackWithNetwork(true);
  const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 8080, ...fleetProps });
  return { stack, vpc, fleet };
}

function nagFindings(stack: Stack): string[] {
  stack.node.findAll().filter(CfnResource.isCfnResource);
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`);
}

const ORDERS: Omit<PathRoutedServiceProps, 'fleet'> = {
  name: 'orders',
  image: ordersImage,
  pathPatterns: ['/api/orders', '/api/orders/*'],
  priority: 10,
  port: 9000,
  healthCheckPath: '/orders/health',
  minInstances: 3,
  maxInstances: 9,
  targetCpuPercent: 50,
  targetRequestsPerInstance: 40,
  logRetentionDays: 30,
};

describe('PathRoutedService, rolling', () => {
  const { stack, fleet } = fleetStack();
  const orders = new PathRoutedService(stack, 'Orders', {
    fleet, ...ORDERS, environment: new AppEnvironment().set('APP_TIER', '10M'),
  });
  const template = Template.fromStack(stack);
  const services = template.toJSON().Resources;

  test('a listener rule on the fleet\'s listener sends the paths, at the priority, to the service\'s own target group', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: logicalId(fleet.httpListener) },
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/orders', '/api/orders/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(orders.targetGroup) } }],
    });
    expect(orders.listenerRule.node.scope).toBe(orders);
  });

  test('its own target group and health check, its tasks registered by IP', () => {
    expect(services[logicalId(orders.targetGroup)].Properties).toMatchObject({
      Port: 9000, TargetType: 'ip', HealthCheckPath: '/orders/health', Matcher: { HttpCode: '200-399' },
    });
    expect(services[logicalId(orders.service)].Properties.LoadBalancers).toEqual([
      { ContainerName: 'App', ContainerPort: 9000, TargetGroupArn: { Ref: logicalId(orders.targetGroup) } },
    ]);
  });

  test('its own task, container, log group, in the fleet\'s cluster and private subnets, circuit breaker with rollback', () => {
    const service = services[logicalId(orders.service)].Properties;
    expect(service.Cluster).toEqual({ Ref: logicalId(fleet.cluster) });
    // The scalable target owns the count (MinCapacity 3): a swap must not reset it.
    expect(service.DesiredCount).toBeUndefined();
    expect(service.DeploymentConfiguration).toMatchObject({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 });
    expect(service.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(service.DeploymentController).toEqual({ Type: 'ECS' });
    const subnets = JSON.stringify(service.NetworkConfiguration.AwsvpcConfiguration.Subnets);
    expect(subnets).toContain('PrivateSubnet3');
    expect(subnets).not.toContain('Public');
    expect(services[logicalId(orders.taskDefinition)].Properties).toMatchObject({
      Cpu: '512',
      Memory: '1024',
      ContainerDefinitions: [expect.objectContaining({
        Image: 'public.ecr.aws/docker/library/httpd:2.4',
        Environment: [{ Name: 'APP_TIER', Value: '10M' }, { Name: 'PORT', Value: '9000' }],
        LogConfiguration: expect.objectContaining({ Options: expect.objectContaining({ 'awslogs-group': { Ref: logicalId(orders.logGroup) }, 'awslogs-stream-prefix': 'orders' }) }),
      })],
    });
    expect(services[logicalId(orders.logGroup)].Properties.RetentionInDays).toBe(30);
  });

  test('its own autoscaling: bounds, CPU target and requests per task on its own target group', () => {
    const target = logicalId(orders.scaling.node.findChild('Target'));
    expect(services[target].Properties).toMatchObject({ MinCapacity: 3, MaxCapacity: 9 });
    const policies = Object.values<any>(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .filter(p => JSON.stringify(p.Properties.ScalingTargetId) === JSON.stringify({ Ref: target }))
      .map(p => p.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(policies).toHaveLength(2);
    expect(policies).toEqual(expect.arrayContaining([
      expect.objectContaining({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 50 }),
      expect.objectContaining({ PredefinedMetricSpecification: expect.objectContaining({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 2400 }),
    ]));
    const requests = policies.find(p => p.TargetValue === 2400);
    expect(JSON.stringify(requests.PredefinedMetricSpecification.ResourceLabel)).toContain(logicalId(orders.targetGroup));
  });

  test('the load balancer may reach the service on its port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 9000,
      ToPort: 9000,
      GroupId: { 'Fn::GetAtt': [logicalId(orders.service.connections.securityGroups[0]), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(fleet.loadBalancer.connections.securityGroups[0]), 'GroupId'] },
    });
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PathRoutedService, canary', () => {
  const { stack, fleet } = fleetStack();
  const orders = new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS, deployment: DeploymentStyle.CANARY });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const service = resources[logicalId(orders.service)].Properties;

  test('ECS-native canary on the ECS controller: 10 % for 10 minutes, 10 minutes bake, circuit breaker and alarm roll back', () => {
    expect(service.DeploymentController).toEqual({ Type: 'ECS' });
    expect(service.DeploymentConfiguration).toEqual({
      Strategy: 'CANARY',
      CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 },
      BakeTimeInMinutes: 10,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MaximumPercent: 200,
      MinimumHealthyPercent: 100,
      Alarms: { AlarmNames: [{ Ref: logicalId(orders.rollbackAlarm!) }], Enable: true, Rollback: true },
    });
  });

  test('the production rule forwards to both target groups, blue 100 / green 0, and the service names both', () => {
    const blue = { Ref: logicalId(orders.targetGroup) };
    const green = { Ref: logicalId(orders.alternateTargetGroup!) };
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/orders', '/api/orders/*'] } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: 100 }, { TargetGroupArn: green, Weight: 0 }] } }],
    });
    expect(service.LoadBalancers).toEqual([{
      ContainerName: 'App',
      ContainerPort: 9000,
      TargetGroupArn: blue,
      AdvancedConfiguration: {
        AlternateTargetGroupArn: green,
        ProductionListenerRule: { Ref: logicalId(orders.listenerRule) },
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersServiceCanaryRole/), 'Arn'] },
      },
    }]);
    expect(resources[logicalId(orders.alternateTargetGroup!)].Properties).toMatchObject({ Port: 9000, TargetType: 'ip', HealthCheckPath: '/orders/health' });
  });

  test('the rollback alarm counts target 5XX on both groups', () => {
    const alarm = resources[logicalId(orders.rollbackAlarm!)].Properties;
    expect(alarm).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2 });
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('FILL(b, 0) + FILL(g, 0)');
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName)).toEqual(['HTTPCode_Target_5XX_Count', 'HTTPCode_Target_5XX_Count']);
  });

  test('requests-per-task scaling follows whichever group is live (sum over both)', () => {
    const policy = Object.values<any>(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .map(p => p.Properties.TargetTrackingScalingPolicyConfiguration)
      .find(c => c.CustomizedMetricSpecification);
    expect(policy.TargetValue).toBe(2400);
    const metrics = policy.CustomizedMetricSpecification.Metrics;
    expect(metrics.find((m: any) => m.ReturnData)).toMatchObject({ Expression: 'FILL(b, 0) + FILL(g, 0)' });
    const groups = metrics.filter((m: any) => m.MetricStat).map((m: any) => JSON.stringify(m.MetricStat.Metric.Dimensions));
    expect(groups).toHaveLength(2);
    expect(groups[0]).toContain(logicalId(orders.targetGroup));
    expect(groups[1]).toContain(logicalId(orders.alternateTargetGroup!));
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('StatelessFleet on canary', () => {
  const rolling = fleetStack();
  const canary = fleetStack({ deployment: DeploymentStyle.CANARY });
  const before = Template.fromStack(rolling.stack).toJSON().Resources;
  const after = Template.fromStack(canary.stack).toJSON().Resources;

  test('the main service shifts traffic through a catch-all rule at priority 50000', () => {
    const fleet = canary.fleet;
    expect(after[logicalId(fleet.productionRule!)].Properties).toMatchObject({
      ListenerArn: { Ref: logicalId(fleet.httpListener) },
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    });
    expect(after[logicalId(fleet.service)].Properties.DeploymentConfiguration).toMatchObject({
      Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 },
    });
    expect(after[logicalId(fleet.service)].Properties.LoadBalancers[0].AdvancedConfiguration.AlternateTargetGroupArn)
      .toEqual({ Ref: logicalId(fleet.alternateTargetGroup!) });
  });

  test('ROLLING to CANARY keeps the service, its target group and its scaling policies at the same logical ids and names (an in-place update)', () => {
    const fleetA = rolling.fleet;
    const fleetB = canary.fleet;
    expect(logicalId(fleetB.service)).toBe(logicalId(fleetA.service));
    expect(logicalId(fleetB.targetGroup)).toBe(logicalId(fleetA.targetGroup));
    const policies = (r: Record<string, any>) => Object.fromEntries(Object.entries(r)
      .filter(([, x]) => x.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([id, x]) => [id, x.Properties.PolicyName]));
    expect(policies(after)).toEqual(policies(before));
    expect(after[logicalId(fleetB.service)].Properties.DeploymentController).toEqual({ Type: 'ECS' });
    expect(before[logicalId(fleetA.service)].Properties.DeploymentController).toEqual({ Type: 'ECS' });
    expect(before[logicalId(fleetA.service)].Properties.DeploymentConfiguration.Strategy).toBeUndefined();
  });

  test('with a certificate, routing and canary rules go on the HTTPS listener', () => {
    const { stack, vpc } = stackWithNetwork(true);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80, certificate, deployment: DeploymentStyle.CANARY });
    const orders = new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS });
    const t = Template.fromStack(stack);
    expect(fleet.trafficListener).toBe(fleet.httpsListener);
    const rules = Object.values<any>(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map(r => r.Properties.ListenerArn);
    expect(rules).toEqual([{ Ref: logicalId(fleet.httpsListener!) }, { Ref: logicalId(fleet.httpsListener!) }]);
    expect(orders.listenerRule).toBeDefined();
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged', () => {
    expect(nagFindings(canary.stack)).toEqual([]);
  });
});

describe('service path collisions', () => {
  test.each<[string, Partial<PathRoutedServiceProps>, string]>([
    ['the same priority', { name: 'carts', pathPatterns: ['/api/carts/*'], priority: 10 },
      "priority must be unique on the fleet's listener (1-50000, not already taken), got 10, already used by service 'orders'"],
    ['an identical path pattern', { name: 'carts', pathPatterns: ['/api/carts/*', '/api/orders/*'], priority: 20 },
      "pathPatterns must not repeat a pattern another service on the fleet routes, got '/api/orders/*', already routed to service 'orders'"],
    ['the same name', { name: 'orders', pathPatterns: ['/v2/orders/*'], priority: 20 },
      "name must be unique among the services on one fleet, got 'orders' twice"],
  ])('a second service with %s is refused', (_what, second, message) => {
    const { stack, fleet } = fleetStack();
    new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS });
    expect(() => new PathRoutedService(stack, 'Second', { fleet, ...ORDERS, ...second })).toThrow(message);
  });

  test('a canary fleet\'s catch-all rule owns priority 50000 and the pattern /*', () => {
    const { stack, fleet } = fleetStack({ deployment: DeploymentStyle.CANARY });
    expect(() => new PathRoutedService(stack, 'A', { fleet, ...ORDERS, priority: 50000 }))
      .toThrow("priority must be unique on the fleet's listener (1-50000, not already taken), got 50000, already used by the fleet's main service");
    expect(() => new PathRoutedService(stack, 'B', { fleet, ...ORDERS, pathPatterns: ['/*'] }))
      .toThrow("pathPatterns must not repeat a pattern another service on the fleet routes, got '/*', already routed to the fleet's main service");
  });

  test('distinct services coexist on one fleet, and other fleets are independent', () => {
    const { stack, fleet } = fleetStack();
    new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS });
    new PathRoutedService(stack, 'Carts', { fleet, ...ORDERS, name: 'carts', pathPatterns: ['/api/carts/*'], priority: 20 });
    const other = fleetStack();
    new PathRoutedService(other.stack, 'Orders', { fleet: other.fleet, ...ORDERS });
    expect(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).toEqual(expect.any(Object));
    Template.fromStack(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    Template.fromStack(stack).resourceCountIs('AWS::ECS::Service', 3);
    Template.fromStack(other.stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });
});

describe('PathRoutedService bad input', () => {
  test.each<[Partial<PathRoutedServiceProps>, string]>([
    [{ pathPatterns: ['api/orders'] }, "pathPatterns entry must be a path starting with '/', at most 128 characters of letters, digits and _-.$/~\"'@:+&*?, got 'api/orders'"],
    [{ pathPatterns: ['/a', '/b', '/c', '/d'] }, "pathPatterns must have 1-3 entries (ALB's limit of values in one condition), got 4"],
    [{ pathPatterns: [] }, "pathPatterns must have 1-3 entries (ALB's limit of values in one condition), got 0"],
    [{ pathPatterns: ['/a', '/a'] }, "pathPatterns must not repeat an entry, got '/a' twice in [\"/a\",\"/a\"]"],
    [{ priority: 0 }, 'priority must be an integer 1-50000, got 0'],
    [{ priority: 50001 }, 'priority must be an integer 1-50000, got 50001'],
    [{ priority: 1.5 }, 'priority must be an integer 1-50000, got 1.5'],
    [{ name: 'Orders' }, "name must be 1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash, got 'Orders'"],
    [{ name: '9lives' }, "name must be 1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash, got '9lives'"],
    [{ name: 'orders-' }, "name must be 1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash, got 'orders-'"],
    [{ name: 'a'.repeat(33) }, `name must be 1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash, got '${'a'.repeat(33)}'`],
    [{ name: 'order_s' }, "name must be 1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash, got 'order_s'"],
    [{ minInstances: 4, maxInstances: 2 }, 'minInstances (4) must not exceed maxInstances (2)'],
    [{ healthCheckPath: 'health' }, "healthCheckPath must be an absolute URL path such as /healthz, got 'health'"],
    [{ deployment: 'BLUE' as DeploymentStyle }, "deployment must be one of 'ROLLING', 'CANARY', got 'BLUE'"],
  ])('%j', (bad, message) => {
    const { stack, fleet } = fleetStack();
    expect(() => new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS, ...bad })).toThrow(message);
  });

  test('a rejected service leaves no claim behind', () => {
    const { stack, fleet } = fleetStack();
    expect(() => new PathRoutedService(stack, 'Bad', { fleet, ...ORDERS, minInstances: 5, maxInstances: 1 })).toThrow('minInstances (5) must not exceed maxInstances (1)');
    expect(() => new PathRoutedService(stack, 'Orders', { fleet, ...ORDERS })).not.toThrow();
  });
});

test('a minimal service uses the documented defaults', () => {
  const { stack, fleet } = fleetStack();
  const s = new PathRoutedService(stack, 'Api', { fleet, name: 'api', image, pathPatterns: ['/api/*'], priority: 1 });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPath: '/' });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10, ResourceId: Match.anyValue() });
  expect(s.deployment).toBe(DeploymentStyle.ROLLING);
  expect(s.alternateTargetGroup).toBeUndefined();
  t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
});
