import { gcpRungConfig, layerOf } from './synth-rung';
import { Tier } from '../core/tier';
import { ChangeAction, MigrationStep, requiredMigrations, ResourceChange, UpgradePlan, verdictOf } from '../core/upgrade-plan';

/*
 * The Google Cloud upgrade planner: compares two rungs' Terraform JSON address by address.
 * Internal (the `scale-ladder plan --cloud gcp` command and the ladder tests use it).
 */

/** Resource types that hold data. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'google_sql_database_instance',
  'google_sql_database',
  'google_compute_disk',
  'google_storage_bucket',
  'google_redis_instance',
  'google_pubsub_topic',
  'google_pubsub_subscription',
  'google_secret_manager_secret',
  'google_secret_manager_secret_version',
  'random_password',
]);

const COMMON_FORCE_NEW = ['name', 'project', 'region', 'location', 'zone'];
const IAM_FORCE_NEW = ['member', 'role', 'condition', 'project', 'secret_id', 'topic', 'subscription', 'name', 'location', 'bucket', 'service_account_id'];

/**
 * Attributes whose change makes Terraform replace the resource (the provider's ForceNew
 * fields, for the types the library uses). A path matches an entry or lies below it.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  google_sql_database_instance: ['name', 'project', 'region', 'database_version', 'master_instance_name', 'encryption_key_name', 'root_password', 'replica_configuration', 'clone', 'restore_backup_context'],
  google_sql_database: ['name', 'project', 'instance'],
  google_sql_user: ['name', 'project', 'instance', 'host', 'type'],
  google_compute_disk: ['name', 'project', 'zone', 'type', 'image', 'snapshot', 'physical_block_size_bytes', 'disk_encryption_key', 'source_disk'],
  google_compute_resource_policy: ['name', 'project', 'region', 'snapshot_schedule_policy', 'group_placement_policy', 'instance_schedule_policy'],
  google_compute_disk_resource_policy_attachment: ['name', 'project', 'disk', 'zone'],
  google_compute_instance: ['name', 'project', 'zone', 'boot_disk', 'metadata_startup_script', 'network_interface.network', 'network_interface.subnetwork', 'scratch_disk'],
  google_compute_address: ['name', 'project', 'region', 'address', 'address_type', 'network_tier', 'purpose', 'subnetwork'],
  google_compute_global_address: ['name', 'project', 'address', 'address_type', 'ip_version', 'prefix_length', 'purpose', 'network'],
  google_compute_network: ['name', 'project', 'auto_create_subnetworks', 'mtu'],
  google_compute_subnetwork: ['name', 'project', 'region', 'network', 'ip_cidr_range'],
  google_compute_firewall: ['name', 'project', 'network', 'direction'],
  google_service_networking_connection: ['network', 'service'],
  google_storage_bucket: ['name', 'project', 'location'],
  google_redis_instance: ['name', 'project', 'region', 'tier', 'location_id', 'alternative_location_id', 'authorized_network', 'connect_mode', 'reserved_ip_range', 'transit_encryption_mode', 'customer_managed_key'],
  google_pubsub_topic: ['name', 'project'],
  google_pubsub_subscription: ['name', 'project', 'topic', 'enable_message_ordering'],
  google_secret_manager_secret: ['secret_id', 'project', 'replication'],
  google_secret_manager_secret_version: ['secret', 'secret_data', 'is_secret_data_base64'],
  random_password: ['length', 'special', 'upper', 'lower', 'numeric', 'number', 'override_special', 'min_lower', 'min_upper', 'min_numeric', 'min_special', 'keepers'],
  google_service_account: ['account_id', 'project'],
  google_cloud_run_v2_service: ['name', 'project', 'location'],
  google_compute_region_network_endpoint_group: ['name', 'project', 'region', 'network_endpoint_type', 'cloud_run', 'network', 'subnetwork'],
  google_compute_backend_service: ['name', 'project', 'load_balancing_scheme'],
  google_compute_backend_bucket: ['name', 'project'],
  google_compute_url_map: ['name', 'project'],
  google_compute_target_http_proxy: ['name', 'project'],
  google_compute_target_https_proxy: ['name', 'project'],
  google_compute_managed_ssl_certificate: ['name', 'project', 'managed', 'type'],
  google_compute_ssl_policy: ['name', 'project'],
  google_compute_global_forwarding_rule: ['name', 'project', 'ip_address', 'ip_protocol', 'port_range', 'load_balancing_scheme', 'network', 'ip_version'],
  google_compute_security_policy: ['name', 'project', 'type'],
  google_dns_managed_zone: ['name', 'project', 'dns_name', 'visibility'],
  google_dns_record_set: ['name', 'project', 'managed_zone', 'type'],
  google_monitoring_custom_service: ['service_id', 'project'],
  google_monitoring_slo: ['slo_id', 'service', 'project'],
  google_monitoring_dashboard: ['project'],
  google_logging_project_bucket_config: ['project', 'location', 'bucket_id'],
};

/** The replacement-forcing attributes of `type`. */
export function forceNewAttributes(type: string): readonly string[] {
  if (type.endsWith('_iam_member')) return IAM_FORCE_NEW;
  return FORCE_NEW[type] ?? COMMON_FORCE_NEW;
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

/** Whether a change of `path` replaces a resource of `type`. */
export function forcesReplacement(type: string, path: string): boolean {
  const p = normalise(path);
  return forceNewAttributes(type).some(f => p === f || p.startsWith(`${f}.`));
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

/** Compares two Terraform JSON configurations address by address. */
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
    const fb = flatten(b.body);
    const fa = flatten(a.body);
    const changed = [...new Set([...Object.keys(fb), ...Object.keys(fa)])].filter(k => fb[k] !== fa[k]).sort();
    if (changed.length === 0) continue;
    const action: ChangeAction = changed.some(p => forcesReplacement(a.type, p)) ? 'REPLACE' : 'UPDATE';
    changes.push({ id, type: a.type, layer, action, stateful, properties: [...new Set(changed.map(normalise))] });
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

function findOne(config: any, type: string): any {
  const instances = config.resource?.[type] ?? {};
  const first = Object.keys(instances).sort()[0];
  return first ? instances[first] : undefined;
}

/** The steps for the data moves a swap needs (DESIGN §2.2). */
export function gcpMigrationSteps(from: Tier, to: Tier, fromConfig: any, toConfig: any): MigrationStep[] {
  return requiredMigrations(from, to).map(kind => {
    switch (kind) {
      case 'SERVER_DATABASE_TO_MANAGED': {
        const vm = findOne(fromConfig, 'google_compute_instance') ?? {};
        const disk = findOne(fromConfig, 'google_compute_disk') ?? {};
        const sql = findOne(toConfig, 'google_sql_database_instance') ?? {};
        const project = vm.project ?? 'PROJECT';
        const where = `--zone ${vm.zone ?? 'ZONE'} --project ${project}`;
        const vmStays = to.spec.server.running;
        const steps = [
          `1. terraform apply the ${to.name} rung: Cloud SQL instance '${sql.name ?? 'the new instance'}' comes up on a private IP; the server keeps running and its startup script changes in place.`,
          vmStays
            ? `2. Reboot the server so the new startup script runs: gcloud compute instances reset ${vm.name} ${where}. It stops the app, dumps the local PostgreSQL from disk '${disk.name}' (pg_dump, postgres:16), restores it into Cloud SQL over TLS in one transaction, writes MIGRATED-TO-CLOUD-SQL on the disk and starts the app against Cloud SQL. Follow it with: gcloud compute instances get-serial-port-output ${vm.name} ${where} | grep scale-ladder. On failure the app stays stopped and the local data untouched; fix and reset again.`
            : `2. ${to.name} retires the server, so the copy cannot run on it: swap to 10K first (steps above: apply, then gcloud compute instances reset ${vm.name} ${where}), verify, then swap to ${to.name}. Nothing is lost if you do not: disk '${disk.name}' stays with prevent_destroy, and attaching it to a temporary VM and running the same pg_dump | psql copies it later.`,
          '3. Verify: compare row counts of your main tables on both sides (psql "host=<DATABASE_HOST> sslmode=require user=app dbname=app").',
          `4. Disk '${disk.name}' (and its daily snapshots) stays declared and protected on every rung; keep it until you have verified the copy and a Cloud SQL backup exists.`,
        ];
        return { title: 'Copy the server-local PostgreSQL into Cloud SQL', instructions: steps.join('\n') };
      }
      default:
        return { title: String(kind), instructions: 'No Google Cloud steps are known for this migration.' };
    }
  });
}

/** The upgrade plan for swapping rung `fromTier` for rung `toTier` on Google Cloud. */
export function planGcp(fromTier: string, toTier: string): UpgradePlan {
  const from = Tier.fromName(fromTier);
  const to = Tier.fromName(toTier);
  const fromConfig = gcpRungConfig(from.name);
  const toConfig = gcpRungConfig(to.name);
  const changes = diffConfigs(fromConfig, toConfig);
  const migrations = gcpMigrationSteps(from, to, fromConfig, toConfig);
  return { cloud: 'gcp', from: from.name, to: to.name, changes, migrations, interruptions: [], verdict: verdictOf(changes, migrations) };
}
