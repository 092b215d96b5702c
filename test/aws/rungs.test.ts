import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppContract, Tier } from '../../lib';
import { STACK_ID } from '../../lib/aws/ladder/synth-rung';
import { isStatefulAwsType } from '../../lib/aws/upgrade/planner';
import { AWS_RUNGS, awsRung, awsTemplate, awsTemplateJson, awsTemplatesJson } from '../support/rungs';

const RETAINING = ['Retain', 'Snapshot', 'RetainExceptOnCreate'];
// Standard OpenTelemetry variables the tracing sidecar adds (AWS 10M+), beside the app contract.
const OTEL = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_SERVICE_NAME'];

describe.each(AWS_RUNGS)('rung %s on AWS', (rung) => {
  // The run's shared synthesis (jest global setup); awsRung(rung) is this file's own build and
  // synthesis of the rung, with aws-cdk-lib's CloudFormation validation (off in the other suites).
  const templates = awsTemplatesJson(rung);
  const tier = Tier.fromName(rung);

  test('matches the snapshot (every stack)', () => {
    expect(templates).toMatchSnapshot();
  });

  test('every stack stays within the limits (400 resources, 150 outputs, 800 KB)', () => {
    for (const template of Object.values<any>(templates)) {
      expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(400);
      expect(Object.keys(template.Outputs ?? {}).length).toBeLessThanOrEqual(150);
      expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThanOrEqual(800 * 1024);
    }
  });

  test('every stateful resource is protected from deletion and replacement', () => {
    for (const template of Object.values<any>(templates)) {
      const unprotected = Object.entries<any>(template.Resources)
        .filter(([, r]) => isStatefulAwsType(r.Type))
        .filter(([, r]) => !RETAINING.includes(r.DeletionPolicy) || !RETAINING.includes(r.UpdateReplacePolicy))
        .map(([id]) => id);
      expect(unprotected).toEqual([]);
      for (const cluster of Object.values<any>(Template.fromJSON(template).findResources('AWS::RDS::DBCluster'))) {
        expect(cluster.Properties.DeletionProtection).toBe(true);
      }
    }
  });

  test('every app container, in every region, receives exactly the contract variables of its rung', () => {
    const contract = AppContract.variablesFor(tier).map(v => v.name);
    const expected = [...contract, ...(tier.spec.operations.tracing ? OTEL : [])].sort();
    for (const template of Object.values<any>(templates)) {
      const tasks = Object.values<any>(Template.fromJSON(template).findResources('AWS::ECS::TaskDefinition'));
      // The rebalance task is an operator's tool, not the app.
      for (const task of tasks.filter(t => t.Properties.ContainerDefinitions[0].Name !== 'rebalance')) {
        const container = task.Properties.ContainerDefinitions.find((c: any) => c.Name !== 'aws-otel-collector');
        const names = [...(container.Environment ?? []).map((e: any) => e.Name), ...(container.Secrets ?? []).map((s: any) => s.Name)].sort();
        expect(names).toEqual(expected);
      }
      if (tasks.length === 0) {
        // The server reads its variables from its environment parameter (`{"variables":…,"secrets":…}`).
        const parameter = Object.values<any>(template.Resources)
          .find(r => String(r.Metadata?.['aws:cdk:path']).endsWith('Server/AppEnvironment/Resource'));
        const value = JSON.stringify(parameter.Properties.Value);
        for (const name of contract) expect(value).toContain(`\\"${name}\\":`);
      }
    }
  });

  test('synthesis is offline (no context lookups) and deterministic', () => {
    const again = awsRung(rung).assembly;
    expect(again.manifest.missing ?? []).toEqual([]);
    expect(again.stacks.map(s => s.stackName)).toEqual(Object.keys(templates));
    for (const stack of again.stacks) expect(JSON.stringify(stack.template)).toBe(JSON.stringify(templates[stack.stackName]));
  });

  test('aws-cdk-lib\'s CloudFormation validation ran on every stack and reports nothing that is not acknowledged in code', () => {
    // An unacknowledged error already fails the synthesis (@aws-cdk/core:validateAgainstDefaultRules).
    const reports = awsRung(rung).validationReport.pluginReports;
    expect(reports.map((r: any) => r.pluginName)).toContain('CloudFormation Validate');
    for (const report of reports) {
      expect({ plugin: report.pluginName, conclusion: report.conclusion, violations: report.violations })
        .toEqual({ plugin: report.pluginName, conclusion: 'success', violations: [] });
    }
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const findings: string[] = [];
    for (const stack of awsRung(rung).app.node.children.filter(Stack.isStack)) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      findings.push(...report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`));
    }
    expect(findings).toEqual([]);
  });
});

describe('what each rung switches on (primary stack)', () => {
  const count = (rung: string, type: string) => Object.keys(awsTemplate(rung).findResources(type)).length;

  test.each([
    // rung, instances, clusters, db instances, services, caches, distributions, queues, streams, global clusters
    ['1K', 1, 0, 0, 0, 0, 0, 0, 0, 0],
    ['10K', 1, 1, 1, 0, 0, 0, 0, 0, 0],
    ['100K', 0, 1, 2, 1, 0, 0, 0, 0, 0],
    ['1M', 0, 1, 3, 1, 1, 1, 0, 0, 0],
    ['10M', 0, 4, 12, 3, 1, 1, 2, 0, 0],
    ['100M', 0, 8, 24, 4, 1, 1, 2, 1, 8],
    ['1B', 0, 8, 24, 4, 1, 1, 2, 1, 8],
  ])('%s', (rung, instances, clusters, dbInstances, services, caches, distributions, queues, streams, globals) => {
    expect(count(rung, 'AWS::EC2::Instance')).toBe(instances);
    expect(count(rung, 'AWS::RDS::DBCluster')).toBe(clusters);
    expect(count(rung, 'AWS::RDS::DBInstance')).toBe(dbInstances);
    expect(count(rung, 'AWS::ECS::Service')).toBe(services);
    expect(count(rung, 'AWS::ElastiCache::ReplicationGroup')).toBe(caches);
    expect(count(rung, 'AWS::CloudFront::Distribution')).toBe(distributions);
    expect(count(rung, 'AWS::SQS::Queue')).toBe(queues);
    expect(count(rung, 'AWS::Kinesis::Stream')).toBe(streams);
    expect(count(rung, 'AWS::RDS::GlobalCluster')).toBe(globals);
    expect(count(rung, 'AWS::EC2::Volume')).toBe(1);
  });

  test('sizes come from the tier table', () => {
    awsTemplate('1M').hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: Tier.USERS_1M.spec.fleet!.minInstances, MaxCapacity: Tier.USERS_1M.spec.fleet!.maxInstances,
    });
    awsTemplate('100K').hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: {
        MinCapacity: Tier.USERS_100K.spec.database!.awsMinCapacityAcu,
        MaxCapacity: Tier.USERS_100K.spec.database!.awsMaxCapacityAcu,
      },
    });
  });

  test('1B routes by latency with health checks in every region; the CDN sends every method to that latency-routed origin', () => {
    const regions = Object.values<any>(awsTemplatesJson('1B'));
    for (const template of regions) {
      Template.fromJSON(template).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'origin.example.com.', Type: 'A', Region: expectRegion(template), HealthCheckId: { Ref: Match.stringLikeRegexp('HealthCheck') },
      });
    }
    const distribution = Object.values<any>(awsTemplate('1B').findResources('AWS::CloudFront::Distribution'))[0];
    // Origin groups serve read-only behaviours only (failoverPathPatterns); none are asked for here.
    expect(distribution.Properties.DistributionConfig.OriginGroups).toBeUndefined();
    const origins = distribution.Properties.DistributionConfig.Origins.map((o: any) => o.DomainName);
    expect(origins).toEqual(expect.arrayContaining(['origin.example.com']));
  });

  test('the 100M standby runs the fleet at one task; the same region serves at full size on 1B', () => {
    const standby = Template.fromJSON(awsTemplatesJson('100M')[`${STACK_ID}-us-west-2`]);
    const active = Template.fromJSON(awsTemplatesJson('1B')[`${STACK_ID}-us-west-2`]);
    // The floor is the scalable target's (no DesiredCount: autoscaling owns the count).
    const fleetFloor = (t: Template) => Object.values<any>(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))
      .find(target => JSON.stringify(target.Properties.ResourceId).includes('FleetService'))?.Properties.MinCapacity;
    expect(fleetFloor(standby)).toBe(1);
    expect(fleetFloor(active)).toBe(Tier.USERS_1B.spec.fleet!.minInstances);
    standby.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

function expectRegion(template: any): any {
  return awsTemplateJson('1B') === template ? 'us-east-1' : Match.stringLikeRegexp('^(us-west-2|eu-west-1)$');
}
