import { TerraformStack } from 'cdktf';
import { CLOUD_RUN_CPUS } from './cloud-run';
import { requireOneOf, requirePattern, ScaleLadderError } from '../core/errors';
import { RUNG_STAMP_KEY, rungStampOf } from '../core/rung-stamp';
import { Sizing } from '../core/sizing';
import { validateSizing } from '../core/sizing-rules';
import { Tier } from '../core/tier';

/** The Google Cloud shapes of a Sizing (Cloud Run CPUs, Cloud SQL machine tiers), checked on every rung. */
export function validateGcpSizing(sizing: Sizing | undefined): void {
  validateSizing(sizing, 'gcp');
  if (!sizing) return;
  if (sizing.fleetVcpu !== undefined) requireOneOf('sizing.fleetVcpu', sizing.fleetVcpu, CLOUD_RUN_CPUS);
  if (sizing.databaseMachineTier !== undefined) {
    // Cloud SQL for PostgreSQL machine types (cloud.google.com/sql/docs/postgres/instance-settings).
    requirePattern('sizing.databaseMachineTier', sizing.databaseMachineTier, /^db-(custom-\d{1,2}-\d{3,6}|perf-optimized-N-\d{1,3}|f1-micro|g1-small)$/,
      'a Cloud SQL machine tier such as db-custom-4-15360 (vCPUs and MiB) or db-perf-optimized-N-8');
  }
}

/** `tier` with `sizing` applied, after checking it for Google Cloud. */
export function sizedGcpTier(tier: Tier, sizing: Sizing | undefined): Tier {
  validateGcpSizing(sizing);
  return sizing ? tier.withSizing(sizing) : tier;
}

const STAMPED = new WeakMap<TerraformStack, string>();

/**
 * Records the rung in the `//` block of the stack's cdk.tf.json, which Terraform ignores as a
 * comment (JSON Configuration Syntax, "Comment Properties"), so `scale-ladder plan` can plan a
 * climb from the synthesized output alone.
 */
export function stampGcpRung(stack: TerraformStack, tier: Tier, composerPath: string): void {
  const existing = STAMPED.get(stack);
  if (existing) {
    throw new ScaleLadderError(`one stack holds one ladder: stack '${stack.node.id}' already has ${existing}, got a second one at ${composerPath}`);
  }
  STAMPED.set(stack, composerPath);
  stack.addOverride(`//.${RUNG_STAMP_KEY}`, rungStampOf(tier, composerPath));
}
