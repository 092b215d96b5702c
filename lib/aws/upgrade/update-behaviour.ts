/*
 * How CloudFormation updates each property of the resource types that hold data, as the
 * provider documents it: the "Update requires" line of each property on the resource's page
 * of the CloudFormation Template Reference (No interruption / Some interruptions /
 * Replacement). Only properties documented as updating without replacement are listed; the
 * upgrade planner treats a change to any other property of these types as a replacement.
 * Taken from the AWS::<Service>::<Type> pages (awsdocs CloudFormation user guide sources,
 * 2023-09 revision); a property AWS added since is unknown here and so counts as a replacement.
 * Not part of the jsii API.
 */

/** How a documented in-place property update behaves. */
export type UpdateBehaviour = 'NO_INTERRUPTION' | 'SOME_INTERRUPTIONS';

/** One property's documented update behaviour. */
export interface PropertyUpdateBehaviour {
  readonly type: string;
  readonly property: string;
  readonly behaviour: UpdateBehaviour;
  /** Where AWS documents it. */
  readonly citation: string;
  /**
   * When set, the update is in place only if the NEW template's resource satisfies it
   * (otherwise CloudFormation replaces the resource).
   */
  readonly inPlaceWhen?: (resource: any, before?: any) => boolean;
}

interface TypeUpdates {
  readonly noInterruption: readonly string[];
  readonly someInterruptions: readonly string[];
}

/**
 * In-place properties per resource type ("Update requires: No interruption" or "Some
 * interruptions" on the type's CloudFormation Template Reference page).
 */
