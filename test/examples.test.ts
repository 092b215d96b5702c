import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildShop } from '../examples/aws/app';
import { planAwsTemplates } from '../lib/aws/upgrade/planner';
import { losesData } from '../lib/core/upgrade-plan';

/* The AWS example app is a test too: it synthesizes on the rungs it documents and climbs safely. */

function templates(tier: string): Record<string, any> {
  const assembly = buildShop(tier).synth();
  return Object.fromEntries(assembly.stacks.map(s => [s.stackName, s.template]));
}

describe('examples/aws/app.ts', () => {
  test('builds rung 1K as one stack in eu-west-1 with the single server', () => {
    const app = buildShop('1K');
    const stacks = app.node.children.filter(Stack.isStack);
    expect(stacks.map(s => s.region)).toEqual(['eu-west-1']);
    Template.fromStack(stacks[0]).resourceCountIs('AWS::EC2::Instance', 1);
  });

  test('climbs 1M → 10M keeping every data-bearing resource (a MIGRATION: the new shards wait for a rebalance) and runs the api service from 10M', () => {
    const before = templates('1M');
    const after = templates('10M');
    const plan = planAwsTemplates('1M', '10M', before, after);
    expect(plan.changes.filter(losesData)).toEqual([]);
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.migrations.map(m => m.title)).toEqual(['Rebalance key buckets onto the new shards (1 → 4 shards)']);
    expect(plan.migrations[0].instructions).toContain('--stack-name Shop ');
    // The path condition, next to the origin-verify header condition every rule carries from 1M.
    Template.fromJSON(after.Shop).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }]),
    });
    expect(JSON.stringify(before.Shop)).not.toContain('/api/*');
  });

  test('1B runs in the three regions it names, plus the us-east-1 edge stack a eu-west-1 primary needs for CloudFront', () => {
    expect(Object.keys(templates('1B')).sort()).toEqual(['Shop', 'Shop-edge', 'Shop-eu-central-1', 'Shop-us-east-1']);
  });
});
