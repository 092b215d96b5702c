import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runCli, tempDir } from './cli/run-cli';
import { buildStorefront } from '../examples/upgrade/app';
import { UpgradePlanner } from '../lib';
import { planAwsOutputs, readAwsOutput } from '../lib/aws/upgrade/plan-output';
import { planAwsStacks } from '../lib/aws/upgrade/planner';

/*
 * examples/upgrade is a test too: a user's own app (stack Storefront, composer Ladder, its own
 * image, CIDR, regions and sizes) synthesized per rung from context as `cdk synth -c tier=…`
 * does, then planned from the output directories, both directions, and mutated the ways a real
 * edit would.
 */

const root = tempDir('scale-ladder-upgrade-');
const outputs = new Map<string, string>();

/** `cdk synth -c tier=<tier> -o cdk.out.<tier>`: the CLI hands the app its context and outdir like this. */
function synth(tier: string): string {
  if (!outputs.has(tier)) {
    const outdir = path.join(root, `cdk.out.${tier}`);
    buildStorefront(new App({ outdir, context: { 'tier': tier, 'aws:cdk:enable-path-metadata': true } })).synth();
    outputs.set(tier, outdir);
  }
  return outputs.get(tier)!;
}

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('examples/upgrade: the climb the README quotes', () => {
  test('scale-ladder plan --from cdk.out.10K --to cdk.out.100K: a MIGRATION whose steps name the user\'s stack and layers', async () => {
    synth('10K');
    synth('100K');
    const result = await runCli(['plan', '--cloud', 'aws', '--from', 'cdk.out.10K', '--to', 'cdk.out.100K'], root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text.split('\n')[0]).toBe('aws 10K → 100K: upgrade plan');
    expect(text).toContain('Retire the single server (10K → 100K)');
    expect(text).toContain('--stack-name Storefront ');
    expect(text).not.toContain('ScaleLadder');
    // Layers come from the user's composer (Storefront/Ladder/<layer>/…).
    expect(text).toMatch(/^Fleet {2}\(\d+ changes\)$/m);
    expect(text.trimEnd().split('\n').pop()).toBe('verdict: MIGRATION');
  });

  test('the sizes survive the climb: 2 vCPU / 4 GiB tasks, at least 3 of them, 90-day logs on 100K and 1M', () => {
    for (const tier of ['100K', '1M']) {
      const template = Template.fromJSON(readAwsOutput(synth(tier)).Storefront);
      template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '2048', Memory: '4096' });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3 });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    }
    // Nothing holding data changes but in place; the one step is the DNS move to CloudFront (no zone in this app).
    const plan = planAwsOutputs(synth('100K'), synth('1M'));
    expect(plan.changes.filter(c => c.lost)).toEqual([]);
    expect(plan.migrations.map(m => m.title)).toEqual(['Move your DNS name to CloudFront']);
  });

  test('the library API returns the plan the command prints', async () => {
    const plan = UpgradePlanner.planOutputs(synth('10K'), synth('100K'));
    const printed = await runCli(['plan', '--cloud', 'aws', '--from', synth('10K'), '--to', synth('100K'), '--json'], root);
    const { summary, ...fromCommand } = JSON.parse(printed.stdout);
    expect(fromCommand).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(summary.removed).toBeGreaterThan(0);
    expect(plan.verdict).toBe('MIGRATION');
  });

  test('a single template file plans like its directory', () => {
    const file = path.join(synth('100K'), 'Storefront.template.json');
    const fromDir = planAwsOutputs(synth('10K'), synth('100K'));
    const fromFile = planAwsOutputs(path.join(synth('10K'), 'Storefront.template.json'), file);
    expect(fromFile.changes).toEqual(fromDir.changes);
    expect(fromFile.verdict).toBe('MIGRATION');
  });
});

