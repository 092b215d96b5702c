import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { ScaleLadderError } from '../../core/errors';
import { requireValidZone } from '../network/zone-validation';
import { exemptFromAlerts } from '../operations/alerts';

/** Where the regional entry points are published. */
export interface GeoRoutingZone {
  /** The Route 53 hosted zone id (the zone is given, never looked up). */
  readonly hostedZoneId: string;
  /** The zone's domain, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * Label of the latency-routed origin name under the zone.
   * @default 'origin'
   */
  readonly originLabel?: string;
}

/** Props for {@link GeoRoutedRegions}. */
export interface GeoRoutedRegionsProps {
  /** The hosted zone. */
  readonly zone: GeoRoutingZone;
  /** This region's load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Path the Route 53 health check requests (HTTP health check only: without `targetGroups`).
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * The target groups that serve this region's app (both groups of a canary fleet). When given,
   * the region's health comes from CloudWatch alarms on their healthy targets instead of an HTTP
   * request, so the load balancer can admit CloudFront alone: Route 53's checkers send no origin
   * header and are not in CloudFront's prefix list.
   * @default - an HTTP health check of the load balancer on port 80
   */
  readonly targetGroups?: elbv2.ApplicationTargetGroup[];
}

/**
 * Rung 1B, one per region (each region's stack carries its own, so no stack needs
 * another's values): a Route 53 health check of this region's app, a latency-based record
 * `origin.<zone>` that sends CloudFront to the nearest healthy region, and a plain record
 * `<region>.origin.<zone>` the CDN fails over to. Both names are CloudFront's origins only:
 * the load balancers behind them admit CloudFront's origin-facing servers alone and forward
 * only requests with CloudFront's origin header (StatelessFleet `originProtection`); the app's
 * own name points at the distribution.
 */
export class GeoRoutedRegions extends Construct {
  /** The latency-routed name every region answers for. */
  public static originName(zone: GeoRoutingZone): string {
    return `${zone.originLabel ?? 'origin'}.${zone.zoneName}`;
  }

  /** The name that always points at `region`. */
  public static regionalOriginName(zone: GeoRoutingZone, region: string): string {
    return `${region}.${GeoRoutedRegions.originName(zone)}`;
  }

  /** The health check of this region (calculated from `targetHealthChecks` when target groups are given). */
  public readonly healthCheck: route53.HealthCheck;
  /** One alarm-based health check per target group: healthy while the group has a healthy target. */
  public readonly targetHealthChecks: route53.HealthCheck[] = [];
  /** Pages when no target group of the region has a healthy target (the health check's own inputs do not notify). */
  public readonly noHealthyTargets?: cloudwatch.CompositeAlarm;
  /** The latency record for this region. */
  public readonly latencyRecord: route53.ARecord;
  /** The record that names this region alone. */
  public readonly regionalRecord: route53.ARecord;

  constructor(scope: Construct, id: string, props: GeoRoutedRegionsProps) {
    super(scope, id);
    requireValidZone(props.zone);
    const region = Stack.of(this).region;
    const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', props.zone);
    const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(props.loadBalancer));

    if (props.targetGroups && props.targetGroups.length > 0) {
      // Route 53 reads alarms on standard-resolution metrics with plain statistics (AlarmIdentifier,
      // AWS::Route53::HealthCheck, CloudFormation Template Reference): one alarm per group, and a
      // calculated check that is healthy while one child is (the live group of a canary fleet
      // changes with every deployment; the idle one has no healthy target).
      if (!(props.loadBalancer instanceof elbv2.ApplicationLoadBalancer)) {
        throw new ScaleLadderError('loadBalancer must be an ApplicationLoadBalancer (its full name is a metric dimension) when targetGroups are given');
      }
      // The dimensions come from the load balancer and the group themselves (the groups' own
      // metrics name the load balancer through a listener ARN, which would make the health check
      // depend on the listener that waits for the app's record).
      const loadBalancerFullName = props.loadBalancer.loadBalancerFullName;
      const inputs = props.targetGroups.map((group, i) => {
        const alarm = new cloudwatch.Alarm(this, `NoHealthyTargets${i}`, {
          metric: new cloudwatch.Metric({
            namespace: 'AWS/ApplicationELB',
            metricName: 'HealthyHostCount',
            dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: group.targetGroupFullName },
            statistic: 'Minimum',
            period: Duration.minutes(1),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          alarmDescription: `Route 53 health-check input: target group ${i} of ${region} has no healthy target`,
        });
        exemptFromAlerts(alarm, 'a Route 53 health-check input; NoHealthyTargets notifies when every group of the region is down');
        this.targetHealthChecks.push(new route53.HealthCheck(this, `TargetsHealth${i}`, {
          type: route53.HealthCheckType.CLOUDWATCH_METRIC,
          alarmIdentifier: { region, name: alarm.alarmName },
          insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
        }));
        return alarm;
      });
      this.healthCheck = new route53.HealthCheck(this, 'HealthCheck', {
        type: route53.HealthCheckType.CALCULATED,
        childHealthChecks: this.targetHealthChecks,
        healthThreshold: 1,
      });
      this.noHealthyTargets = new cloudwatch.CompositeAlarm(this, 'NoHealthyTargets', {
        alarmRule: cloudwatch.AlarmRule.allOf(...inputs.map(a => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
        alarmDescription: `No healthy target in ${region}: Route 53 sends no traffic to this region`,
      });
    } else {
      this.healthCheck = new route53.HealthCheck(this, 'HealthCheck', {
        type: route53.HealthCheckType.HTTP,
        fqdn: props.loadBalancer.loadBalancerDnsName,
        port: 80,
        resourcePath: props.healthCheckPath ?? '/',
        failureThreshold: 3,
        requestInterval: Duration.seconds(10),
      });
    }
    this.latencyRecord = new route53.ARecord(this, 'Latency', {
      zone,
      recordName: GeoRoutedRegions.originName(props.zone),
      target,
      region,
      setIdentifier: region,
      healthCheck: this.healthCheck,
    });
    this.regionalRecord = new route53.ARecord(this, 'Regional', {
      zone,
      recordName: GeoRoutedRegions.regionalOriginName(props.zone, region),
      target,
    });
  }
}
