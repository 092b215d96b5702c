import * as fs from 'fs';
import * as path from 'path';
import { rung } from './support';
import { Tier } from '../../lib';
import { STEP_SOURCE, verdictOf } from '../../lib/core/upgrade-plan';
import { databaseVersionChange, diffConfigs, flatten, forcesReplacement, gcpInterruptions, inPlaceUpdate, planGcp, planGcpConfigs, replacementCause } from '../../lib/gcp/upgrade/planner';

const clone = (x: any) => JSON.parse(JSON.stringify(x));

describe('planner', () => {
  test('identical rungs give an empty SAFE plan', () => {
    const plan = planGcp('1M', '1M');
    expect(plan).toEqual({ cloud: 'gcp', from: '1M', to: '1M', changes: [], migrations: [], interruptions: [], verdict: 'SAFE' });
  });

  const DB = 'App_SeparatedDatabase_Instance_F3EE4B09';

  const REFUSED = 'Terraform refuses to plan a replacement of it (lifecycle.prevent_destroy is set), so the plan fails and nothing is applied; lifting prevent_destroy to let the replacement through would lose it';

  test('a changed ForceNew attribute of a stateful resource is a REPLACE and UNSAFE', () => {
    const before = rung('10K');
    const after = clone(before);
    after.resource.google_sql_database_instance[DB].settings.disk_type = 'PD_HDD';
    const all = diffConfigs(before, after);
    // The rotation's grant and job name the instance (layer CredentialRotation sorts first): set
    // aside here and checked below with the rest of what refers to it.
    const changes = [...all.filter(c => c.layer !== 'CredentialRotation'), ...all.filter(c => c.layer === 'CredentialRotation')];
    // The demo protects the instance with prevent_destroy: Terraform refuses to plan the replacement.
    expect(changes[0]).toEqual({
      id: `google_sql_database_instance.${DB}`,
      type: 'google_sql_database_instance',
      layer: 'SeparatedDatabase',
      action: 'REPLACE',
      stateful: true,
      properties: ['settings.disk_type (ForceNew: replaces)'],
      lost: `the Cloud SQL instance 'app-db' and its databases (and its backups, unless they are set to be kept after deletion): ${REFUSED}`,
    });
    // What refers to the replaced instance follows it: its database and user (instance is ForceNew)
    // are replaced, the server's environment metadata (in place) is updated; the rotation's grant
    // on the instance (its condition names it: ForceNew) is replaced and its job (ROTATION_PAIRS)
    // updated in place, neither holding data.
    const refers = `refers to google_sql_database_instance.${DB}, which is replaced: known after apply`;
    expect(changes.slice(1).map(c => [c.action, c.type, c.stateful, c.properties])).toEqual([
      ['REPLACE', 'google_sql_database', true, [`instance (${refers}; ForceNew: replaces)`]],
      ['REPLACE', 'google_sql_user', false, [`instance (${refers}; ForceNew: replaces)`]],
      ['UPDATE', 'google_compute_instance', false, [`metadata.scale-ladder-env (${refers})`]],
      ['REPLACE', 'google_project_iam_member', false, [`condition.expression (${refers}; ForceNew: replaces)`]],
      ['UPDATE', 'google_cloud_run_v2_job', false, [`template.template.containers.env.value (${refers})`]],
    ]);
    expect(changes[1].lost).toBe(`the database 'app' and every table in it: ${REFUSED}`);
    expect(verdictOf(changes, [])).toBe('UNSAFE');
    const plan = planGcpConfigs(Tier.USERS_10K, Tier.USERS_10K, before, after);
    expect(plan.verdict).toBe('UNSAFE');
    expect(plan.notes).toContainEqual(expect.stringMatching(/^stack 'scale-ladder': terraform plan fails: it would replace google_sql_database_instance\.App_SeparatedDatabase_Instance_F3EE4B09 \(Cloud SQL instance 'app-db', construct scale-ladder\/App\/SeparatedDatabase\/Instance\), .*whose configuration sets lifecycle\.prevent_destroy/));
    // Without prevent_destroy the replacement goes ahead, but its delete stops at the deletion protection.
    delete after.resource.google_sql_database_instance[DB].lifecycle;
    expect(diffConfigs(before, after).find(c => c.id === `google_sql_database_instance.${DB}`)!.lost).toBe("the Cloud SQL instance 'app-db' and its databases (and its backups, unless they are set to be kept after deletion): a new, empty one replaces it; " +
      "deletion_protection and settings.deletion_protection_enabled are set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes')");
  });

  test('a replaced read replica loses nothing, but its prevent_destroy stops the plan: a step lifts it, and turns off its deletion protection', () => {
    const REPLICA = 'App_ReadReplicaSet_Replica1_48C281C5';
    const before = rung('100K');
    const after = clone(before);
    after.resource.google_sql_database_instance[REPLICA].settings.disk_type = 'PD_HDD';
    const plan = planGcpConfigs(Tier.USERS_100K, Tier.USERS_100K, before, after);
    // The fleet's environment refers to the replica's address: updated in place.
    expect(plan.changes.map(c => [c.id, c.action, c.stateful, c.lost])).toEqual([
      [`google_sql_database_instance.${REPLICA}`, 'REPLACE', false, undefined],
      ['google_cloud_run_v2_service.App_StatelessFleet_Service_93375F52', 'UPDATE', false, undefined],
    ]);
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.migrations.map(m => m.title)).toEqual(['Turn off deletion protection on the resources this apply deletes']);
    const text = plan.migrations[0].instructions;
    expect(text).toContain(`google_sql_database_instance.${REPLICA} (Cloud SQL instance 'app-db-replica-1', construct scale-ladder/App/ReadReplicaSet/Replica1): deletion_protection and settings.deletion_protection_enabled. A read replica: its primary keeps the data, and nothing is lost.`);
    expect(text).toContain("In the app of the 100K rung, add addOverride('lifecycle.prevent_destroy', false) on each of them for this apply");
    expect(plan.notes).toEqual([
      expect.stringMatching(/^stack 'scale-ladder': terraform plan fails: it would replace google_sql_database_instance\.App_ReadReplicaSet_Replica1_48C281C5 /),
      expect.stringMatching(/^stack 'scale-ladder': the apply fails at google_sql_database_instance\.App_ReadReplicaSet_Replica1_48C281C5: it is deleted \(or replaced\) while its deletion protection is on/),
    ]);
  });

  test('a changed attribute of a stateful resource that the cited table does not know to update in place is a REPLACE and UNSAFE, named', () => {
    const before = rung('10K');
    const after = clone(before);
    after.resource.google_sql_database_instance[DB].settings.edition = 'ENTERPRISE_PLUS';
    after.resource.google_sql_database_instance[DB].settings.pricing_plan = 'PER_USE';
    const changes = diffConfigs(before, after).filter(c => c.layer !== 'CredentialRotation');
    expect(changes[0].properties).toEqual([
      'settings.edition (no cited in-place update: counted as a replacement)',
      'settings.pricing_plan (no cited in-place update: counted as a replacement)',
    ]);
    // Only counted: the loss is "may", not a certain replacement by a new, empty instance.
    delete after.resource.google_sql_database_instance[DB].lifecycle;
    const instanceChange = () => diffConfigs(before, after).find(c => c.id === `google_sql_database_instance.${DB}`)!;
    expect(instanceChange().lost).toMatch(/^the Cloud SQL instance 'app-db' and its databases \(and its backups, unless they are set to be kept after deletion\): it may be replaced: no in-place update is cited for settings\.edition, settings\.pricing_plan, so the planner counts a replacement, which would lose it; /);
    expect(instanceChange().lost).not.toContain('a new, empty one replaces it');
    after.resource.google_sql_database_instance[DB].lifecycle = { prevent_destroy: true };
    expect(changes.map(c => [c.action, c.type])).toEqual([
      ['REPLACE', 'google_sql_database_instance'], ['REPLACE', 'google_sql_database'], ['REPLACE', 'google_sql_user'], ['UPDATE', 'google_compute_instance'],
    ]);
    expect(verdictOf(changes, [])).toBe('UNSAFE');
    const plan = planGcpConfigs(Tier.USERS_10K, Tier.USERS_10K, before, after);
    expect(plan.verdict).toBe('UNSAFE');
    expect(replacementCause('google_sql_database_instance', 'settings.edition')).toBe('no cited in-place update: counted as a replacement');
    // The same attribute on a type that holds no data follows the ForceNew list only.
    expect(replacementCause('google_compute_backend_service', 'enable_cdn')).toBeUndefined();
  });

  test('a cited in-place change of a stateful resource is an UPDATE, and one that restarts it is an interruption', () => {
    const before = rung('10K');
    const after = clone(before);
    after.resource.google_sql_database_instance[DB].settings.tier = 'db-custom-2-7680';
    after.resource.google_sql_database_instance[DB].settings.backup_configuration.backup_retention_settings.retained_backups = 9;
    const changes = diffConfigs(before, after);
    expect(changes.map(c => [c.action, c.properties])).toEqual([['UPDATE', [
      'settings.backup_configuration.backup_retention_settings.retained_backups', 'settings.tier',
    ]]]);
    expect(verdictOf(changes, [])).toBe('SAFE');
    const [restart, ...rest] = gcpInterruptions(before, after, changes);
    expect(rest).toEqual([]);
    expect(restart.id).toBe(`google_sql_database_instance.${DB}`);
    expect(restart.what).toBe("Cloud SQL instance 'app-db' restarts to apply settings.tier db-custom-1-3840 → db-custom-2-7680; " +
      `terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=google_sql_database_instance.${DB} first, at a quiet time, to choose when; while it restarts, every read and write of the app's data fails`);
    expect(restart.source).toContain('cloud.google.com/sql/docs/postgres/edit-instance');
    expect(inPlaceUpdate('google_sql_database_instance', 'settings.backup_configuration.backup_retention_settings.retained_backups')?.interruption).toBeUndefined();
  });

  test('an in-place property change is an UPDATE; lifecycle and metadata changes are not changes', () => {
    const before = rung('1M');
    const after = clone(before);
    after.resource.google_redis_instance.App_Cache_Instance_D6F8EB9A.memory_size_gb = 10;
    after.resource.google_redis_instance.App_Cache_Instance_D6F8EB9A.lifecycle = { prevent_destroy: true, ignore_changes: ['labels'] };
    after.resource.google_redis_instance.App_Cache_Instance_D6F8EB9A['//'].metadata.uniqueId = 'x';
    expect(diffConfigs(before, after).map(c => [c.action, c.layer, c.properties])).toEqual([['UPDATE', 'Cache', ['memory_size_gb']]]);
  });

  test('a removed stateful resource is lost even with prevent_destroy, unless a removed block keeps it', () => {
    const before = rung('1M');
    const after = clone(before);
    delete after.resource.google_storage_bucket;
    const [change] = diffConfigs(before, after).filter(c => c.action === 'REMOVE');
    expect(change).toMatchObject({ type: 'google_storage_bucket', layer: 'CdnEdge', stateful: true, retained: false });
    after.removed = [{ from: change.id, lifecycle: { destroy: false } }];
    expect(diffConfigs(before, after).find(c => c.action === 'REMOVE')?.retained).toBe(true);
  });

  test('nested replacement-forcing paths match below their entry only', () => {
    // resource policies update their snapshot schedule in place at v6.50.0
    expect(forcesReplacement('google_compute_resource_policy', 'snapshot_schedule_policy.retention_policy.max_retention_days')).toBe(false);
    expect(forcesReplacement('google_compute_instance', 'boot_disk.initialize_params.image')).toBe(true);
    expect(forcesReplacement('google_compute_instance', 'scheduling[0].preemptible')).toBe(true);
    expect(forcesReplacement('google_compute_instance', 'scheduling.automatic_restart')).toBe(false);
    expect(forcesReplacement('google_dns_record_set', 'rrdatas')).toBe(false);
    expect(forcesReplacement('google_dns_record_set', 'managed_zone')).toBe(true);
    expect(forcesReplacement('google_compute_instance', 'metadata.startup-script')).toBe(false);
    expect(forcesReplacement('google_compute_instance', 'network_interface[0].subnetwork')).toBe(true);
    expect(forcesReplacement('google_sql_database_instance', 'settings.tier')).toBe(false);
    expect(forcesReplacement('google_secret_manager_secret_iam_member', 'member')).toBe(true);
    expect(forcesReplacement('google_something_new', 'name')).toBe(true);
  });

  test('flatten keeps array positions and skips meta-arguments', () => {
    expect(flatten({ a: [{ b: 1 }, { b: 2 }], lifecycle: { prevent_destroy: true }, c: {} })).toEqual({ 'a[0].b': '1', 'a[1].b': '2', 'c': '{}' });
  });
});

