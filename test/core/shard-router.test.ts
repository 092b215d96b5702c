import { ScaleLadderError } from '../../lib/core/errors';
import { ShardEndpoint, ShardRouter } from '../../lib/core/shard-router';

const KEY_COUNT = 100_000;
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `user-${i}`);
const NUMERIC_KEYS = Array.from({ length: KEY_COUNT }, (_, i) => String(i));

function route(shardCount: number, keys: readonly string[]): number[] {
  const router = new ShardRouter(shardCount);
  return keys.map((key) => router.shardFor(key));
}

function loads(shards: readonly number[], shardCount: number): number[] {
  const counts = new Array<number>(shardCount).fill(0);
  for (const shard of shards) {
    counts[shard] += 1;
  }
  return counts;
}

interface Movement {
  readonly movedFraction: number;
  readonly movedToOldShard: number;
}

function movement(before: readonly number[], after: readonly number[], oldShardCount: number): Movement {
  let moved = 0;
  let movedToOldShard = 0;
  before.forEach((shard, i) => {
    if (after[i] !== shard) {
      moved += 1;
      if (after[i] < oldShardCount) {
        movedToOldShard += 1;
      }
    }
  });
  return { movedFraction: moved / before.length, movedToOldShard };
}

function expectError(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ScaleLadderError);
  expect((thrown as Error).message).toBe(message);
}

const ROUTED: Record<number, number[]> = {};
beforeAll(() => {
  for (const shardCount of [1, 2, 4, 5, 8]) {
    ROUTED[shardCount] = route(shardCount, KEYS);
  }
});

describe('balance over 100K keys', () => {
  // Observed max/mean over the balanced assignment of 256 buckets: user-N keys 1.0122
  // (4 shards), 1.0141 (8); numeric keys 1.0052 (4), 1.0102 (8). Min/mean never below 0.976.
  test.each([4, 8])('user-N keys over %i shards stay within 3%% of the mean', (shardCount) => {
    const counts = loads(ROUTED[shardCount], shardCount);
    const mean = KEY_COUNT / shardCount;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(KEY_COUNT);
    expect(Math.max(...counts) / mean).toBeLessThan(1.03);
    expect(Math.min(...counts) / mean).toBeGreaterThan(0.97);
  });

  test.each([4, 8])('sequential numeric keys over %i shards stay within 3%% of the mean', (shardCount) => {
    const counts = loads(route(shardCount, NUMERIC_KEYS), shardCount);
    const mean = KEY_COUNT / shardCount;
    expect(Math.max(...counts) / mean).toBeLessThan(1.03);
    expect(Math.min(...counts) / mean).toBeGreaterThan(0.97);
  });

  test('every shard number is in range', () => {
    for (const shardCount of [1, 2, 4, 5, 8]) {
      expect(ROUTED[shardCount].every((shard) => Number.isInteger(shard) && shard >= 0 && shard < shardCount)).toBe(true);
    }
    expect(ROUTED[1].every((shard) => shard === 0)).toBe(true);
  });
});

describe('adding shards moves no key until a rebalance does', () => {
  test('a map grown from 4 to 8 shards with the assignment unchanged routes every key as before', () => {
    const four = new ShardRouter(4);
    const grown = new ShardRouter(8, four.bucketAssignment);
    expect(KEYS.slice(0, 10_000).every((key) => grown.shardFor(key) === four.shardFor(key))).toBe(true);
  });

  test('1 -> 4 (balanced) moves about three quarters of the keys, all of them off shard 0 to shards 1-3', () => {
    const { movedFraction, movedToOldShard } = movement(ROUTED[1], ROUTED[4], 1);
    expect(movedFraction).toBeGreaterThan(0.72); // observed 0.75
    expect(movedFraction).toBeLessThan(0.78);
    expect(movedToOldShard).toBe(0);
  });

  test('4 -> 8 (balanced) moves about half the keys, all of them to the new shards 4-7', () => {
    const { movedFraction, movedToOldShard } = movement(ROUTED[4], ROUTED[8], 4);
    expect(movedFraction).toBeGreaterThan(0.45); // observed 0.50
    expect(movedFraction).toBeLessThan(0.55);
    expect(movedToOldShard).toBe(0);
  });

  test('a key keeps its bucket whatever the shard count', () => {
    for (const key of KEYS.slice(0, 1_000)) {
      const bucket = ShardRouter.bucketFor(key);
      expect(new ShardRouter(8).shardFor(key)).toBe(bucket % 8);
    }
  });
});

