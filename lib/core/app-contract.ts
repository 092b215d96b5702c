import { ScaleLadderError } from './errors';
import { Layer } from './layer';
import { Tier } from './tier';

/** One environment variable the library hands the app. */
export interface AppVariable {
  /** The variable's name, the same on every rung and both clouds. */
  readonly name: string;
  /**
   * The layer that provides it.
   * @default - every rung provides it
   */
  readonly layer?: Layer;
  /** Whether it is injected from the cloud's secret store rather than as plain text. */
  readonly secret: boolean;
  /** What it holds. */
  readonly description: string;
  /** The lowest rung of the ladder (`1K` … `1B`) that provides it; every higher rung does too. */
  readonly fromRung: string;
}

type VariableEntry = Omit<AppVariable, 'fromRung'>;

const ENTRIES: readonly VariableEntry[] = [
  { name: 'APP_TIER', secret: false, description: 'The rung the app runs on (1K … 1B).' },
  { name: 'APP_CLOUD', secret: false, description: '`aws` or `gcp`.' },
  { name: 'APP_REGION', secret: false, description: 'The region this copy of the app runs in.' },
  { name: 'PORT', secret: false, description: 'The port the app listens on.' },
  { name: 'DATABASE_HOST', secret: false, description: 'PostgreSQL writer host (the server itself on 1K, the managed writer from 10K; shard 0 from 10M).' },
  { name: 'DATABASE_READER_HOST', secret: false, description: 'PostgreSQL host for reads; equals the writer until replicas exist. Reads may lag writes once it differs.' },
  { name: 'DATABASE_PORT', secret: false, description: 'PostgreSQL port.' },
  { name: 'DATABASE_NAME', secret: false, description: 'Database name.' },
  { name: 'DATABASE_USER', secret: false, description: 'Database user.' },
  { name: 'DATABASE_PASSWORD', secret: true, description: 'Database password, from the secret store.' },
  { name: 'DATABASE_SSL', secret: false, description: '`require` once the database is managed (TLS enforced), `disable` on the server-local database.' },
  { name: 'DATABASE_SECRET', layer: Layer.SEPARATED_DATABASE, secret: false, description: 'Where `DATABASE_PASSWORD` comes from: the Secrets Manager secret (ARN on the primary region, name in the others; JSON, field `password`) / the Secret Manager secret (`projects/…/secrets/…`; the value is the password, read version `latest`). Passwords rotate: read it again when a new connection fails authentication (docs/credentials.md).' },
  { name: 'CACHE_HOST', layer: Layer.CACHE, secret: false, description: 'Cache endpoint host (Redis protocol, TLS).' },
  { name: 'CACHE_PORT', layer: Layer.CACHE, secret: false, description: 'Cache port.' },
  { name: 'CACHE_AUTH_TOKEN', layer: Layer.CACHE, secret: true, description: 'Cache AUTH token, from the secret store.' },
  { name: 'STATIC_BUCKET', layer: Layer.CDN_EDGE, secret: false, description: 'Bucket for static assets, served by the CDN under `/static/`.' },
  { name: 'AUTH_ISSUER', secret: false, description: 'OpenID Connect issuer of the user directory (Cognito user pool / Identity Platform): verify tokens\' `iss` against it and their signatures with the keys its `/.well-known/openid-configuration` lists.' },
  { name: 'AUTH_CLIENT_ID', secret: false, description: 'The public web client users sign in with: the Cognito app client id (the `aud` of ID tokens, `client_id` of access tokens; no secret, authorization code flow with PKCE) / the Identity Platform web API key (ID tokens\' `aud` is the project id).' },
  { name: 'AUTH_DOMAIN', secret: false, description: 'Where users sign in: the Cognito hosted UI and OAuth 2.0 endpoints (`https://<prefix>.auth.<region>.amazoncognito.com`) / the Identity Platform auth domain (`<project>.firebaseapp.com`).' },
  { name: 'SHARD_COUNT', layer: Layer.SHARDED_CLUSTER, secret: false, description: 'Number of database shards.' },
  { name: 'SHARD_MAP', layer: Layer.SHARDED_CLUSTER, secret: false, description: 'JSON shard map: `[{"id":0,"host":…,"readerHost":…,"port":…,"secret":…}]`; route keys with `ShardRouter`.' },
  { name: 'SHARD_BUCKETS', layer: Layer.SHARDED_CLUSTER, secret: false, description: 'JSON array of 256 shard ids: bucket b (`ShardRouter.bucketFor(key)`) lives on shard `SHARD_BUCKETS[b]`. Read when the task/instance starts; only the rebalance step changes it.' },
  { name: 'QUEUE_URL', layer: Layer.QUEUE_WORKERS, secret: false, description: 'Work queue (SQS queue URL / Pub/Sub topic name).' },
  { name: 'STREAM_NAME', layer: Layer.QUEUE_WORKERS, secret: false, description: 'Event stream (Kinesis stream name / Pub/Sub streaming topic), from rung 100M.' },
];

// Variables that need more than their layer: the stream comes with the queue's eventStream switch,
// the user directory with operations.authentication (1M and up; the ladders' `authentication`
// prop can switch it off, and then these variables are not given).
const NEEDS: Record<string, (tier: Tier) => boolean> = {
  STREAM_NAME: tier => tier.spec.queue?.eventStream === true,
  AUTH_ISSUER: tier => tier.spec.operations.authentication,
  AUTH_CLIENT_ID: tier => tier.spec.operations.authentication,
  AUTH_DOMAIN: tier => tier.spec.operations.authentication,
};

function provides(tier: Tier, v: VariableEntry): boolean {
  return (v.layer === undefined || tier.hasLayer(v.layer)) && (NEEDS[v.name]?.(tier) ?? true);
}

const VARIABLES: readonly AppVariable[] = ENTRIES.map(v => {
  const first = Tier.all().find(tier => provides(tier, v));
  if (!first) throw new ScaleLadderError(`app variable ${v.name} is provided by no rung`);
  return { ...v, fromRung: first.name };
});

/** The environment the library gives the app: same names on every rung and both clouds. */
export class AppContract {
  /** Every variable the library can provide, in the order rungs add them. */
  public static all(): AppVariable[] {
    return [...VARIABLES];
  }

  /**
   * The variables `tier` provides. A higher rung only adds to a lower rung's set.
   *
   * @param tier a Tier, or a rung's name (`'1K'` … `'1B'`, case-insensitive, as `Tier.fromName`)
   */
  public static variablesFor(tier: Tier | string): AppVariable[] {
    const rung = AppContract.toTier(tier);
    return VARIABLES.filter(v => provides(rung, v));
  }

  private static toTier(tier: Tier | string): Tier {
    if (tier instanceof Tier) return tier;
    if (typeof tier === 'string') return Tier.fromName(tier);
    const names = Tier.all().map(t => t.name).join(', ');
    throw new ScaleLadderError(`tier must be a Tier or one of ${names}, got ${tier === undefined ? 'undefined' : JSON.stringify(tier)}`);
  }

  private constructor() {}
}