describe('downgrades of the user\'s app', () => {
  test('10M → 1M is UNSAFE: the shard clusters go, each named with what it loses, and the stranded buckets are said', () => {
    const plan = planAwsOutputs(synth('10M'), synth('1M'));
    expect(plan.verdict).toBe('UNSAFE');
    const lost = plan.changes.filter(c => c.lost).map(c => [c.id, c.lost]);
    expect(lost).toEqual(expect.arrayContaining([
      [expect.stringMatching(/^Storefront\/LadderShardsShard1Cluster/), expect.stringContaining('the cluster and its databases')],
      [expect.stringMatching(/^Storefront\/LadderQueue[0-9A-F]{8}$/), expect.stringContaining('the messages not yet processed: retained')],
    ]));
    expect(plan.notes?.join('\n')).toMatch(/Shards 1-3 leave: the rows of every bucket SHARD_BUCKETS assigns to them/);
  });

  test('1M → 100K is UNSAFE: the cache is deleted (the static-assets bucket is retained)', async () => {
    synth('1M');
    synth('100K');
    const result = await runCli(['plan', '--cloud', 'aws', '--from', 'cdk.out.1M', '--to', 'cdk.out.100K'], root);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Storefront\/LadderCacheReplicationGroup\w+ \(AWS::ElastiCache::ReplicationGroup\) deleted: loses the cached keys/);
    expect(result.stdout).toMatch(/- {2}remove {2}Storefront\/LadderEdgeStaticAssets\w+ +AWS::S3::Bucket +stateful; retained \(orphaned, not deleted\)/);
  });

  test('100K → 10K deletes no data (an Aurora reader holds none of its own): a MIGRATION that brings the server back', () => {
    const plan = planAwsOutputs(synth('100K'), synth('10K'));
    expect(plan.changes.filter(c => c.lost)).toEqual([]);
    expect(plan.changes.find(c => c.type === 'AWS::S3::Bucket')).toMatchObject({ action: 'REMOVE', retained: true });
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.migrations.map(m => m.title)).toEqual(['Bring the single server back (100K → 10K)']);
    const steps = plan.migrations[0].instructions;
    // No zone in this app: the outage and how to avoid it are said; the address is read by its exact output key.
    expect(steps).toMatch(/the app is unreachable from the cleanup phase until your record has moved/);
    expect(steps).toMatch(/Outputs\[\?OutputKey=='LadderServerServerAddress[0-9A-F]{8}'\]/);
  });
});

