import { COPY_UNIT, copyCommand, DISK_UNMOUNTED_LOG, MIGRATED_MARKER, SERVER_METADATA, SERVER_POSTGRES_IMAGE } from './startup-script';
import { gcpRungConfig, GcpRungOptions, layerOf } from './synth-rung';
import { forcesReplacement, inPlaceUpdate, InterruptionBehaviour } from './update-behaviour';
import { expectedAssignments, movesArgument, rebalanceBatches } from '../core/shard-rebalance';
import { ShardRouter } from '../core/shard-router';
import { Tier } from '../core/tier';
import {
  ChangeAction, intermediateRung, Interruption, MigrationStep, requiredMigrations, ResourceChange, shardCountOf, UpgradePlan, verdictOf,
} from '../core/upgrade-plan';

export { COMMON_FORCE_NEW, FORCE_NEW, FORCE_NEW_SOURCE, forceNewAttributes, forcesReplacement, IN_PLACE, inPlaceUpdate } from './update-behaviour';

/*
 * The Google Cloud upgrade planner: compares two rungs' Terraform JSON address by address.
 * Internal (the `scale-ladder plan --cloud gcp` command and the ladder tests use it). What an
 * attribute change does comes from the cited tables in update-behaviour.ts: a ForceNew
 * attribute replaces; on a resource that holds data, so does any attribute the table does not
 * know to update in place.
 */

/** Resource types that hold data (or, for the server's static address, an identity DNS points at). */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'google_sql_database_instance',
  'google_sql_database',
  'google_compute_disk',
  'google_compute_address',
  'google_storage_bucket',
  'google_redis_instance',
  'google_pubsub_topic',
  'google_pubsub_subscription',
  'google_secret_manager_secret',
  'google_secret_manager_secret_version',
  'random_password',
]);

/** Why changing `path` replaces a resource of `type`; undefined when it updates in place. */
export function replacementCause(type: string, path: string): string | undefined {
  if (forcesReplacement(type, path)) return 'ForceNew: replaces';
  if (STATEFUL_TYPES.has(type) && !inPlaceUpdate(type, path)) return 'no cited in-place update: counted as a replacement';
  return undefined;
}

