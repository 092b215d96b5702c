import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BigqueryDataset } from '@cdktf/provider-google/lib/bigquery-dataset';
import { BigqueryTable } from '@cdktf/provider-google/lib/bigquery-table';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Tier } from '../../lib';
import { ScaleLadderError } from '../../lib/core/errors';
import { losesData, ResourceChange, UpgradePlan } from '../../lib/core/upgrade-plan';
import { ScaleLadder, ScaleLadderOptions } from '../../lib/gcp/ladder/scale-ladder';
import { planGcpInputs, planTerraform, readGcpOutput } from '../../lib/gcp/upgrade/plan-output';
import { forcesReplacement, planGcp } from '../../lib/gcp/upgrade/planner';

/*
 * Plans of a user's own output: an app of its own (stack 'shop-prod', the composer nested at
 * shop-prod/Platform/Shop, its own project, region, name, regions, network and sizes, and a
 * BigQuery table of its own beside the ladder), synthesized once per rung into temporary
 * directories and planned from those directories and from single files.
 */

const PROJECT = 'acme-shop-prod';
const STACK = 'shop-prod';
const COMPOSER = `${STACK}/Platform/Shop`;
const OPTIONS: ScaleLadderOptions = {
  project: PROJECT,
  region: 'europe-west1',
  name: 'shop',
  image: 'europe-docker.pkg.dev/acme-shop-prod/web/shop:1.4.2',
  port: 3000,
  healthCheckPath: '/healthz',
  regions: ['europe-west4', 'europe-north1'],
  cidr: '10.40.0.0/16',
  sizing: { databaseMachineTier: 'db-custom-2-8192', readReplicas: 2, backupRetentionDays: 14, cacheMemoryGib: 8, logRetentionDays: 60 },
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-user-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const outputs = new Map<string, string>();

/** The cdktf output directory of the user's app at `rung` (synthesized once per file and options). */
function userOutput(rung: string, overrides: Partial<ScaleLadderOptions> = {}): string {
  const key = JSON.stringify([rung, overrides]);
  if (!outputs.has(key)) {
    const outdir = path.join(root, `out-${outputs.size}`);
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, STACK);
    new GoogleProvider(stack, 'google', { project: PROJECT, region: 'europe-west1' });
    new ScaleLadder(new Construct(stack, 'Platform'), 'Shop', { ...OPTIONS, ...overrides, tier: Tier.fromName(rung) });
    const dataset = new BigqueryDataset(stack, 'Analytics', { project: PROJECT, datasetId: 'analytics', location: 'EU' });
    new BigqueryTable(stack, 'Events', { project: PROJECT, datasetId: dataset.datasetId, tableId: 'events', deletionProtection: true });
    app.synth();
    outputs.set(key, outdir);
  }
  return outputs.get(key)!;
}

const stackFile = (dir: string) => path.join(dir, 'stacks', STACK, 'cdk.tf.json');
const config = (rung: string): any => JSON.parse(fs.readFileSync(stackFile(userOutput(rung)), 'utf8'));
const clone = (x: any) => JSON.parse(JSON.stringify(x));

/** The plan between two parsed configs of the user's stack. */
const planConfigs = (before: any, after: any) => planTerraform({ [STACK]: before }, { [STACK]: after });

/** The one resource of `type` under the composer whose construct path ends with `suffix`: [address name, body]. */
function at(cfg: any, type: string, suffix: string): [string, any] {
  const hits = Object.entries<any>(cfg.resource?.[type] ?? {}).filter(([, b]) => String(b['//']?.metadata?.path).endsWith(suffix));
  if (hits.length !== 1) throw new Error(`expected one ${type} at …${suffix}, found ${hits.length}`);
  return hits[0];
}

