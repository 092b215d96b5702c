import * as fs from 'fs';
import * as path from 'path';
import { installApp, npmPack, requireCompiled, ROOT, run, RunResult, tempDir, writeApp } from './support';
import { AppContract, Tier } from '../../lib/core';

/*
 * The packed tarball, installed into two empty apps from the npm cache — one with only the AWS
 * peers (aws-cdk-lib, constructs), one with only the Google ones (cdktf, @cdktf/provider-google,
 * constructs) — synthesizes a rung there, through the library and through the `scale-ladder`
 * command, and names the missing peers when the other cloud is asked for. Neither app has
 * ts-node or TypeScript, so the command runs the compiled dist/cli/main.js.
 *
 * Needs the compiled dist/ (`npm test` compiles first) and the packages in the npm cache
 * (`npm ci` in the repository puts them there). The two apps install and run side by side.
 */

const AWS_SCRIPT = `
const fs = require('fs');
const { App, Stack } = require('aws-cdk-lib');
const { AppContract, AppImage, ScaleLadderError, Tier, Tier1K } = require('scale-ladder');
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
new Tier1K(stack, 'App', { image: AppImage.fromRegistry('public.ecr.aws/docker/library/nginx:1.27'), port: 80 });
const template = app.synth().getStackByName('Shop').template;
let badRung;
try { AppContract.variablesFor('2M'); } catch (e) { badRung = { scaleLadderError: e instanceof ScaleLadderError, message: e.message }; }
let gcp;
try { void require('scale-ladder').gcp.Tier1K; } catch (e) { gcp = e.message; }
console.log(JSON.stringify({
  resources: Object.keys(template.Resources).length,
  instances: Object.values(template.Resources).filter(r => r.Type === 'AWS::EC2::Instance').length,
  tier: Tier.USERS_1K.name,
  badRung,
  gcp,
  cdktfLoaded: Object.keys(require.cache).some(m => m.includes('/node_modules/cdktf/')),
}));
`;

const GCP_SCRIPT = `
const fs = require('fs');
const path = require('path');
const { App, TerraformStack } = require('cdktf');
const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
const { gcp, AppContract } = require('scale-ladder');
const app = new App({ outdir: process.argv[2] });
const stack = new TerraformStack(app, 'shop');
new GoogleProvider(stack, 'google', { project: 'my-shop', region: 'europe-west1' });
new gcp.Tier1K(stack, 'App', { project: 'my-shop', region: 'europe-west1', name: 'shop', image: 'gcr.io/google-samples/hello-app:2.0', port: 8080, healthCheckPath: '/' });
app.synth();
const tf = JSON.parse(fs.readFileSync(path.join(process.argv[2], 'stacks', 'shop', 'cdk.tf.json'), 'utf8'));
let aws;
try { void require('scale-ladder').Tier1K; } catch (e) { aws = e.message; }
console.log(JSON.stringify({
  resources: Object.values(tf.resource).reduce((n, byType) => n + Object.keys(byType).length, 0),
  instances: Object.keys(tf.resource.google_compute_instance || {}).length,
  variables: AppContract.variablesFor('1M').length,
  aws,
  awsCdkLibLoaded: Object.keys(require.cache).some(m => m.includes('/node_modules/aws-cdk-lib/')),
}));
`;

function expectOk(result: RunResult): RunResult {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result;
}

