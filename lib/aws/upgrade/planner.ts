import { fullDiff, ResourceDifference, ResourceImpact, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { awsMigrationSteps, edgeCutoverSteps, stackRemovalSteps, stepInterruptions } from './migration-steps';
import { cascadeReplacements, specStateful } from './replacement-cascade';
import { interruptingProperties, provenInPlaceByTemplate, updateBehaviour, updatesInPlace } from './update-behaviour';
import { parseRungStamp, RUNG_STAMP_KEY, RungStamp, rungStampOf } from '../../core/rung-stamp';
import { Tier } from '../../core/tier';
import {
  ChangeAction, Interruption, MigrationStep, requiredMigrations, ResourceChange, UpgradePlan, verdictOf,
} from '../../core/upgrade-plan';
import { HOLDS_DATA_METADATA } from '../internal/holds-data';
import { COMPOSER_ID, layerOfPath, STACK_ID } from '../internal/layer-path';

export { layerOfPath, awsMigrationSteps };

/*
 * The AWS upgrade planner: synthesizes two rungs with the same app, stack and construct
 * ids, diffs each stack's CloudFormation template with @aws-cdk/cloudformation-diff and
 * classifies every resource change. Not part of the jsii API (the `scale-ladder plan`
 * command and the ladder tests use it).
 */

/** A set of synthesized stacks: stack name → CloudFormation template. */
export type AwsTemplates = Record<string, any>;

/** Resource types that hold data: replacing or deleting one loses it. */
export const AWS_STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::RDS::GlobalCluster',
  'AWS::EC2::Volume',
  'AWS::S3::Bucket',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::SQS::Queue',
  'AWS::Kinesis::Stream',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::EFS::FileSystem',
  'AWS::Backup::BackupVault',
  // The users of the app (authentication from 1M): a new pool has none of them.
  'AWS::Cognito::UserPool',
  // Deliberately absent: AWS::Logs::LogGroup (operational logs, not the app's data).
]);

/** Deletion policies under which CloudFormation leaves a removed resource in place. */
const RETAINING_POLICIES: ReadonlySet<string> = new Set(['Retain', 'RetainExceptOnCreate']);

const REPLACING_IMPACTS: ReadonlySet<ResourceImpact> = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);

/** Whether resources of `type` hold data: in the list above, or marked stateful by the resource specification. */
export function isStatefulAwsType(type: string): boolean {
  return AWS_STATEFUL_TYPES.has(type) || (specStateful(type) && !NOT_APP_DATA.has(type));
}

/** Types the resource specification marks stateful that hold no app data (operational logs). */
const NOT_APP_DATA: ReadonlySet<string> = new Set(['AWS::Logs::LogGroup']);

function layerOf(resource: any, composerId: string): string {
  return layerOfPath(resource?.Metadata?.['aws:cdk:path'], composerId);
}

/**
 * Whether one version of a resource holds data of its own:
 * - a stateful type (the list above, or one the resource specification marks stateful), or a
 *   resource the library marks as holding data;
 * - not an Aurora instance (its data lives in the cluster volume: "Amazon Aurora storage",
 *   Aurora User Guide) nor a secondary cluster of a global database (no MasterUsername: a
 *   read-only copy of the primary's data, "Amazon Aurora Global Database", Aurora User Guide).
 */
export function resourceHoldsData(resource: any): boolean {
  if (!resource?.Type) return false;
  const props = resource.Properties ?? {};
  if (resource.Type === 'AWS::RDS::DBInstance' && props.DBClusterIdentifier !== undefined) return false;
  if (resource.Type === 'AWS::RDS::DBCluster' && props.GlobalClusterIdentifier !== undefined && props.MasterUsername === undefined
    && props.SnapshotIdentifier === undefined && props.SourceDBClusterIdentifier === undefined) return false;
  return isStatefulAwsType(resource.Type) || resource.Metadata?.[HOLDS_DATA_METADATA] === true;
}