const DOCUMENTED: Record<string, TypeUpdates> = {
  'AWS::RDS::DBCluster': {
    noInterruption: [
      'AllocatedStorage', 'AssociatedRoles', 'AutoMinorVersionUpgrade', 'BacktrackWindow', 'BackupRetentionPeriod',
      'CopyTagsToSnapshot', 'DBClusterInstanceClass', 'DBClusterParameterGroupName', 'DBInstanceParameterGroupName',
      'DeletionProtection', 'Domain', 'DomainIAMRoleName', 'EnableCloudwatchLogsExports', 'EnableHttpEndpoint',
      'EnableIAMDatabaseAuthentication', 'Iops', 'ManageMasterUserPassword', 'MasterUserPassword',
      'MasterUserSecret', 'MonitoringInterval', 'MonitoringRoleArn', 'NetworkType', 'PerformanceInsightsEnabled',
      'PerformanceInsightsKmsKeyId', 'PerformanceInsightsRetentionPeriod', 'Port', 'PreferredBackupWindow',
      'PreferredMaintenanceWindow', 'ReplicationSourceIdentifier', 'ScalingConfiguration',
      'ServerlessV2ScalingConfiguration', 'StorageType', 'Tags', 'VpcSecurityGroupIds',
    ],
    someInterruptions: ['Engine', 'EngineVersion', 'GlobalClusterIdentifier', 'MasterUsername'],
  },
  'AWS::RDS::DBInstance': {
    noInterruption: [
      'AllocatedStorage', 'AllowMajorVersionUpgrade', 'AssociatedRoles', 'CACertificateIdentifier',
      'CertificateDetails', 'CertificateRotationRestart', 'CopyTagsToSnapshot', 'DBSecurityGroups',
      'DeleteAutomatedBackups', 'DeletionProtection', 'Domain', 'DomainAuthSecretArn', 'DomainDnsIps', 'DomainFqdn',
      'DomainIAMRoleName', 'DomainOu', 'EnableCloudwatchLogsExports', 'EnableIAMDatabaseAuthentication',
      'EnablePerformanceInsights', 'Endpoint', 'Iops', 'LicenseModel', 'ManageMasterUserPassword',
      'MasterUserPassword', 'MasterUserSecret', 'MaxAllocatedStorage', 'MonitoringInterval', 'MonitoringRoleArn',
      'NetworkType', 'OptionGroupName', 'PerformanceInsightsRetentionPeriod', 'PreferredBackupWindow',
      'ProcessorFeatures', 'PromotionTier', 'PubliclyAccessible', 'ReplicaMode', 'StorageThroughput', 'Tags',
      'UseDefaultProcessorFeatures', 'VPCSecurityGroups',
    ],
    someInterruptions: [
      'AutoMinorVersionUpgrade', 'AvailabilityZone', 'BackupRetentionPeriod', 'DBClusterSnapshotIdentifier',
      'DBInstanceClass', 'DBParameterGroupName', 'DBSnapshotIdentifier', 'Engine', 'EngineVersion', 'MultiAZ',
      'PreferredMaintenanceWindow', 'RestoreTime', 'SourceDBClusterIdentifier',
      'SourceDBInstanceAutomatedBackupsArn', 'SourceDBInstanceIdentifier', 'SourceDbiResourceId', 'StorageType',
      'UseLatestRestorableTime',
    ],
  },
  'AWS::RDS::GlobalCluster': {
    noInterruption: [
      'DeletionProtection', 'EngineVersion',
    ],
    someInterruptions: [],
  },
  'AWS::EC2::Volume': {
    noInterruption: [
      'AutoEnableIO', 'Iops', 'MultiAttachEnabled', 'OutpostArn', 'Size', 'Tags', 'Throughput', 'VolumeType',
    ],
    someInterruptions: [],
  },
  'AWS::S3::Bucket': {
    noInterruption: [
      'AccelerateConfiguration', 'AccessControl', 'AnalyticsConfigurations', 'BucketEncryption', 'CorsConfiguration',
      'IntelligentTieringConfigurations', 'InventoryConfigurations', 'LifecycleConfiguration',
      'LoggingConfiguration', 'MetricsConfigurations', 'NotificationConfiguration', 'ObjectLockConfiguration',
      'OwnershipControls', 'PublicAccessBlockConfiguration', 'ReplicationConfiguration', 'Tags',
      'VersioningConfiguration', 'WebsiteConfiguration',
    ],
    someInterruptions: [],
  },
  'AWS::ElastiCache::ReplicationGroup': {
    noInterruption: [
      'AutoMinorVersionUpgrade', 'AutomaticFailoverEnabled', 'CacheNodeType', 'CacheParameterGroupName',
      'CacheSecurityGroupNames', 'ClusterMode', 'EngineVersion', 'IpDiscovery', 'LogDeliveryConfigurations',
      'MultiAZEnabled', 'NotificationTopicArn', 'NumCacheClusters', 'PreferredMaintenanceWindow', 'PrimaryClusterId',
      'ReplicationGroupDescription', 'SecurityGroupIds', 'SnapshotRetentionLimit', 'SnapshotWindow',
      'SnapshottingClusterId', 'Tags', 'TransitEncryptionEnabled', 'TransitEncryptionMode', 'UserGroupIds',
    ],
    someInterruptions: ['AuthToken', 'NodeGroupConfiguration', 'NumNodeGroups'],
  },
  'AWS::ElastiCache::CacheCluster': {
    noInterruption: [
      'AutoMinorVersionUpgrade', 'CacheNodeType', 'CacheParameterGroupName', 'CacheSecurityGroupNames',
      'EngineVersion', 'IpDiscovery', 'LogDeliveryConfigurations', 'NotificationTopicArn',
      'PreferredMaintenanceWindow', 'SnapshotRetentionLimit', 'SnapshotWindow', 'Tags', 'TransitEncryptionEnabled',
      'VpcSecurityGroupIds',
    ],
    someInterruptions: ['AZMode', 'NumCacheNodes', 'PreferredAvailabilityZone', 'PreferredAvailabilityZones'],
  },
  'AWS::SQS::Queue': {
    noInterruption: [
      'ContentBasedDeduplication', 'DeduplicationScope', 'DelaySeconds', 'FifoThroughputLimit',
      'KmsDataKeyReusePeriodSeconds', 'KmsMasterKeyId', 'MaximumMessageSize', 'MessageRetentionPeriod',
      'ReceiveMessageWaitTimeSeconds', 'RedriveAllowPolicy', 'RedrivePolicy', 'SqsManagedSseEnabled', 'Tags',
      'VisibilityTimeout',
    ],
    someInterruptions: [],
  },
  'AWS::Kinesis::Stream': {
    noInterruption: [
      'RetentionPeriodHours', 'ShardCount', 'StreamEncryption', 'StreamModeDetails', 'Tags',
    ],
    someInterruptions: [],
  },
  'AWS::SecretsManager::Secret': {
    noInterruption: [
      'Description', 'GenerateSecretString', 'KmsKeyId', 'ReplicaRegions', 'SecretString', 'Tags',
    ],
    someInterruptions: [],
  },
  'AWS::KMS::Key': {
    noInterruption: [
      // Origin is absent: its page says an update of it fails, so it counts as a replacement.
      'BypassPolicyLockoutSafetyCheck', 'Description', 'EnableKeyRotation', 'Enabled', 'KeyPolicy',
      'PendingWindowInDays', 'Tags',
    ],
    someInterruptions: [],
  },
  'AWS::DynamoDB::Table': {
    noInterruption: [
      'AttributeDefinitions', 'BillingMode', 'ContributorInsightsSpecification', 'DeletionProtectionEnabled',
      'GlobalSecondaryIndexes', 'KinesisStreamSpecification', 'LocalSecondaryIndexes',
      'PointInTimeRecoverySpecification', 'ProvisionedThroughput', 'StreamSpecification', 'TableClass', 'Tags',
      'TimeToLiveSpecification',
    ],
    someInterruptions: ['SSESpecification'],
  },
  'AWS::DynamoDB::GlobalTable': {
    noInterruption: [
      'AttributeDefinitions', 'BillingMode', 'GlobalSecondaryIndexes', 'Replicas', 'SSESpecification',
      'StreamSpecification', 'TimeToLiveSpecification', 'WriteProvisionedThroughputSettings',
    ],
    someInterruptions: [],
  },
  'AWS::EFS::FileSystem': {
    noInterruption: [
      'BackupPolicy', 'BypassPolicyLockoutSafetyCheck', 'FileSystemPolicy', 'FileSystemTags', 'LifecyclePolicies',
      'ProvisionedThroughputInMibps', 'ThroughputMode',
    ],
    someInterruptions: [],
  },
  'AWS::Backup::BackupVault': {
    noInterruption: [
      'AccessPolicy', 'BackupVaultTags', 'LockConfiguration', 'Notifications',
    ],
    someInterruptions: [],
  },
  'AWS::Cognito::UserPool': {
    noInterruption: [
      'AccountRecoverySetting', 'AdminCreateUserConfig', 'AliasAttributes', 'AutoVerifiedAttributes',
      'DeletionProtection', 'DeviceConfiguration', 'EmailConfiguration', 'EmailVerificationMessage',
      'EmailVerificationSubject', 'EnabledMfas', 'LambdaConfig', 'MfaConfiguration', 'Policies', 'Schema',
      'SmsAuthenticationMessage', 'SmsConfiguration', 'SmsVerificationMessage', 'UserAttributeUpdateSettings',
      'UserPoolAddOns', 'UserPoolName', 'UserPoolTags', 'UsernameAttributes', 'UsernameConfiguration',
      'VerificationMessageTemplate',
    ],
    someInterruptions: [],
  },
  // Not a stateful type, but a parameter can be marked as holding data (holds-data.ts): its
  // value is written at run time, and any update of the resource puts the template's value
  // back (PutParameter with the whole definition), so no change to it counts as in place.
  'AWS::SSM::Parameter': {
    noInterruption: [],
    someInterruptions: [],
  },
  // No page in the revision above: every property change counts as a replacement until one is cited.
  'AWS::ElastiCache::ServerlessCache': {
    noInterruption: [],
    someInterruptions: [],
  },
};

