import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { logRetention } from './log-retention';
import { requireIntInRange, requireOneOf, requirePattern } from '../../core/errors';
import { nagArn } from '../internal/acknowledgements';

/** Props for {@link ChaosExperiments}. */
export interface ChaosExperimentsProps {
  /** The Fargate service whose tasks the zone experiment stops. */
  readonly service: ecs.FargateService;
  /** The availability zone whose tasks are stopped (one of the service VPC's zones). */
  readonly availabilityZone: string;
  /** The Aurora clusters to fail over, one experiment template each (1-16). */
  readonly clusters: rds.IDatabaseCluster[];
  /** The alarm that stops a running experiment (e.g. the SLO fast-burn alarm). */
  readonly stopAlarm: cloudwatch.IAlarm;
  /**
   * Days experiment logs are kept.
   * @default 90
   */
  readonly logRetentionDays?: number;
}

/**
 * From rung 100M: AWS FIS experiment templates — the seeds' chaos engineering made real.
 * One template stops every task of the service in one availability zone (`aws:ecs:stop-task`
 * on `aws:ecs:task` targets identified by the cluster and service parameters and filtered on
 * the task's `AvailabilityZone`); one template per Aurora cluster forces a failover
 * (`aws:rds:failover-db-cluster`). Each stops when `stopAlarm` fires, runs under its own
 * least-privilege role and logs to CloudWatch Logs. Templates are only created: nothing runs
 * until someone calls `aws fis start-experiment --experiment-template-id <id>`.
 */
export class ChaosExperiments extends Construct {
  /** Experiment logs (schema version 2). */
  public readonly logGroup: logs.LogGroup;
  /** The role FIS assumes to stop the service's tasks. */
  public readonly stopTasksRole: iam.Role;
  /** Stops every task of the service in `availabilityZone`. */
  public readonly stopTasksInZone: fis.CfnExperimentTemplate;
  /** The role FIS assumes to fail the clusters over. */
  public readonly failoverRole: iam.Role;
  /** One failover template per cluster, in the order given. */
  public readonly failoverTemplates: fis.CfnExperimentTemplate[] = [];

  constructor(scope: Construct, id: string, props: ChaosExperimentsProps) {
    super(scope, id);
    const zone = requirePattern('availabilityZone', props.availabilityZone, /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an availability zone name such as eu-west-1a');
    const zones = props.service.cluster.vpc.availabilityZones;
    if (!zones.some(z => Token.isUnresolved(z))) requireOneOf('availabilityZone', zone, zones);
    requireIntInRange('clusters.length', props.clusters.length, 1, 16);
    const retention = logRetention('logRetentionDays', props.logRetentionDays ?? 90);
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention });
    const logConfiguration: fis.CfnExperimentTemplate.ExperimentTemplateLogConfigurationProperty = {
      logSchemaVersion: 2,
      cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
    };
    const stopConditions = [{ source: 'aws:cloudwatch:alarm', value: props.stopAlarm.alarmArn }];

    // --- stop the service's tasks in one zone ---
    const cluster = props.service.cluster;
    this.stopTasksRole = this.experimentRole('StopTasksRole', 'FIS: stop the app service\'s tasks in one availability zone', props.stopAlarm);
    const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
    this.stopTasksRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [tasks] }));
    Validations.of(this.stopTasksRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, tasks)}]`,
      reason: 'Task ids are assigned at run time; the grant covers only tasks of the app\'s cluster.',
    });
    this.stopTasksRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeClusters'], resources: [cluster.clusterArn] }));
    // ListTasks authorizes on the cluster through a condition, not a resource ARN.
    this.stopTasksRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    this.stopTasksInZone = new fis.CfnExperimentTemplate(this, 'StopTasksInZone', {
      description: `Stop every task of the app service in ${zone}: the fleet must keep serving from the other zones and replace the tasks`,
      roleArn: this.stopTasksRole.roleArn,
      stopConditions,
      logConfiguration,
      targets: {
        TasksInZone: {
          resourceType: 'aws:ecs:task',
          parameters: { cluster: cluster.clusterName, service: props.service.serviceName },
          filters: [{ path: 'AvailabilityZone', values: [zone] }],
          selectionMode: 'ALL',
        },
      },
      actions: {
        StopTasks: { actionId: 'aws:ecs:stop-task', description: `Stop the service's tasks in ${zone}`, targets: { Tasks: 'TasksInZone' } },
      },
      tags: { Name: `${stack.stackName}-stop-tasks-${zone}` },
    });
    this.stopTasksInZone.node.addDependency(this.stopTasksRole);

    // --- fail over each Aurora cluster ---
    this.failoverRole = this.experimentRole('FailoverRole', 'FIS: fail over the Aurora clusters', props.stopAlarm);
    this.failoverRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['rds:FailoverDBCluster'],
      resources: props.clusters.map(c => c.clusterArn),
    }));
    // FIS resolves targets with DescribeDBClusters; it is read-only.
    this.failoverRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: ['*'] }));
    props.clusters.forEach((db, i) => {
      const template = new fis.CfnExperimentTemplate(this, `Failover${i}`, {
        description: `Fail over Aurora cluster ${i}: a reader becomes the writer; the app must reconnect within seconds`,
        roleArn: this.failoverRole.roleArn,
        stopConditions,
        logConfiguration,
        targets: { Cluster: { resourceType: 'aws:rds:cluster', resourceArns: [db.clusterArn], selectionMode: 'ALL' } },
        actions: {
          Failover: { actionId: 'aws:rds:failover-db-cluster', description: `Fail over cluster ${i}`, targets: { Clusters: 'Cluster' } },
        },
        tags: { Name: `${stack.stackName}-failover-${i}` },
      });
      template.node.addDependency(this.failoverRole);
      this.failoverTemplates.push(template);
    });
  }

  /** A role only FIS experiments of this account and region can assume, with logging and stop-alarm reads. */
  private experimentRole(id: string, description: string, stopAlarm: cloudwatch.IAlarm): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, id, {
      description,
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'fis', resource: 'experiment', resourceName: '*' }) },
      }),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [stopAlarm.alarmArn] }));
    // CloudWatch Logs vended-log delivery: none of these actions takes a resource ARN.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Log delivery setup (CreateLogDelivery, resource policies), ecs:ListTasks (scoped by the ecs:cluster condition) and rds:DescribeDBClusters (read-only target resolution) take no resource ARN.',
    });
    return role;
  }
}