describe('edits of the user\'s output that lose data are UNSAFE, naming the resource and the property', () => {
  const clone = (o: unknown) => JSON.parse(JSON.stringify(o));
  function mutated(tier: string, edit: (template: any) => void) {
    const before = readAwsOutput(synth(tier));
    const after = clone(before);
    edit(after.Storefront);
    return planAwsStacks(before, after);
  }
  const idOf = (template: any, type: string, pattern = /./) =>
    Object.keys(template.Resources).find(id => template.Resources[id].Type === type && pattern.test(id))!;

  test.each([
    ['a renamed data-bearing construct', '1M', (t: any) => {
      const id = idOf(t, 'AWS::RDS::DBCluster');
      t.Resources[id.replace('Database', 'Db')] = t.Resources[id];
      delete t.Resources[id];
    }, /LadderDatabaseCluster/, 'REMOVE', undefined],
    ['a changed database name', '1M', (t: any) => { t.Resources[idOf(t, 'AWS::RDS::DBCluster')].Properties.DatabaseName = 'orders'; }, /LadderDatabaseCluster/, 'REPLACE', 'DatabaseName'],
    ['a changed cluster identifier', '1M', (t: any) => { t.Resources[idOf(t, 'AWS::RDS::DBCluster')].Properties.DBClusterIdentifier = 'renamed'; }, /LadderDatabaseCluster/, 'REPLACE', 'DBClusterIdentifier'],
    ['a changed network CIDR', '1M', (t: any) => { t.Resources[idOf(t, 'AWS::EC2::VPC')].Properties.CidrBlock = '10.41.0.0/16'; }, /LadderDatabaseCluster/, 'REPLACE', 'network'],
    ['a removed queue', '10M', (t: any) => { delete t.Resources[idOf(t, 'AWS::SQS::Queue', /LadderQueue[0-9A-F]{8}$/)]; }, /LadderQueue[0-9A-F]{8}$/, 'REMOVE', undefined],
    ['a cache reshard without the update policy that makes it in place', '1M', (t: any) => {
      const cache = t.Resources[idOf(t, 'AWS::ElastiCache::ReplicationGroup')];
      cache.Properties.NumNodeGroups = 5;
      delete cache.UpdatePolicy;
    }, /LadderCacheReplicationGroup/, 'REPLACE', 'NumNodeGroups'],
    ['a changed bucket location (its name, which places it)', '1M', (t: any) => { t.Resources[idOf(t, 'AWS::S3::Bucket', /StaticAssets/)].Properties.BucketName = 'storefront-assets-eu-central-1'; }, /StaticAssets/, 'REPLACE', 'BucketName'],
    ['a changed cache engine (the AWS counterpart of a Memorystore tier)', '1M', (t: any) => { t.Resources[idOf(t, 'AWS::ElastiCache::ReplicationGroup')].Properties.Engine = 'redis'; }, /LadderCacheReplicationGroup/, 'REPLACE', 'Engine'],
  ])('%s', (_what, tier, edit, idPattern, action, property) => {
    const plan = mutated(tier as string, edit as (t: any) => void);
    expect(plan.verdict).toBe('UNSAFE');
    const hit = plan.changes.find(c => c.stateful && idPattern.test(c.id) && c.action === action);
    expect(hit).toBeDefined();
    if (property) expect(hit!.properties?.some(p => p.startsWith(property as string))).toBe(true);
  });

  test('a new major engine version is UNSAFE (not proven in place); a new minor version is an interruption', () => {
    const major = mutated('1M', t => { t.Resources[idOf(t, 'AWS::RDS::DBCluster')].Properties.EngineVersion = '17.4'; });
    const replaced = major.changes.find(c => /LadderDatabaseCluster/.test(c.id))!;
    expect(replaced).toMatchObject({ action: 'REPLACE', properties: expect.arrayContaining(['EngineVersion']) });
    expect(major.verdict).toBe('UNSAFE');
    const minor = mutated('1M', t => { t.Resources[idOf(t, 'AWS::RDS::DBCluster')].Properties.EngineVersion = '16.10'; });
    const updated = minor.changes.find(c => /LadderDatabaseCluster/.test(c.id))!;
    expect(updated.action).toBe('UPDATE');
    expect(minor.interruptions.some(i => i.id === updated.id && /EngineVersion/.test(i.what))).toBe(true);
  });

  test('a renamed static-assets bucket is UNSAFE: the retained old one keeps the objects, the app gets an empty one', () => {
    const plan = mutated('1M', t => {
      const id = idOf(t, 'AWS::S3::Bucket', /StaticAssets/);
      t.Resources[id.replace('StaticAssets', 'Assets')] = t.Resources[id];
      delete t.Resources[id];
    });
    const removed = plan.changes.find(c => c.action === 'REMOVE' && /StaticAssets/.test(c.id))!;
    expect(removed).toMatchObject({ retained: true, supersededBy: expect.stringMatching(/LadderEdgeAssets/) });
    expect(plan.verdict).toBe('UNSAFE');
  });

  test('a regenerated secret is listed as an interruption: its consumers keep the old value', () => {
    const plan = mutated('1M', t => {
      const secret = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::SecretsManager::Secret' && r.Properties?.GenerateSecretString);
      secret.Properties.GenerateSecretString.PasswordLength = 41;
    });
    expect(plan.interruptions.some(i => /the secret gets a new value/.test(i.what))).toBe(true);
  });

  test('an output without a rung stamp: the changes are planned, no steps, and a note says why', () => {
    const plan = mutated('10K', t => { delete t.Metadata; });
    expect(plan.notes?.[0]).toMatch(/^No scale-ladder rung stamp \(template Metadata "scale-ladder"\) in the after output/);
    expect(plan.migrations).toEqual([]);
  });

  test('a bad path is a usage error naming it', async () => {
    const result = await runCli(['plan', '--cloud', 'aws', '--from', 'cdk.out.nope', '--to', '1M'], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("got 'cdk.out.nope': no such file or directory");
    fs.writeFileSync(path.join(root, 'broken.template.json'), '{');
    const broken = await runCli(['plan', '--cloud', 'aws', '--from', 'broken.template.json', '--to', '1M'], root);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/template '.*broken.template.json' is not valid JSON/);
  });
});