describe('determinism', () => {
  // Expected values were computed by a separate implementation written from the algorithm in
  // the ShardRouter doc comment; a change of hash or bucket algorithm fails these.
  test.each([
    ['user-1', '4729620347622785477', 223],
    ['user-2', '12246603554355352635', 204],
    ['', '17280346270528514342', 115],
    ['tenant:acme', '6091485900028974106', 242],
  ])('key %j hashes to %s and falls in a fixed bucket', (key, hash, bucket) => {
    expect(ShardRouter.hashKey(key)).toBe(hash);
    expect(ShardRouter.bucketFor(key)).toBe(bucket);
    expect([1, 2, 4, 8, 16, 256].map((shardCount) => new ShardRouter(shardCount).shardFor(key)))
      .toEqual([1, 2, 4, 8, 16, 256].map((shardCount) => bucket % shardCount));
  });

  test('two routers with the same shard count agree on every key', () => {
    const again = route(8, KEYS.slice(0, 10_000));
    expect(again).toEqual(ROUTED[8].slice(0, 10_000));
  });

  test('the balanced assignment spreads 256 buckets evenly', () => {
    const assignment = ShardRouter.balancedAssignment(4);
    expect(assignment).toHaveLength(ShardRouter.BUCKET_COUNT);
    expect(loads(assignment, 4)).toEqual([64, 64, 64, 64]);
    expect(ShardRouter.balancedAssignment(1).every((shard) => shard === 0)).toBe(true);
  });
});

describe('unicode keys', () => {
  test.each([
    ['héllo', '13944623458183816781', 111],
    ['日本語', '16218896763332251880', 131],
    ['🚀', '2733541168786002232', 240],
  ])('key %j is hashed as UTF-8 bytes to %s', (key, hash, bucket) => {
    expect(ShardRouter.hashKey(key)).toBe(hash);
    expect(ShardRouter.bucketFor(key)).toBe(bucket);
  });

  test('keys are not normalized: precomposed and decomposed é hash differently', () => {
    expect(ShardRouter.hashKey('h\u00e9llo')).toBe('13944623458183816781');
    expect(ShardRouter.hashKey('he\u0301llo')).not.toBe(ShardRouter.hashKey('h\u00e9llo'));
  });

  test('a lone surrogate is hashed as U+FFFD, as UTF-8 encoding replaces it', () => {
    expect(ShardRouter.hashKey('a\ud800b')).toBe(ShardRouter.hashKey('a\ufffdb'));
  });
});

const ALL_ON_ZERO = JSON.stringify(ShardRouter.balancedAssignment(1));
const BALANCED_4 = JSON.stringify(ShardRouter.balancedAssignment(4));

