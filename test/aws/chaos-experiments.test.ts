import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppImage, SeparatedDatabase, StatelessFleet } from '../../lib';
import { ChaosExperiments } from '../../lib/aws/operations/chaos-experiments';
import { SloAlarms } from '../../lib/aws/operations/slo-alarms';
import { stackWithNetwork } from '../support/stacks';

const image = AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27');

function world(shards = 2) {
  const { stack, vpc } = stackWithNetwork(true);
  const fleet = new StatelessFleet(stack, 'Fleet', { vpc, image, port: 80 });
  const databases = Array.from({ length: shards }, (_, i) => new SeparatedDatabase(stack, `Shard${i}`, { vpc }));
  const slo = new SloAlarms(stack, 'Slo', { loadBalancer: fleet.loadBalancer });
  return { stack, vpc, fleet, databases, slo };
}

const ref = (stack: any, construct: any) => stack.resolve((construct.node.defaultChild ?? construct).logicalId);

describe('ChaosExperiments', () => {
  const { stack, fleet, databases, slo } = world(2);
  const chaos = new ChaosExperiments(stack, 'Chaos', {
    service: fleet.service,
    availabilityZone: 'eu-west-1b',
    clusters: databases.map(d => d.cluster),
    stopAlarm: slo.fastBurn,
    logRetentionDays: 180,
  });
  const template = Template.fromStack(stack);
  const templates = template.findResources('AWS::FIS::ExperimentTemplate');
  const byId = (construct: any) => templates[ref(stack, construct)].Properties;

  test('one zone template and one failover template per cluster, nothing that starts an experiment', () => {
    expect(Object.keys(templates)).toHaveLength(3);
    expect(chaos.failoverTemplates).toHaveLength(2);
    // FIS experiments only start through the API: the construct adds templates, roles and a log group, no custom
    // resource, schedule or function that could start one.
    const types = chaos.node.findAll().filter(CfnResource.isCfnResource).map(r => r.cfnResourceType).sort();
    expect(types).toEqual([
      'AWS::FIS::ExperimentTemplate', 'AWS::FIS::ExperimentTemplate', 'AWS::FIS::ExperimentTemplate',
      'AWS::IAM::Policy', 'AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::Role', 'AWS::Logs::LogGroup',
    ]);
  });

  test('stops every task of the service in the chosen zone', () => {
    const t = byId(chaos.stopTasksInZone);
    expect(t.Targets).toEqual({
      TasksInZone: {
        ResourceType: 'aws:ecs:task',
        Parameters: { cluster: { Ref: ref(stack, fleet.cluster) }, service: { 'Fn::GetAtt': [ref(stack, fleet.service), 'Name'] } },
        Filters: [{ Path: 'AvailabilityZone', Values: ['eu-west-1b'] }],
        SelectionMode: 'ALL',
      },
    });
    expect(t.Actions).toEqual({
      StopTasks: { ActionId: 'aws:ecs:stop-task', Description: "Stop the service's tasks in eu-west-1b", Targets: { Tasks: 'TasksInZone' } },
    });
    expect(t.RoleArn).toEqual({ 'Fn::GetAtt': [ref(stack, chaos.stopTasksRole), 'Arn'] });
  });

  test('fails over each cluster, one per template', () => {
    chaos.failoverTemplates.forEach((tpl, i) => {
      const t = byId(tpl);
      expect(t.Targets).toEqual({
        Cluster: {
          ResourceType: 'aws:rds:cluster',
          ResourceArns: [expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([{ Ref: ref(stack, databases[i].cluster) }])]) })],
          SelectionMode: 'ALL',
        },
      });
      expect(t.Actions).toEqual({ Failover: { ActionId: 'aws:rds:failover-db-cluster', Description: `Fail over cluster ${i}`, Targets: { Clusters: 'Cluster' } } });
      expect(t.RoleArn).toEqual({ 'Fn::GetAtt': [ref(stack, chaos.failoverRole), 'Arn'] });
    });
  });

  test('every template stops on the given alarm and logs to a log group with retention', () => {
    const logGroupId = ref(stack, chaos.logGroup);
    for (const t of Object.values<any>(templates).map(x => x.Properties)) {
      expect(t.StopConditions).toEqual([{ Source: 'aws:cloudwatch:alarm', Value: { 'Fn::GetAtt': [ref(stack, slo.fastBurn), 'Arn'] } }]);
      expect(t.LogConfiguration).toEqual({ LogSchemaVersion: 2, CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } });
    }
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(180);
  });

  test('roles: only FIS of this account may assume them', () => {
    for (const role of [chaos.stopTasksRole, chaos.failoverRole]) {
      const doc = template.toJSON().Resources[ref(stack, role)].Properties.AssumeRolePolicyDocument;
      expect(doc.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'fis.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:fis:eu-west-1:123456789012:experiment/*' } },
      }]);
    }
  });

  const statementsOf = (role: any) => Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .filter(p => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: ref(stack, role) }]))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
  const actions = (statements: any[]) => statements.flatMap(s => [s.Action].flat()).sort();

  test('stop-tasks role: stop and describe tasks of the one cluster only', () => {
    const statements = statementsOf(chaos.stopTasksRole);
    expect(actions(statements)).toEqual([
      'cloudwatch:DescribeAlarms', 'ecs:DescribeClusters', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:StopTask',
      'logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy',
    ]);
    const stop = statements.find(s => [s.Action].flat().includes('ecs:StopTask'));
    expect(stop.Resource).toEqual({ 'Fn::Join': ['', ['arn:aws:ecs:eu-west-1:123456789012:task/', { Ref: ref(stack, fleet.cluster) }, '/*']] });
    const list = statements.find(s => s.Action === 'ecs:ListTasks');
    expect(list.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [ref(stack, fleet.cluster), 'Arn'] } } });
    expect(JSON.stringify(statements)).not.toContain('rds:');
  });

  test('failover role: fail over exactly the given clusters', () => {
    const statements = statementsOf(chaos.failoverRole);
    expect(actions(statements)).toEqual([
      'cloudwatch:DescribeAlarms', 'logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy',
      'rds:DescribeDBClusters', 'rds:FailoverDBCluster',
    ]);
    const failover = statements.find(s => s.Action === 'rds:FailoverDBCluster');
    expect(failover.Resource).toHaveLength(2);
    databases.forEach((d, i) => expect(JSON.stringify(failover.Resource[i])).toContain(ref(stack, d.cluster)));
    const alarm = statements.find(s => s.Action === 'cloudwatch:DescribeAlarms');
    expect(alarm.Resource).toEqual({ 'Fn::GetAtt': [ref(stack, slo.fastBurn), 'Arn'] });
    expect(JSON.stringify(statements)).not.toContain('ecs:');
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('ChaosExperiments bad input', () => {
  const cases: [string, (w: ReturnType<typeof world>) => object, string | RegExp][] = [
    ['zone outside the VPC', () => ({ availabilityZone: 'eu-west-1d' }), "availabilityZone must be one of 'eu-west-1a', 'eu-west-1b', 'eu-west-1c', got 'eu-west-1d'"],
    ['not a zone name', () => ({ availabilityZone: 'euw1-az1' }), "availabilityZone must be an availability zone name such as eu-west-1a, got 'euw1-az1'"],
    ['no clusters', () => ({ clusters: [] }), 'clusters.length must be an integer 1-16, got 0'],
    ['bad retention', () => ({ logRetentionDays: 45 }), /^logRetentionDays must be one of 1, 3, 5, 7, 14, 30, .*, 3653(, \d+)*, got 45$/],
  ];
  test.each(cases)('%s', (_name, bad, message) => {
    const w = world(1);
    const props = { service: w.fleet.service, availabilityZone: 'eu-west-1a', clusters: w.databases.map(d => d.cluster), stopAlarm: w.slo.fastBurn, ...bad(w) };
    expect(() => new ChaosExperiments(w.stack, 'Chaos', props)).toThrow(message);
  });

  test('an imported alarm works as the stop condition', () => {
    const w = world(1);
    const alarm = cloudwatch.Alarm.fromAlarmArn(w.stack, 'Stop', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:stop');
    new ChaosExperiments(w.stack, 'Chaos', { service: w.fleet.service, availabilityZone: 'eu-west-1c', clusters: [w.databases[0].cluster], stopAlarm: alarm });
    Template.fromStack(w.stack).hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:stop' }],
    });
    Template.fromStack(w.stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});
