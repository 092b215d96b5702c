import { RedisInstance } from '@cdktf/provider-google/lib/redis-instance';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { requireIntInRange, ScaleLadderError } from '../../core/errors';
import { baseSettings, GcpBaseProps, labels, PROTECT } from '../internal/common';
import { Network } from '../network/network';
import { zonesOf } from '../network/regions';

/** Props of `Cache`. */
export interface CacheProps extends GcpBaseProps {
  /** The network (the cache takes a private IP from its private services access range). */
  readonly network: Network;
  /**
   * Capacity in GiB (1-300; at least 5 with read replicas). Grows in place.
   * @default 5
   */
  readonly memorySizeGib?: number;
  /**
   * Read replicas (0-5) besides the primary, spread over the region's zones.
   * @default 1
   */
  readonly readReplicas?: number;
}

/**
 * Rung 1M: Memorystore for Redis 7.2, Standard tier (automatic failover across two zones),
 * private IP through private services access only, AUTH on (the token in Secret Manager,
 * `CACHE_AUTH_TOKEN`) and in-transit encryption (TLS, port 6378). Cache-aside through the app contract.
 *
 * The AUTH string is not rotated: Memorystore generates it and makes a new one only when AUTH is
 * switched off and on again, and then every client that connects with the old one is refused
 * (cloud.google.com/memorystore/docs/redis/about-redis-auth). docs/credentials.md says how to do
 * it in a maintenance window.
 */
export class Cache extends Construct {
  /** The Memorystore instance. */
  public readonly instance: RedisInstance;
  /** The secret holding the AUTH string. */
  public readonly authSecret: SecretManagerSecret;
  /** Its version. */
  public readonly authSecretVersion: SecretManagerSecretVersion;
  /** Host (private IP). */
  public readonly host: string;
  /** Port as a string (TLS port). */
  public readonly port: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { project, region, name } = baseSettings(props);
    const memory = requireIntInRange('cacheMemoryGib', props.memorySizeGib ?? 5, 1, 300);
    const replicas = requireIntInRange('cacheReplicas', props.readReplicas ?? 1, 0, 5);
    if (replicas > 0 && memory < 5) {
      throw new ScaleLadderError(`cacheMemoryGib must be at least 5 when the cache has read replicas, got ${memory}`);
    }
    const zones = zonesOf(region);
    this.instance = new RedisInstance(this, 'Instance', {
      project,
      name: `${name}-cache`,
      region,
      tier: 'STANDARD_HA',
      memorySizeGb: memory,
      redisVersion: 'REDIS_7_2',
      locationId: zones[0],
      alternativeLocationId: zones[1],
      authorizedNetwork: props.network.vpc.id,
      connectMode: 'PRIVATE_SERVICE_ACCESS',
      reservedIpRange: props.network.privateServicesRange.name,
      authEnabled: true,
      transitEncryptionMode: 'SERVER_AUTHENTICATION',
      readReplicasMode: replicas > 0 ? 'READ_REPLICAS_ENABLED' : 'READ_REPLICAS_DISABLED',
      replicaCount: replicas > 0 ? replicas : undefined,
      redisConfigs: { 'maxmemory-policy': 'allkeys-lru' },
      maintenancePolicy: { weeklyMaintenanceWindow: [{ day: 'SUNDAY', startTime: { hours: 4, minutes: 0, seconds: 0, nanos: 0 } }] },
      labels: labels(name, 'Cache'),
      dependsOn: [props.network.privateServicesConnection],
      lifecycle: PROTECT,
    });
    this.authSecret = new SecretManagerSecret(this, 'AuthSecret', {
      project,
      secretId: `${name}-cache-auth`,
      replication: { auto: {} },
      deletionProtection: true,
      labels: labels(name, 'Cache'),
      lifecycle: PROTECT,
    });
    this.authSecretVersion = new SecretManagerSecretVersion(this, 'AuthSecretVersion', {
      secret: this.authSecret.id,
      secretData: this.instance.authString,
      deletionPolicy: 'DISABLE',
      // secret_data is ForceNew (google/services/secretmanager/resource_secret_manager_secret_version.go):
      // after a manual AUTH string change (docs/credentials.md) the new string goes in a new version
      // and Terraform, ignoring this one's data, does not try to replace the protected first version.
      lifecycle: { ...PROTECT, ignoreChanges: ['secret_data'] },
    });
    this.host = this.instance.host;
    this.port = Token.asString(this.instance.port);
  }
}
