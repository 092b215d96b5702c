import { PlanReport } from '../../core/plan-report';

/**
 * Plans a swap of your own AWS app before `cdk deploy`: compares two synthesized outputs
 * (e.g. `cdk synth -c tier=10K -o cdk.out.10K` and the same for 100K) offline, stack by stack,
 * and returns what `scale-ladder plan --cloud aws --from <before> --to <after> --json` prints —
 * every resource change, the migration steps named after your stacks and resources, the
 * interruptions, and a verdict. Works in both directions (downgrades too).
 */
export class UpgradePlanner {
  /**
   * The plan for deploying the output at `after` over the one at `before`.
   * @param before a cloud assembly directory (cdk.out, stages included) or one `*.template.json`: what is deployed now
   * @param after the same for what to deploy
   */
  public static planOutputs(before: string, after: string): PlanReport {
    // Loaded on use: the planner and its CloudFormation diff are not needed to build constructs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./plan-output') as typeof import('./plan-output')).planAwsOutputs(before, after);
  }

  /**
   * The plan for swapping two rungs of the library's demo app (the same as `scale-ladder plan --from 1M --to 10M`).
   * @param fromTier 1K … 1B
   * @param toTier 1K … 1B
   */
  public static planRungs(fromTier: string, toTier: string): PlanReport {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./plan-output') as typeof import('./plan-output')).planAwsInputs({ rung: fromTier }, { rung: toTier });
  }

  private constructor() {}
}
