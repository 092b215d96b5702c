import { App, Stack } from 'aws-cdk-lib';
import { AppImage, ScaleLadder, Tier } from '../lib';
for (const name of (process.argv[2] ?? '1K,10K,100K,1M').split(',')) {
  const t0 = Date.now();
  const app = new App({ outdir: `/tmp/t/out-${name}` });
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
  new ScaleLadder(stack, 'App', { tier: Tier.fromName(name), image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27') });
  const asm = app.synth();
  const tpl = asm.getStackByName('Shop').template;
  const types: Record<string, number> = {};
  for (const r of Object.values<any>(tpl.Resources)) types[r.Type] = (types[r.Type] ?? 0) + 1;
  console.log(name, Object.keys(tpl.Resources).length, 'resources', Date.now() - t0, 'ms', 'missing:', JSON.stringify(asm.manifest.missing ?? []).slice(0, 200));
}
