import { resources, rung, RUNGS } from './support';
import { Tier } from '../../lib';
import { forceNewAttributes, planGcp, STATEFUL_TYPES } from '../../lib/gcp/planner';

const PAIRS: Array<[string, string]> = [];
RUNGS.forEach((from, i) => RUNGS.slice(i + 1).forEach(to => PAIRS.push([from, to])));

test('there are 21 ordered pairs', () => {
  expect(PAIRS).toHaveLength(21);
});

/** The replacement-forcing attributes of a body, as JSON. */
function identity(type: string, body: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const attr of forceNewAttributes(type)) {
    const value = attr.split('.').reduce((v: any, k) => (v === undefined ? undefined : Array.isArray(v) ? v.map(x => x?.[k]) : v[k]), body);
    out[attr] = JSON.stringify(value);
  }
  return out;
}

describe.each(PAIRS)('swap %s → %s', (from, to) => {
  test('every stateful resource keeps its address, its identity and prevent_destroy', () => {
    const lower = rung(from);
    const higher = rung(to);
    const stateful = resources(lower).filter(([type]) => STATEFUL_TYPES.has(type));
    expect(stateful.length).toBeGreaterThan(0);
    for (const [type, name, body] of stateful) {
      const after = higher.resource?.[type]?.[name];
      expect([`${type}.${name}`, after !== undefined]).toEqual([`${type}.${name}`, true]);
      expect(identity(type, after)).toEqual(identity(type, body));
      expect(after.lifecycle?.prevent_destroy).toBe(true);
    }
  });

  test('the planner replaces and deletes no stateful resource; only 1K needs the migration', () => {
    const plan = planGcp(from, to);
    expect(plan.cloud).toBe('gcp');
    const lossy = plan.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'));
    expect(lossy).toEqual([]);
    expect(plan.changes.filter(c => c.action === 'REPLACE')).toEqual([]);
    expect(plan.verdict).toBe(from === '1K' ? 'MIGRATION' : 'SAFE');
    expect(plan.migrations.map(m => m.title)).toEqual(from === '1K' ? ['Copy the server-local PostgreSQL into Cloud SQL'] : []);
    expect(plan.changes.filter(c => c.action === 'ADD').length).toBeGreaterThan(0);
  });
});

test('the 1K data disk and the database secret stay declared on every rung (same address, protected)', () => {
  const disk = Object.keys(rung('1K').resource.google_compute_disk);
  expect(disk).toEqual(['App_SingleServer_DataDisk_811E1457']);
  for (const name of RUNGS) {
    const body = rung(name).resource.google_compute_disk.App_SingleServer_DataDisk_811E1457;
    expect(body).toMatchObject({ name: 'app-pgdata', zone: 'us-central1-a', lifecycle: { prevent_destroy: true } });
    expect(Object.keys(rung(name).resource.google_secret_manager_secret)).toContain('App_Credentials_Secret_19C56903');
  }
});

test('shard 0 is the 10K instance at its original address on 10M and above', () => {
  const address = Object.keys(rung('10K').resource.google_sql_database_instance);
  expect(address).toEqual(['App_SeparatedDatabase_Instance_F3EE4B09']);
  for (const name of ['10M', '100M', '1B']) {
    const instances = rung(name).resource.google_sql_database_instance;
    expect(instances.App_SeparatedDatabase_Instance_F3EE4B09.name).toBe('app-db');
    const shardMap = JSON.parse(rung(name).resource.google_cloud_run_v2_service.App_StatelessFleet_Service_93375F52.template.containers[0].env
      .find((e: any) => e.name === 'SHARD_MAP').value);
    expect(shardMap[0]).toMatchObject({ id: 0, host: '${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.private_ip_address}' });
    expect(shardMap).toHaveLength(Tier.fromName(name).spec.database!.shards);
  }
});

test('1K → 10K migration ships the copy step and names the real VM, zone and disk', () => {
  const plan = planGcp('1K', '10K');
  expect(plan.verdict).toBe('MIGRATION');
  const text = plan.migrations[0].instructions;
  expect(text).toContain('gcloud compute instances reset app-server --zone us-central1-a --project my-scale-ladder-project');
  expect(text).toContain("disk 'app-pgdata'");
  // The copy itself is in the 10K server's startup script.
  const script: string = Object.values<any>(rung('10K').resource.google_compute_instance)[0].metadata['startup-script'];
  expect(script).toMatch(/pg_dump -U app --no-owner --no-privileges app \| docker run .* psql "host=\$TARGET port=5432 user=app dbname=app sslmode=require"/);
  expect(script).toContain('MIGRATED-TO-CLOUD-SQL');
  const skip = planGcp('1K', '100K').migrations[0].instructions;
  expect(skip).toContain('swap to 10K first');
});

test('a downward swap is UNSAFE (the planner can fail)', () => {
  const plan = planGcp('10M', '1M');
  expect(plan.verdict).toBe('UNSAFE');
  expect(plan.changes.some(c => c.stateful && c.action === 'REMOVE' && c.retained === false)).toBe(true);
});
