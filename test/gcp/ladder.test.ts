import { all, find, resources, rung, RUNGS } from './support';
import { Tier } from '../../lib';
import { REBALANCE_SHARDS_SCRIPT, REBALANCE_SHARDS_VARIABLES } from '../../lib/core/data-moves/rebalance-shards';
import { expectedAssignments, movesArgument, rebalanceBatches } from '../../lib/core/shard-rebalance';
import { ShardRouter } from '../../lib/core/shard-router';
import { losesData, requiredMigrations, STEP_SOURCE } from '../../lib/core/upgrade-plan';
import { fromTerraformLiteral } from '../../lib/gcp/internal/common';
import { forceNewAttributes, IN_PLACE, inPlaceUpdate, planGcp, STATEFUL_TYPES } from '../../lib/gcp/upgrade/planner';

const PAIRS: Array<[string, string]> = [];
RUNGS.forEach((from, i) => RUNGS.slice(i + 1).forEach(to => PAIRS.push([from, to])));

/** What each of the 21 climbs needs besides the deploy (requiredMigrations, written out). */
const VERDICTS: Record<string, 'SAFE' | 'MIGRATION'> = {
  '1K→10K': 'MIGRATION', // the database leaves the server
  '1K→100K': 'MIGRATION', // … and the server retires
  '1K→1M': 'MIGRATION',
  '1K→10M': 'MIGRATION', // … and shards 1-3 start empty: rebalance
  '1K→100M': 'MIGRATION',
  '1K→1B': 'MIGRATION',
  '10K→100K': 'MIGRATION', // the server retires: DNS moves to the load balancer
  '10K→1M': 'MIGRATION',
  '10K→10M': 'MIGRATION',
  '10K→100M': 'MIGRATION',
  '10K→1B': 'MIGRATION',
  '100K→1M': 'SAFE',
  '100K→10M': 'MIGRATION', // 1 → 4 shards
  '100K→100M': 'MIGRATION', // 1 → 8 shards
  '100K→1B': 'MIGRATION',
  '1M→10M': 'MIGRATION',
  '1M→100M': 'MIGRATION',
  '1M→1B': 'MIGRATION',
  '10M→100M': 'MIGRATION', // 4 → 8 shards
  '10M→1B': 'MIGRATION',
  '100M→1B': 'SAFE',
};

const TITLES: Record<string, RegExp> = {
  SERVER_DATABASE_TO_MANAGED: /^Copy the server-local PostgreSQL into Cloud SQL$/,
  SERVER_RETIREMENT: /^Retire the single server and move its traffic to the load balancer$/,
  SHARD_REBALANCE: /^Rebalance key buckets onto the new shards \(\d+ → \d+ shards\)$/,
};