/** Whether the resource holds data in either version. */
function holdsData(diff: ResourceDifference): boolean {
  return [diff.oldValue, diff.newValue].some(resourceHoldsData);
}

/** What deleting or replacing a data-bearing resource loses, in words. */
export function lostWith(resource: any, replaced = false): string {
  const what = LOSSES[resource?.Type] ?? 'the data it holds';
  // A replacement deletes the old resource under its UpdateReplacePolicy, a removal under its DeletionPolicy.
  const attribute = replaced ? 'UpdateReplacePolicy' : 'DeletionPolicy';
  const policy = resource?.[attribute] === 'Snapshot' ? `; ${attribute} Snapshot leaves a final snapshot, restorable only as a new resource` : '';
  const guarded = resource?.Properties?.DeletionProtection === true
    ? '; DeletionProtection is on, so CloudFormation cannot delete it: the deploy fails and rolls back' : '';
  return `${what}${policy}${guarded}`;
}

/**
 * Types whose data the service deletes by itself after a retention period: SQS deletes messages
 * older than MessageRetentionPeriod (at most 14 days, AWS::SQS::Queue, CloudFormation Template
 * Reference); Kinesis drops records older than RetentionPeriodHours (AWS::Kinesis::Stream).
 */
const EXPIRING: ReadonlySet<string> = new Set(['AWS::SQS::Queue', 'AWS::Kinesis::Stream']);

const LOSSES: Record<string, string> = {
  'AWS::RDS::DBCluster': 'the cluster and its databases',
  'AWS::RDS::DBInstance': 'the instance and its database',
  'AWS::RDS::GlobalCluster': 'the global database that links the regions\' clusters',
  'AWS::EC2::Volume': 'the volume and its files',
  'AWS::S3::Bucket': 'the bucket and its objects (CloudFormation cannot delete a bucket that still holds objects)',
  'AWS::ElastiCache::ReplicationGroup': 'the cached keys, and anything kept only in the cache (sessions, counters)',
  'AWS::SQS::Queue': 'the messages not yet processed',
  'AWS::Kinesis::Stream': 'the records not yet consumed',
  'AWS::SecretsManager::Secret': 'the secret\'s value (a new one is generated: what used the old one loses access)',
  'AWS::KMS::Key': 'the key (anything encrypted with it becomes unreadable once it is deleted)',
  'AWS::Cognito::UserPool': 'the app\'s users and their sign-in credentials',
  'AWS::SSM::Parameter': 'the value published at run time (e.g. the shard-bucket assignment)',
};

/**
 * The changed properties that (may) replace the resource:
 * - those cloudformation-diff marks as replacing, except a "may replace" one that the new
 *   template itself proves in place (the conditions in update-behaviour.ts, e.g. NumNodeGroups
 *   under the UseOnlineResharding update policy);
 * - on a resource that holds data, every other changed property that the cited table in
 *   update-behaviour.ts does not list as updating in place: what is not cited counts as a replacement.
 */
function replacingProperties(diff: ResourceDifference): string[] {
  const type = diff.newResourceType ?? diff.oldResourceType ?? '';
  const stateful = holdsData(diff);
  return Object.entries(diff.propertyUpdates)
    .filter(([property, d]) => {
      if (d.changeImpact !== undefined && REPLACING_IMPACTS.has(d.changeImpact)) {
        return !(d.changeImpact === ResourceImpact.MAY_REPLACE && provenInPlaceByTemplate(type, property, diff.newValue, diff.oldValue));
      }
      return stateful && !updatesInPlace(type, property, diff.newValue, diff.oldValue);
    })
    .map(([property]) => property);
}

function classify(diff: ResourceDifference): ChangeAction | undefined {
  if (diff.isAddition) return 'ADD';
  if (diff.isRemoval) return 'REMOVE';
  if (!diff.isDifferent) return undefined;
  if (diff.resourceTypeChanged) return 'REPLACE';
  return replacingProperties(diff).length > 0 ? 'REPLACE' : 'UPDATE';
}

