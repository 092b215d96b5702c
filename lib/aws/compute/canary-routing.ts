import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { trackMetricMath } from './metric-math-scaling';
import { acknowledgeManagedPolicy } from '../internal/acknowledgements';

/*
 * ECS-native canary deployments (deployment controller ECS, strategy CANARY; ECS added
 * BLUE_GREEN, LINEAR and CANARY in 2025 and aws-cdk-lib 2.276 models them). Switching a
 * running service from the rolling strategy to this one changes DeploymentConfiguration
 * and LoadBalancers, both updated in place; moving to the CodeDeploy controller instead
 * would replace the service. Internal: not part of the API.
 *
 * What ECS needs: a second ("green") target group, and a production listener rule whose
 * forward action lists both groups (blue 100, green 0). During a deployment ECS registers
 * the new tasks in the idle group, shifts `CANARY_PERCENT` of the rule's traffic to it,
 * waits `CANARY_BAKE`, shifts the rest, keeps the old tasks for `BAKE_TIME` and then stops
 * them. The circuit breaker and a target-5XX alarm roll a bad release back.
 *
 * Caveat (documented in the README): after a deployment the rule's weights differ from the
 * template's (ECS flipped them). CloudFormation only rewrites the rule when its own
 * properties change, so do not edit the rule's conditions or priority while the green
 * group is the live one; change them between two deployments or deploy twice.
 */

/** Share of production traffic the new revision gets first. */
export const CANARY_PERCENT = 10;
/** How long the canary share runs before the rest of the traffic moves. */
export const CANARY_BAKE = Duration.minutes(10);
/** How long the old revision stays up, for an instant rollback, after all traffic moved. */
export const BAKE_TIME = Duration.minutes(10);
/** Target 5XX responses per minute (both groups) that roll a deployment back. */
export const ROLLBACK_5XX_PER_MINUTE = 10;

/** Service props for the canary strategy. */
export function canaryServiceProps(): Pick<ecs.FargateServiceProps, 'deploymentStrategy' | 'canaryConfiguration' | 'bakeTime'> {
  return {
    deploymentStrategy: ecs.DeploymentStrategy.CANARY,
    canaryConfiguration: { stepPercent: CANARY_PERCENT, stepBakeTime: CANARY_BAKE },
    bakeTime: BAKE_TIME,
  };
}

/** What {@link routeWithCanary} needs. */
export interface CanaryRoutingOptions {
  readonly service: ecs.FargateService;
  readonly containerName: string;
  readonly port: number;
  readonly vpc: ec2.IVpc;
  readonly listener: elbv2.IApplicationListener;
  /** The "blue" group (already created, without targets). */
  readonly primary: elbv2.ApplicationTargetGroup;
  readonly healthCheck: elbv2.HealthCheck;
  readonly priority: number;
  readonly pathPatterns: string[];
}

/** The pieces {@link routeWithCanary} creates. */
export interface CanaryRouting {
  readonly alternateTargetGroup: elbv2.ApplicationTargetGroup;
  readonly rule: elbv2.ApplicationListenerRule;
  readonly rollbackAlarm: cloudwatch.Alarm;
}

/**
 * Creates, under `scope`, the green target group (`CanaryTargets`), the production rule
 * (`Route`) and the rollback alarm (`Rollback5xx`), and registers the service in the
 * primary group with the alternate-target configuration.
 */
export function routeWithCanary(scope: Construct, o: CanaryRoutingOptions): CanaryRouting {
  const alternateTargetGroup = new elbv2.ApplicationTargetGroup(scope, 'CanaryTargets', {
    vpc: o.vpc,
    port: o.port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: Duration.seconds(30),
    healthCheck: o.healthCheck,
  });
  const rule = new elbv2.ApplicationListenerRule(scope, 'Route', {
    listener: o.listener,
    priority: o.priority,
    conditions: [elbv2.ListenerCondition.pathPatterns(o.pathPatterns)],
    action: elbv2.ListenerAction.weightedForward([
      { targetGroup: o.primary, weight: 100 },
      { targetGroup: alternateTargetGroup, weight: 0 },
    ]),
  });
  o.primary.addTarget(o.service.loadBalancerTarget({
    containerName: o.containerName,
    containerPort: o.port,
    alternateTarget: new ecs.AlternateTarget('Canary', {
      alternateTargetGroup,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rule),
    }),
  }));
  acknowledgeManagedPolicy(o.service, 'AmazonECSInfrastructureRolePolicyForLoadBalancers',
    'ECS shifts canary traffic by rewriting the listener rule and registering tasks; this AWS managed policy is the documented role for it.');

  const rollbackAlarm = new cloudwatch.Alarm(scope, 'Rollback5xx', {
    alarmDescription: `Rolls a canary deployment back: ${ROLLBACK_5XX_PER_MINUTE}+ target 5XX responses a minute, twice in a row, on either target group.`,
    metric: bothGroups('FILL(b, 0) + FILL(g, 0)', 'target 5XX responses', tg => tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }), o.primary, alternateTargetGroup),
    threshold: ROLLBACK_5XX_PER_MINUTE,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  o.service.enableDeploymentAlarms([rollbackAlarm.alarmName], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  return { alternateTargetGroup, rule, rollbackAlarm };
}

/**
 * Requests-per-task tracking that survives the blue/green flip: the live group changes
 * with every deployment, so the policy tracks the sum over both groups (the idle one
 * reports nothing) instead of the predefined metric bound to one group.
 */
export function scaleOnRequestsAcrossGroups(scaling: ecs.ScalableTaskCount, id: string, requestsPerTargetPerMinute: number,
  primary: elbv2.ApplicationTargetGroup, alternate: elbv2.ApplicationTargetGroup): void {
  // The L2's scaleOnRequestCount(id) builds its policy at `<scaling>/Target/<id>`; the
  // same path keeps the policy's logical id and name when a service moves from ROLLING
  // to CANARY, so the swap updates the policy in place.
  trackMetricMath(scaling.node.findChild('Target') as Construct, id, scaling, {
    expression: bothGroups('FILL(b, 0) + FILL(g, 0)', 'requests per task per minute',
      tg => tg.metrics.requestCountPerTarget({ period: Duration.minutes(1), statistic: 'Sum' }), primary, alternate),
    targetValue: requestsPerTargetPerMinute,
    scaleInCooldown: Duration.seconds(120),
    scaleOutCooldown: Duration.seconds(30),
  });
}

function bothGroups(expression: string, label: string, metric: (tg: elbv2.ApplicationTargetGroup) => cloudwatch.IMetric,
  primary: elbv2.ApplicationTargetGroup, alternate: elbv2.ApplicationTargetGroup): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression,
    label,
    usingMetrics: { b: metric(primary), g: metric(alternate) },
    period: Duration.minutes(1),
  });
}