describe('shard map', () => {
  const MAP = [
    { id: 2, host: 'shard-2.db', readerHost: 'shard-2-ro.db', port: 5432, secret: 'arn:secret:2' },
    { id: 0, host: 'shard-0.db', readerHost: 'shard-0-ro.db', port: 5432, secret: 'arn:secret:0' },
    { id: 3, host: 'shard-3.db', readerHost: 'shard-3-ro.db', port: 6432, secret: 'arn:secret:3' },
    { id: 1, host: 'shard-1.db', readerHost: 'shard-1-ro.db', port: 5432, secret: 'arn:secret:1' },
  ];

  test('routes every key to the endpoint of the shard it hashes to, whatever the order of the map', () => {
    const router = ShardRouter.fromShardMap(JSON.stringify(MAP), BALANCED_4);
    expect(router.shardCount).toBe(4);
    for (const key of KEYS.slice(0, 1_000)) {
      const endpoint = router.endpointFor(key);
      const shard = ROUTED[4][Number(key.slice('user-'.length))];
      expect(endpoint.id).toBe(shard);
      expect(endpoint.host).toBe(`shard-${shard}.db`);
    }
    const expected: ShardEndpoint = { id: 3, host: 'shard-3.db', readerHost: 'shard-3-ro.db', port: 6432, secret: 'arn:secret:3' };
    expect(router.endpointFor('user-1')).toEqual(expected);
  });

  test('readerHost defaults to host and secret to the empty string', () => {
    const router = ShardRouter.fromShardMap('[{"id":0,"host":"db.local","port":5432}]', ALL_ON_ZERO);
    expect(router.endpointFor('anything')).toEqual({ id: 0, host: 'db.local', readerHost: 'db.local', port: 5432, secret: '' });
  });

  test('fromEnvironment reads SHARD_MAP and SHARD_BUCKETS (or the named variables)', () => {
    const names = ['SHARD_MAP', 'SHARD_BUCKETS', 'OTHER_SHARD_MAP', 'OTHER_BUCKETS'];
    const saved = names.map((name) => process.env[name]);
    try {
      process.env.SHARD_MAP = JSON.stringify(MAP);
      process.env.SHARD_BUCKETS = BALANCED_4;
      expect(ShardRouter.fromEnvironment().endpointFor('user-1').host).toBe('shard-3.db');
      process.env.SHARD_BUCKETS = ALL_ON_ZERO;
      expect(ShardRouter.fromEnvironment().endpointFor('user-1').host).toBe('shard-0.db');
      process.env.OTHER_SHARD_MAP = '[{"id":0,"host":"only.db","port":5432}]';
      process.env.OTHER_BUCKETS = ALL_ON_ZERO;
      expect(ShardRouter.fromEnvironment('OTHER_SHARD_MAP', 'OTHER_BUCKETS').endpointFor('user-1').host).toBe('only.db');
      delete process.env.SHARD_BUCKETS;
      expectError(() => ShardRouter.fromEnvironment(), 'SHARD_BUCKETS must be set to the JSON bucket assignment, got an unset variable');
      delete process.env.SHARD_MAP;
      expectError(() => ShardRouter.fromEnvironment(), 'SHARD_MAP must be set to the JSON shard map, got an unset variable');
      process.env.SHARD_MAP = '';
      expectError(() => ShardRouter.fromEnvironment(), 'SHARD_MAP must be set to the JSON shard map, got an empty string');
    } finally {
      names.forEach((name, i) => {
        if (saved[i] === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = saved[i];
        }
      });
    }
  });

  test('a new, empty shard in the map holds no key until the assignment names it', () => {
    const grown = [...MAP, { id: 4, host: 'shard-4.db', port: 5432 }];
    const router = ShardRouter.fromShardMap(JSON.stringify(grown), BALANCED_4);
    expect(router.shardCount).toBe(5);
    expect(KEYS.slice(0, 2_000).some((key) => router.endpointFor(key).id === 4)).toBe(false);
  });
});

