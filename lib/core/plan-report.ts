/*
 * What an upgrade plan reports, as the public API returns it (`UpgradePlanner` on each cloud)
 * and `scale-ladder plan --json` prints it. Plain strings where the planner uses closed sets,
 * so every jsii language can read it; lib/core/upgrade-plan.ts narrows them.
 */

/** One resource the swap adds, updates in place, replaces or removes. */
export interface PlannedChange {
  /** `<stack>/<logical id>` (CloudFormation) or the resource address (Terraform). */
  readonly id: string;
  /** Resource type, e.g. AWS::RDS::DBCluster or google_sql_database_instance. */
  readonly type: string;
  /** The layer (construct id below the composer) the resource belongs to. */
  readonly layer: string;
  /** ADD, UPDATE (in place), REPLACE or REMOVE. */
  readonly action: string;
  /** Whether the resource holds data (database, volume, bucket, cache, queue, stream, secret, key, user pool). */
  readonly stateful: boolean;
  /**
   * For a REMOVE: the cloud keeps the resource (Retain / a `removed` block) — orphaned, not deleted.
   * @default false
   */
  readonly retained?: boolean;
  /**
   * For a retained REMOVE: the cloud deletes the retained data by itself after a while (queue messages, stream records).
   * @default false
   */
  readonly retainedDataExpires?: boolean;
  /**
   * For a retained REMOVE: the resource of the same type and layer the deploy adds in its place
   * (a renamed construct): the app moves to the new, empty one while the data stays in the old.
   * @default - none
   */
  readonly supersededBy?: string;
  /**
   * Which properties change, for UPDATE and REPLACE, the replacing ones first with the reason.
   * @default - none
   */
  readonly properties?: string[];
  /**
   * For a change that loses data: what is lost, in words.
   * @default - nothing is lost
   */
  readonly lost?: string;
}

/** A step to run besides the deploy itself (a data move, a cut-over). */
export interface PlannedStep {
  readonly title: string;
  /** What to run and when, with the names read from the outputs. */
  readonly instructions: string;
}

/** An outage during the swap: an in-place change that interrupts a resource, or one a migration step causes. */
export interface PlannedInterruption {
  /** The resource, as in {@link PlannedChange.id}. */
  readonly id: string;
  /** What happens, e.g. "the instance restarts". */
  readonly what: string;
  /** The expected downtime, in words. */
  readonly downtime: string;
  /** The provider's doc page or source file that says so. */
  readonly source: string;
}

/** The plan for deploying one synthesized output over another, and its verdict. */
export interface PlanReport {
  /** aws or gcp. */
  readonly cloud: string;
  /** The tier deployed now (from the output's rung stamp), or the path when it has none. */
  readonly from: string;
  /** The tier to deploy. */
  readonly to: string;
  readonly changes: PlannedChange[];
  /** The steps the swap needs besides the deploy, in order. */
  readonly migrations: PlannedStep[];
  /** In-place changes that interrupt a resource, with the expected downtime. */
  readonly interruptions: PlannedInterruption[];
  /**
   * What the planner could not know from the outputs, in words.
   * @default - none
   */
  readonly notes?: string[];
  /** SAFE (deploy), MIGRATION (deploy with the steps) or UNSAFE (a stateful resource would be replaced, deleted or emptied). */
  readonly verdict: string;
}