describe('conditional ForceNew: a growth or an upgrade is in place, a shrink or a downgrade replaces', () => {
  const DB = 'App_SeparatedDatabase_Instance_F3EE4B09';
  const values = (before: unknown, after: unknown) => ({ before: JSON.stringify(before), after: JSON.stringify(after) });

  test.each([
    ['google_sql_database_instance', 'settings.disk_size', 100, 200, false],
    ['google_sql_database_instance', 'settings.disk_size', 200, 100, true],
    ['google_sql_database_instance', 'settings.disk_size', 100, 100, false],
    ['google_compute_disk', 'size', 20, 50, false],
    ['google_compute_disk', 'size', 50, 20, true],
    ['google_redis_instance', 'redis_version', 'REDIS_7_0', 'REDIS_7_2', false],
    ['google_redis_instance', 'redis_version', 'REDIS_7_2', 'REDIS_7_0', true],
    ['google_redis_instance', 'redis_version', 'REDIS_6_X', 'REDIS_7_0', false],
    ['google_redis_instance', 'redis_version', 'REDIS_7_0', 'REDIS_6_X', true],
  ])('%s %s %j → %j replaces: %s', (type, attribute, before, after, replaces) => {
    expect(forcesReplacement(type as string, attribute as string, values(before, after))).toBe(replaces);
  });

  test('without both values (a reference known only after apply, or no value) the ForceNew list decides: replace', () => {
    expect(forcesReplacement('google_compute_disk', 'size')).toBe(true);
    expect(forcesReplacement('google_compute_disk', 'size', { before: '20', after: '"${var.size}"' })).toBe(true);
    expect(forcesReplacement('google_sql_database_instance', 'settings.disk_size', { before: '100' })).toBe(true);
  });

  test('a growing Cloud SQL disk, data disk and a Memorystore upgrade are in-place UPDATEs of the demo\'s resources', () => {
    const before = rung('1M');
    const after = clone(before);
    after.resource.google_sql_database_instance[DB].settings.disk_size = 200;
    before.resource.google_sql_database_instance[DB].settings.disk_size = 100;
    after.resource.google_compute_disk.App_SingleServer_DataDisk_811E1457.size = 50;
    after.resource.google_redis_instance.App_Cache_Instance_D6F8EB9A.redis_version = 'REDIS_7_4';
    const plan = planGcpConfigs(Tier.USERS_1M, Tier.USERS_1M, before, after);
    expect(plan.changes.map(c => [c.type, c.action, c.properties])).toEqual([
      ['google_redis_instance', 'UPDATE', ['redis_version']],
      ['google_sql_database_instance', 'UPDATE', ['settings.disk_size']],
      ['google_compute_disk', 'UPDATE', ['size']],
    ]);
    expect(plan.verdict).toBe('SAFE');
    expect(plan.interruptions.map(i => [i.id, i.what])).toEqual([[
      'google_redis_instance.App_Cache_Instance_D6F8EB9A', "Memorystore instance 'app-cache' upgrades its Redis version (data is kept) to apply redis_version REDIS_7_2 → REDIS_7_4",
    ]]);
    expect(plan.interruptions[0].source).toContain('cloud.google.com/memorystore/docs/redis/about-upgrading-version');
    // The shrinks replace (and the demo's prevent_destroy refuses the plan): UNSAFE.
    const shrunk = planGcpConfigs(Tier.USERS_1M, Tier.USERS_1M, after, before);
    const shrinking = ['google_redis_instance.App_Cache_Instance_D6F8EB9A', `google_sql_database_instance.${DB}`, 'google_compute_disk.App_SingleServer_DataDisk_811E1457'];
    expect(shrunk.changes.filter(c => shrinking.includes(c.id)).map(c => [c.type, c.properties])).toEqual([
      ['google_redis_instance', ['redis_version (ForceNew: replaces)']],
      ['google_sql_database_instance', ['settings.disk_size (ForceNew: replaces)']],
      ['google_compute_disk', ['size (ForceNew: replaces)']],
    ]);
    expect(shrunk.verdict).toBe('UNSAFE');
  });
});

