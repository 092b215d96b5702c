import { requireIntInRange, requireNumberInRange, requireOneOf, requireOrdered, requirePattern, ScaleLadderError } from './errors';
import { Layer } from './layer';
import { RUNGS } from './rungs';
import { Sizing } from './sizing';
import { sizedSpec, validateSizing } from './sizing-rules';
import { TierSpec } from './tier-spec';

/** Overrides for a custom tier; anything not given is taken from `base`. */
export interface CustomTierProps {
  /** The rung to start from; its layers and every size not overridden are kept. */
  readonly base: Tier;
  /** A name for the tier (letters, digits, dashes). */
  readonly name: string;
  /** @default - the base rung's */
  readonly maxUsers?: number;
  /** Read replicas per shard (0-15). @default - the base rung's */
  readonly readReplicas?: number;
  /** Database shards (1-64). @default - the base rung's */
  readonly shards?: number;
  /** Fewest fleet tasks (1-1000). @default - the base rung's */
  readonly fleetMinInstances?: number;
  /** Most fleet tasks (1-5000). @default - the base rung's */
  readonly fleetMaxInstances?: number;
  /** vCPUs per fleet task (0.25-16). @default - the base rung's */
  readonly fleetVcpu?: number;
  /** Memory per fleet task in GiB (0.5-120). @default - the base rung's */
  readonly fleetMemoryGib?: number;
  /** Cache shards (1-500). @default - the base rung's */
  readonly cacheShards?: number;
  /** Cache replicas per shard (0-5). @default - the base rung's */
  readonly cacheReplicasPerShard?: number;
}

const CUSTOM_PROPS = ['base', 'name', 'maxUsers', 'readReplicas', 'shards', 'fleetMinInstances', 'fleetMaxInstances', 'fleetVcpu',
  'fleetMemoryGib', 'cacheShards', 'cacheReplicasPerShard'];

/** A rung of the ladder: `Tier.USERS_1K` … `Tier.USERS_1B`, or `Tier.custom(...)`. */
export class Tier {
  /** Up to 1K monthly users: one server running the app and PostgreSQL. */
  public static readonly USERS_1K = new Tier(RUNGS[0], 0);
  /** Up to 10K: the database moves to a managed service. */
  public static readonly USERS_10K = new Tier(RUNGS[1], 1);
  /** Up to 100K: a load-balanced, autoscaled fleet and a read replica. */
  public static readonly USERS_100K = new Tier(RUNGS[2], 2);
  /** Up to 1M: cache, CDN, edge rate limiting, two replicas. */
  public static readonly USERS_1M = new Tier(RUNGS[3], 3);
  /** Up to 10M: sharded databases, queues and workers, several services. */
  public static readonly USERS_10M = new Tier(RUNGS[4], 4);
  /** Up to 100M: event streams, a warm-standby region, tracing, chaos experiments. */
  public static readonly USERS_100M = new Tier(RUNGS[5], 5);
  /** Up to 1B: several regions active at once behind geo routing. */
  public static readonly USERS_1B = new Tier(RUNGS[6], 6);

  /** Every rung, smallest first. */
  public static all(): Tier[] {
    return [Tier.USERS_1K, Tier.USERS_10K, Tier.USERS_100K, Tier.USERS_1M, Tier.USERS_10M, Tier.USERS_100M, Tier.USERS_1B];
  }

  /** The rung named `name` (1K, 10K, 100K, 1M, 10M, 100M, 1B; case-insensitive). */
  public static fromName(name: string): Tier {
    const found = Tier.all().find(t => t.name.toUpperCase() === String(name).toUpperCase());
    if (!found) {
      throw new ScaleLadderError(`tier must be one of ${Tier.all().map(t => t.name).join(', ')}, got '${name}'`);
    }
    return found;
  }

