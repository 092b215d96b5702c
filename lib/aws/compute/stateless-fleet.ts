import { Aspects, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AppEnvironment } from './app-environment';
import { AppImage } from './app-image';
import { canaryServiceProps, routeWithCanary, scaleOnRequestsAcrossGroups } from './canary-routing';
import { fargateSize } from './fargate-sizing';
import { claimRoute, MAIN_SERVICE } from './route-registry';
import { requireIntInRange, requireOneOf, requireOrdered, requirePattern } from '../../core/errors';
import { DeploymentStyle } from '../../core/tier-spec';
import { originProtectionFor, RequireOriginHeader } from '../edge/origin-protection';
import { LadderNetwork } from '../network/network';
import { logRetention } from '../operations/log-retention';

/**
 * What a load balancer behind CloudFront admits (see {@link StatelessFleetProps.originProtection}).
 */
export interface OriginProtectionOptions {
  /** Id of CloudFront's origin-facing managed prefix list in the fleet's region (the only source the load balancer admits). */
  readonly prefixListId: string;
  /**
   * Value of the `X-Origin-Verify` header CloudFront adds to origin requests, as a
   * CloudFormation dynamic reference (e.g. `{{resolve:secretsmanager:…}}`), never the value itself.
   */
  readonly headerValue: string;
}

/** Props for {@link StatelessFleet}. */
export interface StatelessFleetProps {
  /** The VPC: load balancer in public subnets, tasks in private ones. */
  readonly vpc: ec2.IVpc;
  /** The app's image. */
  readonly image: AppImage;
  /**
   * The port the app listens on (the container port and the target group's port; the app gets it as PORT).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Path the load balancer probes.
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * What the app receives (the app contract).
   * @default - nothing
   */
  readonly environment?: AppEnvironment;
  /**
   * vCPUs per task (0.25, 0.5, 1, 2, 4, 8, 16).
   * @default 1
   */
  readonly vcpu?: number;
  /**
   * Memory per task in GiB, within Fargate's range for the vCPU size.
   * @default 2
   */
  readonly memoryGib?: number;
  /**
   * Fewest tasks (the fleet's instances: ECS tasks, spread over the three zones).
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
   * Certificate for HTTPS on the load balancer; HTTP then redirects to HTTPS.
   * @default - HTTP only (put CdnEdge in front for HTTPS without a domain)
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Days logs are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
  /**
   * How new versions roll out. ROLLING replaces tasks behind the deployment circuit
   * breaker; CANARY uses ECS's native canary strategy (10 % of traffic for 10 minutes,
   * then all of it, old tasks kept 10 more minutes), which adds a second target group,
   * a catch-all listener rule at priority 50000 and a 5XX rollback alarm. Going from
   * ROLLING to CANARY updates the service in place.
   * @default DeploymentStyle.ROLLING
   */
  readonly deployment?: DeploymentStyle;
  /**
   * Admit only CloudFront (rungs with a CDN): the load balancer's security group takes traffic
   * only from CloudFront's origin-facing prefix list, on the listener that carries the app, and
   * every listener rule forwards only requests with the secret `X-Origin-Verify` header (the
   * default action answers 403).
   * @default - the one a composer set up for its fleet, else none: the load balancer is public on 80 (and 443)
   */
  readonly originProtection?: OriginProtectionOptions;
}

/**
 * Rung 100K: an internet-facing ALB in front of an ECS Fargate service over three
 * zones, autoscaled on CPU and on requests per task, with the deployment circuit
 * breaker rolling back failed releases.
 */