/** Attributes that are Terraform meta-arguments or cdktf metadata, not resource properties. */
const META = new Set(['//', 'lifecycle', 'depends_on', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

/** Flattens a body to `path → JSON value` (objects joined with `.`, array items with `[i]`). */
export function flatten(body: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(body)) {
    if (body.length === 0) out[prefix] = '[]';
    body.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (body !== null && typeof body === 'object') {
    const fields = Object.entries(body as Record<string, unknown>).filter(([k]) => prefix !== '' || !META.has(k));
    if (fields.length === 0 && prefix !== '') out[prefix] = '{}';
    for (const [k, v] of fields) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = JSON.stringify(body);
  }
  return out;
}

function normalise(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

interface Entry {
  readonly type: string;
  readonly name: string;
  readonly body: any;
}

function entries(config: any): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const [type, instances] of Object.entries<any>(config.resource ?? {})) {
    for (const [name, body] of Object.entries<any>(instances)) map.set(`${type}.${name}`, { type, name, body });
  }
  return map;
}

/** The attribute paths (no list positions) that differ between two bodies, sorted. */
export function changedAttributes(before: any, after: any): string[] {
  const fb = flatten(before);
  const fa = flatten(after);
  return [...new Set([...new Set([...Object.keys(fb), ...Object.keys(fa)])].filter(k => fb[k] !== fa[k]).map(normalise))].sort();
}

/**
 * Compares two Terraform JSON configurations address by address. A REPLACE names, next to each
 * attribute that causes it, why (`ForceNew: replaces`, or `no cited in-place update: counted as
 * a replacement` for a resource that holds data).
 */
export function diffConfigs(from: any, to: any): ResourceChange[] {
  const before = entries(from);
  const after = entries(to);
  const removedBlocks = new Set<string>(
    (Array.isArray(to.removed) ? to.removed : []).filter((r: any) => r?.lifecycle?.destroy === false).map((r: any) => String(r.from)));
  const changes: ResourceChange[] = [];
  for (const [id, a] of after) {
    const b = before.get(id);
    const stateful = STATEFUL_TYPES.has(a.type);
    const layer = layerOf(a.body);
    if (!b) {
      changes.push({ id, type: a.type, layer, action: 'ADD', stateful });
      continue;
    }
    const changed = changedAttributes(b.body, a.body);
    if (changed.length === 0) continue;
    const causes = changed.map(p => replacementCause(a.type, p));
    const action: ChangeAction = causes.some(c => c !== undefined) ? 'REPLACE' : 'UPDATE';
    const properties = changed.map((p, i) => (causes[i] ? `${p} (${causes[i]})` : p));
    changes.push({ id, type: a.type, layer, action, stateful, properties });
  }
  for (const [id, b] of before) {
    if (after.has(id)) continue;
    const stateful = STATEFUL_TYPES.has(b.type);
    // Terraform destroys a resource whose block is removed even under prevent_destroy; only a
    // `removed { lifecycle { destroy = false } }` block keeps it.
    changes.push({ id, type: b.type, layer: layerOf(b.body), action: 'REMOVE', stateful, retained: removedBlocks.has(id) });
  }
  const order: Record<ChangeAction, number> = { REPLACE: 0, REMOVE: 1, ADD: 2, UPDATE: 3 };
  return changes.sort((x, y) => x.layer.localeCompare(y.layer) || order[x.action] - order[y.action] || x.id.localeCompare(y.id));
}

const KIND: Record<string, string> = {
  google_sql_database_instance: 'Cloud SQL instance',
  google_redis_instance: 'Memorystore instance',
};

/** `text` with `${type.name.attribute}` references to literal attributes of `config` filled in. */
function resolved(config: any, text: string): string {
  return text.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (whole, type: string, name: string, attr: string) => {
    const value = config.resource?.[type]?.[name]?.[attr];
    return typeof value === 'string' && !value.includes('${') ? value : whole;
  });
}