/** The changed properties (then other attributes such as DeletionPolicy), replacing ones first. */
function changedProperties(diff: ResourceDifference): string[] {
  const props = Object.entries(diff.propertyUpdates);
  const replacing = replacingProperties(diff);
  const inPlace = props.map(([k]) => k).filter(k => !replacing.includes(k));
  const other = Object.keys(diff.otherChanges).filter(k => k !== 'Properties' && k !== 'Type');
  if (diff.resourceTypeChanged) other.unshift('Type');
  return [...replacing.sort(), ...inPlace.sort(), ...other.sort()];
}

/**
 * The changed resources in the order DifferenceCollection.forEachDifference visits them (removed,
 * added, then updated), with the change set computed once: forEachDifference recomputes the whole
 * set for every resource it visits, which made a plan of the big rungs quadratic in their size.
 */
function changedResources(diff: TemplateDiff): Array<[string, ResourceDifference]> {
  const order = (d: ResourceDifference) => (d.isRemoval ? 0 : d.isAddition ? 1 : 2);
  return Object.entries(diff.resources.changes).sort(([, a], [, b]) => order(a) - order(b));
}

/** Every resource change between two templates of one stack (`{}` stands for an absent stack). */
export function diffAwsStack(stackName: string, before: any, after: any, composerId: string = COMPOSER_ID): ResourceChange[] {
  const changes = new Map<string, ResourceChange>();
  const diff = fullDiff(before ?? {}, after ?? {});
  for (const [logicalId, resourceDiff] of changedResources(diff)) {
    const action = classify(resourceDiff);
    if (!action) continue;
    const current = action === 'REMOVE' ? resourceDiff.oldValue : resourceDiff.newValue;
    const type = current?.Type ?? resourceDiff.newResourceType ?? resourceDiff.oldResourceType ?? 'Unknown';
    const stateful = holdsData(resourceDiff);
    const retained = action === 'REMOVE' && RETAINING_POLICIES.has(resourceDiff.oldValue?.DeletionPolicy);
    changes.set(logicalId, {
      id: `${stackName}/${logicalId}`,
      type,
      layer: layerOf(current, composerId),
      action,
      stateful,
      ...(action === 'REMOVE' ? { retained } : {}),
      ...(action === 'UPDATE' || action === 'REPLACE' ? { properties: changedProperties(resourceDiff) } : {}),
      ...(retained && EXPIRING.has(type) ? { retainedDataExpires: true, lost: `${lostWith(current)}: retained, the queue or stream still deletes them after its retention period, and nothing processes them any more` } : {}),
      ...(stateful && (action === 'REPLACE' || (action === 'REMOVE' && !retained)) ? { lost: lostWith(action === 'REPLACE' ? resourceDiff.oldValue : current, action === 'REPLACE') } : {}),
    });
  }
  const resources = after?.Resources ?? {};
  const oldResources = before?.Resources ?? {};
  const cascaded = cascadeReplacements({
    resources,
    replaced: new Set([...changes.values()].filter(c => c.action === 'REPLACE').map(c => c.id.slice(stackName.length + 1))),
    notCarried: new Set([...changes.values()].filter(c => c.action === 'ADD' || c.action === 'REMOVE').map(c => c.id.slice(stackName.length + 1))),
    holdsData: id => resourceHoldsData(resources[id]) || resourceHoldsData(oldResources[id]),
  });
  for (const [logicalId, reasons] of cascaded) {
    const resource = resources[logicalId];
    const earlier = changes.get(logicalId);
    const stateful = resourceHoldsData(resource) || resourceHoldsData(oldResources[logicalId]);
    changes.set(logicalId, {
      id: `${stackName}/${logicalId}`,
      type: resource.Type,
      layer: layerOf(resource, composerId),
      action: 'REPLACE',
      stateful,
      properties: [...reasons, ...(earlier?.properties ?? [])],
      ...(stateful ? { lost: lostWith(oldResources[logicalId] ?? resource, true) } : {}),
    });
  }
  return supersede([...changes.values()]);
}

