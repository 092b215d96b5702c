import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { notifyOnChange } from './alarm-notifications';
import { requireIntInRange, requireNumberInRange, requireOrdered } from '../../core/errors';

/** Props for {@link SloAlarms}. */
export interface SloAlarmsProps {
  /** The fleet's load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Measure one target group instead of the whole load balancer. Load-balancer-generated
   * 5xx (502/503/504) are then not counted, as CloudWatch reports them per load balancer only.
   * @default - the whole load balancer: target and load-balancer 5xx over all requests
   */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;
  /**
   * Availability objective: the share of requests that must not end in a 5xx (0.9-0.99999).
   * @default 0.999
   */
  readonly availabilityTarget?: number;
  /**
   * The latency objective: p99 target response time stays under this (10 ms - 60 s).
   * @default Duration.seconds(1)
   */
  readonly latencyThreshold?: Duration;
  /**
   * Minutes looked at by the latency alarm (M of "N of M"), 1-60.
   * @default 15
   */
  readonly latencyEvaluationMinutes?: number;
  /**
   * Minutes over the threshold, within the evaluation window, that fire the latency alarm (N of "N of M").
   * @default 10
   */
  readonly latencyBreachingMinutes?: number;
  /**
   * Where the SLO alarms notify.
   * @default - no notification; use the exposed alarms
   */
  readonly alarmTopic?: sns.ITopic;
}

/** One burn-rate window pair (the Google SRE workbook's multi-window, multi-burn-rate alerts). */
interface BurnWindow {
  readonly name: string;
  readonly burnRate: number;
  readonly long: Duration;
  readonly short: Duration;
}

const FAST: BurnWindow = { name: 'FastBurn', burnRate: 14.4, long: Duration.hours(1), short: Duration.minutes(5) };
const SLOW: BurnWindow = { name: 'SlowBurn', burnRate: 6, long: Duration.hours(6), short: Duration.minutes(30) };

/**
 * From rung 10M: service-level objectives for the fleet's load balancer. Availability is
 * watched with multi-window burn-rate alarms — fast burn (14.4× the error budget over 1 h
 * and 5 min: 2 % of a 30-day budget in an hour) and slow burn (6× over 6 h and 30 min) —
 * each a composite alarm over two metric-math alarms, so a short spike alone does not page
 * and a page clears soon after the burn stops. Latency is watched as p99 target response
 * time over a threshold for N of M minutes.
 */
