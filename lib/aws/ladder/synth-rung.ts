import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ScaleLadder } from './scale-ladder';
import { Tier } from '../../core/tier';
import { AppImage } from '../compute/app-image';
import { COMPOSER_ID, layerOfPath, STACK_ID } from '../internal/layer-path';
import { setStackRegion } from '../upgrade/stack-regions';

/*
 * Synthesizes one rung the way a user's app would: the same app, stack and construct
 * ids on every rung, so two rungs' outputs compare file by file. Used by the
 * `scale-ladder` command and the ladder tests; not part of the jsii API.
 */

export { STACK_ID };
export const DEFAULT_IMAGE = 'public.ecr.aws/docker/library/nginx:1.27';
export const DEFAULT_ENV = { account: '123456789012', region: 'us-east-1' };
export const DEFAULT_ZONE = { hostedZoneId: 'Z0EXAMPLE0SCALELADDER', zoneName: 'example.com' };

export interface StackSummary {
  readonly name: string;
  readonly file: string;
  readonly resources: number;
  readonly bytes: number;
  readonly outputs: number;
  readonly byLayer: Record<string, number>;
}

export interface RungSynthesis {
  readonly stacks: StackSummary[];
}

export interface RungOptions {
  readonly region?: string;
  readonly context?: Record<string, unknown>;
}

/** Builds the rung's app without synthesizing it (tests assert on the constructs). */
export function buildAwsRung(tierName: string, outdir?: string, options: RungOptions = {}): { app: App; stack: Stack; ladder: ScaleLadder } {
  const tier = Tier.fromName(tierName);
  // Path metadata (as the CDK CLI enables it) lets the planner and the summary group resources by layer.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true, ...options.context } });
  const stack = new Stack(app, STACK_ID, { env: { ...DEFAULT_ENV, region: options.region ?? DEFAULT_ENV.region } });
  const ladder = new ScaleLadder(stack, COMPOSER_ID, {
    tier,
    image: AppImage.fromRegistry(DEFAULT_IMAGE),
    port: 80,
    // The same props on every rung, as a user's app would pass them: the extra service
    // runs from 10M, the zone is used from 1B.
    services: [{ name: 'api', pathPatterns: ['/api/*'] }],
    zone: DEFAULT_ZONE,
  });
  return { app, stack, ladder };
}

/** The templates of a rung by stack name. */
export function synthAwsTemplates(tierName: string, options: RungOptions = {}): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-'));
  try {
    const assembly = buildAwsRung(tierName, outdir, options).app.synth();
    return Object.fromEntries(assembly.stacks.map(s => {
      setStackRegion(s.template, s.environment.region);
      return [s.stackName, s.template];
    }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Writes the rung's cloud assembly to `outdir` and summarizes each stack. */
export function synthAwsRung(tierName: string, outdir: string): RungSynthesis {
  fs.rmSync(outdir, { recursive: true, force: true });
  const assembly = buildAwsRung(tierName, outdir).app.synth();
  const stacks = assembly.stacks.map(s => {
    const file = path.join(outdir, s.templateFile);
    const resources = Object.values<any>(s.template.Resources ?? {});
    const byLayer: Record<string, number> = {};
    for (const r of resources) {
      const layer = layerOfPath(r.Metadata?.['aws:cdk:path']);
      byLayer[layer] = (byLayer[layer] ?? 0) + 1;
    }
    return {
      name: s.stackName,
      file,
      resources: resources.length,
      bytes: fs.statSync(file).size,
      outputs: Object.keys(s.template.Outputs ?? {}).length,
      byLayer,
    };
  });
  return { stacks };
}