/** Retained data-bearing removals that an added resource of the same type and layer takes the place of. */
function supersede(changes: ResourceChange[]): ResourceChange[] {
  return changes.map(c => {
    if (!(c.action === 'REMOVE' && c.retained && c.stateful)) return c;
    const successor = changes.find(a => a.action === 'ADD' && a.stateful && a.type === c.type && a.layer === c.layer);
    if (!successor) return c;
    return {
      ...c,
      supersededBy: successor.id,
      lost: `its data to the app: ${successor.id} takes its place empty while the data stays in this retained one (a renamed construct? keep its id)`,
    };
  });
}

const ACTION_ORDER: Record<ChangeAction, number> = { REMOVE: 0, REPLACE: 1, UPDATE: 2, ADD: 3 };

/**
 * Every resource change between two sets of stacks. A stack only in `after` is all ADDs,
 * a stack only in `before` all REMOVEs. Sorted by stack, layer, action (most dangerous
 * first) and logical id, so the result is deterministic.
 */
export function diffAwsTemplates(before: AwsTemplates, after: AwsTemplates, composerId: string = COMPOSER_ID): ResourceChange[] {
  const stacks = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes = stacks.flatMap(stack => diffAwsStack(stack, before[stack], after[stack], composerId));
  return changes.sort((a, b) =>
    stackOf(a).localeCompare(stackOf(b))
    || a.layer.localeCompare(b.layer)
    || ACTION_ORDER[a.action] - ACTION_ORDER[b.action]
    || a.id.localeCompare(b.id));
}

function stackOf(change: ResourceChange): string {
  return change.id.slice(0, change.id.lastIndexOf('/'));
}

/**
 * A step for each replication group whose shard count and node type change in one swap
 * (possible with custom tiers): ElastiCache runs them as separate operations, and the
 * UseOnlineResharding update policy is meant to be the only change of its stack update
 * (UpdatePolicy attribute, CloudFormation User Guide), so the swap takes two deploys.
 */
export function cacheTwoStepMigrations(
  changes: readonly ResourceChange[], before: AwsTemplates, after: AwsTemplates, fromTier = '<from>', toTier = '<to>',
): MigrationStep[] {
  return changes
    .filter(c => c.type === 'AWS::ElastiCache::ReplicationGroup' && (c.action === 'UPDATE' || c.action === 'REPLACE'))
    .filter(c => c.properties?.includes('NumNodeGroups') && c.properties?.includes('CacheNodeType'))
    .map(c => {
      const stack = stackOf(c);
      const logicalId = c.id.slice(stack.length + 1);
      const old = before[stack]?.Resources?.[logicalId]?.Properties ?? {};
      const now = after[stack]?.Resources?.[logicalId]?.Properties ?? {};
      const [fromShards, toShards] = [old.NumNodeGroups ?? 1, now.NumNodeGroups ?? 1];
      const physicalId = `$(aws cloudformation describe-stack-resource --stack-name ${stack} --logical-resource-id ${logicalId}`
        + ' --query StackResourceDetail.PhysicalResourceId --output text)';
      return {
        title: `Change the cache's node type and shard count in two deploys (${c.id})`,
        instructions: [
          `Rung ${toTier} changes both the node type (CacheNodeType ${old.CacheNodeType} → ${now.CacheNodeType}) and the shard count`,
          `(NumNodeGroups ${fromShards} → ${toShards}) of replication group ${c.id}. ElastiCache runs these as two operations, and`,
          'CloudFormation advises that online resharding be the only change of its stack update. Deploy them one after the other:',
          `1. Deploy the new node type with the shard count kept at ${fromShards}, e.g. a custom tier on rung ${toTier}:`,
          `     Tier.custom({ base: Tier.fromName('${toTier}'), name: '${toTier}-nodes', cacheShards: ${fromShards} })`,
          '   and wait until the group is available again:',
          `     aws elasticache describe-replication-groups --replication-group-id ${physicalId} --query "ReplicationGroups[0].Status"`,
          `2. Deploy rung ${toTier}: only NumNodeGroups changes (${fromShards} → ${toShards}), resharded online.`,
          `If the new node type holds less memory than ${old.CacheNodeType} while the shard count grows, go the other way round: first`,
          `Tier.custom({ base: Tier.fromName('${fromTier}'), name: '${fromTier}-shards', cacheShards: ${toShards} }), then rung ${toTier}.`,
        ].join('\n'),
      };
    });
}