describe('Cloud SQL database_version is patched in place: what Cloud SQL does depends on the versions', () => {
  const DB = 'App_SeparatedDatabase_Instance_F3EE4B09';

  test.each([
    ['POSTGRES_16', 'POSTGRES_17', 'major-upgrade'],
    ['MYSQL_8_0', 'MYSQL_8_4', 'major-upgrade'],
    ['MYSQL_5_7', 'MYSQL_8_0_35', 'major-upgrade'],
    ['MYSQL_8_0_35', 'MYSQL_8_0_36', 'minor-upgrade'],
    ['MYSQL_8_0', 'MYSQL_8_0_36', 'minor-upgrade'],
    ['MYSQL_8_0_36', 'MYSQL_8_0', 'none'],
    ['MYSQL_8_0_31', 'MYSQL_8_0', 'downgrade'],
    ['MYSQL_8_0_36', 'MYSQL_8_0_35', 'downgrade'],
    ['POSTGRES_17', 'POSTGRES_16', 'downgrade'],
    ['POSTGRES_16', 'MYSQL_8_0', 'unsupported'],
    ['POSTGRES_16', 'POSTGRES_LATEST', 'unsupported'],
  ])('%s → %s: %s', (before, after, kind) => {
    expect(databaseVersionChange(before, after)).toBe(kind);
  });

  test('cited in place: no longer counted as a replacement', () => {
    expect(inPlaceUpdate('google_sql_database_instance', 'database_version')?.source).toBe('terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2025-2032');
    expect(replacementCause('google_sql_database_instance', 'database_version')).toBeUndefined();
  });

  test('a major upgrade (POSTGRES_16 → POSTGRES_17) is an UPDATE, a long interruption with Google\'s page, and a MIGRATION step: backup first, one instance at a time, replicas with their primary', () => {
    const before = rung('100K');
    const after = clone(before);
    for (const body of Object.values<any>(after.resource.google_sql_database_instance)) body.database_version = 'POSTGRES_17';
    const plan = planGcpConfigs(Tier.USERS_100K, Tier.USERS_100K, before, after);
    expect(plan.changes.map(c => [c.id, c.action, c.properties])).toEqual([
      ['google_sql_database_instance.App_ReadReplicaSet_Replica1_48C281C5', 'UPDATE', ['database_version']],
      [`google_sql_database_instance.${DB}`, 'UPDATE', ['database_version']],
    ]);
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.interruptions.map(i => i.id).sort()).toEqual([`google_sql_database_instance.${DB}`, 'google_sql_database_instance.App_ReadReplicaSet_Replica1_48C281C5'].sort());
    for (const i of plan.interruptions) {
      expect(i.what).toContain('upgrades its major version in place (POSTGRES_16 → POSTGRES_17; it is unavailable until the upgrade ends)');
      expect(i.what).toContain(`one instance at a time, on its own targeted apply (terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=${i.id})`);
      expect(i.downtime).toMatch(/^the whole upgrade: longer than a restart/);
      expect(i.source).toBe('cloud.google.com/sql/docs/postgres/upgrade-major-db-version-inplace ("Upgrade the database major version in-place": the upgrade requires the instance to be unavailable for a period of time)');
    }
    expect(plan.migrations.map(m => m.title)).toEqual(['Upgrade the Cloud SQL major version one instance at a time (POSTGRES_16 → POSTGRES_17)']);
    const lines = plan.migrations[0].instructions.split('\n');
    expect(lines[0]).toContain('google/services/sql/resource_sql_database_instance.go:2025-2032');
    expect(lines[0]).toContain('cloud.google.com/sql/docs/postgres/upgrade-major-db-version-inplace');
    const backup = lines.findIndex(l => l.includes('gcloud sql backups create --instance app-db --project my-scale-ladder-project'));
    const replicas = lines.findIndex(l => l.includes("these replicas are upgraded with 'app-db'; read the page's read-replica instructions first"));
    const upgrade = lines.findIndex(l => l.includes(`terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=google_sql_database_instance.${DB}, then terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=google_sql_database_instance.App_ReadReplicaSet_Replica1_48C281C5`));
    expect([backup > 0, replicas > backup, upgrade > replicas]).toEqual([true, true, true]);
    expect(lines[1]).toBe('1. Before anything, test the upgrade on a clone, as the page advises: gcloud sql instances clone app-db app-db-upgrade-test --project my-scale-ladder-project, ' +
      'then gcloud sql instances patch app-db-upgrade-test --database-version=POSTGRES_17 --project my-scale-ladder-project; check the app against the clone, then delete it ' +
      '(gcloud sql instances delete app-db-upgrade-test --project my-scale-ladder-project).');
    expect(lines).toContain("   a. Check POSTGRES_17 is offered: gcloud sql instances describe app-db --project my-scale-ladder-project --format='value(upgradableDatabaseVersions)' must list it.");
    expect(lines[lines.length - 1]).toBe('3. Then apply the rest: terraform -chdir=cdktf.out/stacks/scale-ladder apply.');
  });

  test('a minor upgrade is in place, a downgrade or another engine is UNSAFE with a note', () => {
    const before = rung('10K');
    const mysql = clone(before);
    mysql.resource.google_sql_database_instance[DB].database_version = 'MYSQL_8_0_35';
    const minor = clone(mysql);
    minor.resource.google_sql_database_instance[DB].database_version = 'MYSQL_8_0_36';
    const up = planGcpConfigs(Tier.USERS_10K, Tier.USERS_10K, mysql, minor);
    expect([up.verdict, up.migrations, up.notes]).toEqual(['SAFE', [], undefined]);
    expect(up.interruptions.map(i => i.what)).toEqual([expect.stringMatching(/^Cloud SQL instance 'app-db' upgrades its minor version in place \(MYSQL_8_0_35 → MYSQL_8_0_36; the database server restarts on the new version\)/)]);
    expect(up.interruptions[0].source).toContain('cloud.google.com/sql/docs/mysql/upgrade-minor-db-version');
    const down = clone(before);
    down.resource.google_sql_database_instance[DB].database_version = 'POSTGRES_15';
    const plan = planGcpConfigs(Tier.USERS_10K, Tier.USERS_10K, before, down);
    expect(plan.changes.map(c => [c.action, c.properties])).toEqual([['UPDATE', ['database_version']]]);
    expect(plan.verdict).toBe('UNSAFE');
    expect(plan.interruptions).toEqual([]);
    expect(plan.notes).toEqual([expect.stringMatching(/^stack 'scale-ladder': Cloud SQL instance 'app-db' changes database_version POSTGRES_16 → POSTGRES_15: a downgrade, which Cloud SQL does not support\. .*resource_sql_database_instance\.go:2025-2032.* UNSAFE\.$/)]);
    expect(planGcpConfigs(Tier.USERS_10K, Tier.USERS_10K, before, mysql).verdict).toBe('UNSAFE');
  });
});

