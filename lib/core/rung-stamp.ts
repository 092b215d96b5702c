import { Tier } from './tier';

/*
 * What a synthesized stack records about the rung it runs (AWS: the template's Metadata;
 * Google Cloud: the `//` comment block of cdk.tf.json, which Terraform ignores), so the
 * planner can plan a climb from a user's own output alone: which rung each side is, which
 * data moves the pair needs, and where the composer sits. Internal (the planners).
 */

/** The key the stamp is stored under. */
export const RUNG_STAMP_KEY = 'scale-ladder';

export interface RungStamp {
  /** The tier's name (a rung name, or a custom tier's own name). */
  readonly tier: string;
  /** The ladder rung it is (a custom tier's base). */
  readonly rung: string;
  /** Whether the single server runs. */
  readonly serverRunning: boolean;
  /** Whether PostgreSQL runs on the server. */
  readonly serverHostsDatabase: boolean;
  /** Database shards (the server's database counts as one). */
  readonly shards: number;
  /** The construct path of the composer, e.g. `Shop/App`. */
  readonly composer: string;
}

/** The stamp of `tier` built by the composer at `composerPath`. */
export function rungStampOf(tier: Tier, composerPath: string): RungStamp {
  const rung = Tier.all().find(t => t.rank === tier.rank)!;
  return {
    tier: tier.name,
    rung: rung.name,
    serverRunning: tier.spec.server.running,
    serverHostsDatabase: tier.spec.server.hostsDatabase,
    shards: tier.spec.database?.shards ?? 1,
    composer: composerPath,
  };
}

/** The stamp in `value` (as read from an output), or undefined when it is absent or not a stamp. */
export function parseRungStamp(value: unknown): RungStamp | undefined {
  const v = value as Partial<RungStamp> | undefined;
  if (!v || typeof v !== 'object') return undefined;
  const known = Tier.all().some(t => t.name === v.rung);
  const typed = typeof v.tier === 'string' && typeof v.serverRunning === 'boolean' && typeof v.serverHostsDatabase === 'boolean'
    && Number.isInteger(v.shards) && typeof v.composer === 'string';
  return known && typed ? v as RungStamp : undefined;
}

/** The rank of the stamp's rung on the ladder (0 for 1K). */
export function rankOf(stamp: RungStamp): number {
  return Tier.fromName(stamp.rung).rank;
}
