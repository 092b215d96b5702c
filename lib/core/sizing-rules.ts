import { requireIntInRange, requireNumberInRange, requireOrdered, ScaleLadderError } from './errors';
import { Sizing } from './sizing';
import { TierSpec } from './tier-spec';

/* How a Sizing is checked and applied. Internal (Tier.withSizing and the composers). */

export type SizingCloud = 'aws' | 'gcp';

/** The fields that exist on one cloud only, with what the other cloud takes instead. */
const CLOUD_ONLY: Record<string, { cloud: SizingCloud; instead: string }> = {
  databaseMinCapacityAcu: { cloud: 'aws', instead: 'databaseMachineTier (a Cloud SQL machine tier)' },
  databaseMaxCapacityAcu: { cloud: 'aws', instead: 'databaseMachineTier (a Cloud SQL machine tier)' },
  cacheNodeType: { cloud: 'aws', instead: 'cacheMemoryGib (Memorystore GiB)' },
  databaseMachineTier: { cloud: 'gcp', instead: 'databaseMinCapacityAcu / databaseMaxCapacityAcu (Aurora capacity units)' },
  cacheMemoryGib: { cloud: 'gcp', instead: 'cacheNodeType (an ElastiCache node type)' },
};
const CLOUD_NAME: Record<SizingCloud, string> = { aws: 'AWS', gcp: 'Google Cloud' };
const CLOUD_SETTING: Record<SizingCloud, string> = { aws: 'an AWS', gcp: 'a Google Cloud' };

const KNOWN = new Set([
  'fleetVcpu', 'fleetMemoryGib', 'fleetMinInstances', 'fleetMaxInstances', 'workerMinInstances', 'workerMaxInstances',
  'readReplicas', 'backupRetentionDays', 'logRetentionDays', ...Object.keys(CLOUD_ONLY),
]);

function isHalfStep(value: number): boolean {
  return Number.isInteger(value * 2);
}

/**
 * Checks `sizing` the same way on every rung: it is an object of known fields, none of them
 * the other cloud's, each in range. Cloud-specific shapes (Fargate's vCPU/memory pairs, node
 * types, machine tiers) are checked by the cloud's composer on top.
 */
export function validateSizing(sizing: Sizing | undefined, cloud?: SizingCloud): void {
  if (sizing === undefined) return;
  if (sizing === null || typeof sizing !== 'object' || Array.isArray(sizing)) {
    throw new ScaleLadderError(`sizing must be an object of sizes (e.g. { fleetVcpu: 2, fleetMemoryGib: 4 }), got ${JSON.stringify(sizing)}`);
  }
  for (const [key, value] of Object.entries(sizing)) {
    if (value === undefined) continue;
    if (!KNOWN.has(key)) {
      throw new ScaleLadderError(`sizing.${key} is not a size scale-ladder knows; allowed: ${[...KNOWN].filter(k => !cloud || !CLOUD_ONLY[k] || CLOUD_ONLY[k].cloud === cloud).join(', ')}`);
    }
    const only = CLOUD_ONLY[key];
    if (only && cloud && only.cloud !== cloud) {
      throw new ScaleLadderError(`sizing.${key} is ${CLOUD_SETTING[only.cloud]} setting; on ${CLOUD_NAME[cloud]} use sizing.${only.instead}, got ${JSON.stringify(value)}`);
    }
  }
  const s = sizing;
  if (s.fleetVcpu !== undefined) requireNumberInRange('sizing.fleetVcpu', s.fleetVcpu, 0.25, 16);
  if (s.fleetMemoryGib !== undefined) requireNumberInRange('sizing.fleetMemoryGib', s.fleetMemoryGib, 0.5, 120);
  if (s.fleetMinInstances !== undefined) requireIntInRange('sizing.fleetMinInstances', s.fleetMinInstances, 1, 1000);
  if (s.fleetMaxInstances !== undefined) requireIntInRange('sizing.fleetMaxInstances', s.fleetMaxInstances, 1, 5000);
  if (s.fleetMinInstances !== undefined && s.fleetMaxInstances !== undefined) {
    requireOrdered('sizing.fleetMinInstances', s.fleetMinInstances, 'sizing.fleetMaxInstances', s.fleetMaxInstances);
  }
  if (s.workerMinInstances !== undefined) requireIntInRange('sizing.workerMinInstances', s.workerMinInstances, 0, 1000);
  if (s.workerMaxInstances !== undefined) requireIntInRange('sizing.workerMaxInstances', s.workerMaxInstances, 1, 5000);
  if (s.workerMinInstances !== undefined && s.workerMaxInstances !== undefined) {
    requireOrdered('sizing.workerMinInstances', s.workerMinInstances, 'sizing.workerMaxInstances', s.workerMaxInstances);
  }
  if (s.readReplicas !== undefined) requireIntInRange('sizing.readReplicas', s.readReplicas, 1, 15);
  if (s.backupRetentionDays !== undefined) requireIntInRange('sizing.backupRetentionDays', s.backupRetentionDays, 1, 35);
  if (s.logRetentionDays !== undefined) requireIntInRange('sizing.logRetentionDays', s.logRetentionDays, 1, 3653);
  for (const [prop, min] of [['databaseMinCapacityAcu', 0], ['databaseMaxCapacityAcu', 1]] as const) {
    const value = s[prop];
    if (value === undefined) continue;
    requireNumberInRange(`sizing.${prop}`, value, min, 256);
    if (!isHalfStep(value)) throw new ScaleLadderError(`sizing.${prop} must be a multiple of 0.5 ACU, got ${value}`);
  }
  if (s.databaseMinCapacityAcu !== undefined && s.databaseMaxCapacityAcu !== undefined) {
    requireOrdered('sizing.databaseMinCapacityAcu', s.databaseMinCapacityAcu, 'sizing.databaseMaxCapacityAcu', s.databaseMaxCapacityAcu);
  }
  if (s.cacheMemoryGib !== undefined) requireIntInRange('sizing.cacheMemoryGib', s.cacheMemoryGib, 5, 300);
  for (const prop of ['cacheNodeType', 'databaseMachineTier'] as const) {
    if (s[prop] !== undefined && (typeof s[prop] !== 'string' || s[prop] === '')) {
      throw new ScaleLadderError(`sizing.${prop} must be a non-empty string, got ${JSON.stringify(s[prop])}`);
    }
  }
}