export class StatelessFleet extends Construct {
  /** The ECS cluster. */
  public readonly cluster: ecs.Cluster;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener on port 80 (forwards, or redirects to HTTPS when a certificate is given). */
  public readonly httpListener: elbv2.ApplicationListener;
  /** The HTTPS listener, when a certificate is given. */
  public readonly httpsListener?: elbv2.ApplicationListener;
  /** The task definition of the app. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The app container (add variables with `container.addEnvironment`). */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The target group the service registers in. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The task count autoscaling. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** Access logs of the load balancer. */
  public readonly accessLogsBucket: s3.Bucket;
  /** Container logs. */
  public readonly logGroup: logs.LogGroup;
  /** How new versions roll out. */
  public readonly deployment: DeploymentStyle;
  /** The second ("green") target group a canary deployment shifts traffic to (CANARY only). */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The catch-all production rule whose weights ECS shifts (CANARY only). */
  public readonly productionRule?: elbv2.ApplicationListenerRule;
  /** Target 5XX alarm that rolls a canary deployment back (CANARY only). */
  public readonly rollbackAlarm?: cloudwatch.Alarm;
  /** What the load balancer admits when it sits behind CloudFront (undefined: public). */
  public readonly originProtection?: OriginProtectionOptions;
  /** The rule that forwards CloudFront's requests to the main service (protected ROLLING fleets; CANARY uses `productionRule`). */
  public readonly originRule?: elbv2.ApplicationListenerRule;

