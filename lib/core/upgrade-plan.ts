import { PlanReport, PlannedChange, PlannedInterruption, PlannedStep } from './plan-report';
import { rankOf, RungStamp, rungStampOf } from './rung-stamp';
import { Tier } from './tier';

/*
 * The cloud-neutral model of an upgrade plan: what a swap from one rung to another does
 * to each resource, and the verdict. Each cloud's planner fills it in from its own
 * synthesized output (CloudFormation diff / Terraform addresses). Internal: the public API
 * returns it as the PlanReport of lib/core/plan-report.ts.
 */

export type ChangeAction = 'ADD' | 'UPDATE' | 'REPLACE' | 'REMOVE';
export type Verdict = 'SAFE' | 'MIGRATION' | 'UNSAFE';

/** A change with its action narrowed. */
export interface ResourceChange extends PlannedChange {
  readonly action: ChangeAction;
}

export type MigrationStep = PlannedStep;

/** The `source` of an interruption that a migration step causes (rather than an in-place change). */
export const STEP_SOURCE = 'this plan\'s migration step';
export type Interruption = PlannedInterruption;

/** The plan with its closed sets narrowed (the planners build it; the public API returns it as a PlanReport). */
export interface UpgradePlan extends PlanReport {
  readonly cloud: 'aws' | 'gcp';
  readonly changes: ResourceChange[];
  readonly verdict: Verdict;
}

/**
 * One side of a plan: a rung of the library's own demo app, or the path of a user's synthesized
 * output (AWS: a cloud assembly directory or one `*.template.json`; Google Cloud: a cdktf output
 * directory, a stack directory or one `cdk.tf.json`).
 */
export type PlanInput = { readonly rung: string } | { readonly path: string };

/**
 * Steps a swap needs besides the deploy itself:
 * - SERVER_DATABASE_TO_MANAGED: PostgreSQL leaves the server for the managed database (copy, verify, switch).
 * - SERVER_RETIREMENT: the server stops serving; its PostgreSQL must be stopped and its volume
 *   unmounted before CloudFormation / Terraform detaches it, and DNS moves to the new entry point.
 * - SHARD_REBALANCE: the shard count grows; the new shards start empty and buckets move onto them
 *   one verified batch at a time (the swap itself moves no key).
 * - SERVER_RETURN (a downgrade): the server runs again and traffic moves back to it from the load
 *   balancer the same deploy removes, so the server comes up first.
 */
export type MigrationKind = 'SERVER_DATABASE_TO_MANAGED' | 'SERVER_RETIREMENT' | 'SHARD_REBALANCE' | 'SERVER_RETURN';

/** The number of database shards a rung runs (the server's database counts as one). */
export function shardCountOf(rung: Tier | RungStamp): number {
  return rung instanceof Tier ? rung.spec.database?.shards ?? 1 : rung.shards;
}

function stampOf(rung: Tier | RungStamp): RungStamp {
  return rung instanceof Tier ? rungStampOf(rung, '') : rung;
}

/** The migrations climbing from `from` to `to` needs, read from the tier data, in the order they are run. */
export function requiredMigrations(fromRung: Tier | RungStamp, toRung: Tier | RungStamp): MigrationKind[] {
  const [from, to] = [stampOf(fromRung), stampOf(toRung)];
  const kinds: MigrationKind[] = [];
  if (from.serverHostsDatabase && !to.serverHostsDatabase) kinds.push('SERVER_DATABASE_TO_MANAGED');
  if (from.serverRunning && !to.serverRunning) kinds.push('SERVER_RETIREMENT');
  if (to.shards > from.shards) kinds.push('SHARD_REBALANCE');
  if (!from.serverRunning && to.serverRunning) kinds.push('SERVER_RETURN');
  return kinds;
}

/**
 * The rung to deploy first when one deploy cannot do the whole climb: the database must leave
 * the server while the server still runs (the copy runs on it), so a climb that both moves the
 * database and retires the server goes through the lowest rung that separates the database
 * and keeps the server. Undefined when the climb needs no intermediate rung.
 */
export function intermediateRung(fromRung: Tier | RungStamp, toRung: Tier | RungStamp, ladder: readonly Tier[]): Tier | undefined {
  const [from, to] = [stampOf(fromRung), stampOf(toRung)];
  const moves = from.serverHostsDatabase && !to.serverHostsDatabase;
  if (!moves || to.serverRunning) return undefined;
  return ladder.find(t => t.rank > rankOf(from) && t.rank < rankOf(to) && t.spec.server.running && !t.spec.server.hostsDatabase);
}

/**
 * A stateful resource replaced, or removed without being retained, loses data; so does a retained
 * one whose data the cloud expires by itself (a retained queue keeps its messages only for its
 * retention period, and nothing processes them any more), or one the deploy supersedes with a new,
 * empty resource of the same type and layer (a renamed construct: the app moves to the empty one).
 */
export function losesData(change: ResourceChange): boolean {
  return change.stateful && (change.action === 'REPLACE'
    || (change.action === 'REMOVE' && (!change.retained || change.retainedDataExpires === true || change.supersededBy !== undefined)));
}

export function verdictOf(changes: readonly ResourceChange[], migrations: readonly MigrationStep[]): Verdict {
  if (changes.some(losesData)) return 'UNSAFE';
  return migrations.length > 0 ? 'MIGRATION' : 'SAFE';
}