/** Whether the new template's replication group reshards online instead of being replaced. */
function reshardsOnline(resource: any): boolean {
  return resource?.UpdatePolicy?.UseOnlineResharding === true;
}

const ONLINE_RESHARDING = 'in place only with UpdatePolicy UseOnlineResharding: true in the new template; false or absent, ' +
  'the change replaces the replication group (UpdatePolicy attribute, UseOnlineResharding policy, CloudFormation User Guide)';

/** The major version of an engine version such as `16.9` (PostgreSQL's major is its first number). */
function majorOf(version: unknown): string | undefined {
  return typeof version === 'string' ? version.split('.')[0] : undefined;
}

/** Whether the engine's major version stays (unknown before: a resource seen only in the new template). */
function sameMajorVersion(resource: any, before?: any): boolean {
  return before === undefined || majorOf(before?.Properties?.EngineVersion) === majorOf(resource?.Properties?.EngineVersion);
}

const MINOR_VERSIONS_ONLY = 'in place only within a major version: a major upgrade needs AllowMajorVersionUpgrade and a parameter group ' +
  'of the new family ("Upgrading the PostgreSQL DB engine for Aurora PostgreSQL", Aurora User Guide; "Upgrading a DB instance engine ' +
  'version", RDS User Guide), so it is not proven in place and counts as a replacement';