  constructor(scope: Construct, id: string, props: StatelessFleetProps) {
    super(scope, id);
    const port = requireIntInRange('port', props.port ?? 8080, 1, 65535);
    const healthCheckPath = requirePattern('healthCheckPath', props.healthCheckPath ?? '/', /^\/[A-Za-z0-9._~\-/]*$/, 'an absolute URL path such as /healthz');
    const size = fargateSize('vcpu', props.vcpu ?? 1, 'memoryGib', props.memoryGib ?? 2);
    const minInstances = requireIntInRange('minInstances', props.minInstances ?? 2, 1, 1000);
    const maxInstances = requireIntInRange('maxInstances', props.maxInstances ?? 10, 1, 5000);
    requireOrdered('minInstances', minInstances, 'maxInstances', maxInstances);
    const targetCpu = requireIntInRange('targetCpuPercent', props.targetCpuPercent ?? 60, 10, 90);
    const targetRequests = requireIntInRange('targetRequestsPerInstance', props.targetRequestsPerInstance ?? 60, 1, 100_000);
    const environment = props.environment ?? new AppEnvironment();
    this.deployment = requireOneOf('deployment', props.deployment ?? DeploymentStyle.ROLLING, Object.values(DeploymentStyle));
    const canary = this.deployment === DeploymentStyle.CANARY;
    this.originProtection = props.originProtection ?? originProtectionFor(scope);
    const origin = this.originProtection;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it to itself would loop.' });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: LadderNetwork.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(this.accessLogsBucket, 'alb');

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
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'app' }),
    });
    props.image.grantPull(this.taskDefinition.obtainExecutionRole());
    Validations.of(this.taskDefinition).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'Only non-secret app-contract values are plain environment variables; credentials come from Secrets Manager.' });

    // No DesiredCount: Application Auto Scaling owns the task count. AWS::ECS::Service,
    // DesiredCount (CloudFormation Template Reference): left out on create, the service starts
    // with 1 task; left out on update, it is not part of the update, so a swap keeps the running
    // count. The scalable target lifts the count to its MinCapacity (RegisterScalableTarget,
    // Application Auto Scaling API Reference: a capacity outside the range is moved into it).
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: { subnetGroupName: LadderNetwork.PRIVATE },
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      ...(canary ? canaryServiceProps() : {}),
    });

    const healthCheck: elbv2.HealthCheck = { path: healthCheckPath, healthyHttpCodes: '200-399', interval: Duration.seconds(15), healthyThresholdCount: 2 };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: props.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      // On CANARY the service registers below, with the green group and the production rule.
      targets: canary ? undefined : [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck,
    });

    // Behind CloudFront nothing reaches the targets without the origin header: the default
    // action answers 403 and a rule forwards (below, or the canary's production rule). The climb
    // to a CDN rung changes the listener's DefaultActions in place (Update requires: No
    // interruption, AWS::ElasticLoadBalancingV2::Listener, CloudFormation Template Reference);
    // the composer makes that update wait for the app's record to point at CloudFront (lockAfter).
    const forbidden = elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' });
    const appDefault = origin ? { defaultAction: forbidden } : { defaultTargetGroups: [this.targetGroup] };
    // open: false, ingress below as rules of their own (AWS::EC2::SecurityGroupIngress).
    if (props.certificate) {
      this.httpsListener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [props.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        ...appDefault,
      });
      this.httpListener = this.loadBalancer.addListener('Http', {
        port: 80,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
    } else {
      this.httpListener = this.loadBalancer.addListener('Http', { port: 80, open: false, ...appDefault });
    }
    this.addIngress(props.certificate ? [80, 443] : [80]);

    if (origin) {
      Aspects.of(Stack.of(this)).add(new RequireOriginHeader(this.trafficListener, origin.headerValue));
      if (!canary) {
        // The same construct path and priority as the canary's production rule (routeWithCanary's
        // `Route`), so moving to CANARY updates this rule in place (Actions, Conditions: Update
        // requires: No interruption, AWS::ElasticLoadBalancingV2::ListenerRule, CloudFormation
        // Template Reference) instead of adding a second rule on the priority this one holds.
        claimRoute(this.trafficListener, { owner: MAIN_SERVICE, priority: 50000, pathPatterns: ['/*'] });
        this.originRule = new elbv2.ApplicationListenerRule(this, 'Route', {
          listener: this.trafficListener,
          priority: 50000,
          conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
          action: elbv2.ListenerAction.forward([this.targetGroup]),
        });
      }
    }

    if (canary) {
      // ECS shifts traffic by rewriting a listener rule, never the default action: a
      // catch-all rule at the lowest precedence carries the main service's traffic.
      claimRoute(this.trafficListener, { owner: MAIN_SERVICE, priority: 50000, pathPatterns: ['/*'] });
      const routing = routeWithCanary(this, {
        service: this.service,
        containerName: this.container.containerName,
        port,
        vpc: props.vpc,
        listener: this.trafficListener,
        primary: this.targetGroup,
        healthCheck,
        priority: 50000,
        pathPatterns: ['/*'],
      });
      this.alternateTargetGroup = routing.alternateTargetGroup;
      this.productionRule = routing.rule;
      this.rollbackAlarm = routing.rollbackAlarm;
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

  /**
   * Makes the traffic listener's update (the 403 default action on the climb to a CDN rung) wait
   * for `dependencies` (the distribution, the app's DNS record moving to it), so clients keep
   * reaching the app directly until the name points at CloudFront.
   */
  public lockAfter(...dependencies: Construct[]): void {
    const listener = this.trafficListener.node.defaultChild as CfnResource;
    for (const dependency of dependencies) listener.node.addDependency(dependency);
  }

  /**
   * The load balancer's ingress, as AWS::EC2::SecurityGroupIngress resources (not inline rules):
   * on the climb to a CDN rung the public rules are removed from the template, and CloudFormation
   * deletes removed resources only after every other resource of the update is done
   * (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, Stack status codes, CloudFormation User Guide), so the
   * public rule lasts until CloudFront and the DNS record are in place; the group itself is not
   * changed (an inline rule change removes the old rule before adding the new one, AWS::EC2::
   * SecurityGroup, CloudFormation Template Reference). CloudFront's origin-facing list counts as 55 rules of the group's quota of 60 (AWS-managed
   * prefix list weight, Amazon VPC User Guide): it is admitted on the one port CloudFront uses.
   */
  private addIngress(publicPorts: number[]): void {
    const groupId = this.loadBalancer.connections.securityGroups[0].securityGroupId;
    const origin = this.originProtection;
    if (origin) {
      const port = this.httpsListener ? 443 : 80;
      new ec2.CfnSecurityGroupIngress(this.loadBalancer, 'CloudFrontIngress', {
        groupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        sourcePrefixListId: origin.prefixListId,
        description: `CloudFront origin-facing servers on ${port}`,
      });
      return;
    }
    for (const port of publicPorts) {
      new ec2.CfnSecurityGroupIngress(this.loadBalancer, `PublicIngress${port}`, {
        groupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIp: '0.0.0.0/0',
        description: `Allow from anyone on port ${port}`,
      });
    }
    Validations.of(this.loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'Without a CDN the load balancer is the public entry point; it listens on 80/443 only.' });
  }

  /** The listener that carries the app's traffic (HTTPS when a certificate is given, else HTTP); path-routed services add their rules here. */
  public get trafficListener(): elbv2.ApplicationListener {
    return this.httpsListener ?? this.httpListener;
  }

  /** The public DNS name of the load balancer. */
  public get loadBalancerDnsName(): string {
    return this.loadBalancer.loadBalancerDnsName;
  }
}
