import { Tier } from './tier';

/*
 * The cloud-neutral model of an upgrade plan: what a swap from one rung to another does
 * to each resource, and the verdict. Each cloud's planner fills it in from its own
 * synthesized output (CloudFormation diff / Terraform addresses). Not part of the jsii
 * API: the `scale-ladder plan` command and the ladder tests use it.
 */

export type ChangeAction = 'ADD' | 'UPDATE' | 'REPLACE' | 'REMOVE';
export type Verdict = 'SAFE' | 'MIGRATION' | 'UNSAFE';

export interface ResourceChange {
  /** Logical ID (CloudFormation) or resource address (Terraform). */
  readonly id: string;
  /** Resource type, e.g. AWS::RDS::DBCluster or google_sql_database_instance. */
  readonly type: string;
  /** The layer (top-level construct id) the resource belongs to. */
  readonly layer: string;
  readonly action: ChangeAction;
  /** Whether the resource holds data (database, volume, bucket, cache, queue, stream, secret, key). */
  readonly stateful: boolean;
  /** For a REMOVE: the cloud keeps the resource (Retain / prevent_destroy) — it is orphaned, not deleted. */
  readonly retained?: boolean;
  /** Which properties change, for UPDATE and REPLACE. */
  readonly properties?: string[];
}

export interface MigrationStep {
  readonly title: string;
  /** What to run and when the old resource may go. */
  readonly instructions: string;
}

export interface UpgradePlan {
  readonly cloud: 'aws' | 'gcp';
  readonly from: string;
  readonly to: string;
  readonly changes: ResourceChange[];
  readonly migrations: MigrationStep[];
  readonly verdict: Verdict;
}

/** Data moves a swap needs that cannot happen in place. */
export type MigrationKind = 'SERVER_DATABASE_TO_MANAGED';

/** The migrations climbing from `from` to `to` needs, read from the tier data. */
export function requiredMigrations(from: Tier, to: Tier): MigrationKind[] {
  const kinds: MigrationKind[] = [];
  if (from.spec.server.hostsDatabase && !to.spec.server.hostsDatabase) kinds.push('SERVER_DATABASE_TO_MANAGED');
  return kinds;
}

/** A stateful resource replaced, or removed without being retained, loses data. */
export function losesData(change: ResourceChange): boolean {
  return change.stateful && (change.action === 'REPLACE' || (change.action === 'REMOVE' && !change.retained));
}

export function verdictOf(changes: readonly ResourceChange[], migrations: readonly MigrationStep[]): Verdict {
  if (changes.some(losesData)) return 'UNSAFE';
  return migrations.length > 0 ? 'MIGRATION' : 'SAFE';
}
