import { Duration, Names } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/*
 * Target tracking on a CloudWatch metric-math expression. Application Auto Scaling
 * supports it (CustomizedMetricSpecification.Metrics); the CDK L2 only takes a single
 * metric, so this renders the L1. The construct layout matches the L2's
 * (`<id>/Resource`, policy name from the path), so swapping one for the other at the
 * same id updates the policy in place. Internal: not part of the API.
 */

/** Options for {@link trackMetricMath}. */
export interface MetricMathTrackingOptions {
  /** The expression whose value the policy holds at `targetValue`. */
  readonly expression: cloudwatch.MathExpression;
  /** The value to hold the expression at. */
  readonly targetValue: number;
  /** Wait after a scale-in before the next one. */
  readonly scaleInCooldown: Duration;
  /** Wait after a scale-out before the next one. */
  readonly scaleOutCooldown: Duration;
}

/** Adds a target-tracking policy on `options.expression` to `target`, as `scope/id`. */
export function trackMetricMath(scope: Construct, id: string, target: appscaling.IScalableTargetRef,
  options: MetricMathTrackingOptions): appscaling.CfnScalingPolicy {
  const policy = new Construct(scope, id);
  const queries: appscaling.CfnScalingPolicy.TargetTrackingMetricDataQueryProperty[] = [];
  for (const [queryId, metric] of Object.entries(options.expression.usingMetrics)) {
    const stat = metric.toMetricConfig().metricStat;
    if (!stat) throw new Error(`metric '${queryId}' of a tracked expression must be a plain metric`);
    queries.push({
      id: queryId,
      returnData: false,
      metricStat: {
        stat: stat.statistic,
        metric: { namespace: stat.namespace, metricName: stat.metricName, dimensions: stat.dimensions?.map(d => ({ name: d.name, value: d.value })) },
      },
    });
  }
  queries.push({ id: 'tracked', expression: options.expression.expression, label: options.expression.label, returnData: true });
  return new appscaling.CfnScalingPolicy(policy, 'Resource', {
    policyName: Names.uniqueId(policy),
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetRef.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: options.targetValue,
      scaleInCooldown: options.scaleInCooldown.toSeconds(),
      scaleOutCooldown: options.scaleOutCooldown.toSeconds(),
      customizedMetricSpecification: { metrics: queries },
    },
  });
}
