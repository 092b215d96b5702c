import { PlanReport } from '../../core/plan-report';

/**
 * Plans a swap of your own Google Cloud app before `terraform apply`: compares two cdktf
 * outputs (e.g. synthesized on rung 10K and on 100K) offline, stack by stack, and returns what
 * `scale-ladder plan --cloud gcp --from <before> --to <after> --json` prints — every resource
 * change, the migration steps named after your project, zones and resources, the interruptions
 * (Cloud SQL restarts in order), and a verdict. Works in both directions (downgrades too).
 */
export class UpgradePlanner {
  /**
   * The plan for applying the output at `after` over the one at `before`.
   * @param before a cdktf output directory (cdktf.out), a stack directory or one cdk.tf.json: what is applied now
   * @param after the same for what to apply
   */
  public static planOutputs(before: string, after: string): PlanReport {
    // Loaded on use: the planner is not needed to build constructs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./plan-output') as typeof import('./plan-output')).planGcpOutputs(before, after);
  }

  /**
   * The plan for swapping two rungs of the library's demo app (the same as `scale-ladder plan --cloud gcp --from 1M --to 10M`).
   * @param fromTier 1K … 1B
   * @param toTier 1K … 1B
   */
  public static planRungs(fromTier: string, toTier: string): PlanReport {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./plan-output') as typeof import('./plan-output')).planGcpInputs({ rung: fromTier }, { rung: toTier });
  }

  private constructor() {}
}
