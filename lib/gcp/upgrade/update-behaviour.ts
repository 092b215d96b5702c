/*
 * What Terraform does when an attribute of a Google Cloud resource changes, for the types the
 * library uses, read from terraform-provider-google at tag v6.50.0 (the provider behind
 * @cdktf/provider-google 16.12) and terraform-provider-random. Internal: the GCP planner and
 * the ladder tests use it.
 *
 * The tables:
 * - FORCE_NEW: attributes the provider marks ForceNew (or forces new in its CustomizeDiff,
 *   conditionally; those are listed too, which only errs towards "replace", and
 *   CONDITIONAL_FORCE_NEW decides them when both values are known). An attribute path matches an
 *   entry or lies below it; a list-level ForceNew (e.g. compute_instance's network_interface,
 *   which forces new when the number of interfaces changes) is kept whole.
 * - IN_PLACE: for the types that hold data (STATEFUL_TYPES), the only attributes known to update
 *   in place, each with where that is said and whether the cloud interrupts the resource to
 *   apply it. Any other changed attribute of a stateful resource counts as a replacement.
 * - DELETION_PROTECTION: the types whose delete the provider refuses while `deletion_protection`
 *   is true in the state, with the schema default.
 */

const PROVIDER = 'terraform-provider-google v6.50.0';
const SQL_FILE = `${PROVIDER} google/services/sql/resource_sql_database_instance.go`;

/** The provider file each type's ForceNew list was read from. */
export const FORCE_NEW_SOURCE: Readonly<Record<string, string>> = {
  google_sql_database_instance: 'google/services/sql/resource_sql_database_instance.go',
  google_sql_database: 'google/services/sql/resource_sql_database.go',
  google_sql_user: 'google/services/sql/resource_sql_user.go',
  google_compute_disk: 'google/services/compute/resource_compute_disk.go',
  google_compute_resource_policy: 'google/services/compute/resource_compute_resource_policy.go',
  google_compute_disk_resource_policy_attachment: 'google/services/compute/resource_compute_disk_resource_policy_attachment.go',
  google_compute_instance: 'google/services/compute/resource_compute_instance.go',
  google_compute_address: 'google/services/compute/resource_compute_address.go',
  google_compute_global_address: 'google/services/compute/resource_compute_global_address.go',
  google_compute_network: 'google/services/compute/resource_compute_network.go',
  google_compute_subnetwork: 'google/services/compute/resource_compute_subnetwork.go',
  google_compute_firewall: 'google/services/compute/resource_compute_firewall.go',
  google_service_networking_connection: 'google/services/servicenetworking/resource_service_networking_connection.go',
  google_storage_bucket: 'google/services/storage/resource_storage_bucket.go',
  google_redis_instance: 'google/services/redis/resource_redis_instance.go',
  google_pubsub_topic: 'google/services/pubsub/resource_pubsub_topic.go',
  google_pubsub_subscription: 'google/services/pubsub/resource_pubsub_subscription.go',
  google_secret_manager_secret: 'google/services/secretmanager/resource_secret_manager_secret.go',
  google_secret_manager_secret_version: 'google/services/secretmanager/resource_secret_manager_secret_version.go',
  random_password: 'terraform-provider-random internal/provider/resource_password.go (every argument has a RequiresReplace plan modifier)',
  google_service_account: 'google/services/resourcemanager/resource_google_service_account.go',
  google_cloud_run_v2_service: 'google/services/cloudrunv2/resource_cloud_run_v2_service.go',
  google_cloud_run_v2_job: 'google/services/cloudrunv2/resource_cloud_run_v2_job.go',
  google_compute_region_network_endpoint_group: 'google/services/compute/resource_compute_region_network_endpoint_group.go',
  google_compute_backend_service: 'google/services/compute/resource_compute_backend_service.go',
  google_compute_backend_bucket: 'google/services/compute/resource_compute_backend_bucket.go',
  google_compute_url_map: 'google/services/compute/resource_compute_url_map.go',
  google_compute_target_http_proxy: 'google/services/compute/resource_compute_target_http_proxy.go',
  google_compute_target_https_proxy: 'google/services/compute/resource_compute_target_https_proxy.go',
  google_compute_managed_ssl_certificate: 'google/services/compute/resource_compute_managed_ssl_certificate.go',
  google_compute_ssl_policy: 'google/services/compute/resource_compute_ssl_policy.go',
  google_compute_global_forwarding_rule: 'google/services/compute/resource_compute_global_forwarding_rule.go',
  google_compute_security_policy: 'google/services/compute/resource_compute_security_policy.go',
  google_dns_managed_zone: 'google/services/dns/resource_dns_managed_zone.go',
  google_dns_record_set: 'google/services/dns/resource_dns_record_set.go',
  google_monitoring_custom_service: 'google/services/monitoring/resource_monitoring_custom_service.go',
  google_monitoring_slo: 'google/services/monitoring/resource_monitoring_slo.go',
  google_monitoring_dashboard: 'google/services/monitoring/resource_monitoring_dashboard.go',
  google_monitoring_alert_policy: 'google/services/monitoring/resource_monitoring_alert_policy.go',
  google_monitoring_notification_channel: 'google/services/monitoring/resource_monitoring_notification_channel.go',
  google_logging_project_bucket_config: 'google/services/logging/resource_logging_project_bucket_config.go',
  google_identity_platform_config: 'google/services/identityplatform/resource_identity_platform_config.go',
  google_cloud_scheduler_job: 'google/services/cloudscheduler/resource_cloud_scheduler_job.go',
  google_project_iam_custom_role: 'google/services/resourcemanager/resource_google_project_iam_custom_role.go',
};

