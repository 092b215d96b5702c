// A cdktf app on the Google Cloud ladder. Synthesize with `npx cdktf synth` (cdktf.json:
// `"app": "npx ts-node examples/gcp/main.ts"`) or run this file with ts-node; apply the
// resulting stacks/shop/cdk.tf.json with `terraform -chdir=cdktf.out/stacks/shop init && … apply`.
//
// Climbing the ladder is a one-word change: replace `Tier1K` with `Tier10K` (a MIGRATION: see
// `npx scale-ladder plan --cloud gcp --from 1K --to 10K`), later `Tier100K`, `Tier1M`, …
// Keep the construct id ('App'), `name`, `region` and `regions` unchanged between swaps.
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, GcsBackend, TerraformStack } from 'cdktf';
import { gcp } from '../../lib';

export function buildShop(project: string, outdir?: string): { app: App; shop: gcp.Tier1K } {
  const region = 'europe-west1';
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'shop');
  // Keep Terraform state outside the machine (the bucket must exist).
  new GcsBackend(stack, { bucket: `${project}-tfstate`, prefix: 'shop' });
  new GoogleProvider(stack, 'google', { project, region });

  const shop = new gcp.Tier1K(stack, 'App', {
    project,
    region,
    name: 'shop',
    image: 'gcr.io/google-samples/hello-app:2.0',
    port: 8080,
    healthCheckPath: '/',
    // domainName: 'shop.example.com', // TLS (Let's Encrypt on the server, managed certificate on the load balancer)
    // regions: ['europe-west4', 'us-east1'], // warm standby on 100M, active on 1B; append, never reorder
  });

  // Escape hatch: every resource is a public field (here: a larger data disk for the 1K server).
  shop.singleServer.dataDisk.size = 50;

  return { app, shop };
}

if (require.main === module) {
  buildShop(process.env.GOOGLE_CLOUD_PROJECT ?? 'my-shop-prod').app.synth();
}
