import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlertTopic } from './alerts';
import { StatelessFleet } from '../compute/stateless-fleet';

/** Props for {@link Monitoring}. */
export interface MonitoringProps {
  /** The fleet to watch. */
  readonly fleet: StatelessFleet;
  /**
   * The database to watch.
   * @default - no database widgets or alarms
   */
  readonly database?: rds.DatabaseCluster;
  /**
   * p99 target response time above which the latency alarm fires.
   * @default Duration.seconds(1)
   */
  readonly latencyThreshold?: Duration;
}

/**
 * From rung 100K: a dashboard of the main signals and alarms (5xx rate, p99 latency,
 * unhealthy targets, database CPU) that notify the stack's alert topic (the composer's; a
 * Monitoring used on its own creates one, `Alerts`, for its stack).
 */
export class Monitoring extends Construct {
  /** Where alarms notify: the stack's alert topic; subscribe on-call to it. */
  public readonly alarmTopic: sns.Topic;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The alarms, by name. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = AlertTopic.of(this) ?? new AlertTopic(this, 'Alerts').topic;
    const lb = props.fleet.loadBalancer.metrics;
    const tg = props.fleet.targetGroup.metrics;
    const errors = new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: { errors: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum' }), requests: lb.requestCount({ statistic: 'Sum' }) },
      label: '5xx %',
      period: Duration.minutes(1),
    });
    const latency = lb.targetResponseTime({ statistic: 'p99', period: Duration.minutes(1) });
    const unhealthy = tg.unhealthyHostCount({ period: Duration.minutes(1) });
    const cpu = props.fleet.service.metricCpuUtilization({ period: Duration.minutes(1) });

    this.addAlarm('ServerErrors', errors, 5, 'More than 5 % of requests end in a 5xx');
    this.addAlarm('Latency', latency, (props.latencyThreshold ?? Duration.seconds(1)).toSeconds(), 'p99 response time over the threshold');
    this.addAlarm('UnhealthyTargets', unhealthy, 0, 'A target fails its health check');
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: '5xx %', left: [errors] }),
      new cloudwatch.GraphWidget({ title: 'p99 latency (s)', left: [latency] }),
      new cloudwatch.GraphWidget({ title: 'Fleet CPU %', left: [cpu] }),
      new cloudwatch.GraphWidget({ title: 'Requests', left: [lb.requestCount({ statistic: 'Sum', period: Duration.minutes(1) })] }),
    ];
    if (props.database) {
      const dbCpu = props.database.metricCPUUtilization({ period: Duration.minutes(5) });
      this.addAlarm('DatabaseCpu', dbCpu, 80, 'Database CPU above 80 %');
      widgets.push(new cloudwatch.GraphWidget({ title: 'Database CPU %', left: [dbCpu] }));
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Database ACU',
        left: [props.database.metric('ServerlessDatabaseCapacity', { statistic: 'Average', period: Duration.minutes(5) })],
      }));
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { widgets: [widgets] });
  }

  private addAlarm(name: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      metric,
      threshold,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
    this.alarms[name] = alarm;
  }
}