function shown(value: string | undefined): string {
  if (value === undefined) return '(unset)';
  try {
    const parsed = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

/**
 * The in-place updates of `changes` that interrupt a data-bearing resource, one entry per
 * resource (the provider applies a resource's changed settings in one call, so a Cloud SQL
 * instance whose tier and availability both change restarts once).
 */
export function gcpInterruptions(fromConfig: any, toConfig: any, changes: readonly ResourceChange[]): Interruption[] {
  const out: Interruption[] = [];
  const sqlRestarts: string[] = [];
  for (const change of changes) {
    if (change.action !== 'UPDATE' || !change.stateful) continue;
    const [type, name] = [change.type, change.id.slice(change.type.length + 1)];
    const before = fromConfig.resource[type][name];
    const after = toConfig.resource[type][name];
    const fb = flatten(before);
    const fa = flatten(after);
    const hits: Array<{ path: string; behaviour: InterruptionBehaviour }> = [];
    for (const path of changedAttributes(before, after)) {
      const behaviour = inPlaceUpdate(type, path)?.interruption;
      if (behaviour) hits.push({ path, behaviour });
    }
    if (hits.length === 0) continue;
    const detail = hits.map(h => `${h.path} ${shown(fb[h.path])} → ${shown(fa[h.path])}`).join(', ');
    const whats = [...new Set(hits.map(h => h.behaviour.what))].join(' and ');
    const once = hits.length > 1 ? ' once (the provider sends the changed settings in one call)' : '';
    if (type === 'google_sql_database_instance') sqlRestarts.push(change.id);
    out.push({
      id: change.id,
      what: `${KIND[type] ?? type} '${resolved(toConfig, String(after.name ?? name))}' ${whats}${once} to apply ${detail}`,
      downtime: [...new Set(hits.map(h => h.behaviour.downtime))].join('; '),
      source: [...new Set(hits.map(h => h.behaviour.source))].join('; '),
    });
  }
  if (sqlRestarts.length === 0) return out;
  const order = sqlRestartOrder(toConfig, sqlRestarts);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : -1);
  return out
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
    .map(i => (order.includes(i.id) ? { ...i, what: `${i.what}${sqlRestartNote(toConfig, i.id, order)}` } : i));
}

/*
 * Cloud SQL restarts, one at a time. Terraform walks its dependency graph in parallel, up to 10
 * operations at once by default (developer.hashicorp.com/terraform/cli/commands/apply, -parallelism),
 * so one plain apply restarts every changed instance together, and with shards all writes stop
 * at once. A targeted apply (`terraform apply -target=ADDRESS`) plans only the target and what it
 * depends on (developer.hashicorp.com/terraform/cli/commands/plan, "Resource Targeting"), so
 * applying each restarting instance on its own restarts exactly one. A replica refers to its
 * primary (master_instance_name), so targeting it also applies its primary: the primary goes
 * first, then its replicas one by one, then the next shard.
 */

/** The shard a Cloud SQL primary serves, from its name (`…-db` is shard 0, `…-db-shard-N` shard N). */
function shardOfName(name: string): number {
  const m = /-shard-(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}

/** The primary address a replica body refers to, if it is a replica. */
function primaryOf(body: any): string | undefined {
  const m = /^\$\{(google_sql_database_instance\.[A-Za-z0-9_-]+)\.name\}$/.exec(String(body?.master_instance_name ?? ''));
  return m?.[1];
}

/** `ids` (Cloud SQL addresses) in the order to restart them: shard by shard, each primary before its replicas. */
export function sqlRestartOrder(config: any, ids: readonly string[]): string[] {
  const bodyOf = (id: string) => config.resource?.google_sql_database_instance?.[id.split('.')[1]];
  const primaryAddress = (id: string) => primaryOf(bodyOf(id)) ?? id;
  const key = (id: string): [number, number, string] => {
    const primary = primaryAddress(id);
    const name = String(bodyOf(primary)?.name ?? primary);
    return [shardOfName(name), primary === id ? 0 : 1, String(bodyOf(id)?.name ?? id)];
  };
  return [...ids].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2].localeCompare(kb[2]);
  });
}

function sqlRestartNote(config: any, id: string, order: readonly string[]): string {
  const body = config.resource.google_sql_database_instance[id.split('.')[1]];
  const primary = primaryOf(body);
  const k = order.indexOf(id) + 1;
  const sharded = Object.values<any>(config.resource.google_sql_database_instance).some(b => /-shard-\d+$/.test(String(b.name)));
  const shard = shardOfName(String(config.resource.google_sql_database_instance[(primary ?? id).split('.')[1]]?.name ?? ''));
  const keys = sharded ? `shard ${shard}'s keys` : 'the app\'s data';
  const down = primary
    ? `while it restarts, reads sent to this replica fail (its primary keeps serving reads and writes of ${keys})`
    : `while it restarts, every read and write of ${keys} fails${sharded ? ' (other shards keep serving)' : ''}`;
  const alone = order.length > 1
    ? `; restart ${k} of ${order.length}, on its own at a quiet time: terraform apply -target=${id}${primary ? ' (after its primary\'s)' : ''}, before the full apply (a plain apply restarts them in parallel, up to 10 at a time by default)`
    : `; terraform apply -target=${id} first, at a quiet time, to choose when`;
  return `${alone}; ${down}`;
}

interface Found {
  readonly address: string;
  readonly body: any;
}

/** The resources of `type` whose construct path ends with `suffix`, by address. */
function byPath(config: any, type: string, suffix: string): Found[] {
  return Object.entries<any>(config.resource?.[type] ?? {})
    .filter(([, body]) => String(body?.['//']?.metadata?.path ?? '').endsWith(suffix))
    .map(([name, body]) => ({ address: `${type}.${name}`, body }))
    .sort((a, b) => a.address.localeCompare(b.address));
}

