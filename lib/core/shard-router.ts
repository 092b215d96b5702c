import { ScaleLadderError, requireIntInRange, requirePattern } from './errors';

/** The most shards a router (and the `SHARD_MAP` it reads) may have: one bucket each. */
const MAX_SHARDS = 256;

// The algorithm's 64-bit constants as [high, low] unsigned 32-bit halves (see hashInto).
const FNV_OFFSET_BASIS = [0xcbf29ce4, 0x84222325] as const;
const FNV_PRIME = [0x00000100, 0x000001b3] as const;
const FMIX_C1 = [0xff51afd7, 0xed558ccd] as const;
const FMIX_C2 = [0xc4ceb9fe, 0x1a85ec53] as const;
/** 2862933555777941757. */
const JUMP_MULTIPLIER = [0x27bb2ee6, 0x87b0b0fd] as const;
const TWO_POW_31 = 2_147_483_648;

/**
 * One database shard as the app sees it: one entry of the `SHARD_MAP` variable.
 */
export interface ShardEndpoint {
  /** The shard's number, 0 to N-1; shard 0 is the original database. */
  readonly id: number;
  /** Host of the shard's writer. */
  readonly host: string;
  /** Host for reads from the shard; equals `host` until the shard has replicas. Reads may lag writes once it differs. */
  readonly readerHost: string;
  /** PostgreSQL port of the shard. */
  readonly port: number;
  /** Where the shard's database credentials live in the cloud's secret store, as published in the shard map. */
  readonly secret: string;
}

/** Logical buckets keys hash into; fixed forever, so a key's bucket never changes. */
const BUCKET_COUNT = 256;

/**
 * Maps a key (a user id, a tenant id, …) to a database shard, the same way in every process.
 *
 * Keys hash into a fixed number of logical buckets (`ShardRouter.BUCKET_COUNT`, 256), and
 * the published bucket assignment (`SHARD_BUCKETS`: bucket b lives on shard
 * `SHARD_BUCKETS[b]`) maps buckets to shards. A key's bucket never changes; only the
 * assignment does, and only after the shipped rebalance step has copied and verified a
 * bucket's rows on its new shard. Adding shards therefore moves no key by itself: new
 * shards start empty (no bucket assigned) until a rebalance moves buckets onto them.
 *
 * The bucket of a key, exactly, so that code in another language routes the same way
 * (all arithmetic on unsigned 64-bit integers, wrapping modulo 2^64):
 *
 * 1. Encode the key as UTF-8 bytes, without Unicode normalization (a lone UTF-16 surrogate
 *    becomes U+FFFD).
 * 2. 64-bit FNV-1a over those bytes: `h = 0xcbf29ce484222325`; for each byte `b`:
 *    `h = h XOR b`, then `h = h * 0x100000001b3`.
 * 3. MurmurHash3's 64-bit finalizer: `h ^= h >> 33; h *= 0xff51afd7ed558ccd;
 *    h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33`.
 *    The result is the key hash that `ShardRouter.hashKey` returns as a decimal string.
 * 4. Jump consistent hash (Lamping & Veach, 2014) of that hash into 256 buckets:
 *    `b = -1; j = 0; while (j < 256) { b = j; h = h * 2862933555777941757 + 1;
 *    j = floor((b + 1) * (2^31 / ((h >> 33) + 1))) }`, where the last step is computed in
 *    IEEE-754 double precision exactly as written (`(h >> 33) + 1` converted to a double,
 *    `2^31` divided by it, the quotient multiplied by `b + 1`, then floored).
 *    The bucket is `b`; the shard is `SHARD_BUCKETS[b]`.
 *
 * For example the key `user-1` hashes to `4729620347622785477` and falls in bucket
 * 223; `tenant:acme` hashes to `6091485900028974106` and falls in bucket 242.
 */
export class ShardRouter {
  /** The number of logical buckets (256). */
  public static readonly BUCKET_COUNT: number = BUCKET_COUNT;