describe('bad bucket assignments', () => {
  const ONE = '[{"id":0,"host":"db","port":5432}]';
  test.each([
    ['[0,', 'SHARD_BUCKETS must be a JSON array of 256 shard ids, got text that is not valid JSON (3 characters)'],
    ['{}', 'SHARD_BUCKETS must be an array of 256 shard ids (one per bucket), got an object'],
    ['[0,0]', 'SHARD_BUCKETS must be an array of 256 shard ids (one per bucket), got an array of 2'],
    [JSON.stringify([...ShardRouter.balancedAssignment(1).slice(1), 1]), 'SHARD_BUCKETS[255] must be an integer 0-0, got 1'],
    [JSON.stringify(['0', ...ShardRouter.balancedAssignment(1).slice(1)]), 'SHARD_BUCKETS[0] must be an integer 0-0, got \'0\''],
  ])('assignment %j is rejected', (json, message) => {
    expectError(() => ShardRouter.fromShardMap(ONE, json), message);
  });

  test('a constructor assignment naming a shard beyond the count is rejected', () => {
    expectError(() => new ShardRouter(2, ShardRouter.balancedAssignment(4)), 'assignment[2] must be an integer 0-1, got 2');
  });
});

describe('bad input', () => {
  test.each([
    [0, 'shardCount must be an integer 1-256, got 0'],
    [1.5, 'shardCount must be an integer 1-256, got 1.5'],
    [257, 'shardCount must be an integer 1-256, got 257'],
    [-1, 'shardCount must be an integer 1-256, got -1'],
    [NaN, 'shardCount must be an integer 1-256, got NaN'],
  ])('shardCount %p is rejected', (shardCount, message) => {
    expectError(() => new ShardRouter(shardCount), message);
  });

  test('1 and 256 shards are accepted', () => {
    expect(new ShardRouter(1).shardCount).toBe(1);
    expect(new ShardRouter(256).shardCount).toBe(256);
  });

  test('a key that is not a string is rejected', () => {
    expectError(() => new ShardRouter(4).shardFor(42 as unknown as string), 'key must be a string, got 42');
    expectError(() => ShardRouter.hashKey(undefined as unknown as string), 'key must be a string, got nothing');
  });

  test('endpointFor on a router without a shard map is rejected', () => {
    expectError(() => new ShardRouter(4).endpointFor('user-1'),
      'endpointFor needs a shard map, got a router built from a shard count alone; use ShardRouter.fromShardMap(process.env.SHARD_MAP, process.env.SHARD_BUCKETS)');
  });

  test.each([
    ['[{"id":0,', 'SHARD_MAP must be a JSON array of shards, got text that is not valid JSON (9 characters)'],
    ['', 'SHARD_MAP must be a JSON array of shards, got text that is not valid JSON (0 characters)'],
    ['{"id":0,"host":"db","port":5432}', 'SHARD_MAP must be a JSON array of shards, got an object'],
    ['null', 'SHARD_MAP must be a JSON array of shards, got null'],
    ['"db"', 'SHARD_MAP must be a JSON array of shards, got "db"'],
    ['[]', 'SHARD_MAP length (number of shards) must be an integer 1-256, got 0'],
    ['[5]', 'SHARD_MAP[0] must be an object like {"id":0,"host":"…","port":5432}, got 5'],
    ['[[]]', 'SHARD_MAP[0] must be an object like {"id":0,"host":"…","port":5432}, got an array of 0'],
  ])('malformed map %j is rejected', (json, message) => {
    expectError(() => ShardRouter.fromShardMap(json, ALL_ON_ZERO), message);
  });

  test.each([
    ['gap', [{ id: 0 }, { id: 2 }], 'SHARD_MAP[1].id must be an integer 0-1, got 2'],
    ['not starting at 0', [{ id: 1 }, { id: 2 }], 'SHARD_MAP[1].id must be an integer 0-1, got 2'],
    ['duplicate', [{ id: 0 }, { id: 1 }, { id: 0 }], 'SHARD_MAP[2].id must be unique (ids are exactly 0-2, one shard each), got 0 again'],
    ['negative', [{ id: -1 }], 'SHARD_MAP[0].id must be an integer 0-0, got -1'],
    ['string', [{ id: '0' }], 'SHARD_MAP[0].id must be an integer 0-0, got \'0\''],
    ['missing', [{}], 'SHARD_MAP[0].id must be an integer 0-0, got undefined'],
  ])('ids that are not exactly 0..N-1 (%s) are rejected', (_case, ids, message) => {
    const map = ids.map((entry) => ({ ...entry, host: 'db', port: 5432 }));
    expectError(() => ShardRouter.fromShardMap(JSON.stringify(map), ALL_ON_ZERO), message);
  });

  test.each([
    ['no host', { id: 0, port: 5432 }, 'SHARD_MAP[0].host must be a non-empty host name without spaces, got undefined'],
    ['an empty host', { id: 0, host: '', port: 5432 }, 'SHARD_MAP[0].host must be a non-empty host name without spaces, got \'\''],
    ['a numeric host', { id: 0, host: 10, port: 5432 }, 'SHARD_MAP[0].host must be a non-empty host name without spaces, got 10'],
    ['a blank readerHost', { id: 0, host: 'db', readerHost: ' ', port: 5432 }, 'SHARD_MAP[0].readerHost must be a non-empty host name without spaces, got \' \''],
    ['no port', { id: 0, host: 'db' }, 'SHARD_MAP[0].port must be an integer 1-65535, got undefined'],
    ['a string port', { id: 0, host: 'db', port: '5432' }, 'SHARD_MAP[0].port must be an integer 1-65535, got \'5432\''],
    ['port 0', { id: 0, host: 'db', port: 0 }, 'SHARD_MAP[0].port must be an integer 1-65535, got 0'],
    ['a numeric secret', { id: 0, host: 'db', port: 5432, secret: 7 }, 'SHARD_MAP[0].secret must be a string, got 7'],
  ])('an entry with %s is rejected', (_case, entry, message) => {
    expectError(() => ShardRouter.fromShardMap(JSON.stringify([entry]), ALL_ON_ZERO), message);
  });
});

