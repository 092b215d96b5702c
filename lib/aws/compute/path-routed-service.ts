import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';
import { canaryServiceProps, routeWithCanary, scaleOnRequestsAcrossGroups } from './canary-routing';
import { fargateSize } from './fargate-sizing';
import { claimRoute } from './route-registry';
import { StatelessFleet } from './stateless-fleet';
import { requireIntInRange, requireOneOf, requireOrdered, requirePattern, requireUnique, ScaleLadderError } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import type { FleetServiceOptions } from '../ladder/serving-options';
import { logRetention } from '../operations/log-retention';

/**
 * ALB's limit of values in one condition: "up to three match evaluations per condition", and five
 * per rule ("Listener rules for your Application Load Balancer", ELB User Guide); from 1M each rule
 * also carries the origin-verify header condition.
 */
const MAX_PATTERNS = 3;

/** Props for {@link PathRoutedService}. */
export interface PathRoutedServiceProps {
  /** The fleet whose load balancer routes to this service. */
  readonly fleet: StatelessFleet;
  /** The service's name: 1-32 lower-case letters, digits and dashes, starting with a letter. */
  readonly name: string;
  /** The service's image. */
  readonly image: AppImage;
  /** URL path patterns routed to this service, e.g. `['/api/orders', '/api/orders/*']` (1-5). */
  readonly pathPatterns: string[];
  /** The listener-rule priority (1-50000, lower wins); unique on the fleet. */
  readonly priority: number;
  /**
   * The port the service listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Path the load balancer probes.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * vCPUs per task (0.25, 0.5, 1, 2, 4, 8, 16).
   * @default 0.5
   */
  readonly vcpu?: number;
  /**
   * Memory per task in GiB, within Fargate's range for the vCPU size.
   * @default 1
   */
  readonly memoryGib?: number;
  /**
   * Fewest tasks (the service's instances: ECS tasks, spread over the three zones).
   * @default 2
   */
  readonly minInstances?: number;
  /**
   * Most tasks.
   * @default 10
   */
  readonly maxInstances?: number;
  /**
   * Average CPU the autoscaler aims for, in percent (10-90).
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Requests per second per task the autoscaler aims for.
   * @default 60
   */
  readonly targetRequestsPerInstance?: number;
  /**
   * How new versions roll out: ROLLING (circuit breaker with rollback) or CANARY (ECS
   * native canary: 10 % of the rule's traffic for 10 minutes, then all of it, rolled back
   * by the circuit breaker or a target-5XX alarm).
   * @default DeploymentStyle.ROLLING
   */
  readonly deployment?: DeploymentStyle;
  /**
   * What the service receives (the app contract).
   * @default - PORT only
   */
  readonly environment?: AppEnvironment;
  /**
   * Days logs are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
}

/**
 * Rung 10M: one more service behind the fleet's load balancer. A listener rule sends the
 * given paths to its own Fargate service, with its own target group and health check,
 * its own autoscaling (CPU and requests per task) and its own log group. Two services on
 * one fleet cannot share a rule priority or a path pattern; the construct refuses both.
 */
export class PathRoutedService extends Construct {
  /** The service's name. */
  public readonly serviceName: string;
  /** How new versions roll out. */
  public readonly deployment: DeploymentStyle;
  /** Container logs. */
  public readonly logGroup: logs.LogGroup;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container (add variables with `container.addEnvironment`). */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The target group the service registers in (the "blue" group on CANARY). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second ("green") target group a canary deployment shifts traffic to (CANARY only). */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener rule that routes the paths here. */
  public readonly listenerRule: elbv2.ApplicationListenerRule;
  /** Target 5XX alarm that rolls a canary deployment back (CANARY only). */
  public readonly rollbackAlarm?: cloudwatch.Alarm;
  /** The task count autoscaling. */
  public readonly scaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: PathRoutedServiceProps) {
    super(scope, id);
    if (!(props.fleet instanceof StatelessFleet)) {
      throw new ScaleLadderError(`fleet must be a StatelessFleet, got ${typeof props.fleet}`);
    }
    const settings = validServiceSettings(props, '');
    this.serviceName = settings.name;
    const { pathPatterns, port, healthCheckPath, size, minInstances, maxInstances, targetCpu, targetRequests } = settings;
    const priority = requireIntInRange('priority', props.priority, 1, 50000);
    this.deployment = settings.deployment;
    const canary = this.deployment === DeploymentStyle.CANARY;
    const environment = props.environment ?? new AppEnvironment();
    const fleet = props.fleet;
    const listener = fleet.trafficListener;
    // Last, so a rejected service leaves no claim behind.
    claimRoute(listener, { owner: this.serviceName, priority, pathPatterns });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention('logRetentionDays', props.logRetentionDays ?? 90) });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      ...size,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.container = this.taskDefinition.addContainer('App', {
      image: props.image.containerImage,
      portMappings: [{ containerPort: port, name: 'app' }],
      environment: { ...environment.variables, PORT: String(port) },
      secrets: environment.ecsSecrets(),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: this.serviceName }),
    });
    props.image.grantPull(this.taskDefinition.obtainExecutionRole());
    Validations.of(this.taskDefinition).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'Only non-secret app-contract values are plain environment variables; credentials come from Secrets Manager.' });

    // No DesiredCount: Application Auto Scaling owns the task count. AWS::ECS::Service,
    // DesiredCount (CloudFormation Template Reference): left out on create, the service starts
    // with 1 task; left out on update, it is not part of the update, so a swap keeps the running
    // count. The scalable target lifts the count to its MinCapacity (RegisterScalableTarget,
    // Application Auto Scaling API Reference: a capacity outside the range is moved into it).
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: fleet.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      ...(canary ? canaryServiceProps() : {}),
    });

    const vpc = fleet.cluster.vpc;
    const healthCheck: elbv2.HealthCheck = { path: healthCheckPath, healthyHttpCodes: '200-399', interval: Duration.seconds(15), healthyThresholdCount: 2 };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck,
    });
    if (canary) {
      const routing = routeWithCanary(this, {
        service: this.service,
        containerName: this.container.containerName,
        port,
        vpc,
        listener,
        primary: this.targetGroup,
        healthCheck,
        priority,
        pathPatterns,
      });
      this.alternateTargetGroup = routing.alternateTargetGroup;
      this.listenerRule = routing.rule;
      this.rollbackAlarm = routing.rollbackAlarm;
    } else {
      this.targetGroup.addTarget(this.service);
      this.listenerRule = new elbv2.ApplicationListenerRule(this, 'Route', {
        listener,
        priority,
        conditions: [elbv2.ListenerCondition.pathPatterns(pathPatterns)],
        action: elbv2.ListenerAction.forward([this.targetGroup]),
      });
    }

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: minInstances, maxCapacity: maxInstances });
    this.scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: targetCpu,
      scaleInCooldown: Duration.seconds(120),
      scaleOutCooldown: Duration.seconds(30),
    });
    if (this.alternateTargetGroup) {
      scaleOnRequestsAcrossGroups(this.scaling, 'Requests', targetRequests * 60, this.targetGroup, this.alternateTargetGroup);
    } else {
      this.scaling.scaleOnRequestCount('Requests', {
        // The ALB metric counts requests per target per minute.
        requestsPerTarget: targetRequests * 60,
        targetGroup: this.targetGroup,
        scaleInCooldown: Duration.seconds(120),
        scaleOutCooldown: Duration.seconds(30),
      });
    }
  }
}

