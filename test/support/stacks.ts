import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PINNED_FLAGS } from './feature-flags';
import { LadderNetwork } from '../../lib';

/** A fresh env-specific stack (eu-west-1) with pinned flags. */
export function testStack(region = 'eu-west-1'): Stack {
  const app = new App({ context: PINNED_FLAGS });
  return new Stack(app, 'Test', { env: { account: '123456789012', region } });
}

/** A stack with the ladder's network, for layers used on their own. */
export function stackWithNetwork(privateSubnets = true): { stack: Stack; vpc: ec2.Vpc } {
  const stack = testStack();
  const network = new LadderNetwork(stack, 'Network', { privateSubnets });
  return { stack, vpc: network.vpc };
}