function one(config: any, type: string, suffix: string): Found | undefined {
  return byPath(config, type, suffix)[0];
}

/*
 * The copy into Cloud SQL runs only when the operator starts it, on the running server, over
 * `gcloud compute ssh --tunnel-through-iap --command` (cloud.google.com/sdk/gcloud/reference/compute/ssh;
 * cloud.google.com/compute/docs/connect/ssh-using-iap; the server admits SSH only from IAP's
 * range). Nothing restarts the VM: the 10K apply changes only metadata values, which the provider
 * sets in place with Instances.SetMetadata and no stop (startup-script.ts cites the source). The
 * copy runs in a transient systemd unit, so a dropped SSH session does not end it.
 */
function copySteps(from: Tier, to: Tier, fromConfig: any, toConfig: any): MigrationStep {
  const vm = one(fromConfig, 'google_compute_instance', 'SingleServer/Instance')?.body ?? {};
  const disk = one(fromConfig, 'google_compute_disk', 'SingleServer/DataDisk')?.body ?? {};
  const sql = one(toConfig, 'google_sql_database_instance', 'SeparatedDatabase/Instance')?.body ?? {};
  const project = vm.project ?? 'PROJECT';
  const where = `--zone ${vm.zone ?? 'ZONE'} --project ${project}`;
  const via = to.spec.server.running ? to : intermediateRung(from, to, Tier.all());
  const ssh = (command: string) => `gcloud compute ssh ${vm.name} ${where} --tunnel-through-iap --command '${command}'`;
  const start = ssh(copyCommand());
  const steps = [
    `1. terraform apply the ${via?.name ?? to.name} rung: Cloud SQL instance '${sql.name ?? 'app-db'}' comes up on a private IP. On the server only the metadata values ${SERVER_METADATA.database} and ${SERVER_METADATA.environment} change, in place and without a restart; the startup script is the same text as before. The server keeps serving from its own PostgreSQL, also across any reboot, until you start the copy.`,
    via === to
      ? `2. At a quiet time, start the copy on the running server (no reboot): ${start}. The app is down from this moment until the copy ends (Caddy answers 502); the server's PostgreSQL keeps running and nothing writes to it. The copy runs the shipped copy script in ${SERVER_POSTGRES_IMAGE} against the server's PostgreSQL: pg_dump, pg_restore into Cloud SQL over TLS in one transaction, then the exact row count (count(*)) and a checksum of every table, and every sequence, on both sides. Only a verified copy runs ON_VERIFIED, which writes ${MIGRATED_MARKER} on disk '${disk.name}'; then PostgreSQL stops, the disk is unmounted and the app starts against Cloud SQL. On failure the app restarts unchanged on the server's database, no marker is written, and the log says 'copy FAILED' (copy-database exit 3 means Cloud SQL already holds tables); fix and run the same command again.`
      : `2. ${to.name} retires the server, so the copy cannot run on it: swap to ${via?.name ?? '10K'} first (steps above: apply, then start the copy with ${start}), verify, then swap to ${to.name}. Nothing is lost if you do not: disk '${disk.name}' stays with prevent_destroy, and attaching it to a temporary VM and running the same copy script copies it later.`,
    `3. Follow it: ${ssh(`sudo journalctl -u ${COPY_UNIT} -f`)} (or gcloud compute instances get-serial-port-output ${vm.name} ${where} | grep -E 'scale-ladder|copy-database|verified|mismatch'). Verify: the log shows 'verified: <n> tables, <m> rows, <k> sequences' (no 'mismatch:' line), '${DISK_UNMOUNTED_LOG}' and 'scale-ladder: the app serves from Cloud SQL'.`,
    `4. Disk '${disk.name}' (and its daily snapshots) stays declared and protected on every rung; keep it until you have verified the copy and a Cloud SQL backup exists.`,
  ];
  return { title: 'Copy the server-local PostgreSQL into Cloud SQL', instructions: steps.join('\n') };
}

