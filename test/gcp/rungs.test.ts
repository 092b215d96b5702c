import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { all, referenceCount, resources, rung, RUNGS, unresolvedReferences } from './support';
import { AppContract, Tier } from '../../lib';
import { synthGcpRung } from '../../lib/gcp/ladder/synth-rung';

// Each rung is synthesized once per file (cached), so these tests share the work.

describe.each(RUNGS)('rung %s', name => {
  const config = () => rung(name);

  test('matches its snapshot', () => {
    expect(config()).toMatchSnapshot();
  });

  test('every ${…} reference resolves to a declared resource or data source', () => {
    expect(referenceCount(config())).toBeGreaterThan(0);
    expect(unresolvedReferences(config())).toEqual([]);
  });

  test('no two resources of a type share a Google Cloud name', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const [type, addr, body] of resources(config())) {
      const ident = body.name ?? body.account_id ?? body.secret_id ?? body.slo_id ?? body.service_id;
      if (typeof ident !== 'string' || ident.includes('${')) continue;
      const scope = body.instance ?? body.managed_zone ?? body.region ?? body.location ?? body.zone ?? 'global';
      const key = `${type}/${scope}/${ident}`;
      if (seen.has(key)) dupes.push(`${key} (${seen.get(key)} and ${addr})`);
      seen.set(key, addr);
    }
    expect(dupes).toEqual([]);
  });

  test('the app gets exactly the AppContract variables of the rung, on every service', () => {
    const tier = Tier.fromName(name);
    // SHARD_BUCKETS is no credential, but on Google Cloud it is read from Secret Manager (the
    // store the rebalance step publishes new versions to), so it arrives as a secret reference.
    const sharded = AppContract.variablesFor(tier).some(v => v.name === 'SHARD_BUCKETS');
    const extra = sharded ? ['SHARD_BUCKETS'] : [];
    const expected = AppContract.variablesFor(tier).map(v => v.name).filter(n => n !== 'PORT').sort();
    const services = all(config(), 'google_cloud_run_v2_service').filter(s => s.name !== 'app-worker');
    for (const svc of services) {
      const names = svc.template.containers[0].env.map((e: any) => e.name).sort();
      expect(names).toEqual(expected);
      const secrets = svc.template.containers[0].env.filter((e: any) => e.value_source).map((e: any) => e.name).sort();
      expect(secrets).toEqual([...AppContract.variablesFor(tier).filter(v => v.secret).map(v => v.name), ...extra].sort());
    }
    const vm = all(config(), 'google_compute_instance')[0];
    if (vm) {
      // The server reads its environment from metadata (the startup script is the same on every rung).
      const names = `${vm.metadata['scale-ladder-env']}${vm.metadata['scale-ladder-secrets']}`.split('\n').filter(l => l !== '').map(l => l.split('=')[0]);
      expect(names.sort()).toEqual(AppContract.variablesFor(tier).map(v => v.name).sort());
    }
    expect(services.length + (vm ? 1 : 0)).toBeGreaterThan(0);
  });

  test('every stateful resource carries prevent_destroy and deletion protection where the provider has it', () => {
    for (const [type, addr, body] of resources(config())) {
      if (['google_sql_database_instance', 'google_compute_disk', 'google_compute_address', 'google_storage_bucket', 'google_redis_instance',
        'google_pubsub_topic', 'google_pubsub_subscription', 'google_secret_manager_secret', 'google_secret_manager_secret_version',
        'google_sql_database', 'random_password'].includes(type)) {
        expect([addr, body.lifecycle?.prevent_destroy]).toEqual([addr, true]);
      }
      if (type === 'google_sql_database_instance') {
        expect(body.deletion_protection).toBe(true);
        expect(body.settings.deletion_protection_enabled).toBe(true);
      }
      if (type === 'google_secret_manager_secret') expect(body.deletion_protection).toBe(true);
      if (type === 'google_storage_bucket') expect(body.force_destroy).toBe(false);
    }
  });
});

test('resource counts grow with the ladder', () => {
  const counts = RUNGS.map(n => resources(rung(n)).length);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(counts[0]).toBeGreaterThan(10);
});

test('synthesis is deterministic: two synths of a rung are byte-identical', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-det-'));
  try {
    const a = synthGcpRung('1B', path.join(dir, 'a'));
    const b = synthGcpRung('1B', path.join(dir, 'b'));
    expect(fs.readFileSync(a.stacks[0].file, 'utf8')).toEqual(fs.readFileSync(b.stacks[0].file, 'utf8'));
    expect(a.stacks[0].bytes).toBe(b.stacks[0].bytes);
    expect(a.stacks[0].name).toBe('scale-ladder');
    expect(path.relative(dir, a.stacks[0].file)).toBe(path.join('a', 'stacks', 'scale-ladder', 'cdk.tf.json'));
    // Offline and location-independent: no absolute paths, only the google and random providers.
    const text = fs.readFileSync(a.stacks[0].file, 'utf8');
    expect(text).not.toContain(process.cwd());
    const config = JSON.parse(text);
    // hashicorp/time: the credential rotation's first-run offset (from 10K).
    expect(Object.keys(config.terraform.required_providers).sort()).toEqual(['google', 'random', 'time']);
    expect(config.terraform.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(Object.keys(config.data ?? {})).toEqual(['google_project']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('synthGcpRung reports resources per layer that add up', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-sum-'));
  try {
    const result = synthGcpRung('10M', dir);
    expect(result.stacks).toHaveLength(1);
    const s = result.stacks[0];
    expect(Object.values(s.byLayer).reduce((x, y) => x + y, 0)).toBe(s.resources);
    expect(Object.keys(s.byLayer)).toEqual(['Cache', 'CdnEdge', 'CredentialRotation', 'Credentials', 'Network', 'Operations', 'QueueWorkers',
      'ReadReplicaSet', 'SeparatedDatabase', 'ShardedCluster', 'SingleServer', 'StatelessFleet', 'UserDirectory']);
    expect(s.resources).toBe(resources(rung('10M')).length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the reference check finds an undeclared reference', () => {
  const broken = JSON.parse(JSON.stringify(rung('1K')));
  const disk = Object.values<any>(broken.resource.google_compute_disk)[0];
  disk.description = '${google_compute_network.Nope_123.id} and ${data.google_project.Missing.number}';
  expect(unresolvedReferences(broken)).toEqual(['google_compute_network.Nope_123', 'data.google_project.Missing']);
});
