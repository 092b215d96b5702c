import { describeValue, requireOneOf, ScaleLadderError } from '../../core/errors';

/*
 * The Google Cloud regions the library knows, with three zones each and default peer
 * regions. Shipped as data so synth never looks anything up (offline, deterministic). Not part
 * of the jsii API: `GcpRegions` (exported) is the public view.
 */

interface RegionInfo {
  readonly zones: readonly [string, string, string];
  /** Peers in preference order: the first is near (warm standby), the next are far (geo). */
  readonly peers: readonly string[];
}

const abc = ['a', 'b', 'c'] as const;
const bcd = ['b', 'c', 'd'] as const;

function info(letters: readonly string[], peers: readonly string[]) {
  return { letters, peers };
}

const RAW: Record<string, { letters: readonly string[]; peers: readonly string[] }> = {
  'us-central1': info(abc, ['us-east1', 'europe-west1', 'asia-northeast1']),
  'us-east1': info(bcd, ['us-central1', 'europe-west1', 'asia-northeast1']),
  'us-east4': info(abc, ['us-central1', 'europe-west2', 'asia-northeast1']),
  'us-east5': info(abc, ['us-central1', 'europe-west1', 'asia-northeast1']),
  'us-south1': info(abc, ['us-central1', 'europe-west1', 'asia-northeast1']),
  'us-west1': info(abc, ['us-west2', 'us-east1', 'asia-northeast1']),
  'us-west2': info(abc, ['us-west1', 'us-east1', 'asia-northeast1']),
  'us-west3': info(abc, ['us-west1', 'us-east1', 'europe-west1']),
  'us-west4': info(abc, ['us-west1', 'us-east1', 'europe-west1']),
  'northamerica-northeast1': info(abc, ['northamerica-northeast2', 'europe-west2', 'us-west1']),
  'northamerica-northeast2': info(abc, ['northamerica-northeast1', 'europe-west2', 'us-west1']),
  'southamerica-east1': info(abc, ['us-east1', 'europe-west1', 'us-west1']),
  'europe-west1': info(bcd, ['europe-west4', 'us-east1', 'asia-southeast1']),
  'europe-west2': info(abc, ['europe-west1', 'us-east4', 'asia-southeast1']),
  'europe-west3': info(abc, ['europe-west4', 'us-east1', 'asia-southeast1']),
  'europe-west4': info(abc, ['europe-west1', 'us-east1', 'asia-southeast1']),
  'europe-west6': info(abc, ['europe-west3', 'us-east1', 'asia-southeast1']),
  'europe-west9': info(abc, ['europe-west1', 'us-east1', 'asia-southeast1']),
  'europe-north1': info(abc, ['europe-west4', 'us-east1', 'asia-southeast1']),
  'europe-central2': info(abc, ['europe-west3', 'us-east1', 'asia-southeast1']),
  'me-west1': info(abc, ['europe-west1', 'asia-south1', 'us-east1']),
  'asia-east1': info(abc, ['asia-northeast1', 'us-west1', 'europe-west1']),
  'asia-east2': info(abc, ['asia-east1', 'us-west1', 'europe-west1']),
  'asia-northeast1': info(abc, ['asia-northeast2', 'us-west1', 'europe-west1']),
  'asia-northeast2': info(abc, ['asia-northeast1', 'us-west1', 'europe-west1']),
  'asia-northeast3': info(abc, ['asia-northeast1', 'us-west1', 'europe-west1']),
  'asia-south1': info(abc, ['asia-southeast1', 'europe-west1', 'us-west1']),
  'asia-southeast1': info(abc, ['asia-east1', 'europe-west1', 'us-west1']),
  'asia-southeast2': info(abc, ['asia-southeast1', 'europe-west1', 'us-west1']),
  'australia-southeast1': info(abc, ['australia-southeast2', 'asia-southeast1', 'us-west1']),
  'australia-southeast2': info(abc, ['australia-southeast1', 'asia-southeast1', 'us-west1']),
};

const REGIONS: Record<string, RegionInfo> = Object.fromEntries(
  Object.entries(RAW).map(([name, r]) => [name, {
    zones: r.letters.map(l => `${name}-${l}`) as unknown as [string, string, string],
    peers: r.peers,
  }]),
);

/** Every region name the library knows, sorted. */
export function knownRegions(): string[] {
  return Object.keys(REGIONS).sort();
}

/** Throws a ScaleLadderError naming `prop` unless `region` is a known region. */
export function requireRegion(prop: string, region: string): string {
  return requireOneOf(prop, region, knownRegions());
}

/** The three zones of a known region, in the order the library uses them. */
export function zonesOf(region: string): readonly string[] {
  const found = REGIONS[region];
  if (!found) requireRegion('region', region);
  return found.zones;
}

/** Default further regions for `region`: the near peer first, then far ones. */
export function defaultPeers(region: string): string[] {
  requireRegion('region', region);
  return [...REGIONS[region].peers];
}

/**
 * The further regions a rung uses, from the user's list (or the defaults), checked: known,
 * not the primary, no repeats, enough of them.
 */
export function resolveExtraRegions(primary: string, given: readonly string[] | undefined, needed: number): string[] {
  const list = given ?? defaultPeers(primary);
  if (!Array.isArray(list)) {
    throw new ScaleLadderError(`regions must be a list of Google Cloud region names such as ['us-east1', 'europe-west1'], got ${describeValue(list)}`);
  }
  list.forEach((r, i) => requireRegion(`regions[${i}]`, r));
  if (list.includes(primary)) {
    throw new ScaleLadderError(`regions must not contain the primary region '${primary}', got ${JSON.stringify(list)}`);
  }
  const seen = new Set<string>();
  for (const r of list) {
    if (seen.has(r)) throw new ScaleLadderError(`regions must not repeat an entry, got '${r}' twice in ${JSON.stringify(list)}`);
    seen.add(r);
  }
  if (list.length < needed) {
    throw new ScaleLadderError(`regions must hold at least ${needed} region(s) besides '${primary}' for this tier, got ${JSON.stringify(list)}`);
  }
  return list.slice(0, needed);
}
