// A CDK app on the AWS ladder (cdk.json: `"app": "npx ts-node examples/aws/app.ts"`).
// Pick the rung with SHOP_TIER (1K … 1B) and climb by changing it: the construct id,
// region, `regions` and `zone` stay the same between swaps, so every database, volume,
// bucket, cache, queue and secret keeps its logical id. Before each swap, look at
//   npx scale-ladder plan --cloud aws --from <current> --to <next>
// and deploy only on `verdict: SAFE` (or follow the steps a MIGRATION prints).
import { App, Stack } from 'aws-cdk-lib';
import { AppImage, ScaleLadder, Tier } from '../../lib';

export function buildShop(tierName: string, outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Shop', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: 'eu-west-1' },
  });
  new ScaleLadder(stack, 'App', {
    tier: Tier.fromName(tierName),
    image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'),
    port: 80,
    healthCheckPath: '/',
    // Runs from 10M; below that the app serves every path itself.
    services: [{ name: 'api', pathPatterns: ['/api/*'] }],
    // 100M adds a warm standby in the first; 1B serves from all three. Append, never reorder.
    regions: ['eu-central-1', 'us-east-1'],
    // Needed from 1B: latency routing publishes origin.shop.example.com in this zone.
    zone: { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'shop.example.com' },
  });
  return app;
}

if (require.main === module) {
  buildShop(process.env.SHOP_TIER ?? '1K').synth();
}