/*
 * The server retirement keeps traffic by bringing the load balancer up before the VM goes:
 * `terraform apply -target=…` applies the targets and what they depend on
 * (developer.hashicorp.com/terraform/cli/commands/plan, "Resource Targeting"). With a stack-owned
 * record, the move is an in-place update of google_dns_record_set (rrdatas is not ForceNew in
 * google/services/dns/resource_dns_record_set.go). A Google-managed certificate provisions only
 * once the domain resolves to the load balancer (cloud.google.com/load-balancing/docs/ssl-certificates/google-managed-certs).
 */
function retirementSteps(fromConfig: any, toConfig: any): MigrationStep {
  const restarts = gcpInterruptions(fromConfig, toConfig, diffConfigs(fromConfig, toConfig)).filter(i => i.id.startsWith('google_sql_database_instance.'));
  const vm = one(fromConfig, 'google_compute_instance', 'SingleServer/Instance')?.body ?? {};
  const disk = one(fromConfig, 'google_compute_disk', 'SingleServer/DataDisk')?.body ?? {};
  const serverIp = one(toConfig, 'google_compute_address', 'SingleServer/Address');
  const lbIp = one(toConfig, 'google_compute_global_address', 'StatelessFleet/Address');
  const rules = byPath(toConfig, 'google_compute_global_forwarding_rule', 'ForwardingRule').filter(r => layerOf(r.body) === 'StatelessFleet');
  const record = one(toConfig, 'google_dns_record_set', '/AppRecord');
  const cert = one(toConfig, 'google_compute_managed_ssl_certificate', 'StatelessFleet/Certificate')?.body;
  const service = one(toConfig, 'google_cloud_run_v2_service', 'StatelessFleet/Service')?.body;
  const project = vm.project ?? 'PROJECT';
  const where = `--zone ${vm.zone ?? 'ZONE'} --project ${project}`;
  const lbName = lbIp?.body.name ?? 'LB_ADDRESS';
  const serverIpName = serverIp?.body.name ?? 'SERVER_ADDRESS';
  const region = serverIp?.body.region ?? 'REGION';
  const healthPath = service?.template?.containers?.[0]?.startup_probe?.http_get?.path ?? '/';
  const targets = [...rules, ...(record ? [record] : [])].map(r => `-target=${r.address}`).join(' ');
  const lbLookup = `gcloud compute addresses describe ${lbName} --global --project ${project} --format='value(address)'`;
  const dns = record
    ? `4. DNS: that apply has already updated ${record.address} (${record.body.name} in zone '${record.body.managed_zone}') in place from the server's address '${serverIpName}' to the load balancer's '${lbName}' (rrdatas is not ForceNew; one Cloud DNS change swaps the old data for the new).`
    : `4. DNS: point your domain's A record at the load balancer's address '${lbName}' (${lbIp?.address ?? 'google_compute_global_address'}: ${lbLookup}), replacing the server's static address '${serverIpName}' (region ${region}).`;
  const steps = [
    `1. Check the server is ready to retire (after the verified copy): gcloud compute instances get-serial-port-output ${vm.name} ${where} | grep '${DISK_UNMOUNTED_LOG}' must show the line, and gcloud compute ssh ${vm.name} ${where} --tunnel-through-iap --command 'sudo docker ps --format "{{.Names}}" | grep -qE "^(postgres|pg-old)$" && echo "PostgreSQL RUNNING" || echo "PostgreSQL stopped"; mountpoint -q /mnt/disks/pgdata && echo "disk MOUNTED" || echo "disk unmounted"' must print "PostgreSQL stopped" and "disk unmounted". Then detach the data disk cleanly: gcloud compute instances detach-disk ${vm.name} --disk ${disk.name} ${where}. Do not go on while PostgreSQL runs or the disk is mounted.`,
    ...restarts.map((r, i) => `${i === 0 ? '   Before step 2, at a quiet time' : '   Then'}: terraform apply -target=${r.id}. ${r.what.split(';')[0]}; the server still serves from it, so for ${r.downtime.split(' (')[0]} every request that needs the database fails. Doing it now chooses that moment: the targeted apply of step 2 includes the database (the fleet's environment refers to it) and would restart it there.`),
    `2. Bring up the new entry point while the server still serves: terraform apply ${targets} (Terraform also applies everything those depend on: the Cloud Run fleet, the load balancer, the database settings${restarts.length ? ', which no longer restart anything' : ''}).`,
    `3. Check the load balancer answers: curl -fsS "http://$(${lbLookup})${healthPath}" (a new load balancer can take a few minutes to answer).`,
    dns,
    cert ? `   The managed certificate '${cert.name}' provisions only once the name resolves to the load balancer (up to about an hour); HTTPS on the load balancer fails until gcloud compute ssl-certificates describe ${cert.name} --global --project ${project} --format='value(managed.status)' says ACTIVE, so wait for it before the next step.` : '',
    `5. Wait longer than the old record's TTL${record ? ` (${record.body.ttl} s)` : ' (your DNS provider\'s)'} so that clients resolve the load balancer, then terraform apply the whole rung: it removes the VM ${vm.name}, its firewall rules and service account; disk '${disk.name}', its snapshot schedule and the static address '${serverIpName}' stay (prevent_destroy).`,
    `6. '${serverIpName}' stays reserved and declared on every rung, so no climb frees an address a DNS cache may still hold. It may be released once the name has pointed at '${lbName}' for longer than the old TTL and nothing is served on it: terraform state rm ${serverIp?.address ?? 'google_compute_address.SERVER'}, then gcloud compute addresses delete ${serverIpName} --region ${region} --project ${project} (a later apply reserves a new, unused address under that name).`,
  ].filter(l => l !== '');
  return { title: 'Retire the single server and move its traffic to the load balancer', instructions: steps.join('\n') };
}