/* eslint-disable no-bitwise -- the reference transcription and the string generator are bit arithmetic */
describe('the 32-bit-halves hash is the documented algorithm', () => {
  // The algorithm of ShardRouter's class description, transcribed with BigInt (slow, exact).
  const M64 = (x: bigint) => BigInt.asUintN(64, x);
  function referenceHash(key: string): bigint {
    let h = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(key)) h = M64((h ^ BigInt(byte)) * 0x100000001b3n);
    h ^= h >> 33n;
    h = M64(h * 0xff51afd7ed558ccdn);
    h ^= h >> 33n;
    h = M64(h * 0xc4ceb9fe1a85ec53n);
    return h ^ (h >> 33n);
  }
  function referenceBucket(key: string): number {
    let h = referenceHash(key);
    let b = -1;
    let j = 0;
    while (j < 256) {
      b = j;
      h = M64(h * 2862933555777941757n + 1n);
      j = Math.floor((b + 1) * (2 ** 31 / (Number(h >> 33n) + 1)));
    }
    return b;
  }
  // Deterministic pseudo-random strings over every UTF-8 length class, lone surrogates included.
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const ranges = [[0x20, 0x7f], [0x80, 0x7ff], [0x800, 0xd7ff], [0xd800, 0xdfff], [0xe000, 0xffff]];
  const randomKey = () => Array.from({ length: next() % 24 }, () => {
    const [lo, hi] = ranges[next() % ranges.length];
    return String.fromCharCode(lo + (next() % (hi - lo + 1)));
  }).join('');
  const keys = ['', 'user-1', 'tenant:acme', '\u{1F600}', '\uD83D', 'a\uDE00b', 'é', 'e\u0301', 'x'.repeat(1000),
    ...KEYS.slice(0, 20_000), ...Array.from({ length: 20_000 }, randomKey)];

  test('same 64-bit hash and bucket as the BigInt transcription on 40,000 keys', () => {
    const differing = keys.filter(k => ShardRouter.hashKey(k) !== referenceHash(k).toString() || ShardRouter.bucketFor(k) !== referenceBucket(k));
    expect(differing).toEqual([]);
  });
});
/* eslint-enable no-bitwise */
