import { requirePattern } from '../../core/errors';
import { Sizing } from '../../core/sizing';
import { validateSizing } from '../../core/sizing-rules';
import { Tier } from '../../core/tier';
import { fargateSize } from '../compute/fargate-sizing';
import { logRetention } from '../operations/log-retention';

/** The AWS shapes of a Sizing (Fargate sizes, CloudWatch retentions, node types), checked on every rung. */
export function validateAwsSizing(sizing: Sizing | undefined): void {
  validateSizing(sizing, 'aws');
  if (!sizing) return;
  if (sizing.fleetVcpu !== undefined) {
    // Memory alone is checked against the vCPU size it is given with (or 0.5-120 GiB by itself, above).
    fargateSize('sizing.fleetVcpu', sizing.fleetVcpu, 'sizing.fleetMemoryGib', sizing.fleetMemoryGib ?? MEMORY_FITTING[sizing.fleetVcpu] ?? 0);
  }
  if (sizing.logRetentionDays !== undefined) logRetention('sizing.logRetentionDays', sizing.logRetentionDays);
  if (sizing.cacheNodeType !== undefined) {
    requirePattern('sizing.cacheNodeType', sizing.cacheNodeType, /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an ElastiCache node type such as cache.r7g.large');
  }
}

/** A memory size that fits each Fargate vCPU size, for checking a vCPU given without memory. */
const MEMORY_FITTING: Record<number, number> = { 0.25: 0.5, 0.5: 1, 1: 2, 2: 4, 4: 8, 8: 16, 16: 32 };

/** `tier` with `sizing` applied, after checking it for AWS. */
export function sizedAwsTier(tier: Tier, sizing: Sizing | undefined): Tier {
  validateAwsSizing(sizing);
  return sizing ? tier.withSizing(sizing) : tier;
}