/*
 * The rebalance runs as executions of the Cloud Run job with per-execution overrides
 * (`gcloud run jobs execute --update-env-vars …`, cloud.google.com/sdk/gcloud/reference/run/jobs/execute;
 * `^@^` switches gcloud's list delimiter so MOVES may hold commas, `gcloud topic escaping`).
 * The execution is started with `--async` and polled with `gcloud run jobs executions describe`
 * (cloud.google.com/sdk/gcloud/reference/run/jobs/executions/describe) until it has a completion
 * time, for as long as it takes: the job's own task timeout (86400 s) is the only limit, and no
 * client-side waiter can give up on a move that is still copying. The execution counts as a
 * success only with one succeeded task (the job runs one task).
 *
 * The postgres image has no gcloud, so the operator publishes the assignment. The plan computes
 * each batch's assignment itself (applyMoves over the balanced starting layout), the value the
 * job must print; the publish command reads the job's last log line (polling, bounded, since
 * Cloud Logging can take seconds to show it), compares it byte for byte with the computed value,
 * and adds the computed value as the secret's next version only when they are equal. Anything
 * else (no line yet, a partial or different line) publishes nothing and fails loudly. New
 * instances read the secret's latest version when they start (cloud.google.com/run/docs/configuring/secrets).
 */

/** The prefix of the last line the rebalance script prints after a verified move: the new assignment. */
const ASSIGNMENT_PREFIX = 'new SHARD_BUCKETS: ';
/** How long the publish step waits for the job's assignment line to reach Cloud Logging. */
const LOG_WAIT_TRIES = 60;
const LOG_WAIT_SECONDS = 10;

