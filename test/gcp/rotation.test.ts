import * as fs from 'fs';
import * as path from 'path';
import { all, BASE, expectError, find, resources, rung, RUNGS, synthStack } from './support';
import { AppContract, gcp, Tier } from '../../lib';
import { CREDENTIAL_ROTATION_IMAGE, CREDENTIAL_ROTATION_SCHEDULE, CREDENTIAL_ROTATION_SCRIPT } from '../../lib/gcp/data/credential-rotation-script';
import { fromTerraformLiteral } from '../../lib/gcp/internal/common';
import { planGcp } from '../../lib/gcp/upgrade/planner';

/*
 * Credentials on Google Cloud (docs/credentials.md): from 10K a monthly job rotates each Cloud
 * SQL primary's password and then that instance's own secret, one pair at a time; from 10M each
 * further shard has its own secret, whose first version is the password its user is created
 * with. The app learns where each password comes from (DATABASE_SECRET, each SHARD_MAP entry's
 * secret) and reads it again when a login fails.
 */

const SECRET = '${google_secret_manager_secret.App_Credentials_Secret_19C56903.id}';
const SECRET_ID = '${google_secret_manager_secret.App_Credentials_Secret_19C56903.secret_id}';
const PASSWORD = '${random_password.App_Credentials_Password_EC6ED98C.result}';
const DOC = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'credentials.md'), 'utf8');
const IMAGE = 'nginx:1.27';

const envOf = (svc: any): Record<string, any> =>
  Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value ?? e.value_source]));
const ref = (type: string, body: any, attr: string) => `\${${type}.${body['//'].metadata.uniqueId}.${attr}}`;
const shardsOf = (name: string) => Tier.fromName(name).spec.database?.shards ?? 0;
/** Shard i's writer and its password secret (shard 0: the managed database and the shared secret). */
function shard(config: any, i: number): { instance: any; secret: any; version?: any; user: any } {
  if (i === 0) {
    return {
      instance: find(config, 'google_sql_database_instance', 'SeparatedDatabase/Instance'),
      secret: find(config, 'google_secret_manager_secret', 'App/Credentials/Secret'),
      user: find(config, 'google_sql_user', 'SeparatedDatabase/User'),
    };
  }
  return {
    instance: find(config, 'google_sql_database_instance', `ShardedCluster/Shard${i}/Instance`),
    secret: find(config, 'google_secret_manager_secret', `ShardedCluster/Shard${i}/PasswordSecret/Secret`),
    version: find(config, 'google_secret_manager_secret_version', `ShardedCluster/Shard${i}/PasswordSecret/InitialVersion`),
    user: find(config, 'google_sql_user', `ShardedCluster/Shard${i}/User`),
  };
}
const grantsTo = (config: any, account: string) =>
  resources(config).filter(([, , body]) => typeof body.member === 'string' && body.member === `serviceAccount:\${${account}.email}`);