/** The plan for swapping rung `fromTier` for `toTier`, given both rungs' synthesized templates. */
export function planAwsTemplates(fromTier: string, toTier: string, before: AwsTemplates, after: AwsTemplates): UpgradePlan {
  const [from, to] = [Tier.fromName(fromTier), Tier.fromName(toTier)];
  return planAwsStacks(before, after, {
    from: stampIn(before) ?? rungStampOf(from, `${STACK_ID}/${COMPOSER_ID}`),
    to: stampIn(after) ?? rungStampOf(to, `${STACK_ID}/${COMPOSER_ID}`),
  });
}

/** The rung stamp the composer wrote into one of `templates` (the primary stack's), if any. */
export function stampIn(templates: AwsTemplates): RungStamp | undefined {
  return Object.keys(templates).sort().map(name => parseRungStamp(templates[name]?.Metadata?.[RUNG_STAMP_KEY])).find(s => s !== undefined);
}

export interface PlanLabels {
  /** The rung deployed now, when the templates carry no stamp (or to override it). */
  readonly from?: RungStamp;
  readonly to?: RungStamp;
  /** What to call each side when it has no stamp (e.g. its path). */
  readonly fromName?: string;
  readonly toName?: string;
}

/**
 * The plan for replacing the stacks `before` with `after` (stack name → template), read from
 * any app's synthesized output: the rungs come from the stamps the composer writes into the
 * templates, the names in the steps from the templates themselves.
 */
export function planAwsStacks(before: AwsTemplates, after: AwsTemplates, labels: PlanLabels = {}): UpgradePlan {
  const from = labels.from ?? stampIn(before);
  const to = labels.to ?? stampIn(after);
  const composer = (to ?? from)?.composer ?? `${STACK_ID}/${COMPOSER_ID}`;
  const changes = diffAwsTemplates(before, after, composer.split('/').pop()!);
  const notes: string[] = [];
  const migrations: MigrationStep[] = [];
  if (from && to) {
    migrations.push(...awsMigrationSteps(requiredMigrations(from, to), from, to, before, after));
    if (!from.serverHostsDatabase && to.serverHostsDatabase) {
      notes.push('The database moves back onto the server. No step copies the managed database back: the server\'s data volume holds the '
        + 'data as it was when it was copied out (if it ever held any), not what was written since.');
    }
    if (to.shards < from.shards) {
      notes.push(`Shards ${to.shards}-${from.shards - 1} leave: the rows of every bucket SHARD_BUCKETS assigns to them are no longer reachable by the app. ` +
        'Move those buckets back onto the remaining shards first (the rebalance task takes any FROM>TO moves), then deploy.');
    }
  } else {
    const missing = [from ? undefined : labels.fromName ?? 'the before output', to ? undefined : labels.toName ?? 'the after output'].filter(Boolean);
    notes.push(`No scale-ladder rung stamp (template Metadata "${RUNG_STAMP_KEY}") in ${missing.join(' or ')}: the resource changes are planned, ` +
      'but no migration steps (database copy, server retirement, shard rebalance) can be derived.');
  }
  // Where the server serves on either side, its retirement or return step moves the name already.
  if (!from?.serverRunning && !to?.serverRunning) migrations.push(...edgeCutoverSteps(before, after));
  migrations.push(...cacheTwoStepMigrations(changes, before, after, from?.tier, to?.tier));
  migrations.push(...stackRemovalSteps(before, after));
  const stranded = from && to && to.shards < from.shards;
  return {
    cloud: 'aws',
    from: from?.tier ?? labels.fromName ?? '(unknown)',
    to: to?.tier ?? labels.toName ?? '(unknown)',
    changes,
    migrations,
    interruptions: [...awsInterruptions(changes), ...stepInterruptions(migrations, before, after)],
    ...(notes.length ? { notes } : {}),
    verdict: stranded ? 'UNSAFE' : verdictOf(changes, migrations),
  };
}

