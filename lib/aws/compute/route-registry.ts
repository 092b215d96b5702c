import { IConstruct } from 'constructs';
import { ScaleLadderError } from '../../core/errors';

/*
 * The listener rules the library puts on one load-balancer listener, so two services on
 * the same fleet can never share a rule priority or a path pattern (ALB would reject the
 * first at deploy time and silently shadow the second). Internal: not part of the API.
 */

/** One service's claim on a listener. */
export interface RouteClaim {
  /** Who owns the rule (a service name, or the fleet's main service). */
  readonly owner: string;
  /** The rule priority (1-50000). */
  readonly priority: number;
  /** The path patterns the rule matches. */
  readonly pathPatterns: readonly string[];
}

const CLAIMS = new WeakMap<IConstruct, RouteClaim[]>();

/** Records `claim` on `listener`, or throws when it collides with an earlier one. */
export function claimRoute(listener: IConstruct, claim: RouteClaim): void {
  const taken = CLAIMS.get(listener) ?? [];
  for (const other of taken) {
    if (other.owner === claim.owner) {
      throw new ScaleLadderError(`name must be unique among the services on one fleet, got '${claim.owner}' twice`);
    }
    if (other.priority === claim.priority) {
      throw new ScaleLadderError(`priority must be unique on the fleet's listener (1-50000, not already taken), got ${claim.priority}, already used by ${describe(other.owner)}`);
    }
    const shared = claim.pathPatterns.find(p => other.pathPatterns.includes(p));
    if (shared !== undefined) {
      throw new ScaleLadderError(`pathPatterns must not repeat a pattern another service on the fleet routes, got '${shared}', already routed to ${describe(other.owner)}`);
    }
  }
  CLAIMS.set(listener, [...taken, claim]);
}

/** The claims on `listener` so far, in order. */
export function claimedRoutes(listener: IConstruct): readonly RouteClaim[] {
  return CLAIMS.get(listener) ?? [];
}

/** Owner name of the fleet's own catch-all rule (never a valid service name: it has spaces). */
export const MAIN_SERVICE = 'the fleet\'s main service';

function describe(owner: string): string {
  return owner === MAIN_SERVICE ? owner : `service '${owner}'`;
}