test('all cdktf imports stay inside lib/gcp, and Google resources come only from @cdktf/provider-google/lib/<name>', () => {
  const root = path.join(__dirname, '..', '..', 'lib');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {walk(file);} else if (file.endsWith('.ts')) {
        const rel = path.relative(root, file);
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|require\()\s*'((?:cdktf|@cdktf\/[^']*)[^']*)'/g)) {
          const spec = m[1];
          if (!rel.startsWith(`gcp${path.sep}`)) offenders.push(`${rel}: ${spec} outside lib/gcp`);
          else if (spec.startsWith('@cdktf/provider-google') && !/^@cdktf\/provider-google\/lib\/[a-z0-9-]+$/.test(spec)) offenders.push(`${rel}: ${spec} is not a per-resource import`);
        }
      }
    }
  };
  walk(root);
  expect(offenders).toEqual([]);
});

describe('outages the steps cause', () => {
  test('1K → 10K lists the app\'s downtime during the copy as an interruption', () => {
    const plan = planGcp('1K', '10K');
    expect(plan.interruptions).toContainEqual(expect.objectContaining({
      what: expect.stringMatching(/^the app is down while the copy runs/),
      source: STEP_SOURCE,
    }));
    expect(planGcp('10K', '100K').interruptions.some(i => /copy runs/.test(i.what))).toBe(false);
  });
});