describe('the packed tarball, installed from the npm cache', () => {
  let work: string;
  let tarball: string;
  const timings: string[] = [];
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await step();
    } finally {
      timings.push(`${label} ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
  };

  beforeAll(async () => {
    await requireCompiled();
    work = tempDir('scale-ladder-install-');
    const pack = await timed('npm pack', async () => npmPack(ROOT, { destination: work }));
    tarball = path.join(work, pack.filename);
  });

  afterAll(() => {
    console.log(`package install test: ${timings.join(', ')}`);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('works for an AWS-only app and a Google-only app', async () => {
    const awsApp = path.join(work, 'aws-app');
    const gcpApp = path.join(work, 'gcp-app');
    writeApp(awsApp, tarball, ['aws-cdk-lib', 'constructs']);
    writeApp(gcpApp, tarball, ['cdktf', '@cdktf/provider-google', 'constructs']);
    fs.writeFileSync(path.join(awsApp, 'synth.js'), AWS_SCRIPT);
    fs.writeFileSync(path.join(gcpApp, 'synth.js'), GCP_SCRIPT);
    const cli = (app: string) => path.join(app, 'node_modules', '.bin', 'scale-ladder');
    const node = process.execPath;

    const [aws, gcp] = await Promise.all([
      timed('AWS app', async () => {
        await timed('AWS install', () => installApp(awsApp));
        return {
          script: await run(node, ['synth.js', 'out'], awsApp),
          plan: await run(cli(awsApp), ['plan', '--cloud', 'aws', '--from', '1K', '--to', '10K'], awsApp),
          otherCloud: await run(cli(awsApp), ['synth', '--cloud', 'gcp', '--tier', '1K'], awsApp),
        };
      }),
      timed('Google app', async () => {
        await timed('Google install', () => installApp(gcpApp));
        return {
          script: await run(node, ['synth.js', 'out'], gcpApp),
          synth: await run(cli(gcpApp), ['synth', '--cloud', 'gcp', '--tier', '1K', '--json', '--out', 'cli-out'], gcpApp),
          otherCloud: await run(cli(gcpApp), ['synth', '--cloud', 'aws', '--tier', '1K'], gcpApp),
        };
      }),
    ]);

    // Each app has its own cloud's libraries and not the other's (npm installs no optional peer).
    const has = (app: string, name: string) => fs.existsSync(path.join(app, 'node_modules', name, 'package.json'));
    expect([has(awsApp, 'aws-cdk-lib'), has(awsApp, 'cdktf'), has(awsApp, '@cdktf/provider-google'), has(awsApp, 'ts-node'), has(awsApp, 'typescript')])
      .toEqual([true, false, false, false, false]);
    expect([has(gcpApp, 'aws-cdk-lib'), has(gcpApp, 'cdktf'), has(gcpApp, '@cdktf/provider-google'), has(gcpApp, 'ts-node'), has(gcpApp, 'typescript')])
      .toEqual([false, true, true, false, false]);

    // AWS: the library synthesizes rung 1K (one server), and `gcp` names the peers it needs.
    const awsOut = JSON.parse(expectOk(aws.script).stdout);
    expect(awsOut).toMatchObject({
      instances: 1,
      tier: '1K',
      badRung: { scaleLadderError: true, message: "tier must be one of 1K, 10K, 100K, 1M, 10M, 100M, 1B, got '2M'" },
      cdktfLoaded: false,
    });
    expect(awsOut.resources).toBeGreaterThan(20);
    expect(awsOut.gcp).toMatch(/^scale-ladder's Google Cloud constructs need the peer dependencies cdktf, @cdktf\/provider-google and constructs; (cdktf|@cdktf\/provider-google) is not installed \(npm install cdktf @cdktf\/provider-google constructs\)/);
    // The command (compiled, with the bundled @aws-cdk/cloudformation-diff) plans a swap.
    expectOk(aws.plan);
    expect(aws.plan.stdout.trim().split('\n').pop()).toBe('verdict: MIGRATION');
    expect(aws.otherCloud).toMatchObject({ code: 1, stdout: '' });
    expect(aws.otherCloud.stderr).toMatch(/^scale-ladder synth: --cloud gcp needs the optional peer dependencies cdktf and @cdktf\/provider-google \(npm install cdktf @cdktf\/provider-google\); cannot load '@?cdktf[^']*'\n$/);

    // Google Cloud: the library and the command synthesize rung 1K (one server).
    const gcpOut = JSON.parse(expectOk(gcp.script).stdout);
    expect(gcpOut).toMatchObject({ instances: 1, variables: AppContract.variablesFor(Tier.USERS_1M).length, awsCdkLibLoaded: false });
    expect(gcpOut.resources).toBeGreaterThan(10);
    expect(gcpOut.aws).toMatch(/^scale-ladder's AWS constructs need the peer dependencies aws-cdk-lib and constructs; aws-cdk-lib is not installed \(npm install aws-cdk-lib constructs\)/);
    const synth = JSON.parse(expectOk(gcp.synth).stdout);
    expect(JSON.stringify(synth)).toContain('cdk.tf.json');
    expect(gcp.otherCloud).toMatchObject({ code: 1, stdout: '' });
    expect(gcp.otherCloud.stderr).toMatch(/^scale-ladder synth: --cloud aws needs the peer dependencies aws-cdk-lib \(optional, for AWS only\) and constructs \(npm install aws-cdk-lib constructs\); cannot load 'aws-cdk-lib[^']*'\n$/);
  }, 300_000);
});