/**
 * `*_iam_member`: member, role and condition (google/tpgiamresource/resource_iam_member.go) plus
 * the parent's identity (google/services/<service>/iam_<resource>.go: secret_id, topic,
 * subscription, bucket, name + location, service_account_id, project).
 */
export const IAM_FORCE_NEW: readonly string[] = ['member', 'role', 'condition', 'project', 'secret_id', 'topic', 'subscription', 'name', 'location', 'bucket', 'service_account_id'];

/** For a type missing from FORCE_NEW: the identity attributes every Google resource has. */
export const COMMON_FORCE_NEW: readonly string[] = ['name', 'project', 'region', 'location', 'zone'];

/** ForceNew attributes per type (files in FORCE_NEW_SOURCE). */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  // Conditional: settings.disk_size (only a shrink: CONDITIONAL_FORCE_NEW), master_instance_name
  // (unless a switchover), replica_configuration.cascadable_replica,
  // settings.ip_configuration.private_network (set → unset).
  // database_version is not ForceNew at v6.50.0 (schema at resource_sql_database_instance.go:807-812
  // has no ForceNew; resourceSqlDatabaseInstanceUpdate patches it in place at lines 2025-2032):
  // IN_PLACE lists it, and databaseVersionChange says what a given change does.
  google_sql_database_instance: ['name', 'project', 'region', 'encryption_key_name', 'replica_configuration', 'settings.collation', 'settings.disk_type',
    'settings.disk_size', 'master_instance_name', 'settings.ip_configuration.private_network'],
  google_sql_database: ['name', 'project', 'instance'],
  google_sql_user: ['name', 'project', 'instance', 'host', 'type'],
  // Conditional: size (only a shrink: CONDITIONAL_FORCE_NEW), provisioned_iops (on a non-hyperdisk type).
  google_compute_disk: ['name', 'project', 'zone', 'type', 'image', 'snapshot', 'source_disk', 'source_storage_object', 'source_instant_snapshot', 'storage_pool',
    'physical_block_size_bytes', 'disk_encryption_key', 'source_image_encryption_key', 'source_snapshot_encryption_key', 'architecture', 'async_primary_disk',
    'description', 'enable_confidential_compute', 'guest_os_features', 'licenses', 'params', 'size', 'provisioned_iops'],
  google_compute_resource_policy: ['name', 'project', 'region', 'group_placement_policy.gpu_topology', 'disk_consistency_group_policy.enabled', 'workload_policy'],
  google_compute_disk_resource_policy_attachment: ['name', 'project', 'disk', 'zone'],
  // Conditional: metadata_startup_script (a graceful switch), network_interface.network_ip.
  google_compute_instance: ['name', 'project', 'zone', 'boot_disk', 'network_interface', 'scratch_disk', 'hostname', 'guest_accelerator', 'confidential_instance_config',
    'reservation_affinity', 'params', 'instance_encryption_key', 'key_revocation_action_type', 'network_performance_config', 'advanced_machine_features.enable_uefi_networking',
    'attached_disk.force_attach', 'scheduling.preemptible', 'scheduling.provisioning_model', 'scheduling.local_ssd_recovery_timeout', 'scheduling.max_run_duration',
    'scheduling.on_instance_stop_action', 'scheduling.termination_time', 'metadata_startup_script'],
  google_compute_address: ['name', 'project', 'region', 'address', 'address_type', 'description', 'ip_version', 'ipv6_endpoint_type', 'network', 'network_tier',
    'prefix_length', 'purpose', 'subnetwork'],
  google_compute_global_address: ['name', 'project', 'address', 'address_type', 'description', 'ip_version', 'network', 'prefix_length', 'purpose'],
  // Read again at v6.50.0 (google/services/compute/resource_compute_network.go): exactly the
  // schema fields with ForceNew: true; its CustomizeDiff only defaults the project. Everything
  // else (routing_mode, mtu, delete_default_routes_on_create, …) resourceComputeNetworkUpdate
  // patches in place.
  google_compute_network: ['name', 'project', 'auto_create_subnetworks', 'description', 'enable_ula_internal_ipv6', 'internal_ipv6_range', 'network_profile', 'params'],
  // Read again at v6.50.0 (google/services/compute/resource_compute_subnetwork.go): these are
  // exactly the schema fields with ForceNew: true. ip_cidr_range is not one: the CustomizeDiff
  // `customdiff.ForceNewIfChange("ip_cidr_range", IsShrinkageIpCidr)` forces new unless the new
  // range holds the whole old one, and resourceComputeSubnetworkUpdate applies that expansion in
  // place (POST …/subnetworks/{{name}}/expandIpCidrRange). It stays listed here (a change whose
  // values are unknown replaces); CONDITIONAL_FORCE_NEW decides when both values are known.
  google_compute_subnetwork: ['name', 'project', 'region', 'network', 'description', 'enable_flow_logs', 'external_ipv6_prefix', 'ip_collection', 'params',
    'reserved_internal_range', 'ip_cidr_range'],
  google_compute_firewall: ['name', 'project', 'direction', 'params'],
  google_service_networking_connection: ['network', 'service'],
  // Conditional: retention_policy.is_locked (once locked).
  google_storage_bucket: ['name', 'project', 'location', 'custom_placement_config.data_locations', 'enable_object_retention', 'hierarchical_namespace', 'retention_policy.is_locked'],
  // Conditional: redis_version (only a downgrade: CONDITIONAL_FORCE_NEW).
  google_redis_instance: ['name', 'project', 'region', 'tier', 'location_id', 'alternative_location_id', 'authorized_network', 'connect_mode', 'reserved_ip_range',
    'transit_encryption_mode', 'customer_managed_key', 'redis_version'],
  google_pubsub_topic: ['name', 'project'],
  google_pubsub_subscription: ['name', 'project', 'topic', 'enable_message_ordering', 'filter'],
  google_secret_manager_secret: ['secret_id', 'project', 'replication', 'tags'],
  google_secret_manager_secret_version: ['secret', 'secret_data', 'is_secret_data_base64', 'secret_data_wo_version'],
  random_password: ['length', 'special', 'upper', 'lower', 'numeric', 'number', 'override_special', 'min_lower', 'min_upper', 'min_numeric', 'min_special', 'keepers'],
  google_service_account: ['account_id', 'project'],
  google_cloud_run_v2_service: ['name', 'project', 'location'],
  google_cloud_run_v2_job: ['name', 'project', 'location'],
  google_compute_region_network_endpoint_group: ['name', 'project', 'region', 'network_endpoint_type', 'cloud_run', 'cloud_function', 'app_engine', 'network', 'subnetwork',
    'description', 'psc_data', 'psc_target_service'],
  google_compute_backend_service: ['name', 'project'],
  google_compute_backend_bucket: ['name', 'project'],
  google_compute_url_map: ['name', 'project'],
  google_compute_target_http_proxy: ['name', 'project', 'description', 'http_keep_alive_timeout_sec', 'proxy_bind'],
  google_compute_target_https_proxy: ['name', 'project', 'description', 'http_keep_alive_timeout_sec', 'proxy_bind', 'tls_early_data'],
  google_compute_managed_ssl_certificate: ['name', 'project', 'managed', 'type', 'description'],
  google_compute_ssl_policy: ['name', 'project', 'description'],
  google_compute_global_forwarding_rule: ['name', 'project', 'ip_address', 'ip_protocol', 'port_range', 'ip_version', 'network', 'subnetwork', 'network_tier', 'description',
    'metadata_filters', 'no_automate_dns_zone', 'service_directory_registrations', 'source_ip_ranges'],
  google_compute_security_policy: ['name', 'project', 'type'],
  google_dns_managed_zone: ['name', 'project', 'dns_name', 'visibility'],
  // type, ttl and rrdatas are not ForceNew: resourceDnsRecordSetUpdate swaps the old record for
  // the new one in one Cloud DNS change.
  google_dns_record_set: ['name', 'project', 'managed_zone', 'routing_policy.health_check'],
  google_monitoring_custom_service: ['service_id', 'project'],
  google_monitoring_slo: ['slo_id', 'service', 'project'],
  google_monitoring_dashboard: ['project'],
  google_monitoring_alert_policy: ['project'],
  google_monitoring_notification_channel: ['project'],
  google_logging_project_bucket_config: ['project', 'location', 'bucket_id'],
  // Only project is ForceNew (its CustomizeDiff only defaults the project). The configuration is
  // the project's and is never deleted: resourceIdentityPlatformConfigDelete only removes it from
  // the state, so a "replacement" would reuse the same users, but the planner still counts one.
  google_identity_platform_config: ['project'],
  // Read at v6.50.0: name (line 149), region (386) and project (466) are the only ForceNew
  // attributes; schedule, time_zone, http_target, retry_config, paused and attempt_deadline are
  // sent by resourceCloudSchedulerJobUpdate (PATCH) in place.
  google_cloud_scheduler_job: ['name', 'region', 'project'],
  // Read at v6.50.0: role_id (line 51) and project (71) are ForceNew; title, description,
  // permissions and stage are patched in place (resourceGoogleProjectIamCustomRoleUpdate).
  google_project_iam_custom_role: ['role_id', 'project'],
};