function pick<T>(override: T | undefined, own: T): T {
  return override === undefined ? own : override;
}

/** `spec` with `sizing` applied to the layers it has (validate first). */
export function sizedSpec(spec: TierSpec, sizing: Sizing): TierSpec {
  const s = sizing;
  const db = spec.database && {
    ...spec.database,
    awsMinCapacityAcu: pick(s.databaseMinCapacityAcu, spec.database.awsMinCapacityAcu),
    awsMaxCapacityAcu: pick(s.databaseMaxCapacityAcu, spec.database.awsMaxCapacityAcu),
    gcpTier: pick(s.databaseMachineTier, spec.database.gcpTier),
    backupRetentionDays: pick(s.backupRetentionDays, spec.database.backupRetentionDays),
    // Readers only where the rung has them: sizing never adds or removes the layer.
    readReplicas: spec.database.readReplicas > 0 ? pick(s.readReplicas, spec.database.readReplicas) : 0,
  };
  if (db) requireOrdered('database minimum capacity (sizing.databaseMinCapacityAcu or the rung\'s)', db.awsMinCapacityAcu, 'maximum capacity (sizing.databaseMaxCapacityAcu or the rung\'s)', db.awsMaxCapacityAcu);
  const fleet = spec.fleet && {
    ...spec.fleet,
    vcpu: pick(s.fleetVcpu, spec.fleet.vcpu),
    memoryGib: pick(s.fleetMemoryGib, spec.fleet.memoryGib),
    minInstances: pick(s.fleetMinInstances, spec.fleet.minInstances),
    maxInstances: pick(s.fleetMaxInstances, spec.fleet.maxInstances),
  };
  if (fleet) requireOrdered('fleet minimum (sizing.fleetMinInstances or the rung\'s)', fleet.minInstances, 'fleet maximum (sizing.fleetMaxInstances or the rung\'s)', fleet.maxInstances);
  const queue = spec.queue && {
    ...spec.queue,
    workerMinInstances: pick(s.workerMinInstances, spec.queue.workerMinInstances),
    workerMaxInstances: pick(s.workerMaxInstances, spec.queue.workerMaxInstances),
  };
  if (queue) requireOrdered('worker minimum (sizing.workerMinInstances or the rung\'s)', queue.workerMinInstances, 'worker maximum (sizing.workerMaxInstances or the rung\'s)', queue.workerMaxInstances);
  const cache = spec.cache && {
    ...spec.cache,
    awsNodeType: pick(s.cacheNodeType, spec.cache.awsNodeType),
    gcpMemorySizeGib: pick(s.cacheMemoryGib, spec.cache.gcpMemorySizeGib),
  };
  const operations = { ...spec.operations, logRetentionDays: pick(s.logRetentionDays, spec.operations.logRetentionDays) };
  return { ...spec, database: db, fleet, queue, cache, operations };
}
