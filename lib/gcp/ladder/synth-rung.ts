import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { GCP_APP_ID, GCP_DEFAULT_IMAGE, GCP_DEFAULT_REGION, GCP_PLACEHOLDER_PROJECT, GCP_STACK_NAME, layerOf } from './demo-app';
import { ScaleLadder, ScaleLadderOptions } from './scale-ladder';
import { Tier } from '../../core/tier';

export { GCP_APP_ID, GCP_DEFAULT_IMAGE, GCP_DEFAULT_REGION, GCP_PLACEHOLDER_PROJECT, GCP_STACK_NAME, layerOf };

/*
 * What the `scale-ladder synth --cloud gcp` command calls. Internal: not exported from the
 * package's API. Every rung uses the same app, stack and construct ids, exactly as a user's app
 * would, so two rungs' outputs compare address by address.
 */

export interface GcpStackSummary {
  readonly name: string;
  readonly file: string;
  readonly resources: number;
  readonly bytes: number;
  readonly byLayer: Record<string, number>;
}

export interface GcpSynthResult {
  readonly stacks: GcpStackSummary[];
}

/** Options a rung may be synthesized with besides the defaults (tests and the planner's examples). */
export type GcpRungOptions = Partial<Pick<ScaleLadderOptions, 'domainName' | 'dnsZone' | 'alertEmail'>>;

/** Builds the one stack of a rung into `app` (same ids for every rung). */
export function buildGcpRung(app: App, tier: Tier, options: GcpRungOptions = {}): TerraformStack {
  const stack = new TerraformStack(app, GCP_STACK_NAME);
  // A relative state path keeps the output the same wherever it is synthesized.
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  new GoogleProvider(stack, 'google', { project: GCP_PLACEHOLDER_PROJECT, region: GCP_DEFAULT_REGION });
  new ScaleLadder(stack, GCP_APP_ID, {
    tier,
    project: GCP_PLACEHOLDER_PROJECT,
    region: GCP_DEFAULT_REGION,
    image: GCP_DEFAULT_IMAGE,
    port: 8080,
    ...options,
  });
  return stack;
}

/** Counts the resources of a synthesized `cdk.tf.json` per layer (top-level construct under the composer). */
export function countByLayer(config: any): { resources: number; byLayer: Record<string, number> } {
  const byLayer: Record<string, number> = {};
  let resources = 0;
  for (const [, instances] of Object.entries<any>(config.resource ?? {})) {
    for (const [, body] of Object.entries<any>(instances)) {
      resources++;
      const layer = layerOf(body);
      byLayer[layer] = (byLayer[layer] ?? 0) + 1;
    }
  }
  return { resources, byLayer: Object.fromEntries(Object.entries(byLayer).sort(([a], [b]) => a.localeCompare(b))) };
}

/** Synthesizes rung `tierName` (1K … 1B) to `outdir` (cdktf's `stacks/<name>/cdk.tf.json`). */
export function synthGcpRung(tierName: string, outdir: string, options: GcpRungOptions = {}): GcpSynthResult {
  const tier = Tier.fromName(tierName);
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir, stackTraces: false });
  buildGcpRung(app, tier, options);
  app.synth();
  const stacks: GcpStackSummary[] = [];
  const stacksDir = path.join(outdir, 'stacks');
  for (const name of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, name, 'cdk.tf.json');
    const text = fs.readFileSync(file, 'utf8');
    const { resources, byLayer } = countByLayer(JSON.parse(text));
    stacks.push({ name, file, resources, bytes: Buffer.byteLength(text), byLayer });
  }
  return { stacks };
}

const cache = new Map<string, any>();

/** The parsed `cdk.tf.json` of a rung (synthesized once per process and options into a temporary directory). */
export function gcpRungConfig(tierName: string, options: GcpRungOptions = {}): any {
  const tier = Tier.fromName(tierName);
  const key = JSON.stringify([tier.name, Object.entries(options).sort(([a], [b]) => a.localeCompare(b))]);
  if (!cache.has(key)) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-ladder-gcp-'));
    try {
      const result = synthGcpRung(tier.name, outdir, options);
      cache.set(key, JSON.parse(fs.readFileSync(result.stacks[0].file, 'utf8')));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return cache.get(key);
}