/** A ForceNew that depends on the old and new values (a provider CustomizeDiff). */
export interface ConditionalForceNew {
  /** The attribute path (no list positions). */
  readonly path: string;
  /** Whether changing `before` to `after` (JSON values as written in the configuration) replaces the resource. */
  readonly replaces: (before: unknown, after: unknown) => boolean;
  /** Where the provider decides it. */
  readonly source: string;
}

/** The IPv4 CIDR `text` as [first, last] address numbers, or undefined when it is not one. */
function ipv4Range(text: unknown): [number, number] | undefined {
  const m = typeof text === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text) : null;
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some(o => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

/**
 * Attributes whose ForceNew depends on the values, with the provider's rule. Without both values
 * (e.g. a reference known only after apply) the FORCE_NEW list decides: replace.
 */
export const CONDITIONAL_FORCE_NEW: Readonly<Record<string, readonly ConditionalForceNew[]>> = {
  google_compute_subnetwork: [{
    path: 'ip_cidr_range',
    // IsShrinkageIpCidr: no ForceNew when the new range contains the old range's first and last
    // address (an expansion, applied in place with expandIpCidrRange); any other change (a
    // shrink, a move, a value that does not parse) replaces.
    replaces: (before, after) => {
      const [b, a] = [ipv4Range(before), ipv4Range(after)];
      return !(b && a && a[0] <= b[0] && b[1] <= a[1]);
    },
    source: `${PROVIDER} google/services/compute/resource_compute_subnetwork.go (CustomizeDiff ForceNewIfChange("ip_cidr_range", IsShrinkageIpCidr))`,
  }],
  google_sql_database_instance: [{
    path: 'settings.disk_size',
    // resource_sql_database_instance.go:164 `customdiff.ForceNewIfChange("settings.0.disk_size",
    // compute.IsDiskShrinkage)`; IsDiskShrinkage (compute/resource_compute_disk.go:68-74) forces
    // new only when the new size is smaller ("Size of a running instance cannot be reduced but can
    // be increased", the schema at line 453). A growth is sent in place (DataDiskSizeGb, line 1473,
    // in the Instances.Update of line 2242). A value that is not a number replaces.
    replaces: (before, after) => !(isInteger(before) && isInteger(after) && after >= before),
    source: `${SQL_FILE}:164 (CustomizeDiff ForceNewIfChange("settings.0.disk_size", compute.IsDiskShrinkage))`,
  }],
  google_compute_disk: [{
    path: 'size',
    // resource_compute_disk.go:364 `customdiff.ForceNewIfChange("size", IsDiskShrinkage)`, and
    // IsDiskShrinkage (lines 68-74) is `new < old`; a growth is a POST …/disks/{{name}}/resize in
    // resourceComputeDiskUpdate (lines 1368-1400).
    replaces: (before, after) => !(isInteger(before) && isInteger(after) && after >= before),
    source: `${PROVIDER} google/services/compute/resource_compute_disk.go:364 (CustomizeDiff ForceNewIfChange("size", IsDiskShrinkage), lines 68-74)`,
  }],
  google_redis_instance: [{
    path: 'redis_version',
    // resource_redis_instance.go:98 `customdiff.ForceNewIfChange("redis_version",
    // isRedisVersionDecreasing)`; isRedisVersionDecreasingFunc (lines 48-71) reads both values with
    // `REDIS_(\d+)_(\d+)` and forces new only when the new one is lower. An upgrade is a POST
    // …/instances/{{name}}:upgrade in resourceRedisInstanceUpdate (lines 1140-1150). Where a value
    // does not match (e.g. REDIS_6_X) the provider forces nothing and sends the upgrade call; the
    // planner cannot order such versions, so it counts a replacement unless the major number rises.
    replaces: (before, after) => {
      const [b, a] = [redisVersion(before), redisVersion(after)];
      if (b?.minor !== undefined && a?.minor !== undefined) return a.major * 1000 + a.minor < b.major * 1000 + b.minor;
      return !(b && a && a.major > b.major);
    },
    source: `${PROVIDER} google/services/redis/resource_redis_instance.go:98 (CustomizeDiff ForceNewIfChange("redis_version", isRedisVersionDecreasing), lines 48-71)`,
  }],
};

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** REDIS_<major>_<minor> (minor undefined for a non-number such as REDIS_6_X), or undefined. */
function redisVersion(v: unknown): { major: number; minor?: number } | undefined {
  const m = typeof v === 'string' ? /^REDIS_(\d+)_(\w+)$/.exec(v) : null;
  if (!m) return undefined;
  return { major: Number(m[1]), minor: /^\d+$/.test(m[2]) ? Number(m[2]) : undefined };
}

/** How the cloud interrupts a resource to apply an in-place change. */
export interface InterruptionBehaviour {
  /** What happens, e.g. "restarts". */
  readonly what: string;
  /** The expected downtime, in words. */
  readonly downtime: string;
  /** Google's page that says so. */
  readonly source: string;
}

/** An attribute of a stateful type known to update in place. */
export interface InPlaceUpdate {
  /** The attribute path (objects joined with `.`, no list positions); a changed path matches it or lies below it. */
  readonly path: string;
  /** Where the provider updates it in place. */
  readonly source: string;
  /** Set when applying it interrupts the resource. */
  readonly interruption?: InterruptionBehaviour;
  /**
   * For an update whose interruption depends on the values (JSON values as written in the
   * configuration): the interruption, or undefined for none. Takes the place of `interruption`.
   */
  readonly interruptionFor?: (before: unknown, after: unknown) => InterruptionBehaviour | undefined;
}

const IDENTITY_PLATFORM_FILE = `${PROVIDER} google/services/identityplatform/resource_identity_platform_config.go`;
const SQL_RESTART_DOWNTIME = 'a few minutes (the instance refuses connections while it restarts; Google gives no fixed figure for Cloud SQL Enterprise edition)';
const SQL_RESTART: InterruptionBehaviour = {
  what: 'restarts',
  downtime: SQL_RESTART_DOWNTIME,
  source: 'cloud.google.com/sql/docs/postgres/edit-instance (a change that needs a restart restarts the instance) and cloud.google.com/sql/docs/postgres/instance-settings (the machine type is one)',
};
const SQL_HA_RESTART: InterruptionBehaviour = {
  what: 'restarts',
  downtime: SQL_RESTART_DOWNTIME,
  source: 'cloud.google.com/sql/docs/postgres/configure-ha ("Configure an existing instance for high availability": the instance restarts)',
};

/**
 * The attributes of each stateful type known to update in place. Everything a climb changes on a
 * data-bearing resource is here (test/gcp/ladder.test.ts checks it over all 21 pairs).
 */
export const IN_PLACE: Readonly<Record<string, readonly InPlaceUpdate[]>> = {
  google_sql_database_instance: [
    // settings.tier is Required and not ForceNew; resourceSqlDatabaseInstanceUpdate sends the
    // whole settings block in one Instances.Patch.
    { path: 'settings.tier', source: SQL_FILE, interruption: SQL_RESTART },
    // settings.availability_type: not ForceNew, sent in the same settings patch.
    { path: 'settings.availability_type', source: SQL_FILE, interruption: SQL_HA_RESTART },
    // Backup settings: not ForceNew, same patch; Cloud SQL applies them without a restart.
    { path: 'settings.backup_configuration.backup_retention_settings.retained_backups', source: SQL_FILE },
    // A growth only (a shrink replaces: CONDITIONAL_FORCE_NEW): DataDiskSizeGb (line 1473) in the
    // settings sent by the Instances.Update of line 2242. No interruption is listed: Cloud SQL
    // grows the storage of a running instance (its automatic storage increase "checks your
    // available storage every 30 seconds" and "automatically adds additional storage capacity",
    // the autoStorageIncrease setting of the Cloud SQL and Database Migration Service APIs).
    { path: 'settings.disk_size', source: `${SQL_FILE}:164, 1473, 2242` },
    // Patched on its own before the other settings (lines 2025-2032: "patching database version
    // is an atomic operation"); databaseVersionChange classifies the change.
    { path: 'database_version', source: `${SQL_FILE}:2025-2032`, interruptionFor: databaseVersionInterruption },
    // deletion_protection (schema lines 185-190, Default true, not ForceNew) is Terraform's own
    // flag: only resourceSqlDatabaseInstanceDelete reads it (line 2331), nothing is sent for it;
    // the provider's documentation says to set it false "and run `terraform apply` to write the
    // field to state" before a delete (website/docs/r/sql_database_instance.html.markdown:31-33).
    { path: 'deletion_protection', source: `${SQL_FILE}:185-190, 2331` },
    // settings.deletion_protection_enabled (schema line 772, not ForceNew): Cloud SQL's own
    // deletion protection, sent as DeletionProtectionEnabled (line 1476) in the settings update.
    { path: 'settings.deletion_protection_enabled', source: `${SQL_FILE}:772, 1476` },
  ],
  google_redis_instance: [
    // memory_size_gb: not ForceNew; resourceRedisInstanceUpdate adds memorySizeGb to the update mask.
    {
      path: 'memory_size_gb',
      source: `${PROVIDER} google/services/redis/resource_redis_instance.go`,
      interruption: {
        what: 'scales (data is kept)',
        downtime: 'a short connection reset of a couple of minutes or less; clients must reconnect',
        source: 'cloud.google.com/memorystore/docs/redis/scaling-behavior ("Instance scaling behavior")',
      },
    },
    // An upgrade only (a downgrade replaces: CONDITIONAL_FORCE_NEW): POST …:upgrade in
    // resourceRedisInstanceUpdate (lines 1140-1150).
    {
      path: 'redis_version',
      source: `${PROVIDER} google/services/redis/resource_redis_instance.go:1140-1150`,
      interruption: {
        what: 'upgrades its Redis version (data is kept)',
        downtime: 'a short connection reset of a couple of minutes or less; clients must reconnect',
        source: 'cloud.google.com/memorystore/docs/redis/about-upgrading-version ("Version upgrade behavior": data is preserved, the instance undergoes a short connection reset)',
      },
    },
  ],
  google_sql_database: [],
  // A growth only (a shrink replaces: CONDITIONAL_FORCE_NEW): POST …/disks/{{name}}/resize in
  // resourceComputeDiskUpdate (lines 1368-1400). Compute Engine resizes a disk while it is attached
  // and in use; the file system on it must be grown separately
  // (cloud.google.com/compute/docs/disks/resize-persistent-disk).
  google_compute_disk: [{ path: 'size', source: `${PROVIDER} google/services/compute/resource_compute_disk.go:1368-1400` }],
  google_compute_address: [],
  google_storage_bucket: [],
  google_pubsub_topic: [],
  google_pubsub_subscription: [],
  // deletion_protection (schema lines 340-347, Default false, not ForceNew) is Terraform's own
  // flag: only resourceSecretManagerSecretDelete reads it (line 757).
  google_secret_manager_secret: [{ path: 'deletion_protection', source: `${PROVIDER} google/services/secretmanager/resource_secret_manager_secret.go:340-347, 757` }],
  google_secret_manager_secret_version: [],
  random_password: [],
  // resourceIdentityPlatformConfigUpdate adds each changed top-level field to the update mask and
  // PATCHes projects/{{project}}/config in place; none of these fields is ForceNew.
  google_identity_platform_config: [
    { path: 'authorized_domains', source: IDENTITY_PLATFORM_FILE },
    { path: 'sign_in', source: IDENTITY_PLATFORM_FILE },
    { path: 'mfa', source: IDENTITY_PLATFORM_FILE },
    { path: 'monitoring', source: IDENTITY_PLATFORM_FILE },
    { path: 'client', source: IDENTITY_PLATFORM_FILE },
    { path: 'autodelete_anonymous_users', source: IDENTITY_PLATFORM_FILE },
    { path: 'quota', source: IDENTITY_PLATFORM_FILE },
    { path: 'sms_region_config', source: IDENTITY_PLATFORM_FILE },
    { path: 'blocking_functions', source: IDENTITY_PLATFORM_FILE },
    { path: 'multi_tenant', source: IDENTITY_PLATFORM_FILE },
  ],
};

function normalise(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

function matches(entry: string, path: string): boolean {
  const p = normalise(path);
  return p === entry || p.startsWith(`${entry}.`);
}

/** The replacement-forcing attributes of `type`. */
export function forceNewAttributes(type: string): readonly string[] {
  if (type.endsWith('_iam_member')) return IAM_FORCE_NEW;
  return FORCE_NEW[type] ?? COMMON_FORCE_NEW;
}

/**
 * Whether the provider replaces a resource of `type` when `path` changes. With both values (JSON
 * text as flattened from the configuration), a conditional ForceNew follows the provider's rule.
 */
export function forcesReplacement(type: string, path: string, values?: { before?: string; after?: string }): boolean {
  const conditional = (CONDITIONAL_FORCE_NEW[type] ?? []).find(c => normalise(path) === c.path);
  if (conditional && values?.before !== undefined && values.after !== undefined && !/\$\{/.test(values.before + values.after)) {
    return conditional.replaces(JSON.parse(values.before), JSON.parse(values.after));
  }
  return forceNewAttributes(type).some(f => matches(f, path));
}

/** The in-place entry for `path` of a stateful `type`, if the table has one. */
export function inPlaceUpdate(type: string, path: string): InPlaceUpdate | undefined {
  return (IN_PLACE[type] ?? []).find(u => matches(u.path, path));
}

/*
 * Cloud SQL database_version. The provider patches it in place (resource_sql_database_instance.go
 * lines 2025-2032, no ForceNew in the schema at 807-812), but what Cloud SQL does depends on the
 * two versions:
 * - a major version upgrade (POSTGRES_16 → POSTGRES_17, MYSQL_8_0 → MYSQL_8_4) runs in place and
 *   "requires the instance to be unavailable for a period of time"
 *   (cloud.google.com/sql/docs/postgres/upgrade-major-db-version-inplace, "Upgrade the database
 *   major version in-place"; /mysql/ and /sqlserver/ have the same page);
 * - a MySQL 8.0 minor version upgrade (MYSQL_8_0_35 → MYSQL_8_0_36) runs in place; the new minor
 *   version must be greater than the installed one and "MySQL 8.0 doesn't support downgrading"
 *   (cloud.google.com/sql/docs/mysql/upgrade-minor-db-version);
 * - a lower version, another engine, or one the planner cannot read: no in-place path (UNSAFE).
 * MYSQL_8_0_<n ≥ 35> → MYSQL_8_0 is no change: databaseVersionDiffSuppress (lines 2305-2315)
 * suppresses that diff (Cloud SQL's automatic minor upgrades).
 */

/** What changing database_version from `before` to `after` does. */
export type DatabaseVersionChange = 'none' | 'minor-upgrade' | 'major-upgrade' | 'downgrade' | 'unsupported';

interface DatabaseVersion {
  readonly engine: 'POSTGRES' | 'MYSQL' | 'SQLSERVER';
  /** The major version, compared element by element ([16], [8, 0], [2019]). */
  readonly major: readonly number[];
  /** MySQL's minor version (MYSQL_8_0_35 → 35), when written. */
  readonly minor?: number;
  /** SQL Server's edition (SQLSERVER_2019_STANDARD → STANDARD). */
  readonly edition?: string;
}

function parseDatabaseVersion(v: unknown): DatabaseVersion | undefined {
  if (typeof v !== 'string') return undefined;
  let m = /^POSTGRES_(\d+)$/.exec(v);
  if (m) return { engine: 'POSTGRES', major: [Number(m[1])] };
  m = /^MYSQL_(\d+)_(\d+)(?:_(\d+))?$/.exec(v);
  if (m) return { engine: 'MYSQL', major: [Number(m[1]), Number(m[2])], minor: m[3] === undefined ? undefined : Number(m[3]) };
  m = /^SQLSERVER_(\d+)_([A-Z]+)$/.exec(v);
  if (m) return { engine: 'SQLSERVER', major: [Number(m[1])], edition: m[2] };
  return undefined;
}

function compareMajor(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** What Cloud SQL does when database_version changes from `before` to `after` (JSON values as written). */
export function databaseVersionChange(before: unknown, after: unknown): DatabaseVersionChange {
  if (before === after) return 'none';
  const suppressed = typeof before === 'string' && after === 'MYSQL_8_0' && /^MYSQL_8_0_(\d+)$/.exec(before);
  if (suppressed && Number(suppressed[1]) >= 35) return 'none';
  const [b, a] = [parseDatabaseVersion(before), parseDatabaseVersion(after)];
  if (!b || !a || b.engine !== a.engine || b.edition !== a.edition) return 'unsupported';
  const major = compareMajor(a.major, b.major);
  if (major > 0) return 'major-upgrade';
  if (major < 0) return 'downgrade';
  // The same major version: MySQL's minor versions. Going back to an unspecified minor version is
  // not possible ("You can't revert to an unspecified minor version", upgrade-minor-db-version).
  if (a.minor === undefined) return 'downgrade';
  return b.minor === undefined || a.minor > b.minor ? 'minor-upgrade' : 'downgrade';
}

/** The Cloud SQL documentation path of the engine a database_version names. */
function sqlDocs(version: unknown): string {
  const v = String(version);
  return v.startsWith('MYSQL') ? 'mysql' : v.startsWith('SQLSERVER') ? 'sqlserver' : 'postgres';
}

function databaseVersionInterruption(before: unknown, after: unknown): InterruptionBehaviour | undefined {
  switch (databaseVersionChange(before, after)) {
    case 'major-upgrade': return {
      what: `upgrades its major version in place (${String(before)} → ${String(after)}; it is unavailable until the upgrade ends)`,
      downtime: 'the whole upgrade: longer than a restart, and longer the larger the database (Google gives no fixed figure; test it on a clone first)',
      source: `cloud.google.com/sql/docs/${sqlDocs(after)}/upgrade-major-db-version-inplace ("Upgrade the database major version in-place": the upgrade requires the instance to be unavailable for a period of time)`,
    };
    case 'minor-upgrade': return {
      what: `upgrades its minor version in place (${String(before)} → ${String(after)}; the database server restarts on the new version)`,
      downtime: SQL_RESTART_DOWNTIME,
      source: 'cloud.google.com/sql/docs/mysql/upgrade-minor-db-version ("Upgrade the database minor version of MySQL 8.0"; the restart is the planner\'s reading: Google gives no figure)',
    };
    default: return undefined;
  }
}

/** A type whose delete the provider refuses while `deletion_protection` is true in the state. */
export interface DeletionProtection {
  /** The schema default (what an unset attribute means). */
  readonly default: boolean;
  /** Where the provider refuses (file and line of the check in the delete function). */
  readonly source: string;
}

const guard = (file: string, schemaLine: number, deleteLine: number, byDefault: boolean): DeletionProtection =>
  ({ default: byDefault, source: `${PROVIDER} google/services/${file}:${deleteLine} (schema default ${byDefault} at line ${schemaLine})` });

/**
 * The types whose delete function returns an error while `deletion_protection` is true (read at
 * v6.50.0: `if d.Get("deletion_protection").(bool) { return fmt.Errorf(…) }` at the line named).
 * A type not listed that has a true deletion_protection in the output is counted as refusing too
 * (which only errs towards a failed apply).
 */
export const DELETION_PROTECTION: Readonly<Record<string, DeletionProtection>> = {
  // "Error, failed to delete instance because deletion_protection is set to true. Set it to false to proceed with instance deletion"
  google_sql_database_instance: guard('sql/resource_sql_database_instance.go', 187, 2331, true),
  // "cannot destroy secret manager secret without setting deletion_protection=false and running `terraform apply`"
  google_secret_manager_secret: guard('secretmanager/resource_secret_manager_secret.go', 346, 757, false),
  google_secret_manager_regional_secret: guard('secretmanagerregional/resource_secret_manager_regional_secret.go', 261, 663, false),
  google_compute_instance: guard('compute/resource_compute_instance.go', 902, 3204, false),
  google_cloud_run_v2_service: guard('cloudrunv2/resource_cloud_run_v2_service.go', 1237, 1773, true),
  google_cloud_run_v2_job: guard('cloudrunv2/resource_cloud_run_v2_job.go', 918, 1340, true),
  google_cloud_run_v2_worker_pool: guard('cloudrunv2/resource_cloud_run_v2_worker_pool.go', 810, 1295, true),
  google_bigquery_table: guard('bigquery/resource_bigquery_table.go', 1360, 2316, true),
  google_bigtable_instance: guard('bigtable/resource_bigtable_instance.go', 208, 471, true),
  google_container_cluster: guard('container/resource_container_cluster.go', 324, 4859, true),
  google_compute_storage_pool: guard('compute/resource_compute_storage_pool.go', 308, 680, true),
  google_privateca_certificate_authority: guard('privateca/resource_privateca_certificate_authority.go', 871, 1325, true),
  google_folder: guard('resourcemanager/resource_google_folder.go', 87, 295, true),
  google_workflows_workflow: guard('workflows/resource_workflows_workflow.go', 195, 640, true),
  google_active_directory_domain: guard('activedirectory/resource_active_directory_domain.go', 145, 475, true),
  google_dataproc_metastore_federation: guard('dataprocmetastore/resource_dataproc_metastore_federation.go', 168, 468, false),
};

/** An attribute that stops the delete of a resource, and what says so. */
export interface DeletionGuard {
  /** The attribute path to set false (`deletion_protection`, `settings.deletion_protection_enabled`). */
  readonly attribute: string;
  readonly source: string;
}

function flag(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/**
 * What in `body` (as last applied, so as the state holds it) makes the provider or the cloud
 * refuse to delete a resource of `type`: an empty list when nothing does.
 */
export function deletionGuards(type: string, body: any): DeletionGuard[] {
  const known = DELETION_PROTECTION[type];
  const out: DeletionGuard[] = [];
  if (flag(body?.deletion_protection) ?? known?.default ?? false) {
    out.push({ attribute: 'deletion_protection', source: known?.source ?? `${PROVIDER}: deletion_protection is set (the provider's resources that have it refuse the delete while it is true)` });
  }
  const settings = Array.isArray(body?.settings) ? body.settings[0] : body?.settings;
  if (type === 'google_sql_database_instance' && flag(settings?.deletion_protection_enabled) === true) {
    // Cloud SQL's own protection: the API refuses to delete the instance
    // (cloud.google.com/sql/docs/postgres/deletion-protection; provider documentation
    // website/docs/r/sql_database_instance.html.markdown:381).
    out.push({ attribute: 'settings.deletion_protection_enabled', source: 'cloud.google.com/sql/docs/postgres/deletion-protection (Cloud SQL refuses to delete an instance with deletion protection enabled)' });
  }
  return out;
}