describe.each(RUNGS)('rung %s', (name) => {
  const config = rung(name);
  const managed = name !== '1K';
  const shards = shardsOf(name);

  test('no secret has a Secret Manager rotation schedule (it only notifies: the job rotates)', () => {
    for (const secret of all(config, 'google_secret_manager_secret')) expect([secret.secret_id, secret.rotation]).toEqual([secret.secret_id, undefined]);
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

  if (!managed) {
    test('no rotation on 1K (no managed database): no job, schedule, role or grant', () => {
      expect(config.resource.google_cloud_scheduler_job).toBeUndefined();
      expect(config.resource.google_project_iam_custom_role).toBeUndefined();
      expect(config.resource.google_cloud_run_v2_job).toBeUndefined();
      expect(resources(config).filter(([, , b]) => String(b['//']?.metadata?.path).includes('CredentialRotation'))).toEqual([]);
    });
    return;
  }

  test('the rotation job runs the shipped script in the gcloud image, pair by pair: shard 0 first, then every further shard with its own secret', () => {
    const job = find(config, 'google_cloud_run_v2_job', 'CredentialRotation/Job');
    expect(job).toMatchObject({ name: 'app-rotate-credentials', location: 'us-central1', project: 'my-scale-ladder-project' });
    const task = job.template.template;
    expect([task.max_retries, task.vpc_access, job.template.task_count]).toEqual([0, undefined, 1]);
    const container = task.containers[0];
    expect(container.image).toBe(CREDENTIAL_ROTATION_IMAGE);
    expect(container.command).toEqual(['bash', '-c']);
    expect(fromTerraformLiteral(container.args[0])).toBe(CREDENTIAL_ROTATION_SCRIPT);
    expect(container.args[0]).not.toMatch(/(?<!\$)\$\{|(?<!%)%\{/);
    const env = envOf(job.template);
    const expected = Array.from({ length: Math.max(shards, 1) }, (_, i) => {
      const s = shard(config, i);
      return `${ref('google_sql_database_instance', s.instance, 'name')}=${ref('google_secret_manager_secret', s.secret, 'secret_id')}`;
    });
    expect(env.ROTATION_PAIRS.split(' ')).toEqual(expected);
    expect(env.ROTATION_PAIRS.split(' ')[0]).toBe(`\${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.name}=${SECRET_ID}`);
    // Primaries only: read replicas follow their primary.
    expect(env.ROTATION_PAIRS).not.toMatch(/Replica/);
    expect([env.DATABASE_USER, env.PROJECT]).toEqual(['app', 'my-scale-ladder-project']);
    // No execution token: Terraform never starts an execution.
    expect([job.start_execution_token, job.run_execution_token]).toEqual([undefined, undefined]);
  });

  test('its service account may set passwords on exactly those instances and add and read versions of exactly those secrets', () => {
    const job = find(config, 'google_cloud_run_v2_job', 'CredentialRotation/Job');
    const account = job.template.template.service_account.replace(/^\$\{(.*)\.email\}$/, '$1');
    expect(account).toMatch(/^google_service_account\.App_CredentialRotation_ServiceAccount_[0-9A-F]+$/);
    const role = find(config, 'google_project_iam_custom_role', 'CredentialRotation/SqlRole');
    expect(role.permissions).toEqual(['cloudsql.instances.get', 'cloudsql.users.update']);
    const grants = grantsTo(config, account);
    const pairs = Array.from({ length: Math.max(shards, 1) }, (_, i) => shard(config, i));
    const sql = grants.filter(([type, , b]) => type === 'google_project_iam_member' && b.condition !== undefined).map(([, , b]) => b);
    expect(sql.map(b => [b.role, b.condition.expression])).toEqual(pairs.map(p => [ref('google_project_iam_custom_role', role, 'id'),
      `resource.name == "projects/my-scale-ladder-project/instances/${ref('google_sql_database_instance', p.instance, 'name')}" && resource.service == "sqladmin.googleapis.com"`]));
    const secrets = grants.filter(([type]) => type === 'google_secret_manager_secret_iam_member').map(([, , b]) => [b.secret_id, b.role]);
    expect(secrets.sort()).toEqual(pairs.flatMap(p => [
      [ref('google_secret_manager_secret', p.secret, 'secret_id'), 'roles/secretmanager.secretAccessor'],
      [ref('google_secret_manager_secret', p.secret, 'secret_id'), 'roles/secretmanager.secretVersionAdder'],
    ]).sort());
    // Operations are project resources, which the per-instance condition cannot match: read-only, unconditional.
    const read = grants.filter(([type, , b]) => type === 'google_project_iam_member' && b.condition === undefined).map(([, , b]) => b.role);
    expect(read).toEqual(['roles/cloudsql.viewer']);
    expect(grants).toHaveLength(sql.length + secrets.length + 1);
  });

  test('the first run waits 30 days from the first apply, as on AWS', () => {
    const job = find(config, 'google_cloud_run_v2_job', 'CredentialRotation/Job');
    const offset = find(config, 'time_offset', 'CredentialRotation/FirstRun');
    expect(offset).toMatchObject({ offset_days: 30 });
    expect(offset.base_rfc3339).toBeUndefined();
    expect(envOf(job.template).NOT_BEFORE).toBe(ref('time_offset', offset, 'rfc3339'));
    expect(config.terraform.required_providers.time).toEqual({ source: 'hashicorp/time', version: '>= 0.9.0' });
  });

  test('Cloud Scheduler runs it monthly through the Cloud Run Admin API, as an account that may only run this job', () => {
    const schedule = find(config, 'google_cloud_scheduler_job', 'CredentialRotation/Schedule');
    expect(schedule).toMatchObject({
      name: 'app-rotate-credentials',
      region: 'us-central1',
      schedule: CREDENTIAL_ROTATION_SCHEDULE,
      time_zone: 'Etc/UTC',
      retry_config: { retry_count: 0 },
      http_target: { http_method: 'POST', uri: 'https://run.googleapis.com/v2/projects/my-scale-ladder-project/locations/us-central1/jobs/app-rotate-credentials:run' },
    });
    expect(schedule.paused).toBeUndefined();
    const account = schedule.http_target.oauth_token.service_account_email.replace(/^\$\{(.*)\.email\}$/, '$1');
    expect(account).toMatch(/^google_service_account\.App_CredentialRotation_SchedulerServiceAccount_[0-9A-F]+$/);
    const job = find(config, 'google_cloud_run_v2_job', 'CredentialRotation/Job');
    expect(grantsTo(config, account).map(([type, , b]) => [type, b.role, b.name])).toEqual([
      ['google_cloud_run_v2_job_iam_member', 'roles/run.invoker', ref('google_cloud_run_v2_job', job, 'name')],
    ]);
  });

  if (shards > 1) {
    test('each further shard has its own protected secret, named after its instance, whose first version is the password its user is created with', () => {
      for (let i = 1; i < shards; i++) {
        const s = shard(config, i);
        expect(s.secret).toMatchObject({ secret_id: `app-db-shard-${i}-password`, deletion_protection: true, lifecycle: { prevent_destroy: true } });
        expect(s.instance.name).toBe(`app-db-shard-${i}`);
        expect(s.version).toMatchObject({ secret: ref('google_secret_manager_secret', s.secret, 'id'), deletion_policy: 'DISABLE', lifecycle: { prevent_destroy: true, ignore_changes: ['secret_data'] } });
        expect([s.version.secret_data, s.user.password]).toEqual([PASSWORD, PASSWORD]);
      }
    });

    test('every runtime that gets SHARD_MAP may read each secret it names (contract: re-reading needs no other grant)', () => {
      const runtimes = [...all(config, 'google_cloud_run_v2_service').map(s => s.template), ...all(config, 'google_cloud_run_v2_job').map(j => j.template.template)]
        .filter(t => t.containers[0].env.some((e: any) => e.name === 'SHARD_MAP'));
      expect(runtimes.length).toBeGreaterThanOrEqual(2);
      const grants = resources(config).filter(([type, , b]) => type === 'google_secret_manager_secret_iam_member' && b.role === 'roles/secretmanager.secretAccessor').map(([, , b]) => b);
      for (const t of runtimes) {
        const map = JSON.parse(t.containers[0].env.find((e: any) => e.name === 'SHARD_MAP').value);
        for (const entry of map) {
          const secretId = String(entry.secret).replace(/\.secret_id\}$/, '.id}');
          const readable = grants.some(g => g.member === `serviceAccount:${t.service_account}` && g.secret_id === secretId);
          expect([t.service_account, entry.id, readable]).toEqual([t.service_account, entry.id, true]);
        }
      }
    });

    test('every SHARD_MAP (every service, in every region) names each shard\'s own secret', () => {
      const services = all(config, 'google_cloud_run_v2_service').filter(svc => envOf(svc).SHARD_MAP !== undefined);
      expect(services.length).toBeGreaterThanOrEqual(2);
      for (const svc of services) {
        const names = svc.template.containers[0].env.map((e: any) => e.name);
        expect(new Set(names).size).toBe(names.length);
        const map = JSON.parse(envOf(svc).SHARD_MAP);
        expect([svc.name, map.map((e: any) => e.secret)]).toEqual([svc.name,
          Array.from({ length: shards }, (_, i) => ref('google_secret_manager_secret', shard(config, i).secret, 'secret_id'))]);
      }
    });

    test('the rebalance job reads each shard\'s password from that shard\'s secret, and may read exactly those (and the assignment)', () => {
      const job = find(config, 'google_cloud_run_v2_job', 'ShardedCluster/Rebalance/Job');
      const env = envOf(job.template);
      const ids = Array.from({ length: shards }, (_, i) => ref('google_secret_manager_secret', shard(config, i).secret, 'id'));
      ids.forEach((id, i) => expect([i, env[`SHARD_${i}_PASSWORD`]]).toEqual([i, { secret_key_ref: { secret: id, version: 'latest' } }]));
      const account = job.template.template.service_account.replace(/^\$\{(.*)\.email\}$/, '$1');
      expect(grantsTo(config, account).map(([type, , b]) => [type, b.role, b.secret_id]).sort()).toEqual([
        ...ids, '${google_secret_manager_secret.App_SeparatedDatabase_ShardBuckets_A6AFE4C7.id}',
      ].map(id => ['google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', id]).sort());
    });
  }
});

describe('the switch', () => {
  const on = synthStack(stack => new gcp.Tier10M(stack, 'App', { ...BASE, image: IMAGE }));
  const off = synthStack(stack => new gcp.Tier10M(stack, 'App', { ...BASE, image: IMAGE, credentialRotation: false }));
  const addresses = (config: any) => resources(config).map(([type, id]) => `${type}.${id}`).sort();

  test('credentialRotation: false leaves out exactly the rotation (job, schedule, role, accounts, grants); the per-shard secrets stay', () => {
    const dropped = addresses(on).filter(a => !addresses(off).includes(a));
    expect(dropped.length).toBeGreaterThan(0);
    for (const a of dropped) expect(a).toMatch(/_CredentialRotation_/);
    expect(addresses(off).filter(a => !addresses(on).includes(a))).toEqual([]);
    expect(off.resource.google_cloud_scheduler_job).toBeUndefined();
    expect(all(off, 'google_secret_manager_secret').map(s => s.secret_id)).toEqual(expect.arrayContaining(['app-db-shard-1-password', 'app-db-shard-3-password']));
  });

  test('it is checked on every rung, 1K included: a non-boolean names the prop, the value and what is allowed', () => {
    for (const Preset of [gcp.Tier1K, gcp.Tier10K, gcp.Tier1B]) {
      expectError(scope => new Preset(scope, 'App', { ...BASE, image: IMAGE, credentialRotation: 'yes' as any }),
        'credentialRotation must be a boolean (true or false), got "yes"');
    }
    expectError(scope => new gcp.Tier1K(scope, 'App', { ...BASE, image: IMAGE, credentialRotation: 0 as any }),
      'credentialRotation must be a boolean (true or false), got 0');
  });

  test('on 1K it has no effect either way', () => {
    const a = synthStack(stack => new gcp.Tier1K(stack, 'App', { ...BASE, image: IMAGE }));
    const b = synthStack(stack => new gcp.Tier1K(stack, 'App', { ...BASE, image: IMAGE, credentialRotation: false }));
    expect(b).toEqual(a);
  });
});

describe('climbs only add (Terraform addresses stay)', () => {
  test.each([['1K', '10K'], ['1M', '10M'], ['10M', '100M'], ['100M', '1B']])('%s → %s: the rotation and every secret are only added or updated in place', (from, to) => {
    const plan = planGcp(from, to);
    const touched = plan.changes.filter(c => c.layer === 'CredentialRotation' || c.type.startsWith('google_secret_manager_secret'));
    expect(touched.filter(c => c.action !== 'ADD' && c.action !== 'UPDATE')).toEqual([]);
    // The only update is the rotation job's pair list growing with the new shards.
    expect(touched.filter(c => c.action === 'UPDATE').map(c => [c.type, c.properties])).toEqual(
      shardsOf(from) !== shardsOf(to) && from !== '1K' ? [['google_cloud_run_v2_job', ['template.template.containers.env.value']]] : []);
    expect(plan.changes.filter(c => c.stateful && (c.action === 'REPLACE' || c.action === 'REMOVE'))).toEqual([]);
    if (from === '1K') expect(touched.filter(c => c.layer === 'CredentialRotation').length).toBeGreaterThan(5);
    if (to === '10M') {
      expect(plan.changes.filter(c => c.type === 'google_secret_manager_secret' && /PasswordSecret/.test(c.id)).map(c => c.action)).toEqual(['ADD', 'ADD', 'ADD']);
    }
  });
});

describe('the contract', () => {
  test('DATABASE_SECRET is a plain variable from 10K', () => {
    const v = AppContract.all().find(x => x.name === 'DATABASE_SECRET')!;
    expect([v.secret, v.fromRung]).toEqual([false, '10K']);
  });

  test('docs/credentials.md gives the procedures the code relies on', () => {
    expect(DOC).toContain('gcloud run jobs execute <name>-rotate-credentials --region=<region> --wait');
    expect(DOC).toContain('credentialRotation: false');
    expect(DOC).toContain('<name>-db-shard-<i>-password');
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