  /**
   * Reads the published shard map and bucket assignment: the JSON held by the app's
   * `SHARD_MAP` variable, an array of
   * `{"id":0,"host":"…","readerHost":"…","port":5432,"secret":"…"}` objects, and by its
   * `SHARD_BUCKETS` variable, an array of 256 shard ids.
   *
   * The ids must be exactly 0 to N-1 (in any order); `host` (non-empty) and `port`
   * (1-65535) are required. `readerHost` defaults to `host` and `secret` to the empty
   * string when absent. Every bucket must name one of the map's shards.
   *
   * @param json the shard map, e.g. `process.env.SHARD_MAP`
   * @param bucketsJson the bucket assignment, e.g. `process.env.SHARD_BUCKETS`
   */
  public static fromShardMap(json: string, bucketsJson: string): ShardRouter {
    const endpoints = parseShardMap(json);
    const router = new ShardRouter(endpoints.length, parseAssignment(bucketsJson, endpoints.length));
    router.endpoints = endpoints;
    return router;
  }

  /**
   * Reads the shard map and bucket assignment from environment variables of this process.
   *
   * @param variable the shard map's variable
   * @default 'SHARD_MAP'
   * @param bucketsVariable the bucket assignment's variable
   * @default 'SHARD_BUCKETS'
   */
  public static fromEnvironment(variable?: string, bucketsVariable?: string): ShardRouter {
    if (variable !== undefined) requirePattern('variable', variable, /^\S+$/, 'the name of an environment variable such as SHARD_MAP');
    if (bucketsVariable !== undefined) requirePattern('bucketsVariable', bucketsVariable, /^\S+$/, 'the name of an environment variable such as SHARD_BUCKETS');
    return ShardRouter.fromShardMap(readVariable(variable ?? 'SHARD_MAP', 'JSON shard map'),
      readVariable(bucketsVariable ?? 'SHARD_BUCKETS', 'JSON bucket assignment'));
  }

  /**
   * The 64-bit hash of a key (steps 1-3 of the algorithm in the class description), as an
   * unsigned decimal string, so that an implementation in another language can check it
   * computes the same value.
   *
   * @param key the routing key
   */
  public static hashKey(key: string): string {
    hashInto(requireKey(key));
    // eslint-disable-next-line no-bitwise -- the two halves back into one 64-bit value
    return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  /**
   * The logical bucket (0-255) of a key. Sharded tables store it in their `shard_bucket`
   * column, which is what the rebalance step moves rows by.
   *
   * @param key the routing key
   */
  public static bucketFor(key: string): number {
    hashInto(requireKey(key));
    return jumpFromHash(BUCKET_COUNT);
  }

  /**
   * The even spread of the 256 buckets over `shardCount` shards that a rebalance aims
   * for: bucket b on shard `b mod shardCount`. Growing from N to a multiple of N shards
   * moves only buckets onto the new shards, never between the old ones.
   *
   * @param shardCount the number of shards, 1-256
   */
  public static balancedAssignment(shardCount: number): number[] {
    requireIntInRange('shardCount', shardCount, 1, MAX_SHARDS);
    return Array.from({ length: BUCKET_COUNT }, (_, bucket) => bucket % shardCount);
  }

  /** The number of shards in the map (some may hold no bucket yet). */
  public readonly shardCount: number;

  /** Bucket → shard, 256 entries. */
  private readonly assignment: readonly number[];

  /** The shard map's endpoints, indexed by shard id; empty when built from a count alone. */
  private endpoints: readonly ShardEndpoint[] = [];

  /**
   * @param shardCount the number of shards, 1-256
   * @param assignment bucket → shard (256 entries, each 0 to shardCount - 1)
   * @default - `ShardRouter.balancedAssignment(shardCount)`
   */
  constructor(shardCount: number, assignment?: number[]) {
    this.shardCount = requireIntInRange('shardCount', shardCount, 1, MAX_SHARDS);
    this.assignment = assignment === undefined
      ? ShardRouter.balancedAssignment(shardCount)
      : checkAssignment('assignment', assignment, shardCount);
  }

  /** A copy of the bucket assignment (bucket → shard). */
  public get bucketAssignment(): number[] {
    return [...this.assignment];
  }

  /**
   * The shard, 0 to `shardCount` - 1, that holds the given key.
   *
   * @param key the routing key, e.g. a user or tenant id; any string, compared as UTF-8 bytes
   */
  public shardFor(key: string): number {
    return this.assignment[ShardRouter.bucketFor(key)];
  }

  /**
   * The endpoint of the shard that holds the given key. Only for routers read from a
   * shard map (`ShardRouter.fromShardMap`).
   *
   * @param key the routing key
   */
  public endpointFor(key: string): ShardEndpoint {
    if (this.endpoints.length === 0) {
      throw new ScaleLadderError('endpointFor needs a shard map, got a router built from a shard count alone; use ShardRouter.fromShardMap(process.env.SHARD_MAP, process.env.SHARD_BUCKETS)');
    }
    return this.endpoints[this.shardFor(key)];
  }
}

function readVariable(name: string, what: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ScaleLadderError(`${name} must be set to the ${what}, got ${value === undefined ? 'an unset variable' : 'an empty string'}`);
  }
  return value;
}

