import { TerraformStack } from 'cdktf';
import { requireIntInRange, requireNumberInRange, requireOneOf, requirePattern, ScaleLadderError } from '../../core/errors';
import { RUNG_STAMP_KEY, rungStampOf } from '../../core/rung-stamp';
import { Sizing } from '../../core/sizing';
import { validateSizing } from '../../core/sizing-rules';
import { Tier } from '../../core/tier';
import { CLOUD_RUN_CPUS, CLOUD_RUN_MAX_INSTANCES } from '../compute/cloud-run';
import { MAX_REPLICAS_PER_PRIMARY } from '../data/cloud-sql';

/** The Google Cloud shapes of a Sizing (Cloud Run CPUs, Cloud SQL machine tiers), checked on every rung. */
export function validateGcpSizing(sizing: Sizing | undefined): void {
  validateSizing(sizing, 'gcp');
  if (!sizing) return;
  if (sizing.fleetVcpu !== undefined) requireOneOf('sizing.fleetVcpu', sizing.fleetVcpu, CLOUD_RUN_CPUS);
  // The limits the Cloud Run services, Cloud SQL and Cloud Logging apply on the rungs that have
  // the layer (checkRunSizing, ReadReplicaSet, Operations), here on every rung.
  if (sizing.fleetMemoryGib !== undefined) requireNumberInRange('sizing.fleetMemoryGib', sizing.fleetMemoryGib, 0.5, 32);
  if (sizing.fleetMaxInstances !== undefined) requireIntInRange('sizing.fleetMaxInstances', sizing.fleetMaxInstances, 1, CLOUD_RUN_MAX_INSTANCES);
  if (sizing.workerMaxInstances !== undefined) requireIntInRange('sizing.workerMaxInstances', sizing.workerMaxInstances, 1, CLOUD_RUN_MAX_INSTANCES);
  if (sizing.logRetentionDays !== undefined) requireIntInRange('sizing.logRetentionDays', sizing.logRetentionDays, 1, 3650);
  if (sizing.readReplicas !== undefined && sizing.readReplicas > MAX_SIZED_REPLICAS) {
    throw new ScaleLadderError(`sizing.readReplicas must be an integer 1-${MAX_SIZED_REPLICAS} on Google Cloud (Cloud SQL allows ${MAX_REPLICAS_PER_PRIMARY} replicas per primary, ` +
      `and rung 1B adds ${MAX_REPLICAS_PER_PRIMARY - MAX_SIZED_REPLICAS} in other regions), got ${JSON.stringify(sizing.readReplicas)}`);
  }
  if (sizing.databaseMachineTier !== undefined) {
    // Cloud SQL for PostgreSQL machine types (cloud.google.com/sql/docs/postgres/instance-settings).
    requirePattern('sizing.databaseMachineTier', sizing.databaseMachineTier, /^db-(custom-\d{1,2}-\d{3,6}|perf-optimized-N-\d{1,3}|f1-micro|g1-small)$/,
      'a Cloud SQL machine tier such as db-custom-4-15360 (vCPUs and MiB) or db-perf-optimized-N-8');
    requireCustomShape(sizing.databaseMachineTier);
  }
}

/** The most read replicas sizing may ask for: Cloud SQL's limit less the cross-region replicas of the rung with the most regions. */
const MAX_SIZED_REPLICAS = MAX_REPLICAS_PER_PRIMARY
  - Math.max(...Tier.all().map(t => t.spec.regions.activeRegions - 1 + t.spec.regions.warmStandbyRegions));

/**
 * A custom machine tier `db-custom-<vCPUs>-<MiB>` Cloud SQL can create: 1 vCPU or an even number
 * up to 96, memory a multiple of 256 MiB, 0.9-6.5 GiB per vCPU and at least 3840 MiB
 * (Cloud SQL for PostgreSQL, "Instance settings", machine types).
 */
function requireCustomShape(tier: string): void {
  const m = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  if (!m) return;
  const [cpus, mib] = [Number(m[1]), Number(m[2])];
  const problem = !(cpus === 1 || (cpus % 2 === 0 && cpus <= 96)) ? `${cpus} vCPUs (1 or an even number up to 96)`
    : mib % 256 !== 0 ? `${mib} MiB (a multiple of 256 MiB)`
      : mib < 3840 ? `${mib} MiB (at least 3840 MiB)`
        : mib < 0.9 * 1024 * cpus || mib > 6.5 * 1024 * cpus ? `${mib} MiB for ${cpus} vCPU${cpus === 1 ? '' : 's'} (0.9-6.5 GiB per vCPU)`
          : undefined;
  if (problem) {
    throw new ScaleLadderError('sizing.databaseMachineTier must be a custom tier Cloud SQL can create (db-custom-<vCPUs>-<MiB>: 1 or an even number of vCPUs, ' +
      `a multiple of 256 MiB, 0.9-6.5 GiB per vCPU, at least 3840 MiB), got '${tier}': ${problem}`);
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
