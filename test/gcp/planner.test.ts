import * as fs from 'fs';
import * as path from 'path';
import { rung } from './support';
import { Tier } from '../../lib';
import { verdictOf } from '../../lib/core/upgrade-plan';
import { diffConfigs, flatten, forcesReplacement, gcpInterruptions, inPlaceUpdate, planGcp, planGcpConfigs, replacementCause } from '../../lib/gcp/planner';

const clone = (x: any) => JSON.parse(JSON.stringify(x));

describe('planner', () => {
  test('identical rungs give an empty SAFE plan', () => {
    const plan = planGcp('1M', '1M');
    expect(plan).toEqual({ cloud: 'gcp', from: '1M', to: '1M', changes: [], migrations: [], interruptions: [], verdict: 'SAFE' });
  });

  const DB = 'App_SeparatedDatabase_Instance_F3EE4B09';

  test('a changed ForceNew attribute of a stateful resource is a REPLACE and UNSAFE', () => {
    const before = rung('10K');
    const after = clone(before);
    after.resource.google_sql_database_instance[DB].settings.disk_type = 'PD_HDD';
    const changes = diffConfigs(before, after);
    expect(changes[0]).toEqual({
      id: `google_sql_database_instance.${DB}`,
      type: 'google_sql_database_instance',
      layer: 'SeparatedDatabase',
      action: 'REPLACE',
      stateful: true,
      properties: ['settings.disk_type (ForceNew: replaces)'],
      lost: "the Cloud SQL instance 'app-db' and its databases (and its backups, unless they are set to be kept after deletion): a new, empty one replaces it",
    });
    // What refers to the replaced instance follows it: its database and user (instance is ForceNew)
    // are replaced, the server's environment metadata (in place) is updated.
    const refers = `refers to google_sql_database_instance.${DB}, which is replaced: known after apply`;
    expect(changes.slice(1).map(c => [c.action, c.type, c.stateful, c.properties])).toEqual([
      ['REPLACE', 'google_sql_database', true, [`instance (${refers}; ForceNew: replaces)`]],
      ['REPLACE', 'google_sql_user', false, [`instance (${refers}; ForceNew: replaces)`]],
      ['UPDATE', 'google_compute_instance', false, [`metadata.scale-ladder-env (${refers})`]],
    ]);
    expect(changes[1].lost).toBe("the database 'app' and every table in it: a new, empty one replaces it");
    expect(verdictOf(changes, [])).toBe('UNSAFE');
  });

  test('a changed attribute of a stateful resource that the cited table does not know to update in place is a REPLACE and UNSAFE, named', () => {
    const before = rung('10K');
    const after = clone(before);
    // database_version is not ForceNew at v6.50.0 (the provider upgrades in place), but the
    // table does not list it: unknown counts as a replacement.
    after.resource.google_sql_database_instance[DB].database_version = 'POSTGRES_17';
    after.resource.google_sql_database_instance[DB].settings.edition = 'ENTERPRISE_PLUS';
    const changes = diffConfigs(before, after);
    expect(changes[0].properties).toEqual([
      'database_version (no cited in-place update: counted as a replacement)',
      'settings.edition (no cited in-place update: counted as a replacement)',
    ]);
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
      `terraform apply -target=google_sql_database_instance.${DB} first, at a quiet time, to choose when; while it restarts, every read and write of the app's data fails`);
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
