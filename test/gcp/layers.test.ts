import 'cdktf/lib/testing/adapters/jest';
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeDisk } from '@cdktf/provider-google/lib/compute-disk';
import { ComputeSecurityPolicy } from '@cdktf/provider-google/lib/compute-security-policy';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { RedisInstance } from '@cdktf/provider-google/lib/redis-instance';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { Testing } from 'cdktf';
import { find, rung } from './support';
import { gcp, Tier } from '../../lib';
import { COPY_DATABASE_SCRIPT } from '../../lib/core/data-moves/copy-database';
import { COPY_SCRIPT_DELIMITER, DISK_UNMOUNTED_LOG, SERVER_COPY_SCRIPT_PATH } from '../../lib/gcp/compute/startup-script';
import { fromTerraformLiteral } from '../../lib/gcp/internal/common';

Testing.setupJest();

describe('SingleServer (1K)', () => {
  const c = () => rung('1K');
  test('the data disk is separate, protected, snapshotted daily', () => {
    expect(find(c(), 'google_compute_disk', 'SingleServer/DataDisk')).toMatchObject({
      name: 'app-pgdata', size: 20, type: 'pd-balanced', lifecycle: { prevent_destroy: true }, create_snapshot_before_destroy: true,
    });
    expect(find(c(), 'google_compute_resource_policy', 'SingleServer/SnapshotSchedule').snapshot_schedule_policy).toMatchObject({
      schedule: { daily_schedule: { days_in_cycle: 1 } },
      retention_policy: { max_retention_days: 14, on_source_disk_delete: 'KEEP_AUTO_SNAPSHOTS' },
    });
    expect(find(c(), 'google_compute_disk_resource_policy_attachment', 'SingleServer/SnapshotScheduleAttachment').disk)
      .toBe('${google_compute_disk.App_SingleServer_DataDisk_811E1457.name}');
  });
  test('the VM has a static IP, OS Login, shielded boot, and SSH only from IAP', () => {
    const vm = find(c(), 'google_compute_instance', 'SingleServer/Instance');
    expect(vm.metadata).toMatchObject({ 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE' });
    expect(vm.metadata['startup-script']).not.toMatch(/metadata_startup_script/);
    expect(vm.metadata_startup_script).toBeUndefined(); // ForceNew; the script lives in metadata (updates in place)
    expect(vm.network_interface[0].access_config[0].nat_ip).toBe('${google_compute_address.App_SingleServer_Address_AD9BC7F3.address}');
    expect(vm.shielded_instance_config).toEqual({ enable_integrity_monitoring: true, enable_secure_boot: true, enable_vtpm: true });
    expect(vm.attached_disk[0]).toMatchObject({ device_name: 'pgdata' });
    expect(find(c(), 'google_compute_firewall', 'SingleServer/IapSsh')).toMatchObject({
      source_ranges: ['35.235.240.0/20'], allow: [{ protocol: 'tcp', ports: ['22'] }],
    });
    expect(find(c(), 'google_compute_firewall', 'SingleServer/Web').allow).toEqual([{ protocol: 'tcp', ports: ['80'] }]);
  });
  test('the startup script runs PostgreSQL on the disk and never contains Terraform template syntax of its own', () => {
    const vm = find(c(), 'google_compute_instance', 'SingleServer/Instance');
    const script: string = vm.metadata['startup-script'];
    expect(script).toContain('-p 127.0.0.1:5432:5432 -v "$MNT":/var/lib/postgresql/data');
    expect(script).not.toContain('%{');
    // Nothing rung-specific in the script: the environment and secrets are metadata values.
    expect([...script.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map(m => m[1])).toEqual([]);
    expect(vm.metadata['scale-ladder-database']).toBe('server');
    expect(vm.metadata['scale-ladder-secrets']).toBe('DATABASE_PASSWORD=${google_secret_manager_secret.App_Credentials_Secret_19C56903.id}\n');
  });
  test('10K: the server embeds the shipped copy script (the same text the data-move tests run) for the operator\'s copy, marks the disk only after a verified copy, then unmounts it', () => {
    const vm = find(rung('10K'), 'google_compute_instance', 'SingleServer/Instance');
    const script: string = vm.metadata['startup-script'];
    const start = script.indexOf(`cat > ${SERVER_COPY_SCRIPT_PATH} <<'${COPY_SCRIPT_DELIMITER}'\n`);
    const end = script.indexOf(`\n${COPY_SCRIPT_DELIMITER}\n`, start);
    expect(start).toBeGreaterThan(0);
    const embedded = script.slice(script.indexOf('\n', start) + 1, end + 1);
    expect(fromTerraformLiteral(embedded)).toBe(COPY_DATABASE_SCRIPT);
    const own = script.slice(0, start) + script.slice(end);
    expect([...own.matchAll(/(?<!\$)\$\{([^}]*)\}/g)]).toEqual([]);
    expect([...embedded.matchAll(/(?<!\$)\$\{/g)]).toEqual([]);
    expect(embedded).not.toMatch(/(?<!%)%\{/);
    expect(vm.metadata['scale-ladder-database']).toBe('managed');
    expect(vm.metadata['scale-ladder-env']).toContain('DATABASE_HOST=${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.private_ip_address}\n');
    const run = script.split('\n').find(l => l.includes('bash /copy-database.sh'))!;
    expect(run).toContain('-e SOURCE_HOST=127.0.0.1 -e SOURCE_PORT=5432');
    expect(run).toContain('-e TARGET_HOST="$TARGET"');
    expect(run).toContain('-e TARGET_SSLMODE=require');
    expect(run).toContain('-e ON_VERIFIED="date -u +%Y-%m-%dT%H:%M:%SZ > /pgdisk/MIGRATED-TO-CLOUD-SQL"');
    // The copy is the operator's `migrate` action, never the boot's.
    const boot = script.slice(script.indexOf('\nboot() {'), script.indexOf('\nmigrate() {'));
    expect(boot).not.toContain('copy-database');
    expect(script).toContain(DISK_UNMOUNTED_LOG);
  });
  test('the VM retires at 100K but its disk and snapshot schedule stay', () => {
    expect(rung('100K').resource.google_compute_instance).toBeUndefined();
    expect(find(rung('100K'), 'google_compute_disk', 'SingleServer/DataDisk').lifecycle).toEqual({ prevent_destroy: true });
    expect(find(rung('1B'), 'google_compute_resource_policy', 'SingleServer/SnapshotSchedule').name).toBe('app-pgdata-daily');
  });
  test('the data disk is a ComputeDisk with prevent_destroy (cdktf matcher)', () => {
    const synth = Testing.synthScope(scope => {
      const network = new gcp.Network(scope, 'Net', { project: 'test-project-1', region: 'europe-west1' });
      new gcp.SingleServer(scope, 'Server', { project: 'test-project-1', region: 'europe-west1', network, image: 'nginx:1.27', domainName: 'shop.example.com' });
    });
    expect(synth).toHaveResourceWithProperties(ComputeDisk, { zone: 'europe-west1-b', lifecycle: { prevent_destroy: true } });
    expect(synth).toHaveResourceWithProperties(ComputeDisk, { name: 'app-pgdata' });
    expect(synth).toContain('caddy reverse-proxy --from shop.example.com --to 127.0.0.1:8080');
  });
});

describe('SeparatedDatabase (10K)', () => {
  test('Cloud SQL PostgreSQL on a private IP only, TLS required, PITR, deletion protection', () => {
    const db = find(rung('10K'), 'google_sql_database_instance', 'SeparatedDatabase/Instance');
    expect(db).toMatchObject({
      name: 'app-db',
      region: 'us-central1',
      database_version: 'POSTGRES_16',
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
      depends_on: ['google_service_networking_connection.App_Network_PrivateServicesConnection_9E460C56'],
    });
    expect(db.settings).toMatchObject({
      tier: 'db-custom-1-3840',
      edition: 'ENTERPRISE',
      availability_type: 'ZONAL',
      deletion_protection_enabled: true,
      ip_configuration: { ipv4_enabled: false, ssl_mode: 'ENCRYPTED_ONLY', private_network: '${google_compute_network.App_Network_Vpc_4BB5E2AF.id}' },
      backup_configuration: { enabled: true, point_in_time_recovery_enabled: true, backup_retention_settings: { retained_backups: 7 } },
    });
    expect(db.settings.ip_configuration.authorized_networks).toBeUndefined();
    expect(find(rung('10K'), 'google_sql_user', 'SeparatedDatabase/User').password).toBe('${random_password.App_Credentials_Password_EC6ED98C.result}');
  });
  test('the instance turns regional (HA) from 100K', () => {
    expect(find(rung('100K'), 'google_sql_database_instance', 'SeparatedDatabase/Instance').settings.availability_type).toBe('REGIONAL');
  });
  test('the database password lives in Secret Manager and reaches Cloud Run as a secret reference', () => {
    const svc = find(rung('100K'), 'google_cloud_run_v2_service', 'StatelessFleet/Service');
    expect(svc.template.containers[0].env).toContainEqual({
      name: 'DATABASE_PASSWORD', value_source: { secret_key_ref: { secret: '${google_secret_manager_secret.App_Credentials_Secret_19C56903.id}', version: 'latest' } },
    });
    expect(JSON.stringify(svc)).not.toContain('random_password');
  });
});

describe('StatelessFleet (100K)', () => {
  const c = () => rung('100K');
  test('Cloud Run only behind the load balancer, with the tier\'s autoscaling bounds and probes', () => {
    const svc = find(c(), 'google_cloud_run_v2_service', 'StatelessFleet/Service');
    expect(svc.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER');
    expect(svc.template.scaling).toEqual({ min_instance_count: 2, max_instance_count: 10 });
    expect(svc.template.containers[0].resources.limits).toEqual({ cpu: '1', memory: '2Gi' });
    expect(svc.template.containers[0].startup_probe.http_get.path).toBe('/');
    expect(svc.template.vpc_access.egress).toBe('PRIVATE_RANGES_ONLY');
    expect(find(rung('1B'), 'google_cloud_run_v2_service', 'StatelessFleet/Service').template.scaling).toEqual({ min_instance_count: 40, max_instance_count: 1000 });
  });
  test('a global external Application Load Balancer with a serverless NEG', () => {
    expect(find(c(), 'google_compute_region_network_endpoint_group', 'StatelessFleet/Neg')).toMatchObject({
      network_endpoint_type: 'SERVERLESS', cloud_run: { service: '${google_cloud_run_v2_service.App_StatelessFleet_Service_93375F52.name}' },
    });
    expect(find(c(), 'google_compute_backend_service', 'StatelessFleet/BackendService')).toMatchObject({ load_balancing_scheme: 'EXTERNAL_MANAGED', enable_cdn: false });
    expect(find(c(), 'google_compute_global_forwarding_rule', 'StatelessFleet/HttpForwardingRule').port_range).toBe('80');
  });
  test('with a domain: managed certificate, HTTPS with TLS 1.2+, HTTP redirected', () => {
    const synth = Testing.synthScope(scope => {
      new gcp.Tier100K(scope, 'App', { project: 'test-project-1', region: 'us-central1', image: 'nginx:1.27', domainName: 'shop.example.com' });
    });
    const json = JSON.parse(synth);
    const maps = Object.values<any>(json.resource.google_compute_url_map);
    const redirect = maps.find(m => m.name === 'app-https-redirect');
    expect(redirect.default_url_redirect).toEqual({ https_redirect: true, redirect_response_code: 'MOVED_PERMANENTLY_DEFAULT', strip_query: false });
    const httpProxy = Object.values<any>(json.resource.google_compute_target_http_proxy)[0];
    expect(httpProxy.url_map).toMatch(/RedirectUrlMap/);
    expect(Object.values<any>(json.resource.google_compute_managed_ssl_certificate)[0].managed.domains).toEqual(['shop.example.com']);
    expect(Object.values<any>(json.resource.google_compute_ssl_policy)[0].min_tls_version).toBe('TLS_1_2');
    expect(Object.values<any>(json.resource.google_compute_global_forwarding_rule).map(r => r.port_range).sort()).toEqual(['443', '80']);
  });
});

describe('ReadReplicaSet', () => {
  test('read replicas of shard 0: one at 100K, two from 1M, private and protected', () => {
    const replica = find(rung('100K'), 'google_sql_database_instance', 'ReadReplicaSet/Replica1');
    expect(replica).toMatchObject({
      master_instance_name: '${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.name}',
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
      settings: { ip_configuration: { ipv4_enabled: false, ssl_mode: 'ENCRYPTED_ONLY' } },
    });
    expect(find(rung('1M'), 'google_sql_database_instance', 'ReadReplicaSet/Replica2').name)
      .toBe('${google_sql_database_instance.App_SeparatedDatabase_Instance_F3EE4B09.name}-replica-2');
  });
});

describe('Cache (1M)', () => {
  test('Memorystore HA, private, AUTH and TLS, token in Secret Manager', () => {
    const below = Testing.synthScope(scope => { new gcp.Tier100K(scope, 'App', { project: 'test-project-1', region: 'us-central1', image: 'nginx:1.27' }); });
    expect(below).not.toHaveResource(RedisInstance);
    const redis = find(rung('1M'), 'google_redis_instance', 'Cache/Instance');
    expect(redis).toMatchObject({
      tier: 'STANDARD_HA',
      memory_size_gb: 5,
      auth_enabled: true,
      transit_encryption_mode: 'SERVER_AUTHENTICATION',
      connect_mode: 'PRIVATE_SERVICE_ACCESS',
      read_replicas_mode: 'READ_REPLICAS_ENABLED',
      replica_count: Tier.USERS_1M.spec.cache!.replicasPerShard,
      lifecycle: { prevent_destroy: true },
    });
    expect(find(rung('1M'), 'google_secret_manager_secret_version', 'Cache/AuthSecretVersion').secret_data)
      .toBe('${google_redis_instance.App_Cache_Instance_D6F8EB9A.auth_string}');
    expect(find(rung('1B'), 'google_redis_instance', 'Cache/Instance').memory_size_gb).toBe(300);
  });
});

describe('CdnEdge (1M)', () => {
  const c = () => rung('1M');
  test('Cloud CDN on the app backend: origin headers, serve stale, coalescing; Cloud Armor attached', () => {
    const backend = find(c(), 'google_compute_backend_service', 'StatelessFleet/BackendService');
    expect(backend.enable_cdn).toBe(true);
    expect(backend.cdn_policy).toMatchObject({ cache_mode: 'USE_ORIGIN_HEADERS', serve_while_stale: 86400, request_coalescing: true, negative_caching: true });
    expect(backend.security_policy).toBe('${google_compute_security_policy.App_CdnEdge_SecurityPolicy_165564AD.self_link}');
  });
  test('Cloud Armor: per-IP rate limit with 429, OWASP rules, default allow', () => {
    const policy = find(c(), 'google_compute_security_policy', 'CdnEdge/SecurityPolicy');
    const throttle = policy.rule.find((r: any) => r.action === 'throttle');
    expect(throttle.rate_limit_options).toEqual({
      conform_action: 'allow', exceed_action: 'deny(429)', enforce_on_key: 'IP', rate_limit_threshold: { count: 1200, interval_sec: 60 },
    });
    expect(policy.rule.map((r: any) => r.priority)).toEqual([1000, 1001, 2000, 2147483647]);
    expect(policy.adaptive_protection_config.layer_7_ddos_defense_config.enable).toBe(true);
  });
  test('static bucket behind a CDN backend bucket under /static/*', () => {
    expect(find(c(), 'google_storage_bucket', 'CdnEdge/StaticBucket')).toMatchObject({
      name: 'my-scale-ladder-project-app-static', uniform_bucket_level_access: true, versioning: { enabled: true }, lifecycle: { prevent_destroy: true },
    });
    const map = find(c(), 'google_compute_url_map', 'StatelessFleet/UrlMap');
    expect(map.path_matcher[0].path_rule[0]).toEqual({ paths: ['/static/*'], service: '${google_compute_backend_bucket.App_CdnEdge_StaticBackend_8158D980.id}' });
  });
  test('the standalone CdnEdge takes a custom rate limit (cdktf matcher)', () => {
    const synth = Testing.synthScope(scope => { new gcp.CdnEdge(scope, 'Edge', { project: 'test-project-1', region: 'us-central1', rateLimitPerMinute: 300 }); });
    expect(synth).toHaveResourceWithProperties(ComputeSecurityPolicy, { name: 'app-armor' });
    expect(synth).toContain('"count": 300');
    expect(synth).not.toHaveResource(ComputeBackendService);
  });
});

describe('ShardedCluster (10M)', () => {
  test('shards 1-3 are new protected instances; shard 0 stays the original', () => {
    const c = rung('10M');
    for (const i of [1, 2, 3]) {
      expect(find(c, 'google_sql_database_instance', `ShardedCluster/Shard${i}/Instance`)).toMatchObject({
        name: `app-db-shard-${i}`,
        deletion_protection: true,
        lifecycle: { prevent_destroy: true },
        settings: { ip_configuration: { ipv4_enabled: false, ssl_mode: 'ENCRYPTED_ONLY' } },
      });
    }
    expect(() => find(c, 'google_sql_database_instance', 'ShardedCluster/Shard4/Instance')).toThrow();
    expect(find(rung('100M'), 'google_sql_database_instance', 'ShardedCluster/Shard7/Instance').name).toBe('app-db-shard-7');
  });
});

describe('QueueWorkers (10M)', () => {
  const c = () => rung('10M');
  test('push subscription with dead-letter policy, retries and OIDC', () => {
    const sub = find(c(), 'google_pubsub_subscription', 'QueueWorkers/Subscription');
    expect(sub).toMatchObject({
      name: 'app-work-workers',
      dead_letter_policy: { dead_letter_topic: '${google_pubsub_topic.App_QueueWorkers_DeadLetterTopic_11E92499.id}', max_delivery_attempts: 5 },
      retry_policy: { minimum_backoff: '10s', maximum_backoff: '600s' },
      push_config: { oidc_token: { service_account_email: expect.stringMatching(/^\$\{google_service_account\.App_QueueWorkers_PushServiceAccount_[0-9A-F]{8}\.email\}$/) } },
      lifecycle: { prevent_destroy: true },
    });
    expect(find(c(), 'google_pubsub_subscription', 'QueueWorkers/DeadLetterSubscription').retain_acked_messages).toBe(true);
  });
  test('the Pub/Sub service agent may publish dead letters and ack the source subscription', () => {
    const agent = expect.stringMatching(/^serviceAccount:service-\$\{data\.google_project\.App_QueueWorkers_Project_[0-9A-F]{8}\.number\}@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/);
    expect(find(c(), 'google_pubsub_topic_iam_member', 'QueueWorkers/DeadLetterPublisher')).toMatchObject({ role: 'roles/pubsub.publisher', member: agent });
    expect(find(c(), 'google_pubsub_subscription_iam_member', 'QueueWorkers/SubscriptionDeadLetterSubscriber')).toMatchObject({ role: 'roles/pubsub.subscriber', member: agent });
  });
  test('workers are internal-only, scaled within the tier\'s bounds; the app may publish', () => {
    const worker = find(c(), 'google_cloud_run_v2_service', 'QueueWorkers/Service');
    expect(worker.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(worker.template.scaling).toEqual({ min_instance_count: 2, max_instance_count: 20 });
    expect(find(c(), 'google_pubsub_topic_iam_member', 'QueueWorkers/TopicPublisher0').member)
      .toMatch(/^serviceAccount:\$\{google_service_account\.App_StatelessFleet_ServiceAccount_[0-9A-F]{8}\.email\}$/);
  });
  test('an ordered event stream from 100M (cdktf matcher)', () => {
    const synth = Testing.synthScope(scope => {
      new gcp.Tier100M(scope, 'App', { project: 'test-project-1', region: 'us-central1', image: 'nginx:1.27' });
    });
    expect(synth).toHaveResourceWithProperties(PubsubSubscription, { name: 'app-events-workers', enable_message_ordering: true });
    expect(synth).toHaveResourceWithProperties(SqlDatabaseInstance, { name: 'app-db-us-east1', region: 'us-east1' });
    expect(synth).toHaveResourceWithProperties(CloudRunV2Service, { name: 'app-web-us-east1', location: 'us-east1' });
    const standby = Object.values<any>(JSON.parse(synth).resource.google_cloud_run_v2_service).find(s => s.name === 'app-web-us-east1');
    expect(standby.template.scaling).toEqual({ min_instance_count: 1, max_instance_count: 300 });
  });
});

describe('GeoRoutedRegions (100M standby, 1B active)', () => {
  test('100M: a warm standby region with cross-region replicas of every shard, not behind the load balancer', () => {
    const c = rung('100M');
    const backend = find(c, 'google_compute_backend_service', 'StatelessFleet/BackendService');
    expect(backend.backend).toHaveLength(1);
    for (const i of [0, 1, 7]) {
      expect(find(c, 'google_sql_database_instance', `GeoRoutedRegions/us-east1/Shard${i}Replica`)).toMatchObject({ region: 'us-east1', lifecycle: { prevent_destroy: true } });
    }
    expect(find(c, 'google_compute_subnetwork', 'Network/Subnet-us-east1').ip_cidr_range).toBe('10.20.16.0/20');
  });
  test('1B: three regions behind the one global load balancer, geo-routed reader records', () => {
    const c = rung('1B');
    const backend = find(c, 'google_compute_backend_service', 'StatelessFleet/BackendService');
    expect(backend.backend.map((b: any) => b.group)).toEqual([
      '${google_compute_region_network_endpoint_group.App_StatelessFleet_Neg_4A826742.id}',
      '${google_compute_region_network_endpoint_group.App_GeoRoutedRegions_us-east1_Neg_2DFC04DA.id}',
      '${google_compute_region_network_endpoint_group.App_GeoRoutedRegions_europe-west1_Neg_C9B9513D.id}',
    ]);
    const reader = find(c, 'google_dns_record_set', 'GeoRoutedRegions/Shard0Reader');
    expect(reader.name).toBe('reader.db.app.internal.');
    expect(reader.routing_policy.geo.map((g: any) => g.location)).toEqual(['us-central1', 'us-east1', 'europe-west1']);
    expect(find(c, 'google_dns_managed_zone', 'GeoRoutedRegions/ReaderZone').visibility).toBe('private');
    const env = find(c, 'google_cloud_run_v2_service', 'GeoRoutedRegions/europe-west1/Service').template.containers[0].env;
    expect(env).toContainEqual({ name: 'APP_REGION', value: 'europe-west1' });
    expect(env).toContainEqual({ name: 'DATABASE_READER_HOST', value: 'reader.db.app.internal' });
  });
});

describe('Network and operations', () => {
  test('the network layout is fixed from 1K: VPC, primary /20, private services /17', () => {
    for (const name of ['1K', '1B']) {
      expect(find(rung(name), 'google_compute_subnetwork', 'Network/Subnet').ip_cidr_range).toBe('10.20.0.0/20');
      expect(find(rung(name), 'google_compute_global_address', 'Network/PrivateServicesRange')).toMatchObject({ address: '10.20.128.0', prefix_length: 17, purpose: 'VPC_PEERING' });
    }
  });
  test('log retention on every rung; dashboards from 100K; SLO from 10M', () => {
    expect(find(rung('1K'), 'google_logging_project_bucket_config', 'Operations/LogBucket').retention_days).toBe(30);
    expect(rung('1K').resource.google_monitoring_dashboard).toBeUndefined();
    expect(find(rung('100K'), 'google_logging_project_bucket_config', 'Operations/LogBucket').retention_days).toBe(90);
    expect(rung('100K').resource.google_monitoring_slo).toBeUndefined();
    expect(find(rung('10M'), 'google_monitoring_slo', 'Operations/AvailabilitySlo')).toMatchObject({ goal: 0.999, rolling_period_days: 28 });
  });
});