describe('the entry point moves to CloudFront at 1M', () => {
  test('without a zone, 100K → 1M is a MIGRATION whose step moves the user\'s name to the distribution, and 1M → 100K moves it back', () => {
    const up = planAwsOutputs(synth('100K'), synth('1M'));
    expect(up.migrations.map(m => m.title)).toEqual(['Move your DNS name to CloudFront']);
    expect(up.migrations[0].instructions).toMatch(/Outputs\[\?OutputKey=='LadderDistributionDomain[0-9A-F]{8}'\]/);
    expect(up.verdict).toBe('MIGRATION');
    const down = planAwsOutputs(synth('1M'), synth('100K'));
    // The app runs in eu-west-1: its us-east-1 edge stack (the CloudFront web ACL) leaves the app too, and cdk deploy does not delete it.
    expect(down.migrations.map(m => m.title)).toEqual(['Move your DNS name back to the load balancer', 'Delete the stack Storefront-edge, which the app no longer has']);
    expect(down.migrations[1].instructions).toContain('npx cdk destroy Storefront-edge');
  });

  test('with a zone the stacks\' apex record moves in the deploy: no step (the demo app, 100K → 1M)', () => {
    expect(UpgradePlanner.planRungs('100K', '1M').migrations).toEqual([]);
  });
});

describe('steps name the user\'s regions and stacks', () => {
  test('1M → 10M: the rebalance commands run in eu-west-1 and roll no service in the edge stack (it is no region)', () => {
    const step = planAwsOutputs(synth('1M'), synth('10M')).migrations.find(m => m.title.startsWith('Rebalance'))!;
    expect(step.instructions).toContain('describe-stacks --region eu-west-1 --stack-name Storefront ');
    expect(step.instructions).not.toMatch(/--region edge|Storefront-edge/);
  });

  test('100M → 10M: the standby region\'s stack leaves the app; the plan says how to detach its clusters and delete it', () => {
    const plan = planAwsOutputs(synth('100M'), synth('10M'));
    const step = plan.migrations.find(m => m.title === 'Delete the stack Storefront-eu-central-1, which the app no longer has')!;
    expect(step.instructions).toMatch(/aws rds remove-from-global-cluster --region eu-central-1 --global-cluster-identifier \S+ --db-cluster-identifier "\$ARN"/);
    expect(step.instructions).toContain('--no-deletion-protection');
    expect(step.instructions).toContain('npx cdk destroy Storefront-eu-central-1');
    expect(step.instructions).toMatch(/GlobalClusterMembers\[\?IsWriter\]/);
  });
});

describe('outages the steps cause are listed as interruptions', () => {
  test('10K → 100K without a zone: the gap until the user\'s DNS moves', () => {
    const plan = planAwsOutputs(synth('10K'), synth('100K'));
    expect(plan.interruptions).toContainEqual(expect.objectContaining({
      id: 'Storefront/entry point', downtime: 'from that moment until your record has moved and its old TTL has passed',
    }));
  });

  test('the demo app\'s 1K → 10K: the app is stopped while the copy runs', () => {
    expect(UpgradePlanner.planRungs('1K', '10K').interruptions).toContainEqual(expect.objectContaining({
      id: 'ScaleLadder/Server', what: expect.stringMatching(/^the app is stopped while the copy runs/),
    }));
  });
});