/** Properties in place only under a condition the templates carry (`before`: the old template's resource, when there is one). */
const CONDITIONS: Record<string, Record<string, { readonly holds: (resource: any, before?: any) => boolean; readonly citation: string }>> = {
  'AWS::ElastiCache::ReplicationGroup': {
    NumNodeGroups: { holds: reshardsOnline, citation: ONLINE_RESHARDING },
    NodeGroupConfiguration: { holds: reshardsOnline, citation: ONLINE_RESHARDING },
  },
  'AWS::RDS::DBCluster': { EngineVersion: { holds: sameMajorVersion, citation: MINOR_VERSIONS_ONLY } },
  'AWS::RDS::DBInstance': { EngineVersion: { holds: sameMajorVersion, citation: MINOR_VERSIONS_ONLY } },
};

/** The resource types the table covers. */
export const DOCUMENTED_TYPES: readonly string[] = Object.keys(DOCUMENTED).sort();

/** The documented update behaviour of `property` on `type`, or undefined when none is cited (a replacement). */
export function updateBehaviour(type: string, property: string): PropertyUpdateBehaviour | undefined {
  const updates = DOCUMENTED[type];
  if (!updates) return undefined;
  const behaviour: UpdateBehaviour | undefined = updates.noInterruption.includes(property) ? 'NO_INTERRUPTION'
    : updates.someInterruptions.includes(property) ? 'SOME_INTERRUPTIONS' : undefined;
  if (!behaviour) return undefined;
  const words = behaviour === 'NO_INTERRUPTION' ? 'No interruption' : 'Some interruptions';
  const condition = CONDITIONS[type]?.[property];
  return {
    type,
    property,
    behaviour,
    citation: `${type}, ${property}: Update requires: ${words} (CloudFormation Template Reference)${condition ? `; ${condition.citation}` : ''}`,
    ...(condition ? { inPlaceWhen: condition.holds } : {}),
  };
}

/** Whether changing `property` on `type` updates it in place, given the new template's resource. */
export function updatesInPlace(type: string, property: string, newResource: any, oldResource?: any): boolean {
  const known = updateBehaviour(type, property);
  return known !== undefined && (known.inPlaceWhen?.(newResource, oldResource) ?? true);
}

/**
 * Whether the new template itself proves in place a change the CloudFormation spec marks
 * as "may replace" (the only exception the planner makes to cloudformation-diff's verdict).
 */
export function provenInPlaceByTemplate(type: string, property: string, newResource: any, oldResource?: any): boolean {
  return updateBehaviour(type, property)?.inPlaceWhen?.(newResource, oldResource) === true;
}

/** The properties among `properties` whose documented in-place update interrupts the resource. */
export function interruptingProperties(type: string, properties: readonly string[]): string[] {
  return properties.filter(p => updateBehaviour(type, p)?.behaviour === 'SOME_INTERRUPTIONS');
}