  /** A tier of one's own sizing, built on a rung. Every override is range-checked. */
  public static custom(props: CustomTierProps): Tier {
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw new ScaleLadderError(`props must be an object like { base: Tier.USERS_1M, name: 'shop-peak', … }, got ${props === undefined ? 'undefined' : JSON.stringify(props)}`);
    }
    const unknown = Object.keys(props).find(key => !CUSTOM_PROPS.includes(key));
    if (unknown !== undefined) {
      throw new ScaleLadderError(`${unknown} is not a prop of Tier.custom; allowed: ${CUSTOM_PROPS.join(', ')}`);
    }
    if (!(props.base instanceof Tier)) {
      throw new ScaleLadderError(`base must be a Tier (e.g. Tier.USERS_100K), got ${JSON.stringify(props.base)}`);
    }
    requirePattern('name', props.name, /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/, '1-32 letters, digits or dashes');
    const rung = RUNGS.find(r => r.name.toUpperCase() === props.name.toUpperCase());
    if (rung !== undefined) {
      throw new ScaleLadderError(`name must not be a rung's name (${RUNGS.map(r => r.name).join(', ')}): APP_TIER and the plans would take the tier for rung ${rung.name}, got '${props.name}'`);
    }
    const base = props.base.spec;
    const needs = (prop: string, present: unknown, layer: string) => {
      if (!present) throw new ScaleLadderError(`${prop} needs a base tier with a ${layer}; base '${base.name}' has none`);
    };
    let database = base.database;
    if (props.readReplicas !== undefined || props.shards !== undefined) {
      needs(props.readReplicas !== undefined ? 'readReplicas' : 'shards', database, 'managed database');
      database = {
        ...database!,
        readReplicas: props.readReplicas === undefined ? database!.readReplicas : requireIntInRange('readReplicas', props.readReplicas, 0, 15),
        shards: props.shards === undefined ? database!.shards : requireIntInRange('shards', props.shards, 1, 64),
      };
    }
    let fleet = base.fleet;
    const fleetProps = [props.fleetMinInstances, props.fleetMaxInstances, props.fleetVcpu, props.fleetMemoryGib];
    if (fleetProps.some(p => p !== undefined)) {
      needs('fleet sizing', fleet, 'stateless fleet');
      fleet = {
        ...fleet!,
        minInstances: props.fleetMinInstances === undefined ? fleet!.minInstances : requireIntInRange('fleetMinInstances', props.fleetMinInstances, 1, 1000),
        maxInstances: props.fleetMaxInstances === undefined ? fleet!.maxInstances : requireIntInRange('fleetMaxInstances', props.fleetMaxInstances, 1, 5000),
        vcpu: props.fleetVcpu === undefined ? fleet!.vcpu : requireNumberInRange('fleetVcpu', props.fleetVcpu, 0.25, 16),
        memoryGib: props.fleetMemoryGib === undefined ? fleet!.memoryGib : requireNumberInRange('fleetMemoryGib', props.fleetMemoryGib, 0.5, 120),
      };
      requireOrdered('fleetMinInstances', fleet.minInstances, 'fleetMaxInstances', fleet.maxInstances);
    }
    let cache = base.cache;
    if (props.cacheShards !== undefined || props.cacheReplicasPerShard !== undefined) {
      needs(props.cacheShards !== undefined ? 'cacheShards' : 'cacheReplicasPerShard', cache, 'cache');
      cache = {
        ...cache!,
        shards: props.cacheShards === undefined ? cache!.shards : requireIntInRange('cacheShards', props.cacheShards, 1, 500),
        replicasPerShard: props.cacheReplicasPerShard === undefined ? cache!.replicasPerShard : requireIntInRange('cacheReplicasPerShard', props.cacheReplicasPerShard, 0, 5),
      };
    }
    const maxUsers = props.maxUsers === undefined ? base.maxUsers : requireIntInRange('maxUsers', props.maxUsers, 1, 10_000_000_000);
    return new Tier({ ...base, name: props.name, maxUsers, database, fleet, cache }, props.base.rank);
  }

  /** The rung's name: 1K … 1B, or the custom name. */
  public readonly name: string;
  /** Everything that sizes the rung. */
  public readonly spec: TierSpec;
  /** Position on the ladder, 0 for 1K; a custom tier shares its base's. */
  public readonly rank: number;
  /** The layers this rung switches on, in ladder order. */
  public readonly layers: Layer[];

  private constructor(spec: TierSpec, rank: number) {
    this.spec = spec;
    this.name = spec.name;
    this.rank = rank;
    this.layers = layersOf(spec);
  }

  /**
   * This rung with sizes of one's own applied to the layers it has; name, rank and layers
   * stay. Every size is checked, also those whose layer this rung does not have yet.
   */
  public withSizing(sizing: Sizing): Tier {
    validateSizing(sizing);
    return new Tier(sizedSpec(this.spec, sizing), this.rank);
  }

  /** Whether `layer` is switched on. */
  public hasLayer(layer: Layer): boolean {
    requireOneOf('layer', layer, Object.values(Layer));
    return this.layers.includes(layer);
  }
}

function layersOf(spec: TierSpec): Layer[] {
  const on: Array<[Layer, boolean]> = [
    [Layer.SINGLE_SERVER, spec.server.running],
    [Layer.SEPARATED_DATABASE, spec.database !== undefined],
    [Layer.STATELESS_FLEET, spec.fleet !== undefined],
    [Layer.READ_REPLICA_SET, (spec.database?.readReplicas ?? 0) > 0],
    [Layer.CACHE, spec.cache !== undefined],
    [Layer.CDN_EDGE, spec.cdn],
    [Layer.SHARDED_CLUSTER, (spec.database?.shards ?? 1) > 1],
    [Layer.QUEUE_WORKERS, spec.queue !== undefined],
    [Layer.GEO_ROUTED_REGIONS, spec.regions.activeRegions > 1],
  ];
  return on.filter(([, enabled]) => enabled).map(([layer]) => layer);
}
