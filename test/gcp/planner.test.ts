import * as fs from 'fs';
import * as path from 'path';
import { rung } from './support';
import { diffConfigs, flatten, forcesReplacement, planGcp } from '../../lib/gcp/planner';

const clone = (x: any) => JSON.parse(JSON.stringify(x));

describe('planner', () => {
  test('identical rungs give an empty SAFE plan', () => {
    const plan = planGcp('1M', '1M');
    expect(plan).toEqual({ cloud: 'gcp', from: '1M', to: '1M', changes: [], migrations: [], verdict: 'SAFE' });
  });

  test('a changed replacement-forcing attribute of a stateful resource is a REPLACE and UNSAFE', () => {
    const before = rung('10K');
    const after = clone(before);
    after.resource.google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.database_version = 'POSTGRES_17';
    const changes = diffConfigs(before, after);
    expect(changes).toEqual([{
      id: 'google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09',
      type: 'google_sql_database_instance',
      layer: 'SeparatedDatabase',
      action: 'REPLACE',
      stateful: true,
      properties: ['database_version'],
    }]);
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
    expect(forcesReplacement('google_compute_resource_policy', 'snapshot_schedule_policy.retention_policy.max_retention_days')).toBe(true);
    expect(forcesReplacement('google_compute_instance', 'boot_disk.initialize_params.image')).toBe(true);
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
