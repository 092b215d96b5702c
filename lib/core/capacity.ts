import { requireIntInRange, requireNumberInRange, ScaleLadderError } from './errors';
import { Tier } from './tier';

const ASSUMPTIONS = ['dailyActiveRatio', 'requestsPerUserPerDay', 'peakToAverage', 'requestsPerVcpu', 'surviveZoneLoss'];

/** The assumptions behind every number the capacity model gives. All can be overridden. */
export interface CapacityAssumptions {
  /** Share of monthly users active on a given day. @default 0.2 */
  readonly dailyActiveRatio?: number;
  /** API requests one daily user makes per day. @default 100 */
  readonly requestsPerUserPerDay?: number;
  /** Peak traffic over the daily average. @default 3 */
  readonly peakToAverage?: number;
  /** Requests per second one vCPU of app compute serves. @default 100 */
  readonly requestsPerVcpu?: number;
  /** Whether a rung must still serve its peak with one of its three zones lost. @default true */
  readonly surviveZoneLoss?: boolean;
}

/** The load a number of users puts on the system. */
export interface TrafficEstimate {
  /** Monthly active users. */
  readonly users: number;
  /** Daily active users. */
  readonly dailyActiveUsers: number;
  /** Average requests per second over a day. */
  readonly averageRps: number;
  /** Requests per second at the daily peak. */
  readonly peakRps: number;
  /** vCPUs of app compute the peak needs. */
  readonly requiredVcpu: number;
}

/** What a rung offers against a load. */
export interface RungCapacity {
  /** The rung. */
  readonly tier: string;
  /** Requests per second the rung serves at full scale-out, after the zone-loss allowance. */
  readonly capacityRps: number;
  /** vCPUs of app compute at full scale-out (all regions). */
  readonly maxVcpu: number;
  /** capacityRps over the load's peakRps; at least 1 means the rung copes. */
  readonly headroom: number;
}

/** The rung the model picks for a number of users. */
export interface Recommendation {
  /** The load. */
  readonly traffic: TrafficEstimate;
  /** The rung picked: the smallest whose user bound and capacity both fit. */
  readonly tier: Tier;
  /** Its capacity against the load. */
  readonly capacity: RungCapacity;
}

/**
 * Turns monthly users into requests per second and picks a rung (the assumptions the README states under the rung table):
 * DAU = 20 % of MAU, 100 requests per DAU per day, peak = 3 × average,
 * 100 requests/s per vCPU, survive the loss of one of three zones.
 */
export class CapacityModel {
  /** The assumptions in force (defaults filled in). */
  public readonly dailyActiveRatio: number;
  /** @see CapacityAssumptions.requestsPerUserPerDay */
  public readonly requestsPerUserPerDay: number;
  /** @see CapacityAssumptions.peakToAverage */
  public readonly peakToAverage: number;
  /** @see CapacityAssumptions.requestsPerVcpu */
  public readonly requestsPerVcpu: number;
  /** @see CapacityAssumptions.surviveZoneLoss */
  public readonly surviveZoneLoss: boolean;

  constructor(assumptions: CapacityAssumptions = {}) {
    if (assumptions === null || typeof assumptions !== 'object' || Array.isArray(assumptions)) {
      throw new ScaleLadderError(`assumptions must be an object like { peakToAverage: 3 }, got ${JSON.stringify(assumptions)}`);
    }
    const unknown = Object.keys(assumptions).find(key => !ASSUMPTIONS.includes(key));
    if (unknown !== undefined) {
      throw new ScaleLadderError(`${unknown} is not a capacity assumption; allowed: ${ASSUMPTIONS.join(', ')}`);
    }
    if (assumptions.surviveZoneLoss !== undefined && typeof assumptions.surviveZoneLoss !== 'boolean') {
      throw new ScaleLadderError(`surviveZoneLoss must be a boolean (true or false), got ${JSON.stringify(assumptions.surviveZoneLoss)}`);
    }
    this.dailyActiveRatio = requireNumberInRange('dailyActiveRatio', assumptions.dailyActiveRatio ?? 0.2, 0.001, 1);
    this.requestsPerUserPerDay = requireNumberInRange('requestsPerUserPerDay', assumptions.requestsPerUserPerDay ?? 100, 0.01, 1_000_000);
    this.peakToAverage = requireNumberInRange('peakToAverage', assumptions.peakToAverage ?? 3, 1, 100);
    this.requestsPerVcpu = requireNumberInRange('requestsPerVcpu', assumptions.requestsPerVcpu ?? 100, 0.1, 100_000);
    this.surviveZoneLoss = assumptions.surviveZoneLoss ?? true;
  }

  /** The load `users` monthly users put on the system. */
  public traffic(users: number): TrafficEstimate {
    requireIntInRange('users', users, 1, 100_000_000_000);
    const dailyActiveUsers = users * this.dailyActiveRatio;
    const averageRps = (dailyActiveUsers * this.requestsPerUserPerDay) / 86_400;
    const peakRps = averageRps * this.peakToAverage;
    return { users, dailyActiveUsers, averageRps, peakRps, requiredVcpu: peakRps / this.requestsPerVcpu };
  }

  /**
   * What `tier` serves at full scale-out, measured against `users`' peak.
   * @param tier the rung
   * @param users monthly active users
   * @default - the tier's own user bound (`tier.spec.maxUsers`)
   */
  public capacityOf(tier: Tier, users?: number): RungCapacity {
    if (!(tier instanceof Tier)) {
      throw new ScaleLadderError(`tier must be a Tier (e.g. Tier.USERS_1M or Tier.fromName('1M')), got ${JSON.stringify(tier)}`);
    }
    const spec = tier.spec;
    const regions = spec.regions.activeRegions;
    // The single server lives in one zone, so there is no zone to lose; a fleet spans three.
    const maxVcpu = spec.fleet
      ? spec.fleet.vcpu * spec.fleet.maxInstances * regions
      : spec.server.vcpu;
    const zoneShare = spec.fleet && this.surviveZoneLoss ? 2 / 3 : 1;
    const capacityRps = maxVcpu * this.requestsPerVcpu * zoneShare;
    return { tier: tier.name, capacityRps, maxVcpu, headroom: capacityRps / this.traffic(users ?? spec.maxUsers).peakRps };
  }

  /** The smallest rung whose user bound covers `users` and whose capacity covers the peak. */
  public recommend(users: number): Recommendation {
    const traffic = this.traffic(users);
    for (const tier of Tier.all()) {
      if (tier.spec.maxUsers < users) continue;
      const capacity = this.capacityOf(tier, users);
      if (capacity.headroom >= 1) return { traffic, tier, capacity };
    }
    const top = Tier.all()[Tier.all().length - 1];
    throw new ScaleLadderError(
      `users must be within what rung ${top.name} serves under these assumptions ` +
      `(${Math.floor(this.capacityOf(top).capacityRps)} peak req/s), got ${users} (${Math.ceil(traffic.peakRps)} peak req/s)`);
  }
}
