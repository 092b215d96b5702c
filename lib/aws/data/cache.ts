import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { requireIntInRange, requirePattern, ScaleLadderError } from '../../core/errors';
import { LadderNetwork } from '../network/network';

/** The most nodes a cluster-mode-enabled replication group may have. */
const MAX_NODES = 500;

/** Props for {@link Cache}. */
export interface CacheProps {
  /** The VPC; the cache goes in its isolated subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Node groups (shards, 1-500; at most 500 nodes with replicas). Cluster mode and the
   * online-resharding update policy are on from the start, so changing this reshards online.
   * @default 1
   */
  readonly shards?: number;
  /**
   * Replicas per shard (0-5). At least 1 gives Multi-AZ failover.
   * @default 1
   */
  readonly replicasPerShard?: number;
  /**
   * Node type.
   * @default 'cache.r7g.large'
   */
  readonly nodeType?: string;
  /**
   * Engine version (Valkey).
   * @default '8.0'
   */
  readonly engineVersion?: string;
  /**
   * Days of daily snapshots kept (0 turns them off).
   * @default 3
   */
  readonly snapshotRetentionDays?: number;
}

/**
 * Rung 1M: an ElastiCache for Valkey replication group in cluster mode, Multi-AZ with
 * automatic failover, encrypted at rest and in transit, AUTH token from Secrets Manager,
 * reachable only from inside the VPC. The app uses it cache-aside (CACHE_HOST/PORT).
 */
export class Cache extends Construct {
  /** The replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The AUTH token (JSON field `token`). */
  public readonly authToken: secretsmanager.Secret;
  /** Network access (allow the app with `connections.allowDefaultPortFrom`). */
  public readonly connections: ec2.Connections;
  /** The security group of the cache. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const shards = requireIntInRange('cacheShards', props.shards ?? 1, 1, 500);
    const replicas = requireIntInRange('cacheReplicasPerShard', props.replicasPerShard ?? 1, 0, 5);
    // A cluster-mode-enabled group has at most 500 nodes, and 90 until a quota increase
    // (AWS::ElastiCache::ReplicationGroup, CloudFormation Template Reference).
    if (shards * (1 + replicas) > MAX_NODES) {
      throw new ScaleLadderError(`cacheShards × (1 + cacheReplicasPerShard) must be at most ${MAX_NODES} nodes, ` +
        `got ${shards} × (1 + ${replicas}) = ${shards * (1 + replicas)}`);
    }
    const nodeType = requirePattern('nodeType', props.nodeType ?? 'cache.r7g.large', /^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'an ElastiCache node type such as cache.r7g.large');
    const snapshotRetention = requireIntInRange('snapshotRetentionDays', props.snapshotRetentionDays ?? 3, 0, 35);
    const engineVersion = requirePattern('engineVersion', props.engineVersion ?? '8.0', /^[78]\.\d+$/, 'a Valkey version such as 8.0 or 7.2');
    const port = 6379;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'scale-ladder cache',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });

    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'scale-ladder cache subnets',
      subnetIds: props.vpc.selectSubnets({ subnetGroupName: LadderNetwork.ISOLATED }).subnetIds,
    });

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'AUTH token of the scale-ladder cache',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        excludePunctuation: true,
        passwordLength: 64,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Not rotated on a schedule: Secrets Manager has no hosted rotation function for a replication
    // group's AUTH token, and ModifyReplicationGroup's AuthTokenUpdateStrategy (ROTATE keeps the
    // old token valid beside the new one, SET then drops the old one: "Modifying the AUTH token on
    // an existing cluster", ElastiCache User Guide) is no CloudFormation property.
    // docs/credentials.md rotates it by hand without dropping a client.
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'No hosted rotation exists for an ElastiCache AUTH token; docs/credentials.md rotates it with the ROTATE then SET strategy, so clients keep working.',
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'scale-ladder cache',
      engine: 'valkey',
      engineVersion,
      cacheNodeType: nodeType,
      cacheParameterGroupName: `default.valkey${engineVersion.split('.')[0]}.cluster.on`,
      clusterMode: 'enabled',
      numNodeGroups: shards,
      replicasPerNodeGroup: replicas,
      automaticFailoverEnabled: true,
      multiAzEnabled: replicas > 0,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: this.authToken.secretValueFromJson('token').unsafeUnwrap(),
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port,
      snapshotRetentionLimit: snapshotRetention,
      snapshotWindow: '05:00-06:00',
      preferredMaintenanceWindow: 'sun:06:30-sun:07:30',
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    // Without this policy a NumNodeGroups change replaces the whole group; with it,
    // CloudFormation adds or removes shards without interruption (UpdatePolicy attribute,
    // UseOnlineResharding policy, CloudFormation User Guide). It is on from the first rung,
    // so the deployed template and the next one both carry it.
    this.replicationGroup.cfnOptions.updatePolicy = { useOnlineResharding: true };
  }

  /** The configuration endpoint host (cluster-mode clients discover shards from it). */
  public get host(): string {
    return this.replicationGroup.attrConfigurationEndPointAddress;
  }

  /** The port. */
  public get port(): string {
    return this.replicationGroup.attrConfigurationEndPointPort;
  }
}
