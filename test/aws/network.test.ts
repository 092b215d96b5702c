import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LadderNetwork } from '../../lib';
import { testStack } from '../support/stacks';

function subnetCidrs(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, r] of Object.entries<any>(template.findResources('AWS::EC2::Subnet'))) out[id] = r.Properties.CidrBlock;
  return out;
}

describe('LadderNetwork', () => {
  test('three explicit zones from the region table, no context lookup', () => {
    const stack = testStack('eu-west-1');
    new LadderNetwork(stack, 'Network');
    const template = Template.fromStack(stack);
    const zones = Object.values<any>(template.findResources('AWS::EC2::Subnet')).map(r => r.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
    const assembly = stack.node.root as any;
    expect(assembly.synth().manifest.missing ?? []).toEqual([]);
  });

  test('rung 1K reserves the private subnets: no NAT gateways, public and isolated subnets only', () => {
    const stack = testStack();
    new LadderNetwork(stack, 'Network', { privateSubnets: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
  });

  test('switching private subnets on keeps every existing subnet range and adds a NAT per zone', () => {
    const small = testStack();
    new LadderNetwork(small, 'Network', { privateSubnets: false });
    const large = testStack();
    new LadderNetwork(large, 'Network', { privateSubnets: true });
    const before = subnetCidrs(Template.fromStack(small));
    const after = subnetCidrs(Template.fromStack(large));
    for (const [id, cidr] of Object.entries(before)) expect(after[id]).toBe(cidr);
    expect(Object.keys(after)).toHaveLength(9);
    Template.fromStack(large).resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('public subnets do not hand out public IPs; flow logs are on with retention', () => {
    const stack = testStack();
    new LadderNetwork(stack, 'Network');
    const template = Template.fromStack(stack);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    // The default security group is stripped of its rules.
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('user-given zones are used as given', () => {
    const stack = testStack('us-east-1');
    new LadderNetwork(stack, 'Network', { availabilityZones: ['us-east-1d', 'us-east-1e', 'us-east-1f'] });
    const zones = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::Subnet')).map(r => r.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['us-east-1d', 'us-east-1e', 'us-east-1f']));
  });
});

describe('LadderNetwork bad input', () => {
  test('an environment-agnostic stack needs explicit zones', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => new LadderNetwork(stack, 'Network')).toThrow('availabilityZones must be given when the stack has no concrete region (env.region), got none');
    expect(() => new LadderNetwork(stack, 'Network2', { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] })).not.toThrow();
  });

  test('flow log retention CloudWatch does not offer', () => {
    expect(() => new LadderNetwork(testStack(), 'Network', { flowLogRetentionDays: 45 })).toThrow(/flowLogRetentionDays must be one of 1, 3, 5, 7, .*got 45/);
  });
});
