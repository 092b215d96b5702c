import * as fs from 'fs';
import * as path from 'path';
import { all, find, resources, rung, RUNGS } from './support';
import { AppContract } from '../../lib';
import { planGcp } from '../../lib/gcp/planner';

/*
 * Credentials on Google Cloud (docs/credentials.md): nothing rotates on a schedule (Secret
 * Manager rotates nothing itself, one password spans every instance, PostgreSQL keeps one password
 * per user), so the contract is the re-read: the app learns where its password comes from
 * (DATABASE_SECRET, from 10K) and the procedures rotate by hand without Terraform fighting them.
 */

const SECRET = '${google_secret_manager_secret.App_Credentials_Secret_19C56903.id}';
const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'credentials.md'), 'utf8');

const envOf = (svc: any): Record<string, any> =>
  Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value ?? e.value_source]));

describe.each(RUNGS)('rung %s', (name) => {
  const config = rung(name);
  const managed = name !== '1K';

  test('no secret has a rotation schedule and no job rotates one (rotation is by hand)', () => {
    for (const secret of all(config, 'google_secret_manager_secret')) expect([secret.secret_id, secret.rotation]).toEqual([secret.secret_id, undefined]);
    expect(config.resource.google_cloud_scheduler_job).toBeUndefined();
  });

  test(`${managed ? 'every service and the server name' : 'nothing names'} the secret DATABASE_PASSWORD comes from (DATABASE_SECRET)`, () => {
    for (const svc of all(config, 'google_cloud_run_v2_service')) {
      const env = envOf(svc);
      expect([svc.name, env.DATABASE_SECRET]).toEqual([svc.name, managed ? SECRET : undefined]);
      if (managed) expect(env.DATABASE_PASSWORD).toEqual({ secret_key_ref: { secret: SECRET, version: 'latest' } });
    }
    const vm = all(config, 'google_compute_instance')[0];
    if (vm) expect(vm.metadata['scale-ladder-env'].includes(`DATABASE_SECRET=${SECRET}`)).toBe(managed);
  });
});

describe('the contract', () => {
  test('DATABASE_SECRET is a plain variable from 10K; the shards name the same secret', () => {
    const v = AppContract.all().find(x => x.name === 'DATABASE_SECRET')!;
    expect([v.secret, v.fromRung]).toEqual([false, '10K']);
    const svc = all(rung('10M'), 'google_cloud_run_v2_service').find(s => s.name === 'app-web')!;
    const shards = JSON.parse(envOf(svc).SHARD_MAP);
    for (const shard of shards) expect(shard.secret).toBe('${google_secret_manager_secret.App_Credentials_Secret_19C56903.secret_id}');
  });

  test('docs/credentials.md gives the procedures the code relies on', () => {
    expect(DOC).toContain('gcloud sql users set-password app --instance=<name>-db');
    expect(DOC).toContain('gcloud secrets versions add <name>-database-password');
    expect(DOC).toContain('gcloud secrets versions add <name>-cache-auth');
    expect(DOC).toMatch(/28P01/);
  });
});

describe('the cache AUTH string can be changed by hand without Terraform replacing the protected secret version', () => {
  test.each(['1M', '10M', '1B'])('on %s the first version ignores later data and stays protected', (name) => {
    const version = find(rung(name), 'google_secret_manager_secret_version', 'Cache/AuthSecretVersion');
    expect(version.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['secret_data'] });
    expect(version.deletion_policy).toBe('DISABLE');
  });

  test.each([['100K', '1M'], ['1M', '10M'], ['10M', '100M']])('%s → %s replaces or removes nothing that holds data', (from, to) => {
    const plan = planGcp(from, to);
    expect(plan.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'))).toEqual([]);
    expect(plan.changes.filter(c => c.type === 'google_secret_manager_secret_version' && c.action === 'UPDATE')).toEqual([]);
  });

  test('every secret version that holds a credential stays protected on every rung', () => {
    for (const name of RUNGS) {
      for (const [type, addr, body] of resources(rung(name))) {
        if (type === 'google_secret_manager_secret_version') expect([addr, body.lifecycle?.prevent_destroy]).toEqual([addr, true]);
      }
    }
  });
});