function rebalanceSteps(from: Tier, to: Tier, toConfig: any): MigrationStep {
  const fromShards = shardCountOf(from);
  const toShards = shardCountOf(to);
  const job = one(toConfig, 'google_cloud_run_v2_job', 'ShardedCluster/Rebalance/Job')?.body ?? {};
  const secret = one(toConfig, 'google_secret_manager_secret', 'SeparatedDatabase/ShardBuckets')?.body ?? {};
  const project = job.project ?? 'PROJECT';
  const region = job.location ?? 'REGION';
  const at = `--region ${region} --project ${project}`;
  const services = byPath(toConfig, 'google_cloud_run_v2_service', '/Service')
    .map(s => s.body)
    .filter(b => (b.template?.containers?.[0]?.env ?? []).some((e: any) => e.name === 'SHARD_MAP'))
    .map(b => ({ name: b.name as string, location: b.location as string }))
    .sort((a, b) => a.location.localeCompare(b.location) || a.name.localeCompare(b.name));
  const regions = [...new Set(services.map(s => s.location))];
  const start = fromShards === 1 ? 'all 256 buckets on shard 0' : `bucket b on shard b mod ${fromShards}`;
  const startJson = JSON.stringify(ShardRouter.balancedAssignment(fromShards));
  const runJob = [
    'run_job() { local e; EXECUTION=',
    `e=$(gcloud run jobs execute ${job.name} ${at} --async --format='value(metadata.name)' --update-env-vars "$1") && [ -n "$e" ] || { echo "the execution did not start: nothing changed" >&2; return 1; }`,
    'echo "execution $e started; polling until it completes (a move takes as long as its rows take to copy)" >&2',
    `until [ -n "$(gcloud run jobs executions describe "$e" ${at} --format='value(status.completionTime)' 2>/dev/null)" ]; do sleep 30; done`,
    `[ "$(gcloud run jobs executions describe "$e" ${at} --format='value(status.succeededCount)')" = 1 ] || { echo "execution $e FAILED: read its log; publish nothing" >&2; return 1; }`,
    'EXECUTION=$e; }',
  ].join('; ');
  const logFilter = `'resource.type="cloud_run_job" AND resource.labels.job_name="${job.name}" AND labels."run.googleapis.com/execution_name"="'"$EXECUTION"'" AND textPayload:"${ASSIGNMENT_PREFIX}"'`;
  const publish = [
    'publish_if_logged() { local got= i',
    `for i in $(seq ${LOG_WAIT_TRIES}); do got=$(gcloud logging read ${logFilter} --project ${project} --limit 1 --format='value(textPayload)'); [ -n "$got" ] && break; sleep ${LOG_WAIT_SECONDS}; done`,
    `if [ -n "$EXECUTION" ] && [ "$got" = "${ASSIGNMENT_PREFIX}$1" ]; then printf '%s' "$1" | gcloud secrets versions add ${secret.secret_id} --project ${project} --data-file=- || { echo "NOT PUBLISHED: gcloud secrets versions add failed; run publish_if_logged again" >&2; return 1; }`,
    `else echo "NOT PUBLISHED: execution $EXECUTION logged '$got', the plan expects '${ASSIGNMENT_PREFIX}$1'. Nothing was published; the old assignment stays in force (the moved buckets stay fenced: run ACTION=abort with the same MOVES to unfence them, or re-run publish_if_logged once the line arrives)" >&2; return 1; fi; }`,
  ].join('; ');
  const batches = rebalanceBatches(fromShards, toShards);
  const expected = expectedAssignments(fromShards, toShards);
  const rollCommands = (batch: number) => services
    .map(s => `gcloud run services update ${s.name} --region ${s.location} --project ${project} --update-labels scale-ladder-buckets=${batch}`)
    .join(' && ');
  const checkCommands = services
    .map(s => `gcloud run services describe ${s.name} --region ${s.location} --project ${project} --format='value(status.latestReadyRevisionName,status.traffic[0].revisionName,status.traffic[0].percent)'`)
    .join('; ');
  const lines = [
    `The swap itself moves no key: terraform apply adds shards ${fromShards}-${toShards - 1} empty, and the bucket assignment (secret '${secret.secret_id}', whose data Terraform ignores) keeps every bucket where it is. Then move the buckets in ${batches.length} verified batch(es), one per new shard. Each batch fences its buckets on the source shard, copies their rows, verifies row counts and checksums, and only then prints the new assignment; the plan has computed that assignment already, and you publish it only when the job's log line equals it.`,
    `What the app sees during a batch: from the fence until every instance in every region (${regions.join(', ')}) runs the new assignment, writes to the moving buckets are refused (reads go on). An instance not yet rolled keeps the old assignment and reads the moved buckets from their old shard, a frozen copy (the fence stopped its writes), until it is replaced; keys in other buckets are unaffected.`,
    `1. Check the starting assignment: [ "$(gcloud secrets versions access latest --secret ${secret.secret_id} --project ${project})" = '${startJson}' ] && echo OK must print OK (${start}); the job refuses MOVES that do not match the assignment in force. Run one rebalance at a time. Define two shell helpers in the shell you run the batches from:`,
    `   ${runJob}`,
    `   ${publish}`,
  ];
  batches.forEach((batch, i) => {
    const moves = movesArgument(batch);
    const n = i + 2;
    const count = batch.reduce((sum, m) => sum + m.buckets.length, 0);
    lines.push(
      `${n}. Batch ${i + 1} of ${batches.length}: ${count} buckets onto shard ${batch[0].to}. Stop at the first command that fails.`,
      `   a. Move, and wait for the execution to complete: run_job '^@^ACTION=move@MOVES=${moves}'`,
      `   b. Publish the pre-computed assignment only if the job logged exactly it: publish_if_logged '${JSON.stringify(expected[i])}'`,
      `   c. Roll every service that routes keys, in every region, onto new instances (they read the secret's latest version when they start; each command returns once its new revision serves): ${rollCommands(i + 1)}`,
      `   d. Check each service serves only its new revision (latest ready revision = the one at 100%): ${checkCommands}`,
      '   e. Only after c and d succeeded for every service above: run_job ACTION=cleanup (each shard deletes the rows of buckets it no longer holds; the fences stay).',
    );
  });
  lines.push(`${batches.length + 2}. A failed move undoes itself: nothing is published, its buckets are unfenced and the copies removed, and the app keeps routing as before. If a move succeeded but its assignment was not published (publish_if_logged failed), run run_job '^@^ACTION=abort@MOVES=<the same MOVES>' and then run_job ACTION=cleanup.`);
  return { title: `Rebalance key buckets onto the new shards (${fromShards} → ${toShards} shards)`, instructions: lines.join('\n') };
}