export class SloAlarms extends Construct {
  /** The availability objective in force. */
  public readonly availabilityTarget: number;
  /** The error budget: 1 − availabilityTarget. */
  public readonly errorBudget: number;
  /** The error ratio the burn rates are computed from (5xx / requests), per minute. */
  public readonly errorRatio: cloudwatch.MathExpression;
  /** Burn rate over 1 h above 14.4. */
  public readonly fastBurnLong: cloudwatch.Alarm;
  /** Burn rate over 5 min above 14.4. */
  public readonly fastBurnShort: cloudwatch.Alarm;
  /** Burn rate over 6 h above 6. */
  public readonly slowBurnLong: cloudwatch.Alarm;
  /** Burn rate over 30 min above 6. */
  public readonly slowBurnShort: cloudwatch.Alarm;
  /** Pages: fast burn over both windows. A good FIS stop condition. */
  public readonly fastBurn: cloudwatch.CompositeAlarm;
  /** Tickets: slow burn over both windows. */
  public readonly slowBurn: cloudwatch.CompositeAlarm;
  /** p99 latency over the threshold for N of M minutes. */
  public readonly latency: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SloAlarmsProps) {
    super(scope, id);
    this.availabilityTarget = requireNumberInRange('availabilityTarget', props.availabilityTarget ?? 0.999, 0.9, 0.99999);
    this.errorBudget = Number((1 - this.availabilityTarget).toPrecision(6));
    const thresholdMs = requireNumberInRange('latencyThreshold in milliseconds', (props.latencyThreshold ?? Duration.seconds(1)).toMilliseconds(), 10, 60_000);
    const evaluation = requireIntInRange('latencyEvaluationMinutes', props.latencyEvaluationMinutes ?? 15, 1, 60);
    const breaching = requireIntInRange('latencyBreachingMinutes', props.latencyBreachingMinutes ?? 10, 1, 60);
    requireOrdered('latencyBreachingMinutes', breaching, 'latencyEvaluationMinutes', evaluation);

    this.errorRatio = this.ratio(props, Duration.minutes(1), 'error ratio');

    const [fastLong, fastShort, fast] = this.burnAlarms(props, FAST);
    const [slowLong, slowShort, slow] = this.burnAlarms(props, SLOW);
    this.fastBurnLong = fastLong;
    this.fastBurnShort = fastShort;
    this.fastBurn = fast;
    this.slowBurnLong = slowLong;
    this.slowBurnShort = slowShort;
    this.slowBurn = slow;

    const latencyMetric = (props.targetGroup ? props.targetGroup.metrics : props.loadBalancer.metrics)
      .targetResponseTime({ statistic: 'p99', period: Duration.minutes(1) });
    this.latency = new cloudwatch.Alarm(this, 'Latency', {
      metric: latencyMetric,
      threshold: thresholdMs / 1000,
      evaluationPeriods: evaluation,
      datapointsToAlarm: breaching,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Latency SLO: p99 target response time above ${thresholdMs} ms for ${breaching} of ${evaluation} minutes`,
    });

    notifyOnChange([this.fastBurn, this.slowBurn, this.latency], props.alarmTopic);
  }

  /** The two window alarms and their AND-composite for one burn rate. */
  private burnAlarms(props: SloAlarmsProps, window: BurnWindow): [cloudwatch.Alarm, cloudwatch.Alarm, cloudwatch.CompositeAlarm] {
    const alarmFor = (suffix: string, period: Duration): cloudwatch.Alarm => {
      const label = fmt(period);
      return new cloudwatch.Alarm(this, `${window.name}${suffix}`, {
        metric: this.burnRate(props, period, `burn rate over ${label}`),
        threshold: window.burnRate,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Error budget (${pct(this.errorBudget)} of requests) burning faster than ${window.burnRate}x over ${label}`,
      });
    };
    const long = alarmFor('Long', window.long);
    const short = alarmFor('Short', window.short);
    const composite = new cloudwatch.CompositeAlarm(this, window.name, {
      alarmRule: cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM),
      ),
      alarmDescription: `Availability SLO ${pct(this.availabilityTarget)}: burn rate above ${window.burnRate}x over ${fmt(window.long)} and ${fmt(window.short)}`,
    });
    return [long, short, composite];
  }

  /** Burn rate over `period`: the error ratio divided by the error budget. */
  private burnRate(props: SloAlarmsProps, period: Duration, label: string): cloudwatch.MathExpression {
    const ratio = this.ratioExpression(props);
    return new cloudwatch.MathExpression({
      expression: `(${ratio.expression}) / ${this.errorBudget}`,
      usingMetrics: ratio.metrics(period),
      label,
      period,
    });
  }

  private ratio(props: SloAlarmsProps, period: Duration, label: string): cloudwatch.MathExpression {
    const ratio = this.ratioExpression(props);
    return new cloudwatch.MathExpression({ expression: ratio.expression, usingMetrics: ratio.metrics(period), label, period });
  }

  /** 5xx over requests; missing 5xx datapoints (ALB publishes none when zero) count as 0. */
  private ratioExpression(props: SloAlarmsProps): { expression: string; metrics: (period: Duration) => Record<string, cloudwatch.IMetric> } {
    if (props.targetGroup) {
      const tg = props.targetGroup.metrics;
      return {
        expression: 'FILL(errors, 0) / FILL(requests, 1)',
        metrics: period => ({
          errors: tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period }),
          requests: tg.requestCount({ statistic: 'Sum', period }),
        }),
      };
    }
    const lb = props.loadBalancer.metrics;
    return {
      expression: '(FILL(errors, 0) + FILL(lbErrors, 0)) / FILL(requests, 1)',
      metrics: period => ({
        errors: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period }),
        lbErrors: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period }),
        requests: lb.requestCount({ statistic: 'Sum', period }),
      }),
    };
  }
}

function pct(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))} %`;
}

function fmt(d: Duration): string {
  const minutes = d.toMinutes();
  return minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`;
}
