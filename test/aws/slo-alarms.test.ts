import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppImage, StatelessFleet } from '../../lib';
import { SloAlarms } from '../../lib/aws/operations/slo-alarms';
import { stackWithNetwork } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function fleetStack() {
  const { stack, vpc } = stackWithNetwork(true);
  const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80 });
  return { stack, fleet };
}

/** The metric-math alarm whose expression label mentions `window`. */
function burnAlarm(template: Template, window: string): any {
  const found = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(a => (a.Properties.Metrics ?? []).some((m: any) => m.Label === `burn rate over ${window}`));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

describe('SloAlarms (whole load balancer, defaults)', () => {
  const { stack, fleet } = fleetStack();
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  const slo = new SloAlarms(stack, 'Slo', { loadBalancer: fleet.loadBalancer, alarmTopic: topic });
  const template = Template.fromStack(stack);

  test('error budget from the 99.9 % default; four window alarms, two composites and the latency alarm', () => {
    expect(slo.availabilityTarget).toBe(0.999);
    expect(slo.errorBudget).toBe(0.001);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
  });

  test.each([
    ['1 h', 3600, 14.4],
    ['5 min', 300, 14.4],
    ['6 h', 21600, 6],
    ['30 min', 1800, 6],
  ])('burn rate over %s: one %i s datapoint above %d', (window, period, threshold) => {
    const alarm = burnAlarm(template, window);
    expect(alarm.Threshold).toBe(threshold);
    expect(alarm.EvaluationPeriods).toBe(1);
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.TreatMissingData).toBe('notBreaching');
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('((FILL(errors, 0) + FILL(lbErrors, 0)) / FILL(requests, 1)) / 0.001');
    expect(expression.ReturnData).toBe(true);
    const byId = Object.fromEntries(alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, m.MetricStat]));
    expect(byId.errors.Metric.MetricName).toBe('HTTPCode_Target_5XX_Count');
    expect(byId.lbErrors.Metric.MetricName).toBe('HTTPCode_ELB_5XX_Count');
    expect(byId.requests.Metric.MetricName).toBe('RequestCount');
    for (const stat of Object.values<any>(byId)) {
      expect(stat.Period).toBe(period);
      expect(stat.Stat).toBe('Sum');
      expect(stat.Metric.Namespace).toBe('AWS/ApplicationELB');
    }
  });

  test('fast and slow burn page only when both windows burn (composite AND), and notify the topic', () => {
    const composites = Object.values<any>(template.findResources('AWS::CloudWatch::CompositeAlarm')).map(c => c.Properties);
    expect(composites).toHaveLength(2);
    const ids = (alarm: any) => stack.resolve((alarm.node.defaultChild as any).logicalId);
    const rules = composites.map(c => JSON.stringify(c.AlarmRule));
    const fastRule = rules.find(r => r.includes(ids(slo.fastBurnLong)))!;
    expect(fastRule).toContain(ids(slo.fastBurnShort));
    expect(fastRule).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\"",\{"Fn::GetAtt":\[.*\]\},"\\"\) AND ALARM\(\\"",/);
    const slowRule = rules.find(r => r.includes(ids(slo.slowBurnLong)))!;
    expect(slowRule).toContain(ids(slo.slowBurnShort));
    expect(slowRule).not.toContain(ids(slo.fastBurnShort));
    for (const c of composites) {
      expect(c.AlarmActions).toEqual([{ Ref: stack.resolve((topic.node.defaultChild as any).logicalId) }]);
    }
    // The window alarms themselves do not page.
    expect(burnAlarm(template, '1 h').AlarmActions).toBeUndefined();
  });

  test('latency SLO: p99 target response time above 1 s for 10 of 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 15,
      DatapointsToAlarm: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.anyValue() }],
    });
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('SloAlarms on a target group', () => {
  test('measures the target group, budget from the target, latency threshold and window from props', () => {
    const { stack, fleet } = fleetStack();
    const slo = new SloAlarms(stack, 'Slo', {
      loadBalancer: fleet.loadBalancer,
      targetGroup: fleet.targetGroup,
      availabilityTarget: 0.9995,
      latencyThreshold: Duration.millis(300),
      latencyEvaluationMinutes: 5,
      latencyBreachingMinutes: 3,
    });
    const template = Template.fromStack(stack);
    expect(slo.errorBudget).toBe(0.0005);
    const alarm = burnAlarm(template, '5 min');
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('(FILL(errors, 0) / FILL(requests, 1)) / 0.0005');
    const errors = alarm.Metrics.find((m: any) => m.Id === 'errors').MetricStat.Metric;
    expect(errors.Dimensions.map((d: any) => d.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.3, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
    expect(template.findResources('AWS::CloudWatch::CompositeAlarm', { Properties: { AlarmActions: Match.anyValue() } })).toEqual({});
  });
});

describe('SloAlarms bad input', () => {
  test.each([
    [{ availabilityTarget: 0.5 }, 'availabilityTarget must be a number 0.9-0.99999, got 0.5'],
    [{ availabilityTarget: 1 }, 'availabilityTarget must be a number 0.9-0.99999, got 1'],
    [{ availabilityTarget: 99.9 }, 'availabilityTarget must be a number 0.9-0.99999, got 99.9'],
    [{ latencyThreshold: Duration.minutes(2) }, 'latencyThreshold in milliseconds must be a number 10-60000, got 120000'],
    [{ latencyThreshold: Duration.millis(5) }, 'latencyThreshold in milliseconds must be a number 10-60000, got 5'],
    [{ latencyEvaluationMinutes: 90 }, 'latencyEvaluationMinutes must be an integer 1-60, got 90'],
    [{ latencyEvaluationMinutes: 5, latencyBreachingMinutes: 8 }, 'latencyBreachingMinutes (8) must not exceed latencyEvaluationMinutes (5)'],
  ])('%j', (bad, message) => {
    const { stack, fleet } = fleetStack();
    expect(() => new SloAlarms(stack, 'Slo', { loadBalancer: fleet.loadBalancer, ...bad })).toThrow(message);
  });
});
