// Climbing your own app. The rung comes from CDK context, so a climb is one changed value:
//
//   npx cdk synth -c tier=10K -o cdk.out.10K
//   npx cdk synth -c tier=100K -o cdk.out.100K
//   npx scale-ladder plan --cloud aws --from cdk.out.10K --to cdk.out.100K
//   npx cdk deploy -c tier=100K --all      # after the plan's migration steps, if any
//
// (Run from this directory: cdk.json runs this file with ts-node.) Everything else stays the same
// on every rung: the stack and construct ids, the region, `regions`, `cidr` and `sizing`.
import { App, Stack } from 'aws-cdk-lib';
import { AppImage, ScaleLadder, Sizing, Tier } from '../../lib';

/** This app's own sizes, kept on every rung where their layer exists. */
export const STOREFRONT_SIZING: Sizing = {
  fleetVcpu: 2,
  fleetMemoryGib: 4,
  fleetMinInstances: 3,
  logRetentionDays: 90,
};

/** Adds the storefront on the rung named by the `tier` context value (default 10K). */
export function buildStorefront(app: App): App {
  const tier = Tier.fromName(app.node.tryGetContext('tier') ?? '10K');
  const stack = new Stack(app, 'Storefront', { env: { account: '111122223333', region: 'eu-west-1' } });
  new ScaleLadder(stack, 'Ladder', {
    tier,
    image: AppImage.fromRegistry('ghcr.io/example/storefront:2.4.1'),
    port: 8080,
    healthCheckPath: '/healthz',
    cidr: '10.40.0.0/16',
    regions: ['eu-central-1', 'us-east-1'],
    sizing: STOREFRONT_SIZING,
  });
  return app;
}

if (require.main === module) {
  buildStorefront(new App()).synth();
}
