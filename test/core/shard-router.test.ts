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
  // Observed max/mean: user-N keys 1.0047 (4 shards), 1.0062 (8 shards);
  // numeric keys 1.0093 (4), 1.0122 (8). Min/mean never below 0.987.
  test.each([4, 8])('user-N keys over %i shards stay within 1.5%% of the mean', (shardCount) => {
    const counts = loads(ROUTED[shardCount], shardCount);
    const mean = KEY_COUNT / shardCount;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(KEY_COUNT);
    expect(Math.max(...counts) / mean).toBeLessThan(1.015);
    expect(Math.min(...counts) / mean).toBeGreaterThan(0.985);
  });

  test.each([4, 8])('sequential numeric keys over %i shards stay within 1.5%% of the mean', (shardCount) => {
    const counts = loads(route(shardCount, NUMERIC_KEYS), shardCount);
    const mean = KEY_COUNT / shardCount;
    expect(Math.max(...counts) / mean).toBeLessThan(1.015);
    expect(Math.min(...counts) / mean).toBeGreaterThan(0.985);
  });

  test('every shard number is in range', () => {
    for (const shardCount of [1, 2, 4, 5, 8]) {
      expect(ROUTED[shardCount].every((shard) => Number.isInteger(shard) && shard >= 0 && shard < shardCount)).toBe(true);
    }
    expect(ROUTED[1].every((shard) => shard === 0)).toBe(true);
  });
});

describe('minimal movement when shards are added', () => {
  test('4 -> 8 moves about half the keys, all of them to the new shards 4-7', () => {
    const { movedFraction, movedToOldShard } = movement(ROUTED[4], ROUTED[8], 4);
    expect(movedFraction).toBeGreaterThan(0.45); // observed 0.4993
    expect(movedFraction).toBeLessThan(0.55);
    expect(movedToOldShard).toBe(0);
  });

  test('1 -> 2 moves about half the keys, all of them to shard 1', () => {
    const { movedFraction, movedToOldShard } = movement(ROUTED[1], ROUTED[2], 1);
    expect(movedFraction).toBeGreaterThan(0.45); // observed 0.4977 (4 -> 5 observed 0.2002)
    expect(movedFraction).toBeLessThan(0.55);
    expect(movedToOldShard).toBe(0);
  });

  // Doubling cannot tell consistent hashing from `hash % N` (both move half the keys to the
  // new shards); adding one shard can: modulo would move about 80% of the keys here.
  test('4 -> 5 moves about a fifth of the keys, all of them to shard 4', () => {
    const { movedFraction, movedToOldShard } = movement(ROUTED[4], ROUTED[5], 4);
    expect(movedFraction).toBeGreaterThan(0.18);
    expect(movedFraction).toBeLessThan(0.22);
    expect(movedToOldShard).toBe(0);
  });
});

describe('determinism', () => {
  // Expected values were computed by a separate implementation written from the algorithm in
  // the ShardRouter doc comment; a change of hash or routing algorithm fails these.
  test.each([
    ['user-1', '4729620347622785477', [0, 0, 3, 3, 15, 617]],
    ['user-2', '12246603554355352635', [0, 0, 0, 0, 0, 364]],
    ['', '17280346270528514342', [0, 1, 1, 1, 1, 499]],
    ['tenant:acme', '6091485900028974106', [0, 1, 3, 4, 9, 614]],
  ])('key %j hashes to %s and routes to fixed shards', (key, hash, shards) => {
    expect(ShardRouter.hashKey(key)).toBe(hash);
    expect([1, 2, 4, 8, 16, 1024].map((shardCount) => new ShardRouter(shardCount).shardFor(key))).toEqual(shards);
  });

  test('two routers with the same shard count agree on every key', () => {
    const again = route(8, KEYS.slice(0, 10_000));
    expect(again).toEqual(ROUTED[8].slice(0, 10_000));
  });
});

describe('unicode keys', () => {
  test.each([
    ['héllo', '13944623458183816781', [0, 0, 0, 4, 4, 111]],
    ['日本語', '16218896763332251880', [0, 0, 3, 3, 11, 565]],
    ['🚀', '2733541168786002232', [0, 1, 1, 7, 7, 926]],
  ])('key %j is hashed as UTF-8 bytes to %s', (key, hash, shards) => {
    expect(ShardRouter.hashKey(key)).toBe(hash);
    expect([1, 2, 4, 8, 16, 1024].map((shardCount) => new ShardRouter(shardCount).shardFor(key))).toEqual(shards);
  });

  test('keys are not normalized: precomposed and decomposed é hash differently', () => {
    expect(ShardRouter.hashKey('h\u00e9llo')).toBe('13944623458183816781');
    expect(ShardRouter.hashKey('he\u0301llo')).not.toBe(ShardRouter.hashKey('h\u00e9llo'));
  });

  test('a lone surrogate is hashed as U+FFFD, as UTF-8 encoding replaces it', () => {
    expect(ShardRouter.hashKey('a\ud800b')).toBe(ShardRouter.hashKey('a\ufffdb'));
  });
});

