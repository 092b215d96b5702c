import { all, rung } from './support';
import { planGcp, sqlRestartOrder } from '../../lib/gcp/upgrade/planner';

/*
 * Cloud SQL restarts happen one instance at a time, each on its own targeted apply, primary
 * before its replicas, shard by shard; the plan says what is down while each restarts.
 */

const sqlRestarts = (from: string, to: string) => planGcp(from, to).interruptions.filter(i => i.id.startsWith('google_sql_database_instance.'));

describe('Cloud SQL restarts are serialized and say what goes down', () => {
  test('10M → 100M: 12 restarts, one targeted apply each, shard by shard, each primary before its replicas', () => {
    const restarts = sqlRestarts('10M', '100M');
    expect(restarts).toHaveLength(12);
    const config = rung('100M');
    const body = (id: string) => config.resource.google_sql_database_instance[id.split('.')[1]];
    // Shard 0's replicas are named after their primary by reference.
    const names = restarts.map(r => String(body(r.id).name).replace('${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.name}', 'app-db'));
    expect(names).toEqual([
      'app-db', 'app-db-replica-1', 'app-db-replica-2',
      'app-db-shard-1', 'app-db-shard-1-replica-1', 'app-db-shard-1-replica-2',
      'app-db-shard-2', 'app-db-shard-2-replica-1', 'app-db-shard-2-replica-2',
      'app-db-shard-3', 'app-db-shard-3-replica-1', 'app-db-shard-3-replica-2',
    ]);
    restarts.forEach((r, i) => {
      expect(r.what).toContain(`restart ${i + 1} of 12, on its own at a quiet time: terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=${r.id}`);
      expect(r.downtime).toMatch(/^a few minutes/);
    });
    expect(restarts[3].what).toContain("every read and write of shard 1's keys fails (other shards keep serving)");
    expect(restarts[4].what).toContain('(after its primary\'s)');
    expect(restarts[4].what).toContain("reads sent to this replica fail (its primary keeps serving reads and writes of shard 1's keys)");
    // No two primaries restart in the same step.
    expect(new Set(restarts.map(r => r.what.match(/-target=(\S+)/)![1])).size).toBe(12);
  });

  test('the order follows master_instance_name, whatever order the ids come in', () => {
    const config = rung('10M');
    const ids = Object.keys(config.resource.google_sql_database_instance).map(k => `google_sql_database_instance.${k}`);
    const order = sqlRestartOrder(config, [...ids].reverse());
    expect(order).toEqual(sqlRestartOrder(config, ids));
    for (const body of all(config, 'google_sql_database_instance').filter(b => b.master_instance_name)) {
      const replica = order.findIndex(id => config.resource.google_sql_database_instance[id.split('.')[1]] === body);
      const primary = order.indexOf(String(body.master_instance_name).replace(/^\$\{(.*)\.name\}$/, '$1'));
      expect(primary).toBeGreaterThanOrEqual(0);
      expect(replica).toBeGreaterThan(primary);
    }
  });

  test('10K → 100K: the database restarts on its own apply at a quiet time before the targeted apply that would restart it while the server serves', () => {
    const lines = planGcp('10K', '100K').migrations[0].instructions.split('\n');
    const restart = lines.findIndex(l => l.includes('terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09'));
    const targeted = lines.findIndex(l => l.startsWith('2. Bring up the new entry point'));
    expect(restart).toBeGreaterThan(0);
    expect(restart).toBeLessThan(targeted);
    expect(lines[restart]).toContain('Before step 2, at a quiet time');
    expect(lines[restart]).toContain('the server still serves from it, so for a few minutes every request that needs the database fails');
  });
});