/** What each interrupting in-place update means for the app, by resource type. */
const DOWNTIME: Record<string, string> = {
  'AWS::ElastiCache::ReplicationGroup': 'none planned: online resharding keeps serving while slots move, with higher latency; clients follow MOVED redirects',
  'AWS::RDS::DBCluster': 'a writer restart or failover, typically under a minute',
  'AWS::RDS::DBInstance': 'a restart of that instance, typically a few minutes',
};

/** Secret properties whose change gives the secret a new value. */
const NEW_SECRET_VALUE = ['GenerateSecretString', 'SecretString'];

/**
 * The in-place updates of data-bearing resources that AWS documents as "Some interruptions", and
 * secrets that get a new value: a change of GenerateSecretString creates a new secret version
 * (AWS::SecretsManager::Secret, CloudFormation Template Reference), but a resource that reads the
 * secret through a dynamic reference `{{resolve:secretsmanager:…}}` is updated only when its own
 * template text changes ("Using dynamic references", CloudFormation User Guide), so the database's
 * password or the cache's token keeps the old value while apps read the new one.
 */
function awsInterruptions(changes: readonly ResourceChange[]): Interruption[] {
  const interrupting = changes.filter(c => c.action === 'UPDATE' && c.stateful).flatMap(c => interruptingProperties(c.type, c.properties ?? []).map(property => ({
    id: c.id,
    what: `${property} changes in place with some interruption`,
    downtime: DOWNTIME[c.type] ?? 'brief, while the resource applies the change',
    source: updateBehaviour(c.type, property)!.citation,
  })));
  const regenerated = changes
    .filter(c => c.action === 'UPDATE' && c.type === 'AWS::SecretsManager::Secret' && (c.properties ?? []).some(p => NEW_SECRET_VALUE.includes(p)))
    .map(c => ({
      id: c.id,
      what: 'the secret gets a new value; a database or cache that reads it through a dynamic reference keeps the old one, so apps that read the new value fail to authenticate',
      downtime: 'until the consumer takes the new value (set it by hand, or a deploy that changes the consumer\'s own properties)',
      source: 'AWS::SecretsManager::Secret, GenerateSecretString (CloudFormation Template Reference); "Using dynamic references" (CloudFormation User Guide)',
    }));
  return [...interrupting, ...regenerated];
}

/** The plan for swapping rung `fromTier` (1K … 1B) for `toTier` on AWS. Synthesizes both rungs offline. */
export function planAws(fromTier: string, toTier: string): UpgradePlan {
  const from = Tier.fromName(fromTier);
  const to = Tier.fromName(toTier);
  // Loaded here so that merely importing the planner does not load aws-cdk-lib.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthAwsTemplates } = require('../ladder/synth-rung') as {
    synthAwsTemplates: (tierName: string, options?: { context?: Record<string, unknown> }) => AwsTemplates;
  };
  // Construct paths in the template metadata give each change its layer.
  const options = { context: { 'aws:cdk:enable-path-metadata': true } };
  return planAwsTemplates(from.name, to.name, synthAwsTemplates(from.name, options), synthAwsTemplates(to.name, options));
}