function parseJson(prop: string, json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new ScaleLadderError(`${prop} must be ${what}, got text that is not valid JSON (${describeText(json)})`);
  }
}

function parseShardMap(json: string): ShardEndpoint[] {
  const parsed = parseJson('SHARD_MAP', json, 'a JSON array of shards');
  if (!Array.isArray(parsed)) {
    throw new ScaleLadderError(`SHARD_MAP must be a JSON array of shards, got ${describeJson(parsed)}`);
  }
  const count = parsed.length;
  requireIntInRange('SHARD_MAP length (number of shards)', count, 1, MAX_SHARDS);
  const endpoints: ShardEndpoint[] = new Array(count);
  parsed.forEach((entry: unknown, index: number) => {
    const at = `SHARD_MAP[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ScaleLadderError(`${at} must be an object like {"id":0,"host":"…","port":5432}, got ${describeJson(entry)}`);
    }
    const fields = entry as Record<string, unknown>;
    const id = requireIntInRange(`${at}.id`, fields.id as number, 0, count - 1);
    if (endpoints[id] !== undefined) {
      throw new ScaleLadderError(`${at}.id must be unique (ids are exactly 0-${count - 1}, one shard each), got ${id} again`);
    }
    const host = requirePattern(`${at}.host`, fields.host as string, /^\S+$/, 'a non-empty host name without spaces');
    const readerHost = fields.readerHost === undefined
      ? host
      : requirePattern(`${at}.readerHost`, fields.readerHost as string, /^\S+$/, 'a non-empty host name without spaces');
    const port = requireIntInRange(`${at}.port`, fields.port as number, 1, 65535);
    if (fields.secret !== undefined && typeof fields.secret !== 'string') {
      throw new ScaleLadderError(`${at}.secret must be a string, got ${describeJson(fields.secret)}`);
    }
    const secret = (fields.secret as string | undefined) ?? '';
    endpoints[id] = { id, host, readerHost, port, secret };
  });
  return endpoints;
}

function parseAssignment(json: string, shardCount: number): number[] {
  const parsed = parseJson('SHARD_BUCKETS', json, `a JSON array of ${BUCKET_COUNT} shard ids`);
  return checkAssignment('SHARD_BUCKETS', parsed, shardCount);
}

function checkAssignment(prop: string, value: unknown, shardCount: number): number[] {
  if (!Array.isArray(value) || value.length !== BUCKET_COUNT) {
    throw new ScaleLadderError(`${prop} must be an array of ${BUCKET_COUNT} shard ids (one per bucket), got ${describeJson(value)}`);
  }
  value.forEach((shard, bucket) => requireIntInRange(`${prop}[${bucket}]`, shard, 0, shardCount - 1));
  return [...value];
}

function requireKey(key: string): string {
  if (typeof key !== 'string') {
    throw new ScaleLadderError(`key must be a string, got ${describeJson(key)}`);
  }
  return key;
}

/* eslint-disable no-bitwise -- hashing is bit arithmetic by definition; confined to the two functions below */

/*
 * The hash runs on the app's request path (every query picks its shard with it), so the 64-bit
 * arithmetic works on two unsigned 32-bit halves in module state instead of BigInt, which
 * allocates at every step: doubles hold the 16-bit partial products exactly, and `>>> 0` wraps
 * modulo 2^32. test/core/shard-router.test.ts checks it against a BigInt transcription of the
 * algorithm above.
 */
let hi = 0;
let lo = 0;

/** (hi, lo) ← (hi, lo) × (mHi, mLo) modulo 2^64. */
function multiply(mHi: number, mLo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const b0 = mLo & 0xffff;
  const b1 = mLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const low = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  // The high half of lo × mLo, plus the cross products' low halves (the rest overflows 2^64).
  const carry = (mid >>> 16) + (p01 >>> 16) + (p10 >>> 16) + a1 * b1;
  hi = (carry + Math.imul(hi, mLo) + Math.imul(lo, mHi)) >>> 0;
  lo = low;
}

/** One FNV-1a step: h ^= byte; h *= FNV prime. */
function fnvByte(byte: number): void {
  lo = (lo ^ byte) >>> 0;
  multiply(FNV_PRIME[0], FNV_PRIME[1]);
}

/** h ^= h >> 33 (h >> 33 is the high half shifted right by one). */
function xorShift33(): void {
  lo = (lo ^ (hi >>> 1)) >>> 0;
}

/** Sets (hi, lo) to the key's 64-bit hash: FNV-1a over its UTF-8 bytes, then MurmurHash3's fmix64. */
function hashInto(key: string): void {
  hi = FNV_OFFSET_BASIS[0];
  lo = FNV_OFFSET_BASIS[1];
  for (let i = 0; i < key.length; i++) {
    let c = key.charCodeAt(i);
    if (c < 0x80) {
      fnvByte(c);
      continue;
    }
    if (c < 0x800) {
      fnvByte(0xc0 | (c >> 6));
      fnvByte(0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = key.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        fnvByte(0xf0 | (point >> 18));
        fnvByte(0x80 | ((point >> 12) & 0x3f));
        fnvByte(0x80 | ((point >> 6) & 0x3f));
        fnvByte(0x80 | (point & 0x3f));
        continue;
      }
      c = 0xfffd; // a lone surrogate, as UTF-8 encoding replaces it
    }
    fnvByte(0xe0 | (c >> 12));
    fnvByte(0x80 | ((c >> 6) & 0x3f));
    fnvByte(0x80 | (c & 0x3f));
  }
  xorShift33();
  multiply(FMIX_C1[0], FMIX_C1[1]);
  xorShift33();
  multiply(FMIX_C2[0], FMIX_C2[1]);
  xorShift33();
}

/** Jump consistent hash (Lamping & Veach) of the hash in (hi, lo) into `buckets` buckets. */
function jumpFromHash(buckets: number): number {
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    multiply(JUMP_MULTIPLIER[0], JUMP_MULTIPLIER[1]);
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    j = Math.floor((b + 1) * (TWO_POW_31 / ((hi >>> 1) + 1)));
  }
  return b;
}

/* eslint-enable no-bitwise */

function describeJson(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return `an array of ${value.length}`;
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  return JSON.stringify(value);
}

function describeText(text: unknown): string {
  return typeof text === 'string' ? `${text.length} characters` : `a ${typeof text}`;
}
