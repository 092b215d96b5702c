import { ScaleLadderError } from '../../core/errors';

/*
 * Three availability zones per region, chosen once so that synth never asks AWS
 * (a lookup would need credentials and could change the layout later). Regions with
 * fewer than three zones open to new accounts are left out. Users can pass their own.
 */
const ZONES: Record<string, readonly string[]> = {
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  'ca-central-1': ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  'sa-east-1': ['sa-east-1a', 'sa-east-1b', 'sa-east-1c'],
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  'eu-west-2': ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
  'eu-west-3': ['eu-west-3a', 'eu-west-3b', 'eu-west-3c'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  'eu-north-1': ['eu-north-1a', 'eu-north-1b', 'eu-north-1c'],
  'eu-south-1': ['eu-south-1a', 'eu-south-1b', 'eu-south-1c'],
  'ap-south-1': ['ap-south-1a', 'ap-south-1b', 'ap-south-1c'],
  'ap-southeast-1': ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'],
  'ap-southeast-2': ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
  'ap-northeast-2': ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  'ap-northeast-3': ['ap-northeast-3a', 'ap-northeast-3b', 'ap-northeast-3c'],
  'me-south-1': ['me-south-1a', 'me-south-1b', 'me-south-1c'],
  'af-south-1': ['af-south-1a', 'af-south-1b', 'af-south-1c'],
};

/** Regions the library knows three zones for. */
export function knownRegions(): string[] {
  return Object.keys(ZONES);
}

/** The three zones of `region`; `prop` names the input in the error. */
export function zonesOf(region: string, prop: string): string[] {
  const zones = ZONES[region];
  if (!zones) {
    throw new ScaleLadderError(
      `${prop} must be a region with three known availability zones (${knownRegions().join(', ')}) ` +
      `or availabilityZones must be given, got '${region}'`);
  }
  return [...zones];
}

/** Checks user-given zones: exactly three, distinct, all in `region` when it is known. */
export function checkZones(zones: readonly string[], region: string | undefined): string[] {
  if (!Array.isArray(zones) || zones.some(z => typeof z !== 'string')) {
    throw new ScaleLadderError(`availabilityZones must be a list of 3 distinct zone names${region ? ` of ${region}` : ''} such as ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], got ${JSON.stringify(zones)}`);
  }
  const distinct = new Set(zones);
  const inRegion = region === undefined || zones.every(z => z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)));
  if (zones.length !== 3 || distinct.size !== 3 || !inRegion) {
    throw new ScaleLadderError(
      `availabilityZones must be 3 distinct zones${region ? ` of ${region}` : ''}, got ${JSON.stringify(zones)}`);
  }
  return [...zones];
}

/** Zone names are fixed on purpose: the layout must not move when a rung is swapped. */
export const ZONES_ARE_EXPLICIT = {
  id: 'CloudFormation-Validate::W3010',
  reason: 'Availability zones are fixed on rung 1K so that no later rung re-plans the network; they are overridable with availabilityZones.',
};