const losing = (plan: UpgradePlan) => plan.changes.filter(losesData);
const change = (plan: UpgradePlan, id: string): ResourceChange => {
  const found = plan.changes.find(c => c.id === id);
  if (!found) throw new Error(`no change ${id} in ${plan.changes.map(c => c.id).join(', ')}`);
  return found;
};
/** What the demo app's plan would print, or a placeholder: none of it may reach a plan of the user's output. */
const DEMO_VALUES = [/my-scale-ladder-project/, /us-central1/, /\bapp-server/, /'app-db/, /\bapp-pgdata/, /\bapp-lb-ip/, /\b(PROJECT|ZONE|REGION)\b/];
const leaks = (text: string) => DEMO_VALUES.filter(v => v.test(text)).map(String);

describe('readGcpOutput', () => {
  test('reads a cdktf output directory, its stacks/ tree, a stack directory and single files, naming each stack', () => {
    const dir = userOutput('10K');
    const expected = config('10K');
    expect(readGcpOutput(dir)).toEqual({ [STACK]: expected });
    expect(readGcpOutput(path.join(dir, 'manifest.json'))).toEqual({ [STACK]: expected });
    expect(readGcpOutput(path.join(dir, 'stacks', STACK))).toEqual({ [STACK]: expected });
    expect(readGcpOutput(stackFile(dir))).toEqual({ [STACK]: expected });
    // Without a manifest: the stacks/<name>/cdk.tf.json tree.
    const tree = path.join(root, 'tree');
    fs.mkdirSync(path.join(tree, 'stacks', 'shop-dns'), { recursive: true });
    fs.cpSync(path.join(dir, 'stacks', STACK), path.join(tree, 'stacks', STACK), { recursive: true });
    fs.writeFileSync(path.join(tree, 'stacks', 'shop-dns', 'cdk.tf.json'), JSON.stringify({ resource: {} }));
    expect(Object.keys(readGcpOutput(tree))).toEqual(['shop-dns', STACK]);
    // A file of another name is named after its stem.
    const single = path.join(root, 'before.tf.json');
    fs.copyFileSync(stackFile(dir), single);
    expect(readGcpOutput(single)).toEqual({ before: expected });
  });

  test('a bad path is a ScaleLadderError naming the path and what was expected', () => {
    const expectError = (target: string, message: RegExp) => {
      let thrown: any;
      try {
        readGcpOutput(target);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ScaleLadderError);
      expect(thrown.message).toContain(target);
      expect(thrown.message).toMatch(message);
    };
    const expected = /expected a cdktf output directory \(manifest\.json listing the stacks, or stacks\/<name>\/cdk\.tf\.json\), a stack directory holding cdk\.tf\.json, or one cdk\.tf\.json file/;
    expectError(path.join(root, 'missing'), /does not exist; /);
    expectError(path.join(root, 'missing'), expected);
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    expectError(empty, /holds no manifest\.json, stacks\/ or cdk\.tf\.json; /);
    expectError(empty, expected);
    const broken = path.join(root, 'broken', 'cdk.tf.json');
    fs.mkdirSync(path.dirname(broken));
    fs.writeFileSync(broken, '{"resource": ');
    expectError(broken, /is not valid JSON \(.*\); expected the Terraform JSON cdktf synthesizes \(cdk\.tf\.json\)/);
    expectError(path.dirname(broken), /is not valid JSON/);
    const other = path.join(root, 'package.json');
    fs.writeFileSync(other, JSON.stringify({ name: 'shop' }));
    expectError(other, /is JSON but not a Terraform JSON configuration/);
  });
});

describe('the user\'s own climb 10K → 100K', () => {
  test('planned from the two output directories: MIGRATION, steps naming the user\'s VM, zone, project and addresses, none of the demo\'s', () => {
    const plan = planGcpInputs({ path: userOutput('10K') }, { path: userOutput('100K') });
    expect([plan.from, plan.to, plan.verdict, plan.notes]).toEqual(['10K', '100K', 'MIGRATION', undefined]);
    expect(plan.migrations.map(m => m.title)).toEqual(['Retire the single server and move its traffic to the load balancer']);
    const text = plan.migrations[0].instructions;
    expect(text).toContain(`gcloud compute instances get-serial-port-output shop-server --zone europe-west1-b --project ${PROJECT}`);
    expect(text).toContain(`gcloud compute instances detach-disk shop-server --disk shop-pgdata --zone europe-west1-b --project ${PROJECT}`);
    expect(text).toContain(`gcloud compute addresses describe shop-lb-ip --global --project ${PROJECT} --format='value(address)')/healthz"`);
    expect(text).toContain("replacing the server's static address 'shop-server-ip' (region europe-west1)");
    // Every Terraform command runs in the user's stack directory (cdktf synthesizes stack 'shop-prod' to cdktf.out/stacks/shop-prod).
    expect(text).toMatch(/terraform -chdir=cdktf\.out\/stacks\/shop-prod apply -target=google_compute_global_forwarding_rule\.Platform_Shop_StatelessFleet_HttpForwardingRule_[0-9A-F]+ /);
    expect(text).toMatch(/Before step 2, at a quiet time: terraform -chdir=cdktf\.out\/stacks\/shop-prod apply -target=google_sql_database_instance\.Platform_Shop_SeparatedDatabase_Instance_[0-9A-F]+\. Cloud SQL instance 'shop-db' restarts/);
    expect(text).toContain('then apply the whole rung: terraform -chdir=cdktf.out/stacks/shop-prod apply. It removes the VM shop-server');
    expect([...text.matchAll(/\bterraform\b( -chdir=\S+)? (apply|state)\b/g)].map(m => m[1])).toEqual(Array(4).fill(' -chdir=cdktf.out/stacks/shop-prod'));
    expect(leaks(JSON.stringify(plan))).toEqual([]);
    // Layers are read below the user's composer, whatever its depth; the user's own resources are the stack's.
    expect(new Set(plan.changes.map(c => c.layer))).toEqual(new Set(['StatelessFleet', 'ReadReplicaSet', 'SingleServer', 'SeparatedDatabase', 'Operations']));
    expect(plan.changes.filter(c => c.action === 'REPLACE' || losesData(c))).toEqual([]);
  });

  test('the copy (1K → 10K) and the rebalance (1M → 10M) name the user\'s VM, disk, database, job, secret and services too', () => {
    const copy = planGcpInputs({ path: userOutput('1K') }, { path: userOutput('10K') });
    expect([copy.verdict, copy.migrations.map(m => m.title)]).toEqual(['MIGRATION', ['Copy the server-local PostgreSQL into Cloud SQL']]);
    expect(copy.migrations[0].instructions).toContain(`gcloud compute ssh shop-server --zone europe-west1-b --project ${PROJECT} --tunnel-through-iap --command`);
    expect(copy.migrations[0].instructions).toContain("1. Synthesize the 10K rung (cdktf synth) and apply it: terraform -chdir=cdktf.out/stacks/shop-prod apply. Cloud SQL instance 'shop-db' comes up");
    expect(copy.migrations[0].instructions).toContain("on disk 'shop-pgdata'");
    const rebalance = planGcpInputs({ path: userOutput('1M') }, { path: userOutput('10M') });
    expect(rebalance.migrations.map(m => m.title)).toEqual(['Rebalance key buckets onto the new shards (1 → 4 shards)']);
    const text = rebalance.migrations[0].instructions;
    expect(text).toContain(`gcloud run jobs execute shop-rebalance --region europe-west1 --project ${PROJECT} --async`);
    expect(text).toContain(`gcloud secrets versions access latest --secret shop-shard-buckets --project ${PROJECT}`);
    expect(text).toContain(`gcloud run services update shop-web --region europe-west1 --project ${PROJECT} --update-labels scale-ladder-buckets=1`);
    expect(text).toContain('(europe-west1)');
    for (const plan of [copy, rebalance]) expect(leaks(JSON.stringify(plan))).toEqual([]);
  });

  test('planned from the two cdk.tf.json files (of any names): the same plan', () => {
    const before = path.join(root, 'shop-10K.tf.json');
    const after = path.join(root, 'shop-100K.tf.json');
    fs.copyFileSync(stackFile(userOutput('10K')), before);
    fs.copyFileSync(stackFile(userOutput('100K')), after);
    const fromFiles = planGcpInputs({ path: before }, { path: after });
    const fromDirs = planGcpInputs({ path: userOutput('10K') }, { path: userOutput('100K') });
    expect(fromFiles.notes).toEqual(["the before output's one stack 'shop-10K' and the after output's one stack 'shop-100K' are compared with each other"]);
    expect({ ...fromFiles, notes: undefined }).toEqual({ ...fromDirs, notes: undefined });
    expect(planGcpInputs({ path: stackFile(userOutput('10K')) }, { path: stackFile(userOutput('100K')) })).toEqual(fromDirs);
  });

  test('a missing resource a step needs is named in the step, never replaced by a default', () => {
    const before = config('10K');
    const [vm] = at(before, 'google_compute_instance', 'SingleServer/Instance');
    delete before.resource.google_compute_instance[vm];
    const after = config('100K');
    const [lb] = at(after, 'google_compute_global_address', 'StatelessFleet/Address');
    delete after.resource.google_compute_global_address[lb].name;
    const text = planConfigs(before, after).migrations[0].instructions;
    expect(text).toContain(`gcloud compute instances detach-disk (no google_compute_instance under ${COMPOSER}/…/SingleServer/Instance in the before output) --disk shop-pgdata --zone (no google_compute_instance under ${COMPOSER}/…/SingleServer/Instance in the before output)`);
    expect(text).toContain(`point your domain's A record at the load balancer's address '(google_compute_global_address.${lb} has no name in the after output)'`);
    expect(leaks(text)).toEqual([]);
  });

  test('a side without a rung stamp: the resource changes only, no steps, and a note saying so', () => {
    const before = config('10K');
    delete before['//']['scale-ladder'];
    const plan = planConfigs(before, config('100K'));
    expect(plan.migrations).toEqual([]);
    expect(plan.notes).toEqual([`stack '${STACK}': the before output has no rung stamp ("//"."scale-ladder" in its cdk.tf.json, written by the ladder's composer), so only its resource changes are planned: no migration steps (database copy, server retirement, shard rebalance) and no check of what the rung change strands.`]);
    expect(plan.from).toBe('(no rung stamp)');
    expect(planTerraform({ [STACK]: before }, { [STACK]: config('100K') }, { from: 'deployed', to: 'next' })).toMatchObject({ from: 'deployed', to: '100K' });
    expect(plan.changes).toEqual(planConfigs(config('10K'), config('100K')).changes);
    expect(plan.verdict).toBe('SAFE');
  });
});

describe('downgrades of the user\'s output', () => {
  test('10M → 1M is UNSAFE: the queues\' messages and shards 1-3 with the rows of their buckets, each named', () => {
    const plan = planGcpInputs({ path: userOutput('10M') }, { path: userOutput('1M') });
    expect(plan.verdict).toBe('UNSAFE');
    const lost = Object.fromEntries(losing(plan).map(c => [c.id.replace(/_[0-9A-F]{8}$/, ''), c.lost]));
    expect(lost).toMatchObject({
      'google_pubsub_topic.Platform_Shop_QueueWorkers_Topic': "the topic 'shop-work' and the messages it retains; publishing to it fails",
      'google_pubsub_subscription.Platform_Shop_QueueWorkers_Subscription': "the messages not yet delivered on subscription 'shop-work-workers'",
      'google_sql_database_instance.Platform_Shop_ShardedCluster_Shard1_Instance':
        "the Cloud SQL instance 'shop-db-shard-1' and its databases (and its backups, unless they are set to be kept after deletion), holding the rows of the key buckets assigned to shard 1. " +
        "deletion_protection and settings.deletion_protection_enabled are set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes'); once that is off, the delete loses it",
      'google_sql_database.Platform_Shop_ShardedCluster_Shard3_Database': "the database 'app' and every table in it",
    });
    // The shards' password secrets and instances (primaries and replicas) are deletion-protected: the apply fails at them until a step turns that off.
    expect(plan.notes![0]).toMatch(new RegExp(`^stack '${STACK}': the apply fails at (google_secret_manager_secret\\.Platform_Shop_ShardedCluster_Shard[1-3]_PasswordSecret_[0-9A-F]+, ){3}(google_sql_database_instance\\.Platform_Shop_ShardedCluster_Shard[1-3]_(Instance|Replica[12])_[0-9A-F]+(, |: )){9}they are deleted while their deletion protection is on`));
    expect(plan.migrations.map(m => m.title)).toEqual(['Turn off deletion protection on the resources this apply deletes']);
    expect(plan.notes!.slice(1)).toEqual([`stack '${STACK}': the shard count falls from 4 to 1. The rows of the key buckets assigned to shard 1 ('shop-db-shard-1'), shard 2 ('shop-db-shard-2'), shard 3 ('shop-db-shard-3') are stranded: no step moves buckets back onto shard 0, and SHARD_MAP no longer lists the shards that hold them. UNSAFE whatever happens to those instances.`]);
    // The shards' read replicas lose nothing: their primaries hold the data.
    const replicas = plan.changes.filter(c => c.action === 'REMOVE' && /Shard\d_Replica/.test(c.id));
    expect(replicas).toHaveLength(6);
    for (const r of replicas) expect([r.id, r.stateful, r.lost]).toEqual([r.id, false, undefined]);
  });

  test('a shard-count decrease is UNSAFE even when a removed block keeps the shards\' instances', () => {
    const before = config('10M');
    const after = clone(config('1M'));
    // The removed block keeps the shards' instances and their password secrets (with their versions).
    after.removed = ['google_sql_database_instance', 'google_secret_manager_secret', 'google_secret_manager_secret_version']
      .flatMap(type => Object.keys(before.resource[type]).filter(k => /ShardedCluster/.test(k)).map(k => ({ from: `${type}.${k}`, lifecycle: { destroy: false } })));
    delete before.resource.google_pubsub_topic;
    delete before.resource.google_pubsub_subscription;
    delete before.resource.google_sql_database;
    const plan = planConfigs(before, after);
    expect(losing(plan).map(c => c.type)).toEqual([]);
    expect(plan.verdict).toBe('UNSAFE');
    expect(plan.notes![0]).toContain("The rows of the key buckets assigned to shard 1 ('shop-db-shard-1')");
  });

  test('1M → 100K is UNSAFE: the Memorystore instance, its auth secret, the static bucket\'s objects and the user directory', () => {
    const plan = planGcpInputs({ path: userOutput('1M') }, { path: userOutput('100K') });
    expect(plan.verdict).toBe('UNSAFE');
    expect(losing(plan).map(c => [c.type, c.lost])).toEqual([
      ['google_redis_instance', "the data in Memorystore instance 'shop-cache'"],
      ['google_secret_manager_secret_version', "the secret version's data"],
      ['google_secret_manager_secret', "the secret 'shop-cache-auth' and all its versions. deletion_protection is set on it: the provider refuses the delete, so the apply fails at it " +
        "until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes'); once that is off, the delete loses it"],
      ['google_storage_bucket', `the objects in the bucket '${PROJECT}-shop-static'`],
      // The user directory (Identity Platform, from 1M: a9bbb68).
      ['google_identity_platform_config', expect.stringMatching(/^what google_identity_platform_config 'google_identity_platform_config\.Platform_Shop_UserDirectory_Config_[0-9A-F]+' holds \(the output marks it as holding data: lifecycle\.prevent_destroy\)$/)],
    ]);
  });

  test('100K → 10K loses nothing (the replicas go, their primary keeps the data) and brings the server back first: MIGRATION', () => {
    const plan = planGcpInputs({ path: userOutput('100K') }, { path: userOutput('10K') });
    expect(plan.verdict).toBe('MIGRATION');
    expect(losing(plan)).toEqual([]);
    expect(plan.changes.filter(c => c.type === 'google_sql_database_instance').map(c => [c.action, c.layer, c.stateful])).toEqual([
      ['REMOVE', 'ReadReplicaSet', false], ['REMOVE', 'ReadReplicaSet', false], ['UPDATE', 'SeparatedDatabase', true],
    ]);
    // The replicas' deletion protection is on: it is turned off first, or the apply fails at them.
    expect(plan.migrations.map(m => m.title)).toEqual(['Turn off deletion protection on the resources this apply deletes', 'Bring the single server back and move traffic to it from the load balancer']);
    const unprotect = plan.migrations[0].instructions;
    expect(unprotect).toMatch(/ {3}- google_sql_database_instance\.Platform_Shop_ReadReplicaSet_Replica1_[0-9A-F]+ \(Cloud SQL instance 'shop-db-replica-1', construct shop-prod\/Platform\/Shop\/ReadReplicaSet\/Replica1\): deletion_protection and settings\.deletion_protection_enabled\. A read replica: its primary keeps the data, and nothing is lost\./);
    expect(unprotect).toContain('1. In the app as deployed now (the 100K rung), turn the protection off');
    expect(unprotect).toContain('terraform -chdir=cdktf.out/stacks/shop-prod apply');
    expect(unprotect).toContain('3. Then synthesize the 10K rung and apply it as this plan describes (with its other steps): terraform -chdir=cdktf.out/stacks/shop-prod apply.');
    const text = plan.migrations[1].instructions;
    expect(text).toMatch(/terraform -chdir=cdktf\.out\/stacks\/shop-prod apply -target=google_compute_instance\.Platform_Shop_SingleServer_Instance_[0-9A-F]+ /);
    expect(text).toContain(`gcloud compute instances get-serial-port-output shop-server --zone europe-west1-b --project ${PROJECT} | grep 'scale-ladder: started'`);
    expect(text).toContain("point your domain's A record at the server's static address 'shop-server-ip'");
    expect(text).toContain("releases its address 'shop-lb-ip'");
    expect(text.split('\n')[0]).toMatch(/^ {3}Before step 1, at a quiet time: terraform -chdir=cdktf\.out\/stacks\/shop-prod apply -target=google_sql_database_instance\.Platform_Shop_SeparatedDatabase_Instance_/);
    expect(leaks(JSON.stringify(plan))).toEqual([]);
  });
});

describe('changes to the user\'s output that lose data are UNSAFE, naming the resource and the attribute', () => {
  // The ladder protects its data-bearing resources with prevent_destroy: Terraform refuses to plan their replacement.
  const REFUSED = 'Terraform refuses to plan a replacement of it (lifecycle.prevent_destroy is set), so the plan fails and nothing is applied; lifting prevent_destroy to let the replacement through would lose it';
  const only = (plan: UpgradePlan) => {
    expect(plan.verdict).toBe('UNSAFE');
    return losing(plan);
  };

  test('a renamed data-bearing construct: its address changes, the old instance is deleted; a moved block keeps it', () => {
    const before = config('100K');
    const [old] = at(before, 'google_sql_database_instance', 'SeparatedDatabase/Instance');
    const renamed = old.replace('SeparatedDatabase_Instance', 'SeparatedDatabase_Primary');
    const after = JSON.parse(JSON.stringify(before).split(old).join(renamed));
    const lost = change(planConfigs(before, after), `google_sql_database_instance.${old}`);
    expect(lost).toMatchObject({ id: `google_sql_database_instance.${old}`, action: 'REMOVE', stateful: true, retained: false });
    expect(lost.lost).toBe("the Cloud SQL instance 'shop-db' and its databases (and its backups, unless they are set to be kept after deletion). " +
      `google_sql_database_instance.${renamed} is added with the same name: if it is this resource at a new address (a renamed construct), ` +
      `a moved block (from = google_sql_database_instance.${old}, to = google_sql_database_instance.${renamed}) keeps it. ` +
      "deletion_protection and settings.deletion_protection_enabled are set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes'); once that is off, the delete loses it");
    after.moved = [{ from: `google_sql_database_instance.${old}`, to: `google_sql_database_instance.${renamed}` }];
    expect(planConfigs(before, after).verdict).toBe('SAFE');
  });

  test('a changed database name (google_sql_database name) replaces the database', () => {
    const before = config('100K');
    const after = clone(before);
    const [db] = at(after, 'google_sql_database', 'SeparatedDatabase/Database');
    after.resource.google_sql_database[db].name = 'shop';
    expect(only(planConfigs(before, after)).map(c => [c.id, c.action, c.properties, c.lost])).toEqual([
      [`google_sql_database.${db}`, 'REPLACE', ['name (ForceNew: replaces)'], `the database 'app' and every table in it: ${REFUSED}`],
    ]);
    // Without prevent_destroy, the replacement goes ahead: a new, empty database.
    delete after.resource.google_sql_database[db].lifecycle;
    expect(change(planConfigs(before, after), `google_sql_database.${db}`).lost).toBe("the database 'app' and every table in it: a new, empty one replaces it");
  });

  test('a changed network CIDR (cidr): the private services range is replaced, and the Cloud SQL instances that take their addresses from it', () => {
    const plan = planGcpInputs({ path: userOutput('100K') }, { path: userOutput('100K', { cidr: '10.60.0.0/16' }) });
    const lost = only(plan);
    // The instance, and the database in it (its instance attribute refers to the replaced instance).
    expect(lost.map(c => c.id.replace(/_[0-9A-F]{8}$/, ''))).toEqual(['google_sql_database_instance.Platform_Shop_SeparatedDatabase_Instance', 'google_sql_database.Platform_Shop_SeparatedDatabase']);
    const range = at(config('100K'), 'google_compute_global_address', 'Network/PrivateServicesRange')[0];
    expect(lost[0].properties).toEqual([
      `settings.ip_configuration.allocated_ip_range (refers to google_compute_global_address.${range}, which is replaced: known after apply; no cited in-place update: counted as a replacement)`,
    ]);
    expect(change(plan, `google_compute_global_address.${range}`)).toMatchObject({ action: 'REPLACE', properties: ['address (ForceNew: replaces)'] });
    const subnet = at(config('100K'), 'google_compute_subnetwork', 'Network/Subnet')[0];
    expect(change(plan, `google_compute_subnetwork.${subnet}`)).toMatchObject({ action: 'REPLACE', properties: ['ip_cidr_range (ForceNew: replaces)'] });
    // The replicas are replaced too (they refer to the same range) but lose nothing.
    expect(plan.changes.filter(c => c.layer === 'ReadReplicaSet').map(c => [c.action, c.stateful])).toEqual([['REPLACE', false], ['REPLACE', false]]);
  });

  test('a subnet range that only grows is updated in place (the provider expands it); one that shrinks or moves replaces the subnet', () => {
    const range = (before: string, after: string) => forcesReplacement('google_compute_subnetwork', 'ip_cidr_range', { before: JSON.stringify(before), after: JSON.stringify(after) });
    expect(range('10.40.0.0/20', '10.40.0.0/19')).toBe(false);
    expect(range('10.40.16.0/20', '10.40.0.0/16')).toBe(false);
    expect(range('10.40.0.0/19', '10.40.0.0/20')).toBe(true);
    expect(range('10.40.0.0/20', '10.60.0.0/20')).toBe(true);
    expect(range('10.40.0.0/20', '${var.range}')).toBe(true);
    expect(forcesReplacement('google_compute_subnetwork', 'ip_cidr_range')).toBe(true);
    const before = config('100K');
    const after = clone(before);
    const [subnet] = at(after, 'google_compute_subnetwork', 'Network/Subnet');
    after.resource.google_compute_subnetwork[subnet].ip_cidr_range = '10.40.0.0/19';
    const plan = planConfigs(before, after);
    expect(plan.changes.map(c => [c.id, c.action, c.properties])).toEqual([[`google_compute_subnetwork.${subnet}`, 'UPDATE', ['ip_cidr_range']]]);
    expect(plan.verdict).toBe('SAFE');
  });

  test('a replaced network replaces what refers to it, through chains: the Cloud SQL instance by settings.ip_configuration.private_network', () => {
    const before = config('100K');
    const after = clone(before);
    const [vpc] = at(after, 'google_compute_network', 'Network/Vpc');
    after.resource.google_compute_network[vpc].name = 'shop-vpc-2';
    const plan = planConfigs(before, after);
    const refers = `refers to google_compute_network.${vpc}, which is replaced: known after apply`;
    const [db] = only(plan).filter(c => c.type === 'google_sql_database_instance');
    expect(db.properties).toEqual(expect.arrayContaining([`settings.ip_configuration.private_network (${refers}; ForceNew: replaces)`]));
    // …and through it the database inside it (instance is ForceNew on google_sql_database).
    const [database] = at(before, 'google_sql_database', 'SeparatedDatabase/Database');
    expect(change(plan, `google_sql_database.${database}`).properties).toEqual([expect.stringMatching(/^instance \(refers to google_sql_database_instance\.\w+, which is replaced: known after apply; ForceNew: replaces\)$/)]);
  });

  test('a removed queue (the Pub/Sub topic and its subscriptions) loses its messages', () => {
    const before = config('10M');
    const after = clone(before);
    for (const type of ['google_pubsub_topic', 'google_pubsub_subscription']) {
      for (const [k, b] of Object.entries<any>(after.resource[type])) if (b['//'].metadata.path.startsWith(`${COMPOSER}/QueueWorkers/`)) delete after.resource[type][k];
    }
    expect(only(planConfigs(before, after)).map(c => [c.type, c.action, c.lost])).toEqual([
      ['google_pubsub_subscription', 'REMOVE', "the messages not yet delivered on subscription 'shop-dead-letter-hold'"],
      ['google_pubsub_subscription', 'REMOVE', "the messages not yet delivered on subscription 'shop-work-workers'"],
      ['google_pubsub_topic', 'REMOVE', "the topic 'shop-dead-letter' and the messages it retains; publishing to it fails"],
      ['google_pubsub_topic', 'REMOVE', "the topic 'shop-work' and the messages it retains; publishing to it fails"],
    ]);
    // Kept by removed blocks, the queue still loses its messages: Pub/Sub expires them and nothing reads them.
    after.removed = ['google_pubsub_topic', 'google_pubsub_subscription'].flatMap(type => Object.keys(before.resource[type])
      .filter(k => !(k in after.resource[type])).map(k => ({ from: `${type}.${k}`, lifecycle: { destroy: false } })));
    const kept = only(planConfigs(before, after));
    expect(kept.map(c => [c.type, c.retained, c.retainedDataExpires])).toEqual([
      ['google_pubsub_subscription', true, true], ['google_pubsub_subscription', true, true], ['google_pubsub_topic', true, true], ['google_pubsub_topic', true, true],
    ]);
    expect(kept[1].lost).toBe("the messages on subscription 'shop-work-workers': retained, Pub/Sub still discards them once their retention period has passed, " +
      'and nothing processes them any more');
  });

  test('a changed database version is patched in place: a major upgrade is a MIGRATION (backup first, one instance at a time, replicas with their primary), a downgrade UNSAFE', () => {
    const before = config('100K');
    const after = clone(before);
    for (const body of Object.values<any>(after.resource.google_sql_database_instance)) body.database_version = 'POSTGRES_17';
    const [primary] = at(after, 'google_sql_database_instance', 'SeparatedDatabase/Instance');
    const plan = planConfigs(before, after);
    expect(plan.verdict).toBe('MIGRATION');
    expect(losing(plan)).toEqual([]);
    expect(change(plan, `google_sql_database_instance.${primary}`)).toMatchObject({ action: 'UPDATE', properties: ['database_version'] });
    expect(plan.interruptions.map(i => i.downtime)).toEqual(Array(3).fill(expect.stringMatching(/^the whole upgrade: longer than a restart/)));
    expect(plan.migrations.map(m => m.title)).toEqual(['Upgrade the Cloud SQL major version one instance at a time (POSTGRES_16 → POSTGRES_17)']);
    const text = plan.migrations[0].instructions;
    expect(text).toContain(`gcloud sql backups create --instance shop-db --project ${PROJECT}`);
    expect(text).toContain("these replicas are upgraded with 'shop-db'; read the page's read-replica instructions first");
    expect(text).toContain(`terraform -chdir=cdktf.out/stacks/shop-prod apply -target=google_sql_database_instance.${primary}, then terraform -chdir=cdktf.out/stacks/shop-prod apply -target=`);
    expect(leaks(text)).toEqual([]);
    const down = clone(before);
    down.resource.google_sql_database_instance[primary].database_version = 'POSTGRES_15';
    const downgrade = planConfigs(before, down);
    expect([downgrade.verdict, losing(downgrade)]).toEqual(['UNSAFE', []]);
    expect(downgrade.notes).toEqual([`stack '${STACK}': Cloud SQL instance 'shop-db' changes database_version POSTGRES_16 → POSTGRES_15: a downgrade, which Cloud SQL does not support. ` +
      'The provider sends it as an in-place patch (terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2025-2032) and the apply fails at it; ' +
      'going back takes a new instance restored from an export, which no step does. UNSAFE.']);
  });

  test('a changed bucket location replaces the bucket and its objects', () => {
    const before = config('1M');
    const after = clone(before);
    const [bucket] = at(after, 'google_storage_bucket', 'CdnEdge/StaticBucket');
    after.resource.google_storage_bucket[bucket].location = 'US';
    expect(only(planConfigs(before, after)).map(c => [c.id, c.properties, c.lost])).toEqual([
      [`google_storage_bucket.${bucket}`, ['location (ForceNew: replaces)'], `the objects in the bucket '${PROJECT}-shop-static': ${REFUSED}`],
    ]);
  });

  test('a changed Memorystore tier replaces the instance and its data', () => {
    const before = config('1M');
    const after = clone(before);
    const [cache] = at(after, 'google_redis_instance', 'Cache/Instance');
    after.resource.google_redis_instance[cache].tier = 'BASIC';
    expect(only(planConfigs(before, after)).map(c => [c.id, c.properties, c.lost])).toEqual([
      [`google_redis_instance.${cache}`, ['tier (ForceNew: replaces)'], `the data in Memorystore instance 'shop-cache': ${REFUSED}`],
      // The secret version holding the cache's auth string follows it (secret_data is ForceNew).
      [expect.stringMatching(/^google_secret_manager_secret_version\.Platform_Shop_Cache_AuthSecretVersion_/),
        [`secret_data (refers to google_redis_instance.${cache}, which is replaced: known after apply; ForceNew: replaces)`], `the secret version's data: ${REFUSED}`],
    ]);
  });

  test('a resource of another type that the output marks as holding data (deletion_protection, prevent_destroy) is data-bearing', () => {
    const before = config('100K');
    const [table, body] = at(before, 'google_bigquery_table', `${STACK}/Events`);
    expect(body.deletion_protection).toBe(true);
    const changed = clone(before);
    changed.resource.google_bigquery_table[table].description = 'page views';
    expect(only(planConfigs(before, changed)).map(c => [c.id, c.layer, c.action, c.properties])).toEqual([
      [`google_bigquery_table.${table}`, '(stack)', 'REPLACE', ['description (no cited in-place update: counted as a replacement)']],
    ]);
    const removed = clone(before);
    delete removed.resource.google_bigquery_table;
    // Its deletion_protection also stops the delete (google/services/bigquery/resource_bigquery_table.go:2316).
    const dropped = planConfigs(before, removed);
    expect(only(dropped).map(c => c.lost)).toEqual(["what google_bigquery_table 'events' holds (the output marks it as holding data: deletion_protection). " +
      "deletion_protection is set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes'); once that is off, the delete loses it"]);
    expect(dropped.migrations.map(m => m.title)).toEqual(['Turn off deletion protection on the resources this apply deletes']);
    expect(dropped.migrations[0].instructions).toContain('deletion_protection of google_bigquery_table: terraform-provider-google v6.50.0 google/services/bigquery/resource_bigquery_table.go:2316');
    // Unmarked, the same description change follows the ForceNew list: in place.
    const unmarked = clone(before);
    unmarked.resource.google_bigquery_table[table].deletion_protection = false;
    const described = clone(unmarked);
    described.resource.google_bigquery_table[table].description = 'page views';
    expect(planConfigs(unmarked, described).verdict).toBe('SAFE');
    const [dataset] = at(before, 'google_bigquery_dataset', `${STACK}/Analytics`);
    const guarded = clone(before);
    guarded.resource.google_bigquery_dataset[dataset].lifecycle = { prevent_destroy: true };
    const gone = clone(guarded);
    delete gone.resource.google_bigquery_dataset;
    expect(only(planConfigs(guarded, gone)).map(c => c.id)).toEqual(expect.arrayContaining([`google_bigquery_dataset.${dataset}`]));
  });
});

describe('stacks and inputs', () => {
  test('stacks pair by name; a stack on one side only is all REMOVE (or ADD), and every id names its stack', () => {
    const uploads = { 'name': 'shop-uploads', 'location': 'EU', '//': { metadata: { path: 'shop-media/Uploads' } } };
    const extra = { resource: { google_storage_bucket: { Uploads: uploads } } };
    const plan = planTerraform({ [STACK]: config('100K'), 'shop-media': extra }, { [STACK]: config('100K') });
    expect(plan.changes).toEqual([{
      id: 'shop-media:google_storage_bucket.Uploads',
      type: 'google_storage_bucket',
      layer: '(stack)',
      action: 'REMOVE',
      stateful: true,
      retained: false,
      lost: "the objects in the bucket 'shop-uploads'",
    }]);
    expect(plan.notes).toEqual(["stack 'shop-media' is only in the before output: every resource in it is removed"]);
    expect(plan.verdict).toBe('UNSAFE');
    const climb = planTerraform({ [STACK]: config('10K'), 'shop-media': extra }, { [STACK]: config('100K'), 'shop-media': extra });
    expect(climb.changes.every(c => c.id.startsWith(`${STACK}:`))).toBe(true);
    expect(climb.migrations.map(m => m.title)).toEqual([`${STACK}: Retire the single server and move its traffic to the load balancer`]);
    expect(climb.interruptions.every(i => i.id.startsWith(`${STACK}:google_sql_database_instance.`))).toBe(true);
  });

  test('rung names plan the demo app, as planGcp does', () => {
    expect(planGcpInputs({ rung: '1K' }, { rung: '10K' })).toEqual(planGcp('1K', '10K'));
    expect(() => planGcpInputs({ rung: '2K' }, { rung: '10K' })).toThrow(ScaleLadderError);
  });
});