test('there are 21 ordered pairs', () => {
  expect(PAIRS).toHaveLength(21);
  expect(Object.keys(VERDICTS)).toEqual(PAIRS.map(([f, t]) => `${f}→${t}`));
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

  test('no replacement and no stateful removal; the verdict and the steps follow requiredMigrations', () => {
    const plan = planGcp(from, to);
    expect(plan.cloud).toBe('gcp');
    expect(plan.changes.filter(c => c.action === 'REPLACE')).toEqual([]);
    expect(plan.changes.filter(c => c.stateful && c.action === 'REMOVE')).toEqual([]);
    const kinds = requiredMigrations(Tier.fromName(from), Tier.fromName(to));
    expect(plan.verdict).toBe(kinds.length > 0 ? 'MIGRATION' : 'SAFE');
    expect(plan.verdict).toBe(VERDICTS[`${from}→${to}`]);
    expect(plan.migrations).toHaveLength(kinds.length);
    plan.migrations.forEach((m, i) => expect(m.title).toMatch(TITLES[kinds[i]]));
    expect(plan.changes.filter(c => c.action === 'ADD').length).toBeGreaterThan(0);
  });

  test('every attribute that changes on a data-bearing resource is in the cited in-place table', () => {
    const plan = planGcp(from, to);
    const unknown: string[] = [];
    for (const change of plan.changes.filter(c => c.stateful && c.action === 'UPDATE')) {
      for (const path of change.properties ?? []) {
        const entry = inPlaceUpdate(change.type, path);
        if (!entry || !entry.source) unknown.push(`${change.id} ${path}`);
      }
    }
    expect(unknown).toEqual([]);
    // Every interruption of an in-place change names its Google page, and every one the downtime.
    for (const i of plan.interruptions.filter(x => x.source !== STEP_SOURCE)) {
      expect(i.source).toMatch(/cloud\.google\.com\//);
      expect(i.downtime.length).toBeGreaterThan(10);
    }
  });
});

test('every Terraform command in every plan\'s steps and interruptions (all 42 ordered pairs, with and without a zone) says where it runs: the stack directory cdktf.out/stacks/scale-ladder', () => {
  const bare: string[] = [];
  let commands = 0;
  for (const options of [{}, { domainName: 'shop.example.com', dnsZone: 'shop-example-com' }]) {
    for (const from of RUNGS) {
      for (const to of RUNGS.filter(r => r !== from)) {
        const plan = planGcp(from, to, options);
        const texts = [...plan.migrations.map(m => m.instructions), ...plan.interruptions.map(i => i.what)];
        for (const text of texts) {
          for (const m of text.matchAll(/\bterraform\b( -chdir=\S+)? (apply|state|init|plan|destroy)\b/g)) {
            commands++;
            if (m[1] !== ' -chdir=cdktf.out/stacks/scale-ladder') bare.push(`${from}→${to}: ${m[0]}`);
          }
        }
      }
    }
  }
  expect(commands).toBeGreaterThan(100);
  expect(bare).toEqual([]);
});

test('the in-place table covers only stateful types and cites the provider for every entry', () => {
  for (const [type, updates] of Object.entries(IN_PLACE)) {
    expect([type, STATEFUL_TYPES.has(type)]).toEqual([type, true]);
    for (const u of updates) expect(u.source).toMatch(/terraform-provider-google v6\.50\.0 google\/services\//);
  }
  for (const type of STATEFUL_TYPES) expect([type, IN_PLACE[type] !== undefined]).toEqual([type, true]);
});

test('the 1K data disk, the server\'s static address and the database secret stay declared on every rung (same address, protected)', () => {
  const disk = Object.keys(rung('1K').resource.google_compute_disk);
  expect(disk).toEqual(['App_SingleServer_DataDisk_811E1457']);
  for (const name of RUNGS) {
    const body = rung(name).resource.google_compute_disk.App_SingleServer_DataDisk_811E1457;
    expect(body).toMatchObject({ name: 'app-pgdata', zone: 'us-central1-a', lifecycle: { prevent_destroy: true } });
    expect(rung(name).resource.google_compute_address.App_SingleServer_Address_AD9BC7F3)
      .toEqual(rung('1K').resource.google_compute_address.App_SingleServer_Address_AD9BC7F3);
    expect(rung(name).resource.google_compute_address.App_SingleServer_Address_AD9BC7F3.lifecycle).toEqual({ prevent_destroy: true });
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

describe('the bucket assignment (SHARD_BUCKETS) is owned at run time', () => {
  const SECRET = 'App_SeparatedDatabase_ShardBuckets_A6AFE4C7';
  const bodies = (name: string) => {
    const secrets = rung(name).resource.google_secret_manager_secret ?? {};
    const versions = rung(name).resource.google_secret_manager_secret_version ?? {};
    const key = Object.keys(secrets).find(k => secrets[k].secret_id === 'app-shard-buckets');
    const versionKey = Object.keys(versions).find(k => String(versions[k]['//'].metadata.path).endsWith('SeparatedDatabase/ShardBucketsInitial'));
    return { key, secret: key && secrets[key], version: versionKey && versions[versionKey] };
  };

  test('a protected secret from 10K whose first version holds every bucket on shard 0 and whose data Terraform ignores', () => {
    expect(bodies('1K').secret).toBeUndefined();
    const { key, secret, version } = bodies('10K');
    expect(key).toBe(SECRET);
    expect(secret).toMatchObject({ secret_id: 'app-shard-buckets', deletion_protection: true, lifecycle: { prevent_destroy: true } });
    expect(version).toMatchObject({
      secret: `\${google_secret_manager_secret.${SECRET}.id}`,
      secret_data: JSON.stringify(ShardRouter.balancedAssignment(1)),
      deletion_policy: 'DISABLE',
      lifecycle: { prevent_destroy: true, ignore_changes: ['secret_data'] },
    });
  });

  test('the secret and its version are byte-identical on every rung from 10K, so no climb resets the assignment', () => {
    const reference = JSON.stringify(bodies('10K'));
    for (const name of ['100K', '1M', '10M', '100M', '1B']) expect([name, JSON.stringify(bodies(name))]).toEqual([name, reference]);
  });

  test.each(RUNGS)('rung %s: every Cloud Run service that has SHARD_MAP also has SHARD_BUCKETS from the secret\'s latest version', name => {
    const services = all(rung(name), 'google_cloud_run_v2_service');
    const sharded = services.filter(s => s.template.containers[0].env.some((e: any) => e.name === 'SHARD_MAP'));
    expect(sharded.length > 0).toBe((Tier.fromName(name).spec.database?.shards ?? 1) > 1);
    for (const s of sharded) {
      expect([s.name, s.template.containers[0].env.find((e: any) => e.name === 'SHARD_BUCKETS')]).toEqual([s.name, {
        name: 'SHARD_BUCKETS', value_source: { secret_key_ref: { secret: `\${google_secret_manager_secret.${SECRET}.id}`, version: 'latest' } },
      }]);
    }
    const unsharded = services.filter(s => !sharded.includes(s));
    for (const s of unsharded) expect(s.template.containers[0].env.some((e: any) => e.name === 'SHARD_BUCKETS')).toBe(false);
  });
});

describe('the rebalance job (10M and up)', () => {
  test('absent below 10M', () => {
    // From 10K the credential rotation is a Cloud Run job too; the rebalance job is not there.
    for (const name of ['1K', '10K', '100K', '1M']) {
      expect(Object.values<any>(rung(name).resource.google_cloud_run_v2_job ?? {}).map(j => j.name)).toEqual(name === '1K' ? [] : ['app-rotate-credentials']);
    }
  });

  test.each(['10M', '100M', '1B'])('rung %s: the stock postgres image runs the shipped script on the VPC with every shard\'s password and a least-privilege account', name => {
    const config = rung(name);
    const job = find(config, 'google_cloud_run_v2_job', 'ShardedCluster/Rebalance/Job');
    const shards = Tier.fromName(name).spec.database!.shards;
    expect(job).toMatchObject({ name: 'app-rebalance', location: 'us-central1' });
    const task = job.template.template;
    expect(task.max_retries).toBe(0);
    expect(task.vpc_access).toEqual({
      egress: 'PRIVATE_RANGES_ONLY',
      network_interfaces: [{ network: '${google_compute_network.App_Network_Vpc_4BB5E2AF.id}', subnetwork: '${google_compute_subnetwork.App_Network_Subnet_C69A3B0B.id}' }],
    });
    const container = task.containers[0];
    expect(container.image).toBe('docker.io/library/postgres:16');
    expect(container.command).toEqual(['bash', '-c']);
    expect(container.args).toHaveLength(1);
    expect(fromTerraformLiteral(container.args[0])).toBe(REBALANCE_SHARDS_SCRIPT);
    // Terraform sees no interpolation or directive in it (escaped as $${ and %%{).
    expect(container.args[0]).not.toMatch(/(?<!\$)\$\{|(?<!%)%\{/);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.value_source.secret_key_ref]));
    expect(Object.keys(env).sort()).toEqual(['ACTION', 'DATABASE_NAME', 'DATABASE_USER', 'PGSSLMODE', 'SHARD_BUCKETS', 'SHARD_MAP',
      ...Array.from({ length: shards }, (_, i) => `SHARD_${i}_PASSWORD`)].sort());
    expect(env).toMatchObject({ DATABASE_USER: 'app', DATABASE_NAME: 'app', PGSSLMODE: 'require' });
    for (const v of REBALANCE_SHARDS_VARIABLES.filter(x => x.required)) {
      const names = v.name === 'SHARD_<id>_PASSWORD' ? Array.from({ length: shards }, (_, i) => `SHARD_${i}_PASSWORD`) : [v.name];
      for (const n of names) expect([n, env[n] !== undefined]).toEqual([n, true]);
      if (v.secret) for (const n of names) expect(env[n]).toHaveProperty('secret');
    }
    const web = find(config, 'google_cloud_run_v2_service', 'StatelessFleet/Service');
    expect(env.SHARD_MAP).toBe(web.template.containers[0].env.find((e: any) => e.name === 'SHARD_MAP').value);
    expect(env.SHARD_BUCKETS).toEqual({ secret: '${google_secret_manager_secret.App_SeparatedDatabase_ShardBuckets_A6AFE4C7.id}', version: 'latest' });
    // Each shard's password from its own secret (shard 0: the managed database's).
    const secretOf = (i: number) => (i === 0 ? '${google_secret_manager_secret.App_Credentials_Secret_19C56903.id}'
      : `\${google_secret_manager_secret.${find(config, 'google_secret_manager_secret', `ShardedCluster/Shard${i}/PasswordSecret/Secret`)['//'].metadata.uniqueId}.id}`);
    for (let i = 0; i < shards; i++) expect([i, env[`SHARD_${i}_PASSWORD`]]).toEqual([i, { secret: secretOf(i), version: 'latest' }]);
    // Its service account reads exactly the shards' password secrets and the assignment, and has no project role.
    expect(task.service_account).toMatch(/^\$\{google_service_account\.App_ShardedCluster_Rebalance_ServiceAccount_[0-9A-F]+\.email\}$/);
    const account = task.service_account.replace(/^\$\{(.*)\.email\}$/, '$1');
    const grants = resources(config).filter(([, , body]) => JSON.stringify(body.member ?? '').includes(account));
    expect(grants.map(([type, , body]) => [type, body.role, body.secret_id]).sort()).toEqual([
      ...Array.from({ length: shards }, (_, i) => ['google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', secretOf(i)]),
      ['google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', '${google_secret_manager_secret.App_SeparatedDatabase_ShardBuckets_A6AFE4C7.id}'],
    ].sort());
  });
});

describe('the plan prints the rebalance with the real names', () => {
  test.each([['1M', '10M', 1, 4], ['10M', '100M', 4, 8], ['100K', '1B', 1, 8]])('%s → %s moves buckets %i → %i shards, batch by batch', (from, to, fromShards, toShards) => {
    const plan = planGcp(from as string, to as string);
    const step = plan.migrations.find(m => m.title.startsWith('Rebalance'))!;
    expect(step.title).toBe(`Rebalance key buckets onto the new shards (${fromShards} → ${toShards} shards)`);
    const text = step.instructions;
    expect(text).toContain('The swap itself moves no key');
    expect(text).toContain('textPayload:"new SHARD_BUCKETS: "');
    expect(text).toContain('gcloud secrets versions access latest --secret app-shard-buckets --project my-scale-ladder-project');
    const batches = rebalanceBatches(fromShards as number, toShards as number);
    expect(batches).toHaveLength((toShards as number) - (fromShards as number));
    const expected = expectedAssignments(fromShards as number, toShards as number);
    expect(text).toContain("gcloud run jobs execute app-rebalance --region us-central1 --project my-scale-ladder-project --async --format='value(metadata.name)'");
    expect(text).toContain('| gcloud secrets versions add app-shard-buckets --project my-scale-ladder-project --data-file=-');
    let at = 0;
    for (const batch of batches) {
      const moves = movesArgument(batch);
      const move = text.indexOf(`run_job '^@^ACTION=move@MOVES=${moves}'`, at);
      const publish = text.indexOf(`publish_if_logged '${JSON.stringify(expected.shift())}'`, move);
      const roll = text.indexOf('gcloud run services update app-web --region us-central1 --project my-scale-ladder-project --update-labels', publish);
      const cleanup = text.indexOf('run_job ACTION=cleanup', roll);
      expect([moves, move > at, publish > move, roll > publish, cleanup > roll]).toEqual([moves, true, true, true, true]);
      at = cleanup;
    }
    for (const service of all(rung(to as string), 'google_cloud_run_v2_service').filter(s => s.template.containers[0].env.some((e: any) => e.name === 'SHARD_MAP'))) {
      expect(text).toContain(`gcloud run services update ${service.name} --region ${service.location} --project my-scale-ladder-project`);
    }
  });
});

describe('interruptions', () => {
  test('100K → 1M lists the Cloud SQL restarts of the writer and its replica, with the downtime and Google\'s page', () => {
    const plan = planGcp('100K', '1M');
    // In restart order: the primary on its own, then its replica (targeting a replica applies its primary too).
    expect(plan.interruptions.map(i => i.id)).toEqual([
      'google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09',
      'google_sql_database_instance.App_ReadReplicaSet_Replica1_48C281C5',
    ]);
    expect(plan.interruptions[0].what).toMatch(/^Cloud SQL instance 'app-db' restarts to apply settings.tier db-custom-2-7680 → db-custom-4-15360; restart 1 of 2, /);
    expect(plan.interruptions[1].what).toMatch(/^Cloud SQL instance 'app-db-replica-1' restarts to apply settings.tier db-custom-2-7680 → db-custom-4-15360; restart 2 of 2, /);
    for (const i of plan.interruptions) {
      expect(i.downtime).toMatch(/^a few minutes/);
      expect(i.source).toContain('cloud.google.com/sql/docs/postgres/edit-instance');
    }
  });

  test('10K → 100K restarts the database once for the tier and the HA change together', () => {
    const plan = planGcp('10K', '100K');
    expect(plan.interruptions).toHaveLength(1);
    expect(plan.interruptions[0].what.startsWith("Cloud SQL instance 'app-db' restarts once (the provider sends the changed settings in one call) to apply " +
      'settings.availability_type ZONAL → REGIONAL, settings.tier db-custom-1-3840 → db-custom-2-7680;')).toBe(true);
    expect(plan.interruptions[0].source).toContain('cloud.google.com/sql/docs/postgres/configure-ha');
  });

  test('the cache scale-up is a connection reset; 100M → 1B interrupts only the cache', () => {
    const plan = planGcp('100M', '1B');
    expect(plan.interruptions.map(i => [i.id, i.what])).toEqual([[
      'google_redis_instance.App_Cache_Instance_D6F8EB9A', "Memorystore instance 'app-cache' scales (data is kept) to apply memory_size_gb 100 → 300",
    ]]);
    expect(plan.interruptions[0].source).toContain('cloud.google.com/memorystore/docs/redis/scaling-behavior');
  });

  test('a climb with no restarting change lists none (only the copy\'s own downtime)', () => {
    expect(planGcp('1K', '10K').interruptions.map(i => i.source)).toEqual([STEP_SOURCE]);
  });
});

test('1K → 10K migration ships the copy step and names the real VM, zone and disk', () => {
  const plan = planGcp('1K', '10K');
  expect(plan.verdict).toBe('MIGRATION');
  const text = plan.migrations[0].instructions;
  expect(text).toContain('gcloud compute ssh app-server --zone us-central1-a --project my-scale-ladder-project --tunnel-through-iap --command');
  expect(text).toContain("disk 'app-pgdata'");
  expect(text).toContain("'verified: <n> tables, <m> rows, <k> sequences'");
  const skip = planGcp('1K', '100K').migrations[0].instructions;
  expect(skip).toContain('swap to 10K first');
});

describe('the server retires explicitly (10K → 100K)', () => {
  test('the first step checks that PostgreSQL is stopped and the data disk unmounted, then detaches it', () => {
    const [step] = planGcp('10K', '100K').migrations;
    expect(step.title).toBe('Retire the single server and move its traffic to the load balancer');
    const first = step.instructions.split('\n')[0];
    expect(first).toContain("gcloud compute instances get-serial-port-output app-server --zone us-central1-a --project my-scale-ladder-project | grep 'scale-ladder: data disk unmounted'");
    expect(first).toContain('"PostgreSQL stopped" and "disk unmounted"');
    expect(first).toContain('gcloud compute instances detach-disk app-server --disk app-pgdata --zone us-central1-a --project my-scale-ladder-project');
  });

  test('without a zone: the static address survives, and the plan prints the DNS step with the new target and when the old address may go', () => {
    const text = planGcp('10K', '100K').migrations[0].instructions;
    expect(text).toContain('terraform -chdir=cdktf.out/stacks/scale-ladder apply -target=google_compute_global_forwarding_rule.App_StatelessFleet_HttpForwardingRule_55A782CF');
    expect(text).toContain("point your domain's A record at the load balancer's address 'app-lb-ip' (google_compute_global_address.App_StatelessFleet_Address_1808CB35");
    expect(text).toContain("replacing the server's static address 'app-server-ip'");
    expect(text).toContain("It may be released once the name has pointed at 'app-lb-ip' for longer than the old TTL");
    expect(rung('100K').resource.google_compute_address.App_SingleServer_Address_AD9BC7F3).toMatchObject({ name: 'app-server-ip', lifecycle: { prevent_destroy: true } });
    expect(planGcp('10K', '100K').changes.find(c => c.type === 'google_compute_address')).toBeUndefined();
  });

  describe('with a Cloud DNS zone', () => {
    const ZONED = { domainName: 'shop.example.com', dnsZone: 'shop-example-com' };
    const record = (name: string) => find(rung(name, ZONED), 'google_dns_record_set', 'App/AppRecord');

    test('the stack owns the A record from 1K: the server\'s address, then the load balancer\'s', () => {
      for (const name of ['1K', '10K']) {
        expect(record(name)).toMatchObject({
          managed_zone: 'shop-example-com',
          name: 'shop.example.com.',
          type: 'A',
          ttl: 60,
          rrdatas: ['${google_compute_address.App_SingleServer_Address_AD9BC7F3.address}'],
        });
      }
      for (const name of ['100K', '1B']) expect(record(name).rrdatas).toEqual(['${google_compute_global_address.App_StatelessFleet_Address_1808CB35.address}']);
    });

    test('the climb is an in-place record update, applied with the new entry point before the server goes', () => {
      const plan = planGcp('10K', '100K', ZONED);
      expect(plan.verdict).toBe('MIGRATION');
      const change = plan.changes.find(c => c.type === 'google_dns_record_set');
      expect(change).toMatchObject({ action: 'UPDATE', properties: ['rrdatas'] });
      const text = plan.migrations[0].instructions;
      expect(text).toMatch(/terraform -chdir=cdktf\.out\/stacks\/scale-ladder apply -target=google_compute_global_forwarding_rule\.App_StatelessFleet_HttpForwardingRule_\w+ -target=google_compute_global_forwarding_rule\.App_StatelessFleet_HttpsForwardingRule_\w+ -target=google_dns_record_set\.App_AppRecord_\w+/);
      expect(text).toContain("(shop.example.com. in zone 'shop-example-com') in place from the server's address 'app-server-ip' to the load balancer's 'app-lb-ip'");
      expect(text).toContain("The managed certificate 'app-cert' provisions only once the name resolves to the load balancer");
      expect(text).toContain('Wait longer than the old record\'s TTL (60 s)');
    });

    test('all 21 pairs stay free of replacements and stateful removals with a zone too', () => {
      for (const [from, to] of PAIRS) {
        const plan = planGcp(from, to, ZONED);
        expect([from, to, plan.changes.filter(c => c.action === 'REPLACE' || (c.stateful && c.action === 'REMOVE'))]).toEqual([from, to, []]);
      }
    });
  });
});

describe('downgrades are planned too', () => {
  const lostTypes = (from: string, to: string) => [...new Set(planGcp(from, to).changes.filter(losesData).map(c => c.type))].sort();

  test('each step down gets its verdict, and every data-losing change says what it loses', () => {
    const verdicts = Object.fromEntries(RUNGS.slice(1).map((high, i) => [`${high}→${RUNGS[i]}`, planGcp(high, RUNGS[i]).verdict]));
    expect(verdicts).toEqual({
      '10K→1K': 'UNSAFE', // Cloud SQL goes
      '100K→10K': 'MIGRATION', // only the read replica goes; the server comes back before the load balancer goes
      '1M→100K': 'UNSAFE', // Memorystore, its auth secret, the static bucket, the user directory
      '10M→1M': 'UNSAFE', // the queues, and shards 1-3 with their buckets' rows
      '100M→10M': 'UNSAFE', // the event stream, and shards 4-7
      // Only the third region's cross-region replicas go (their primaries hold the data), but their
      // deletion protection must be turned off first, or the apply fails at them.
      '1B→100M': 'MIGRATION',
    });
    expect(lostTypes('10K', '1K')).toEqual(['google_secret_manager_secret', 'google_secret_manager_secret_version', 'google_sql_database', 'google_sql_database_instance']);
    // The user directory (Identity Platform, from 1M: a9bbb68) goes too.
    expect(lostTypes('1M', '100K')).toEqual(['google_identity_platform_config', 'google_redis_instance', 'google_secret_manager_secret', 'google_secret_manager_secret_version', 'google_storage_bucket']);
    // With the shards go their own password secrets (from 10M each shard has one).
    const shardLoss = ['google_pubsub_subscription', 'google_pubsub_topic', 'google_secret_manager_secret', 'google_secret_manager_secret_version', 'google_sql_database', 'google_sql_database_instance'];
    expect(lostTypes('10M', '1M')).toEqual(shardLoss);
    expect(lostTypes('100M', '10M')).toEqual(shardLoss);
    for (const high of RUNGS.slice(1)) {
      const plan = planGcp(high, RUNGS[RUNGS.indexOf(high) - 1]);
      for (const c of plan.changes.filter(losesData)) expect([c.id, c.lost && c.lost.length > 10]).toEqual([c.id, true]);
    }
  });

  test('a removed read replica loses nothing: not counted as data-bearing', () => {
    const plan = planGcp('100K', '10K');
    expect(plan.changes.filter(c => c.type === 'google_sql_database_instance' && c.action === 'REMOVE').map(c => [c.id, c.stateful, c.lost]))
      .toEqual([['google_sql_database_instance.App_ReadReplicaSet_Replica1_48C281C5', false, undefined]]);
    expect(planGcp('1B', '100M').changes.filter(c => c.action === 'REMOVE' && c.type === 'google_sql_database_instance')).toHaveLength(8);
  });

  test('a shard-count decrease strands the rows of the removed shards\' buckets, named in a note', () => {
    const plan = planGcp('100M', '10M');
    expect(plan.notes).toContain("stack 'scale-ladder': the shard count falls from 8 to 4. The rows of the key buckets assigned to shard 4 ('app-db-shard-4'), " +
      "shard 5 ('app-db-shard-5'), shard 6 ('app-db-shard-6'), shard 7 ('app-db-shard-7') are stranded: no step moves buckets back onto shards 0-3, " +
      'and SHARD_MAP no longer lists the shards that hold them. UNSAFE whatever happens to those instances.');
    expect(plan.changes.find(c => c.id === 'google_sql_database_instance.App_ShardedCluster_Shard4_Instance_CB688D9E')?.lost)
      .toMatch(/^the Cloud SQL instance 'app-db-shard-4' and its databases \(and its backups, unless they are set to be kept after deletion\), holding the rows of the key buckets assigned to shard 4\. deletion_protection and settings\.deletion_protection_enabled are set on it: /);
  });

  test('a shrinking cache keeps its data, with a note that Google refuses a shrink below the data held', () => {
    expect(planGcp('1B', '100M').notes![0]).toBe("stack 'scale-ladder': Memorystore instance 'app-cache' shrinks from 300 to 100 GB; it keeps its data, " +
      'but Google refuses to shrink a Standard Tier instance (the apply fails) while it holds more data than the new size.');
  });

  test('1B → 100M: the 8 removed cross-region replicas have deletion protection on, so the apply would fail at them: a MIGRATION step turns it off first, from the stack directory', () => {
    const plan = planGcp('1B', '100M');
    const removed = plan.changes.filter(c => c.action === 'REMOVE' && c.type === 'google_sql_database_instance');
    expect(removed).toHaveLength(8);
    for (const c of removed) {
      expect(rung('1B').resource.google_sql_database_instance[c.id.split('.')[1]]).toMatchObject({ deletion_protection: true, settings: { deletion_protection_enabled: true } });
      expect([c.id, c.stateful, c.lost]).toEqual([c.id, false, undefined]);
    }
    expect(plan.verdict).toBe('MIGRATION');
    expect(plan.changes.filter(losesData)).toEqual([]);
    expect(plan.notes![1]).toBe(`stack 'scale-ladder': the apply fails at ${removed.map(c => c.id).join(', ')}: they are deleted while their deletion protection is on, and the provider refuses the delete; ` +
      "the step 'Turn off deletion protection on the resources this apply deletes' turns it off first.");
    expect(plan.migrations.map(m => m.title)).toEqual(['Turn off deletion protection on the resources this apply deletes']);
    const lines = plan.migrations[0].instructions.split('\n');
    expect(lines[0]).toContain('"failed to delete instance because deletion_protection is set to true", terraform-provider-google v6.50.0 google/services/sql/resource_sql_database_instance.go:2331');
    expect(lines[1]).toBe("   - google_sql_database_instance.App_GeoRoutedRegions_europe-west1_Shard0Replica_2450C6CF (Cloud SQL instance 'app-db-europe-west1', construct scale-ladder/App/GeoRoutedRegions/europe-west1/Shard0Replica): " +
      'deletion_protection and settings.deletion_protection_enabled. A read replica: its primary keeps the data, and nothing is lost.');
    const step = (n: number) => lines.find(l => l.startsWith(`${n}. `))!;
    expect(step(1)).toContain("In the app as deployed now (the 1B rung), turn the protection off on each of them with cdktf's escape hatch on the resource's construct: addOverride('deletion_protection', false) and addOverride('settings.deletion_protection_enabled', false)");
    expect(step(2)).toContain('Synthesize it (cdktf synth) and apply it from the cdktf project\'s root: terraform -chdir=cdktf.out/stacks/scale-ladder apply ');
    expect(step(2)).toContain('Its plan must show only in-place updates of these resources, nothing to add or destroy');
    expect(step(3)).toBe('3. Then synthesize the 100M rung and apply it as this plan describes (with its other steps): terraform -chdir=cdktf.out/stacks/scale-ladder apply.');
  });

  test('the deletion protection step comes first wherever a step down deletes a protected resource; a data-losing one keeps its loss and says the apply fails at it', () => {
    expect(planGcp('100K', '10K').migrations.map(m => m.title)).toEqual([
      'Turn off deletion protection on the resources this apply deletes', 'Bring the single server back and move traffic to it from the load balancer',
    ]);
    const plan = planGcp('10K', '1K');
    expect(plan.verdict).toBe('UNSAFE');
    const db = plan.changes.find(c => c.id === 'google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09')!;
    expect(db.lost).toBe("the Cloud SQL instance 'app-db' and its databases (and its backups, unless they are set to be kept after deletion). " +
      "deletion_protection and settings.deletion_protection_enabled are set on it: the provider refuses the delete, so the apply fails at it until an earlier apply turns that off (step 'Turn off deletion protection on the resources this apply deletes'); once that is off, the delete loses it");
    expect(plan.migrations[0].instructions).toContain("(Cloud SQL instance 'app-db', construct scale-ladder/App/SeparatedDatabase/Instance): deletion_protection and settings.deletion_protection_enabled. Deleting it loses data (its change says what): this plan is UNSAFE");
    // The shard-buckets secret: google_secret_manager_secret refuses too (resource_secret_manager_secret.go:757).
    expect(plan.migrations[0].instructions).toContain('deletion_protection of google_secret_manager_secret: terraform-provider-google v6.50.0 google/services/secretmanager/resource_secret_manager_secret.go:757');
  });
});
