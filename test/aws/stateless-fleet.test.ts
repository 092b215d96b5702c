import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { AppEnvironment, AppImage, StatelessFleet, Tier100K } from '../../lib';
import { stackWithNetwork, testStack } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

describe('StatelessFleet', () => {
  const { stack, vpc } = stackWithNetwork(true);
  const environment = new AppEnvironment().set('APP_TIER', '100K');
  new StatelessFleet(stack, 'Fleet', {
    vpc,
    image,
    port: 8080,
    healthCheckPath: '/healthz',
    environment,
    vcpu: 1,
    memoryGib: 2,
    minInstances: 3,
    maxInstances: 12,
    targetCpuPercent: 55,
    targetRequestsPerInstance: 50,
  });
  const template = Template.fromStack(stack);

  test('Fargate arm64 tasks in the private subnets with the deployment circuit breaker', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({
        PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
        Environment: Match.arrayWith([{ Name: 'APP_TIER', Value: '100K' }, { Name: 'PORT', Value: '8080' }]),
      })],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      // The scalable target owns the count: a swap must not reset a scaled-out fleet.
      DesiredCount: Match.absent(),
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    const [service] = Object.values<any>(template.findResources('AWS::ECS::Service'));
    expect(JSON.stringify(service.Properties.NetworkConfiguration)).toContain('PrivateSubnet');
  });

  test('autoscaling bounds and targets on CPU and requests per task', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 55,
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }), TargetValue: 3000,
      }),
    });
  });

  test('internet-facing ALB across three zones, health checks on the given path, access logs kept', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: Match.arrayWith([Match.objectLike({ Ref: Match.stringLikeRegexp('PublicSubnet3') })]),
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz', TargetType: 'ip', Matcher: { HttpCode: '200-399' },
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }) }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('without a certificate, port 80 forwards', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
  });
});

describe('the default app port is 8080', () => {
  const appImage = AppImage.fromRegistry('ghcr.io/example/storefront:2.4.1');
  const expectPort8080 = (template: Template) => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
        Environment: Match.arrayWith([{ Name: 'PORT', Value: '8080' }]),
      })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, Protocol: 'HTTP', TargetType: 'ip' });
  };

  test('a fleet built without port', () => {
    const { stack, vpc } = stackWithNetwork(true);
    new StatelessFleet(stack, 'Fleet', { vpc, image: appImage });
    expectPort8080(Template.fromStack(stack));
  });

  test('a ladder built without port', () => {
    const stack = testStack();
    new Tier100K(stack, 'App', { image: appImage });
    expectPort8080(Template.fromStack(stack));
  });
});

describe('StatelessFleet with a certificate', () => {
  test('serves HTTPS with a modern policy and redirects HTTP', () => {
    const { stack, vpc } = stackWithNetwork(true);
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80, certificate });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
  });
});

describe('StatelessFleet bad input', () => {
  test.each([
    [{ vcpu: 3 }, 'vcpu must be one of 0.25, 0.5, 1, 2, 4, 8, 16, got 3'],
    [{ vcpu: 1, memoryGib: 16 }, 'memoryGib (for 1 vCPU) must be a number 2-8, got 16'],
    [{ minInstances: 5, maxInstances: 2 }, 'minInstances (5) must not exceed maxInstances (2)'],
    [{ maxInstances: 6000 }, 'maxInstances must be an integer 1-5000, got 6000'],
    [{ healthCheckPath: 'healthz' }, "healthCheckPath must be an absolute URL path such as /healthz, got 'healthz'"],
    [{ targetCpuPercent: 95 }, 'targetCpuPercent must be an integer 10-90, got 95'],
  ])('%j', (bad, message) => {
    const { stack, vpc } = stackWithNetwork(true);
    expect(() => new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80, ...bad })).toThrow(message);
  });
});