function validPathPatterns(patterns: string[], prefix: string): string[] {
  if (!Array.isArray(patterns) || patterns.length < 1 || patterns.length > MAX_PATTERNS) {
    throw new ScaleLadderError(`${prefix}pathPatterns must have 1-${MAX_PATTERNS} entries (ALB's limit of values in one condition), got ${Array.isArray(patterns) ? patterns.length : JSON.stringify(patterns)}`);
  }
  for (const pattern of patterns) {
    requirePattern(`${prefix}pathPatterns entry`, pattern, /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/,
      "a path starting with '/', at most 128 characters of letters, digits and _-.$/~\"'@:+&*?");
  }
  requireUnique(`${prefix}pathPatterns`, patterns);
  return [...patterns];
}

/** The settings of a service, checked; `prefix` names where the user wrote them (`services[2].`). */
function validServiceSettings(props: Omit<PathRoutedServiceProps, 'fleet' | 'priority' | 'image'>, prefix: string) {
  const name = requirePattern(`${prefix}name`, props.name, /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/,
    '1-32 lower-case letters, digits and dashes, starting with a letter and not ending with a dash');
  const pathPatterns = validPathPatterns(props.pathPatterns, prefix);
  const port = requireIntInRange(`${prefix}port`, props.port ?? 8080, 1, 65535);
  const healthCheckPath = requirePattern(`${prefix}healthCheckPath`, props.healthCheckPath ?? '/', /^\/[A-Za-z0-9._~\-/]*$/, 'an absolute URL path such as /healthz');
  const size = fargateSize(`${prefix}vcpu`, props.vcpu ?? 0.5, `${prefix}memoryGib`, props.memoryGib ?? 1);
  const minInstances = requireIntInRange(`${prefix}minInstances`, props.minInstances ?? 2, 1, 1000);
  const maxInstances = requireIntInRange(`${prefix}maxInstances`, props.maxInstances ?? 10, 1, 5000);
  requireOrdered(`${prefix}minInstances`, minInstances, `${prefix}maxInstances`, maxInstances);
  const targetCpu = requireIntInRange(`${prefix}targetCpuPercent`, props.targetCpuPercent ?? 60, 10, 90);
  const targetRequests = requireIntInRange(`${prefix}targetRequestsPerInstance`, props.targetRequestsPerInstance ?? 60, 1, 100_000);
  const deployment = requireOneOf(`${prefix}deployment`, props.deployment ?? DeploymentStyle.ROLLING, Object.values(DeploymentStyle));
  return { name, pathPatterns, port, healthCheckPath, size, minInstances, maxInstances, targetCpu, targetRequests, deployment };
}