/** The steps for the data moves and cut-overs a swap needs, in the order they are run. */
export function gcpMigrationSteps(from: Tier, to: Tier, fromConfig: any, toConfig: any): MigrationStep[] {
  return requiredMigrations(from, to).map(kind => {
    switch (kind) {
      case 'SERVER_DATABASE_TO_MANAGED': return copySteps(from, to, fromConfig, toConfig);
      case 'SERVER_RETIREMENT': return retirementSteps(fromConfig, toConfig);
      case 'SHARD_REBALANCE': return rebalanceSteps(from, to, toConfig);
      default: return { title: String(kind), instructions: 'No Google Cloud steps are known for this migration.' };
    }
  });
}

/** The upgrade plan between two synthesized configurations of rungs `from` and `to`. */
export function planGcpConfigs(from: Tier, to: Tier, fromConfig: any, toConfig: any): UpgradePlan {
  const changes = diffConfigs(fromConfig, toConfig);
  const migrations = gcpMigrationSteps(from, to, fromConfig, toConfig);
  const interruptions = gcpInterruptions(fromConfig, toConfig, changes);
  return { cloud: 'gcp', from: from.name, to: to.name, changes, migrations, interruptions, verdict: verdictOf(changes, migrations) };
}

/** The upgrade plan for swapping rung `fromTier` for rung `toTier` on Google Cloud. */
export function planGcp(fromTier: string, toTier: string, options: GcpRungOptions = {}): UpgradePlan {
  const from = Tier.fromName(fromTier);
  const to = Tier.fromName(toTier);
  return planGcpConfigs(from, to, gcpRungConfig(from.name, options), gcpRungConfig(to.name, options));
}