describe('shard map', () => {
  const MAP = [
    { id: 2, host: 'shard-2.db', readerHost: 'shard-2-ro.db', port: 5432, secret: 'arn:secret:2' },
    { id: 0, host: 'shard-0.db', readerHost: 'shard-0-ro.db', port: 5432, secret: 'arn:secret:0' },
    { id: 3, host: 'shard-3.db', readerHost: 'shard-3-ro.db', port: 6432, secret: 'arn:secret:3' },
    { id: 1, host: 'shard-1.db', readerHost: 'shard-1-ro.db', port: 5432, secret: 'arn:secret:1' },
  ];

  test('routes every key to the endpoint of the shard it hashes to, whatever the order of the map', () => {
    const router = ShardRouter.fromShardMap(JSON.stringify(MAP));
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
    const router = ShardRouter.fromShardMap('[{"id":0,"host":"db.local","port":5432}]');
    expect(router.endpointFor('anything')).toEqual({ id: 0, host: 'db.local', readerHost: 'db.local', port: 5432, secret: '' });
  });

  test('fromEnvironment reads SHARD_MAP (or the named variable)', () => {
    const saved = { map: process.env.SHARD_MAP, other: process.env.OTHER_SHARD_MAP };
    try {
      process.env.SHARD_MAP = JSON.stringify(MAP);
      expect(ShardRouter.fromEnvironment().endpointFor('user-1').host).toBe('shard-3.db');
      process.env.OTHER_SHARD_MAP = '[{"id":0,"host":"only.db","port":5432}]';
      expect(ShardRouter.fromEnvironment('OTHER_SHARD_MAP').endpointFor('user-1').host).toBe('only.db');
      delete process.env.SHARD_MAP;
      expectError(() => ShardRouter.fromEnvironment(), 'SHARD_MAP must be set to the JSON shard map, got an unset variable');
      process.env.SHARD_MAP = '';
      expectError(() => ShardRouter.fromEnvironment(), 'SHARD_MAP must be set to the JSON shard map, got an empty string');
    } finally {
      for (const [name, value] of [['SHARD_MAP', saved.map], ['OTHER_SHARD_MAP', saved.other]] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    }
  });
});

describe('bad input', () => {
  test.each([
    [0, 'shardCount must be an integer 1-1024, got 0'],
    [1.5, 'shardCount must be an integer 1-1024, got 1.5'],
    [2000, 'shardCount must be an integer 1-1024, got 2000'],
    [-1, 'shardCount must be an integer 1-1024, got -1'],
    [NaN, 'shardCount must be an integer 1-1024, got NaN'],
  ])('shardCount %p is rejected', (shardCount, message) => {
    expectError(() => new ShardRouter(shardCount), message);
  });

  test('1 and 1024 shards are accepted', () => {
    expect(new ShardRouter(1).shardCount).toBe(1);
    expect(new ShardRouter(1024).shardCount).toBe(1024);
  });

  test('a key that is not a string is rejected', () => {
    expectError(() => new ShardRouter(4).shardFor(42 as unknown as string), 'key must be a string, got 42');
    expectError(() => ShardRouter.hashKey(undefined as unknown as string), 'key must be a string, got nothing');
  });

  test('endpointFor on a router without a shard map is rejected', () => {
    expectError(() => new ShardRouter(4).endpointFor('user-1'),
      'endpointFor needs a shard map, got a router built from a shard count alone; use ShardRouter.fromShardMap(process.env.SHARD_MAP)');
  });

  test.each([
    ['[{"id":0,', 'SHARD_MAP must be a JSON array of shards, got text that is not valid JSON (9 characters)'],
    ['', 'SHARD_MAP must be a JSON array of shards, got text that is not valid JSON (0 characters)'],
    ['{"id":0,"host":"db","port":5432}', 'SHARD_MAP must be a JSON array of shards, got an object'],
    ['null', 'SHARD_MAP must be a JSON array of shards, got null'],
    ['"db"', 'SHARD_MAP must be a JSON array of shards, got "db"'],
    ['[]', 'SHARD_MAP length (number of shards) must be an integer 1-1024, got 0'],
    ['[5]', 'SHARD_MAP[0] must be an object like {"id":0,"host":"…","port":5432}, got 5'],
    ['[[]]', 'SHARD_MAP[0] must be an object like {"id":0,"host":"…","port":5432}, got an array of 0'],
  ])('malformed map %j is rejected', (json, message) => {
    expectError(() => ShardRouter.fromShardMap(json), message);
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
    expectError(() => ShardRouter.fromShardMap(JSON.stringify(map)), message);
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
    expectError(() => ShardRouter.fromShardMap(JSON.stringify([entry])), message);
  });
});