/**
 * Checks the composer's `services` on every rung (they run only from the rung that routes
 * services): each one's settings under its own `services[i].` prefix, and unique names.
 */
export function validateFleetServices(services: FleetServiceOptions[] | undefined): void {
  if (services === undefined) return;
  if (!Array.isArray(services)) throw new ScaleLadderError(`services must be a list of { name, pathPatterns, … }, got ${JSON.stringify(services)}`);
  services.forEach((service, i) => {
    if (service === null || typeof service !== 'object' || Array.isArray(service)) {
      throw new ScaleLadderError(`services[${i}] must be a service like { name: 'api', pathPatterns: ['/api/*'] }, got ${service === undefined ? 'undefined' : JSON.stringify(service)}`);
    }
    validServiceSettings(service as any, `services[${i}].`);
    if (service.priority !== undefined) requireIntInRange(`services[${i}].priority`, service.priority, 1, 50000);
  });
  requireUnique('services[].name', services.map(s => s.name));
  // The same checks the fleet's listener makes from rung 10M (route-registry.ts), here on every rung.
  const priorities = new Map<number, string>();
  const patterns = new Map<string, string>();
  services.forEach((service, i) => {
    const priority = service.priority ?? defaultServicePriority(i);
    const earlier = priorities.get(priority);
    if (earlier !== undefined) {
      throw new ScaleLadderError(`services[${i}].priority must be unique among the services (the listener's rule priorities; a service without one gets 10 × its position), got ${priority}, already used by service '${earlier}'`);
    }
    priorities.set(priority, service.name);
    for (const pattern of service.pathPatterns) {
      const owner = patterns.get(pattern);
      if (owner !== undefined) {
        throw new ScaleLadderError(`services[${i}].pathPatterns must not repeat a pattern another service routes, got '${pattern}', already routed to service '${owner}'`);
      }
      patterns.set(pattern, service.name);
    }
  });
}

/** The listener rule priority of the `index`-th service when it gives none. */
export function defaultServicePriority(index: number): number {
  return 10 * (index + 1);
}
