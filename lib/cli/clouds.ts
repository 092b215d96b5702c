import { Cloud, CommandFailure } from './args';
import { PlanInput, UpgradePlan } from '../core/upgrade-plan';

/*
 * The cloud modules, loaded only when a command needs them: `--cloud aws` never loads
 * cdktf, `--cloud gcp` never loads aws-cdk-lib, and `recommend` / `diagram` load neither.
 */

/** One synthesized stack, as the per-cloud `synth*Rung` functions describe it. */
export interface SynthesizedStack {
  readonly name: string;
  /** The template / Terraform JSON file written. */
  readonly file: string;
  readonly resources: number;
  readonly bytes: number;
  /** Stack outputs; a cloud module that does not count them leaves it out. */
  readonly outputs?: number;
  /** Resources per layer (top-level construct id under the composer). */
  readonly byLayer: Record<string, number>;
}

export interface SynthesizedRung {
  readonly stacks: SynthesizedStack[];
}

export type SynthRung = (tierName: string, outdir: string) => SynthesizedRung;
/** Plans a swap; each side is a rung of the demo app or the path of synthesized output. */
export type PlanRungs = (from: PlanInput, to: PlanInput) => UpgradePlan;

interface CloudModules {
  readonly synth: () => SynthRung;
  readonly plan: () => PlanRungs;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const MODULES: Record<Cloud, CloudModules> = {
  aws: {
    synth: () => load('aws', '../aws/synth-rung', () => require('../aws/ladder/synth-rung'), 'synthAwsRung'),
    plan: () => load('aws', '../aws/plan-output', () => require('../aws/upgrade/plan-output'), 'planAwsInputs'),
  },
  gcp: {
    synth: () => load('gcp', '../gcp/synth-rung', () => require('../gcp/ladder/synth-rung'), 'synthGcpRung'),
    plan: () => load('gcp', '../gcp/plan-output', () => require('../gcp/upgrade/plan-output'), 'planGcpInputs'),
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function load<T>(cloud: Cloud, modulePath: string, requireIt: () => any, exportName: string): T {
  let mod: any;
  try {
    mod = requireIt();
  } catch (err: any) {
    const missing = err?.code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(String(err.message))?.[1] : undefined;
    if (missing === modulePath) throw new CommandFailure(`the ${cloud} support is not built into this copy of scale-ladder (${modulePath.slice(3)} is missing)`);
    if (missing && cloud === 'gcp' && /cdktf/.test(missing)) {
      throw new CommandFailure(`--cloud gcp needs the optional peer dependencies cdktf and @cdktf/provider-google (npm install cdktf @cdktf/provider-google); cannot load '${missing}'`);
    }
    if (missing && cloud === 'gcp' && /^constructs(\/|$)/.test(missing)) {
      throw new CommandFailure(`--cloud gcp needs the peer dependency constructs (npm install constructs); cannot load '${missing}'`);
    }
    // aws-cdk-lib is an optional peer like cdktf (docs/install.md): only --cloud aws needs it.
    if (missing && cloud === 'aws' && /^(aws-cdk-lib|constructs)(\/|$)/.test(missing)) {
      throw new CommandFailure(`--cloud aws needs the peer dependencies aws-cdk-lib (optional, for AWS only) and constructs (npm install aws-cdk-lib constructs); cannot load '${missing}'`);
    }
    throw err;
  }
  const fn = mod?.[exportName];
  if (typeof fn !== 'function') throw new CommandFailure(`${modulePath.slice(3)} does not export ${exportName}`);
  return fn;
}

export function synthFor(cloud: Cloud): SynthRung {
  return MODULES[cloud].synth();
}

export function plannerFor(cloud: Cloud): PlanRungs {
  return MODULES[cloud].plan();
}
