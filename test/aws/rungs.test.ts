import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppContract, Tier } from '../../lib';
import { isStatefulAwsType } from '../../lib/aws/planner';
import { buildAwsRung } from '../../lib/aws/synth-rung';
import { PINNED_FLAGS } from '../support/feature-flags';
import { awsTemplate, awsTemplateJson, LOWER_AWS_RUNGS } from '../support/rungs';

const RETAINING = ['Retain', 'Snapshot', 'RetainExceptOnCreate'];

describe.each(LOWER_AWS_RUNGS)('rung %s on AWS', (rung) => {
  const json = awsTemplateJson(rung);
  const template = Template.fromJSON(json);
  const tier = Tier.fromName(rung);

  test('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('stays within the stack limits (400 resources, 150 outputs, 800 KB)', () => {
    expect(Object.keys(json.Resources).length).toBeLessThanOrEqual(400);
    expect(Object.keys(json.Outputs ?? {}).length).toBeLessThanOrEqual(150);
    expect(Buffer.byteLength(JSON.stringify(json))).toBeLessThanOrEqual(800 * 1024);
  });

  test('every stateful resource is protected from deletion and replacement', () => {
    const unprotected = Object.entries<any>(json.Resources)
      .filter(([, r]) => isStatefulAwsType(r.Type))
      .filter(([, r]) => !RETAINING.includes(r.DeletionPolicy) || !RETAINING.includes(r.UpdateReplacePolicy))
      .map(([id]) => id);
    expect(unprotected).toEqual([]);
    for (const cluster of Object.values<any>(template.findResources('AWS::RDS::DBCluster'))) {
      expect(cluster.Properties.DeletionProtection).toBe(true);
    }
  });

  test('the app receives exactly the contract variables of its rung', () => {
    const expected = AppContract.variablesFor(tier).map(v => v.name).sort();
    const text = JSON.stringify(json);
    const [task] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
    if (task) {
      const container = task.Properties.ContainerDefinitions[0];
      const names = [...container.Environment.map((e: any) => e.Name), ...(container.Secrets ?? []).map((s: any) => s.Name)].sort();
      expect(names).toEqual(expected);
    } else {
      for (const name of expected) expect(text).toContain(`${name}=`);
    }
  });

  test('synthesis is offline (no context lookups) and deterministic', () => {
    const first = buildAwsRung(rung, undefined, { context: PINNED_FLAGS }).app.synth();
    const second = buildAwsRung(rung, undefined, { context: PINNED_FLAGS }).app.synth();
    expect(first.manifest.missing ?? []).toEqual([]);
    expect(JSON.stringify(first.getStackByName('ScaleLadder').template)).toBe(JSON.stringify(second.getStackByName('ScaleLadder').template));
  });

  test('cdk-nag AwsSolutions reports nothing that is not acknowledged in code', () => {
    const { stack } = buildAwsRung(rung, undefined, { context: PINNED_FLAGS });
    stack.node.findAll().filter(CfnResource.isCfnResource); // build the whole tree first
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(v => `${v.ruleName}: ${v.violatingResources.map(r => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('what each rung switches on', () => {
  const count = (rung: string, type: string) => Object.keys(awsTemplate(rung).findResources(type)).length;

  test.each([
    // rung, instances, clusters, readers (+writer), services, caches, distributions
    ['1K', 1, 0, 0, 0, 0, 0],
    ['10K', 1, 1, 1, 0, 0, 0],
    ['100K', 0, 1, 2, 1, 0, 0],
    ['1M', 0, 1, 3, 1, 1, 1],
  ])('%s', (rung, instances, clusters, dbInstances, services, caches, distributions) => {
    expect(count(rung, 'AWS::EC2::Instance')).toBe(instances);
    expect(count(rung, 'AWS::RDS::DBCluster')).toBe(clusters);
    expect(count(rung, 'AWS::RDS::DBInstance')).toBe(dbInstances);
    expect(count(rung, 'AWS::ECS::Service')).toBe(services);
    expect(count(rung, 'AWS::ElastiCache::ReplicationGroup')).toBe(caches);
    expect(count(rung, 'AWS::CloudFront::Distribution')).toBe(distributions);
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
});
