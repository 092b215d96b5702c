import * as fs from 'fs';
import * as path from 'path';
import { runScript, ScriptResult, startScript, useScratchDir, waitFor } from './run-script';
import { REBALANCE_SHARDS_EXIT_CODES, REBALANCE_SHARDS_SCRIPT, REBALANCE_SHARDS_VARIABLES } from '../../../lib/core/data-moves/rebalance-shards';
import { ShardRouter } from '../../../lib/core/shard-router';
import { PostgresServer, usePostgres } from '../../support/postgres';

/*
 * The cases share four servers and run in order, as an operator would: refused and failed
 * moves first (each must leave shard 0 exactly as it was), then the move to four shards,
 * cleanup, and an aborted move.
 */
jest.setTimeout(60_000);

const shards = usePostgres(4);
const [shard0, shard1, shard2] = shards;
const scratch = useScratchDir();

const KEYS = Array.from({ length: 3000 }, (_, i) => `account-${i}`);
const ALL_ON_ZERO = ShardRouter.balancedAssignment(1);
const BALANCED = ShardRouter.balancedAssignment(4);

/** MOVES from one assignment to another: one FROM>TO group per pair. */
function movesBetween(current: readonly number[], target: readonly number[], onlyTo?: number): string {
  const groups = new Map<string, number[]>();
  current.forEach((from, bucket) => {
    const to = target[bucket];
    if (from !== to && (onlyTo === undefined || to === onlyTo)) {
      groups.set(`${from}>${to}`, [...(groups.get(`${from}>${to}`) ?? []), bucket]);
    }
  });
  return [...groups].map(([pair, buckets]) => `${pair}:${buckets.join(',')}`).join(' ');
}

function bucketsMovingTo(to: number): number[] {
  return BALANCED.map((shard, bucket) => (shard === to ? bucket : -1)).filter((b) => b >= 0);
}
const MOVING = BALANCED.map((shard, bucket) => (shard !== 0 ? bucket : -1)).filter((b) => b >= 0);

function shardMap(): string {
  return JSON.stringify(shards.map((s, id) => ({ id, host: s.host, readerHost: s.host, port: s.port, secret: `shard${id}` })));
}

function env(extra: Record<string, string>): Record<string, string> {
  const passwords = Object.fromEntries(shards.map((s, id) => [`SHARD_${id}_PASSWORD`, s.password]));
  return {
    SHARD_MAP: shardMap(),
    SHARD_BUCKETS: JSON.stringify(ALL_ON_ZERO),
    PGSSLMODE: 'disable',
    WORK_DIR: scratch.dir,
    ...passwords,
    ...extra,
  };
}

function rebalance(name: string, extra: Record<string, string>): Promise<ScriptResult> {
  return runScript(scratch.dir, name, REBALANCE_SHARDS_SCRIPT, env(extra));
}

/** psql on a shard from inside the script's environment (for ON_COPIED). */
function psqlOn(id: number, statement: string): string {
  return `PGPASSWORD="$SHARD_${id}_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ${shards[id].port} -U postgres -d postgres -c "${statement}"`;
}

const SCHEMA = `
create schema app;
create table app.accounts (
  account_id text primary key,
  shard_bucket smallint not null,
  name text not null,
  balance numeric(12, 2),
  tags text[]
);
create table public.orders (
  order_id bigint generated always as identity primary key,
  account_id text not null references app.accounts (account_id),
  shard_bucket integer not null,
  amount double precision,
  payload bytea,
  created timestamptz not null default '2024-03-04 05:06:07+00'
);
create index on public.orders (shard_bucket);
create table public.countries (code text primary key, name text not null);
insert into public.countries select 'c' || i, 'Country ' || i || ' ñ' from generate_series(1, 30) as i;
`;

function accountValues(keys: readonly string[]): string {
  return keys.map((key, i) => {
    const balance = i % 5 === 0 ? 'null' : (i * 1.5).toFixed(2);
    const tags = i % 3 === 0 ? 'null' : `array['t${i}', 'ü']`;
    return `('${key}', ${ShardRouter.bucketFor(key)}, 'Name ${i} 🚀', ${balance}, ${tags})`;
  }).join(',\n');
}

function load(server: PostgresServer, keys: readonly string[], database = 'postgres', role = 'postgres'): void {
  const as = `set role ${role};`;
  server.sql(as + SCHEMA, database);
  server.sql(`${as} insert into app.accounts values ${accountValues(keys)}`, database);
  server.sql(`${as} insert into public.orders (account_id, shard_bucket, amount, payload)
    select account_id, shard_bucket, n / 7.0, case when n = 2 then null else decode(md5(account_id), 'hex') end
    from app.accounts, generate_series(1, 2) as n order by account_id, n`, database);
}

/** Every row of the three tables as text, sorted (null for a missing table). */
function snapshot(server: PostgresServer): Record<string, string[] | null> {
  const out: Record<string, string[] | null> = {};
  for (const table of ['app.accounts', 'public.orders', 'public.countries']) {
    if (server.sql(`select to_regclass('${table}') is null`) === 't') {
      out[table] = null;
      continue;
    }
    const rows = server.sql(`set timezone = 'UTC'; select r from (select to_json(t)::text as r from only ${table} as t) as s order by r collate "C"`);
    out[table] = rows === '' ? [] : rows.split('\n');
  }
  return out;
}

function fenced(server: PostgresServer): number[] {
  const rows = server.sql("select case when to_regclass('scale_ladder.fenced_buckets') is null then '' else (select coalesce(string_agg(bucket::text, ',' order by bucket), '') from scale_ladder.fenced_buckets) end");
  return rows === '' ? [] : rows.split(',').map(Number);
}

/** Rows of the given buckets on a shard, over both sharded tables (0 where a table is missing). */
function rowsOfBuckets(server: PostgresServer, buckets: readonly number[]): number {
  let total = 0;
  for (const table of ['app.accounts', 'public.orders']) {
    if (server.sql(`select to_regclass('${table}') is not null`) === 't') {
      total += Number(server.sql(`select count(*) from ${table} where shard_bucket = any('{${buckets.join(',')}}')`));
    }
  }
  return total;
}

function keyInBucket(prefix: string, accept: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) {
    if (accept(ShardRouter.bucketFor(`${prefix}-${i}`))) {
      return `${prefix}-${i}`;
    }
  }
}

/** A write to the bucket of `key` on shard 0 that changes nothing when it is allowed. */
function roundTripWrite(server: PostgresServer, key: string): void {
  server.sql(`begin;
    insert into app.accounts (account_id, shard_bucket, name) values ('${key}', ${ShardRouter.bucketFor(key)}, 'probe');
    update app.accounts set name = 'probe 2' where account_id = '${key}';
    delete from app.accounts where account_id = '${key}';
    commit;`);
}

let initial: Record<string, string[] | null>;

beforeAll(() => {
  load(shard0, KEYS);
  initial = snapshot(shard0);
});

/** What every failed move must leave: the old state in force. */
function expectUndone(result: ScriptResult, moving: readonly number[], reachableTargets: readonly PostgresServer[]): void {
  expect(result.code).toBe(REBALANCE_SHARDS_EXIT_CODES.failed);
  expect(result.stdout).not.toMatch(/new SHARD_BUCKETS/);
  expect(result.stderr).toMatch(/the move failed: nothing was published/);
  expect(fs.existsSync(path.join(scratch.dir, 'new-buckets.json'))).toBe(false);
  expect(fs.existsSync(path.join(scratch.dir, 'new-buckets.json.partial'))).toBe(false);
  expect(snapshot(shard0)).toEqual(initial);
  expect(fenced(shard0)).toEqual([]);
  roundTripWrite(shard0, keyInBucket('writable', (b) => moving.includes(b)));
  for (const target of reachableTargets) {
    expect(rowsOfBuckets(target, moving)).toBe(0);
  }
}

const NEW_BUCKETS_FILE = () => path.join(scratch.dir, 'new-buckets.json');

test('the fixture: everything on shard 0, buckets from ShardRouter.bucketFor', () => {
  expect(initial['app.accounts']).toHaveLength(3000);
  expect(initial['public.orders']).toHaveLength(6000);
  expect(initial['public.countries']).toHaveLength(30);
  expect(Number(shard0.sql('select count(distinct shard_bucket) from app.accounts'))).toBeGreaterThan(250);
  expect(movesBetween(ALL_ON_ZERO, BALANCED).split(' ').map((g) => g.split(':')[0])).toEqual(['0>1', '0>2', '0>3']);
});

describe('refused before anything changes', () => {
  test('a MOVES entry naming a bucket that is not on FROM', async () => {
    const result = await rebalance('refuse-from', { MOVES: '0>1:1,5 1>2:6', NEW_BUCKETS_FILE: NEW_BUCKETS_FILE() });
    expect(result.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);
    expect(result.stderr).toMatch(/do(es)? not place these buckets on the shard MOVES takes them from: 6 \(on shard 0, not 1\); nothing was changed/);
    expect(shard0.sql("select count(*) from pg_namespace where nspname = 'scale_ladder'")).toBe('0');
    expect(shard1.sql("select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")).toBe('0');
    expect(fs.existsSync(NEW_BUCKETS_FILE())).toBe(false);
  });

  test.each([
    ['a group onto its own shard', { MOVES: '0>0:1' }, /moves buckets onto the shard they are on/],
    ['a bucket out of range', { MOVES: '0>1:256' }, /bucket 256 .* out of range/],
    ['a bucket listed twice', { MOVES: '0>1:4 0>2:4' }, /bucket 4 is listed twice/],
    ['a malformed group', { MOVES: '0->1:4' }, /must look like FROM>TO:b1,b2/],
    ['a shard the map does not have', { MOVES: '0>7:4' }, /shard 7, which SHARD_MAP does not have/],
    ['no MOVES', { MOVES: '' }, /MOVES must list the buckets to move/],
    ['an assignment of 255 buckets', { MOVES: '0>1:4', SHARD_BUCKETS: JSON.stringify(ALL_ON_ZERO.slice(1)) }, /must list 256 shard ids/],
    ['an assignment that is not JSON', { MOVES: '0>1:4', SHARD_BUCKETS: '[0,0' }, /must be JSON arrays/],
    ['a missing password', { MOVES: '0>1:4', SHARD_1_PASSWORD: '' }, /SHARD_1_PASSWORD must be set/],
  ])('bad usage: %s', async (_what, extra, message) => {
    const result = await rebalance('usage', extra);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(REBALANCE_SHARDS_EXIT_CODES.badUsage);
    expect(shard0.sql("select count(*) from pg_namespace where nspname = 'scale_ladder'")).toBe('0');
  });
});

describe('failures half-way leave the old assignment in force, every row on shard 0 and writable', () => {
  test('PUBLISH_COMMAND fails after a verified copy', async () => {
    const result = await rebalance('publish-fails', {
      MOVES: movesBetween(ALL_ON_ZERO, BALANCED),
      NEW_BUCKETS_FILE: NEW_BUCKETS_FILE(),
      PUBLISH_COMMAND: 'cat > /dev/null; exit 9',
    });
    expect(result.stdout).toMatch(/^target shard 3 public\.orders buckets=3,7,.* rows=\d+ checksum=[0-9a-f]{32}$/m);
    expect(result.stderr).toMatch(/PUBLISH_COMMAND failed \(exit 9\)/);
    expectUndone(result, MOVING, shards.slice(1));
    // The tables were created on the new shards and stay (empty) for the next attempt.
    expect(shard1.sql("select to_regclass('app.accounts') is not null and to_regclass('public.orders') is not null")).toBe('t');
  });

  test('the target shard dies during the copy', async () => {
    const moving = bucketsMovingTo(1);
    // An uncommitted row with the id of a moving order makes the copy wait half-way
    // (accounts copied, orders blocked on the key), so the kill lands inside its transaction.
    const orderId = shard0.sql(`select min(order_id) from public.orders where shard_bucket = any('{${moving.join(',')}}')`);
    const blocker = shard1.session();
    blocker.send(`begin;
      insert into app.accounts (account_id, shard_bucket, name) values ('blocker', 0, 'blocker');
      insert into public.orders (order_id, account_id, shard_bucket) overriding system value values (${orderId}, 'blocker', 0);`);
    await waitFor('the blocking row', () => shard1.sql("select count(*) from pg_stat_activity where state = 'idle in transaction'") !== '0');
    const running = startScript(scratch.dir, 'target-dies', REBALANCE_SHARDS_SCRIPT, env({
      MOVES: movesBetween(ALL_ON_ZERO, BALANCED, 1),
      NEW_BUCKETS_FILE: NEW_BUCKETS_FILE(),
    }));
    await waitFor('the copy to block', async () => await shard1.sqlAsync(
      "select count(*) from pg_stat_activity where application_name = 'scale-ladder-rebalance' and wait_event_type = 'Lock'") !== '0');
    await shard1.kill();
    const result = await running.done;
    await blocker.close();
    await shard1.start();

    expect(result.stderr).toMatch(/copying buckets .* from shard 0 to shard 1 failed/);
    expect(result.stderr).toMatch(/could not remove copies of buckets .* from shard 1/);
    expectUndone(result, moving, [shard1]);
    expect(shard1.sql("select count(*) from app.accounts where account_id = 'blocker'")).toBe('0');
  });

  test('a target table is dropped between copy and verify', async () => {
    const moving = bucketsMovingTo(1);
    const result = await rebalance('table-dropped', {
      MOVES: movesBetween(ALL_ON_ZERO, BALANCED, 1),
      NEW_BUCKETS_FILE: NEW_BUCKETS_FILE(),
      ON_COPIED: psqlOn(1, 'drop table public.orders'),
    });
    expect(result.stderr).toMatch(/cannot verify on shard 1/);
    expectUndone(result, moving, [shard1]);
  });

  test('a copied row differs on the target (checksum mismatch)', async () => {
    const moving = bucketsMovingTo(2);
    const result = await rebalance('mismatch', {
      MOVES: movesBetween(ALL_ON_ZERO, BALANCED, 2),
      NEW_BUCKETS_FILE: NEW_BUCKETS_FILE(),
      ON_COPIED: psqlOn(2, `update app.accounts set balance = 0 where shard_bucket = ${moving[3]}`),
    });
    expect(result.stderr).toMatch(new RegExp(`^mismatch: app\\.accounts buckets ${moving.join(',')}: shard 0 rows=(\\d+) checksum=\\w+, shard 2 rows=\\1 checksum=\\w+$`, 'm'));
    expect(result.stderr).toMatch(/1 table\(s\) differ between the shards: the move is NOT verified/);
    expectUndone(result, moving, [shard2]);
  });
});

describe('the move to four shards', () => {
  let result: ScriptResult;
  let published: string;
  let newBuckets: number[];
  const lateKey = keyInBucket('late', (b) => BALANCED[b] !== 0);

  beforeAll(async () => {
    // A writer whose transaction is open when the fence goes up: the move must wait for it.
    const writer = shard0.session();
    writer.send(`begin; insert into app.accounts (account_id, shard_bucket, name) values ('${lateKey}', ${ShardRouter.bucketFor(lateKey)}, 'late');`);
    await waitFor('the open writer', () => shard0.sql("select count(*) from pg_stat_activity where state = 'idle in transaction'") !== '0');
    const publishedFile = path.join(scratch.dir, 'published.json');
    const running = startScript(scratch.dir, 'move', REBALANCE_SHARDS_SCRIPT, env({
      MOVES: movesBetween(ALL_ON_ZERO, BALANCED),
      NEW_BUCKETS_FILE: NEW_BUCKETS_FILE(),
      PUBLISH_COMMAND: `cat > '${publishedFile}'`,
    }));
    await waitFor('the move to wait for the writer', async () => await shard0.sqlAsync(
      "select count(*) from pg_stat_activity where application_name = 'scale-ladder-rebalance' and wait_event = 'PgSleep'") !== '0');
    writer.send('commit;');
    await writer.close();
    result = await running.done;
    published = fs.readFileSync(publishedFile, 'utf8');
    newBuckets = JSON.parse(fs.readFileSync(NEW_BUCKETS_FILE(), 'utf8'));
  });

  test('exits 0, publishes the balanced assignment and prints it last', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(REBALANCE_SHARDS_EXIT_CODES.done);
    expect(newBuckets).toEqual(BALANCED);
    expect(JSON.parse(published)).toEqual(BALANCED);
    expect(result.stdout.trimEnd().split('\n').pop()).toBe(`new SHARD_BUCKETS: ${JSON.stringify(BALANCED)}`);
    expect(result.stdout).toMatch(/shard 1: created 1 sharded table\(s\)/); // public.orders, dropped above
  });

  test('every key reads back from the shard ShardRouter names under the new assignment', () => {
    const router = ShardRouter.fromShardMap(shardMap(), JSON.stringify(newBuckets));
    const onShard = shards.map((s) => new Set(s.sql('select account_id from app.accounts').split('\n')));
    const ordersOn = shards.map((s) => new Map(s.sql('select account_id, count(*) from public.orders group by 1').split('\n').map((l) => {
      const [k, n] = l.split('|');
      return [k, Number(n)] as const;
    })));
    for (const key of [...KEYS, lateKey]) {
      const endpoint = router.endpointFor(key);
      expect(endpoint.port).toBe(shards[endpoint.id].port);
      expect(onShard[endpoint.id].has(key)).toBe(true);
      if (key !== lateKey) {
        expect(ordersOn[endpoint.id].get(key)).toBe(2);
      }
    }
  });

  test('the copies are exact, and new rows on a new shard get fresh ids', () => {
    for (const id of [1, 2, 3]) {
      const buckets = bucketsMovingTo(id).join(',');
      const query = `set timezone = 'UTC'; select md5(string_agg(r, '|' order by r collate "C")) from (select to_json(t)::text as r from public.orders as t where shard_bucket = any('{${buckets}}')) as s`;
      expect(shards[id].sql(query)).toBe(shard0.sql(query));
    }
    const key = keyInBucket('new-on-2', (b) => BALANCED[b] === 2);
    shard2.sql(`insert into app.accounts (account_id, shard_bucket, name) values ('${key}', ${ShardRouter.bucketFor(key)}, 'new')`);
    const id = Number(shard2.sql(`insert into public.orders (account_id, shard_bucket) values ('${key}', ${ShardRouter.bucketFor(key)}) returning order_id`));
    expect(id).toBeGreaterThan(6000);
    shard2.sql(`delete from public.orders where order_id = ${id}; delete from app.accounts where account_id = '${key}'`);
  });

  test('the old shard keeps its rows readable but refuses writes to a moved bucket', () => {
    expect(Number(shard0.sql('select count(*) from app.accounts'))).toBe(3001);
    const moved = KEYS.find((k) => BALANCED[ShardRouter.bucketFor(k)] === 3)!;
    const bucket = ShardRouter.bucketFor(moved);
    expect(() => shard0.sql(`update app.accounts set name = 'stale' where account_id = '${moved}'`))
      .toThrow(new RegExp(`bucket ${bucket} is fenced on this shard \\(moved to shard 3\\): UPDATE on app\\.accounts refused`));
    expect(() => shard0.sql(`delete from public.orders where account_id = '${moved}'`)).toThrow(/is fenced on this shard/);
    const fresh = keyInBucket('fresh', (b) => BALANCED[b] === 1);
    expect(() => shard0.sql(`insert into app.accounts (account_id, shard_bucket, name) values ('${fresh}', ${ShardRouter.bucketFor(fresh)}, 'x')`))
      .toThrow(new RegExp(`bucket ${ShardRouter.bucketFor(fresh)} is fenced`));
    // Moving a row into a fenced bucket is refused too (the new bucket is checked).
    const stay = KEYS.find((k) => BALANCED[ShardRouter.bucketFor(k)] === 0)!;
    expect(() => shard0.sql(`update app.accounts set shard_bucket = ${bucket} where account_id = '${stay}'`)).toThrow(/is fenced/);
    expect(fenced(shard0)).toEqual(MOVING);
  });

  test('buckets that did not move stay writable on shard 0', () => {
    roundTripWrite(shard0, keyInBucket('stays', (b) => BALANCED[b] === 0));
  });

  test('the global table is untouched and not copied', () => {
    expect(snapshot(shard0)['public.countries']).toEqual(initial['public.countries']);
    for (const s of shards.slice(1)) {
      expect(s.sql("select to_regclass('public.countries') is null")).toBe('t');
    }
  });

  test('a move or abort by the assignment from before the move is refused', async () => {
    const move = await rebalance('stale-move', { MOVES: '0>2:1', NEW_BUCKETS_FILE: path.join(scratch.dir, 'stale.json') });
    expect(move.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);
    expect(move.stderr).toMatch(/not the assignment in force: shard 0 has already moved bucket\(s\) 1 \(to shard 1\); nothing was changed/);
    const abort = await rebalance('stale-abort', { ACTION: 'abort', MOVES: '0>1:1,5' });
    expect(abort.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);
    expect(fenced(shard0)).toEqual(MOVING);
    expect(rowsOfBuckets(shard2, [1])).toBe(0);
  });

  test('cleanup refuses an assignment that is not in force, and deletes nothing', async () => {
    const stale = await rebalance('cleanup-stale', { ACTION: 'cleanup', SHARD_BUCKETS: JSON.stringify(ALL_ON_ZERO) });
    expect(stale.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);
    expect(stale.stderr).toMatch(/assigns buckets to shards that fence them: 1 \(shard 0\)/);
    // A bucket given to a shard that holds none of its rows, while another shard does.
    const typo = [...BALANCED];
    typo[0] = 2;
    const wrong = await rebalance('cleanup-typo', { ACTION: 'cleanup', SHARD_BUCKETS: JSON.stringify(typo) });
    expect(wrong.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);
    expect(wrong.stderr).toMatch(/gives buckets to shards that hold none of their rows: 0 \(rows on shard 0, none on shard 2\)/);
    expect(Number(shard0.sql('select count(*) from app.accounts'))).toBe(3001);
  });

  test('cleanup leaves each row on exactly one shard: the one the router names', async () => {
    const cleanup = await rebalance('cleanup', { ACTION: 'cleanup', SHARD_BUCKETS: JSON.stringify(newBuckets) });
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toMatch(/shard 0 public\.orders: deleted \d+ rows of buckets it does not hold/);
    const router = ShardRouter.fromShardMap(shardMap(), JSON.stringify(newBuckets));
    const seen = new Map<string, number>();
    let orders = 0;
    shards.forEach((s, id) => {
      for (const key of s.sql('select account_id from app.accounts').split('\n')) {
        expect(seen.has(key)).toBe(false);
        expect(router.shardFor(key)).toBe(id);
        seen.set(key, id);
      }
      orders += Number(s.sql('select count(*) from public.orders'));
    });
    expect(seen.size).toBe(3001);
    expect(orders).toBe(6000);
    expect(fenced(shard0)).toEqual(MOVING); // fences stay
    expect(snapshot(shard0)['public.countries']).toEqual(initial['public.countries']);
  });
});

describe('abort', () => {
  test('unfences a verified but unpublished move; cleanup then removes the copy', async () => {
    const inForce = JSON.stringify(BALANCED);
    const moves = '0>1:4,8';
    const rowsBefore = rowsOfBuckets(shard0, [4, 8]);
    const move = await rebalance('abort-move', { MOVES: moves, SHARD_BUCKETS: inForce });
    expect(move.code).toBe(0);
    expect(rowsOfBuckets(shard1, [4, 8])).toBe(rowsBefore);
    const key = keyInBucket('aborted', (b) => b === 4);
    expect(() => roundTripWrite(shard0, key)).toThrow(/bucket 4 is fenced on this shard \(copied to shard 1, awaiting publication\)/);

    const wrong = await rebalance('abort-wrong', { ACTION: 'abort', MOVES: '1>0:4', SHARD_BUCKETS: inForce });
    expect(wrong.code).toBe(REBALANCE_SHARDS_EXIT_CODES.refused);

    const abort = await rebalance('abort', { ACTION: 'abort', MOVES: moves, SHARD_BUCKETS: inForce });
    expect(abort.stderr).toBe('');
    expect(abort.code).toBe(0);
    expect(abort.stdout).toMatch(/shard 0: buckets 4,8 unfenced/);
    roundTripWrite(shard0, key);
    expect(fenced(shard0)).toEqual(MOVING);

    const cleanup = await rebalance('abort-cleanup', { ACTION: 'cleanup', SHARD_BUCKETS: inForce });
    expect(cleanup.code).toBe(0);
    expect(rowsOfBuckets(shard1, [4, 8])).toBe(0);
    expect(rowsOfBuckets(shard0, [4, 8])).toBe(rowsBefore);
  });
});

describe('as a user that is not a superuser (no session_replication_role)', () => {
  // Own database on shards 0 and 1, owned by that user: app triggers and foreign keys stay on,
  // so the copy relies on table order and the cleanup on the fence bypass.
  const DB = 'mover_db';
  const USER = 'mover';
  const moverEnv = (extra: Record<string, string>) => ({
    SHARD_MAP: JSON.stringify(JSON.parse(shardMap()).slice(0, 2)),
    DATABASE_USER: USER,
    DATABASE_NAME: DB,
    SHARD_0_PASSWORD: 'mover-password',
    SHARD_1_PASSWORD: 'mover-password',
    ...extra,
  });
  const keys = KEYS.slice(0, 500);
  const halfToOne = ALL_ON_ZERO.map((_, b) => b % 2);

  beforeAll(() => {
    for (const s of [shard0, shard1]) {
      s.sql(`create role ${USER} login password 'mover-password'`);
      s.sql(`create database ${DB} owner ${USER}`);
    }
    load(shard0, keys, DB, USER);
  });

  test('moves, verifies and cleans up', async () => {
    const move = await rebalance('mover-move', moverEnv({ MOVES: movesBetween(ALL_ON_ZERO, halfToOne), NEW_BUCKETS_FILE: path.join(scratch.dir, 'mover.json') }));
    expect(move.stderr).toBe('');
    expect(move.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(scratch.dir, 'mover.json'), 'utf8'))).toEqual(halfToOne);
    expect(shard0.sql(`select rolsuper from pg_roles where rolname = '${USER}'`, DB)).toBe('f');
    const cleanup = await rebalance('mover-cleanup', moverEnv({ ACTION: 'cleanup', SHARD_BUCKETS: JSON.stringify(halfToOne) }));
    expect(cleanup.stderr).toBe('');
    expect(cleanup.code).toBe(0);
    const held = (s: PostgresServer) => s.sql('select account_id, shard_bucket from app.accounts order by 1', DB).split('\n');
    const all = [...held(shard0), ...held(shard1)];
    expect(all).toHaveLength(500);
    for (const line of held(shard1)) {
      expect(Number(line.split('|')[1]) % 2).toBe(1);
    }
    expect(Number(shard0.sql('select count(*) from public.orders', DB)) + Number(shard1.sql('select count(*) from public.orders', DB))).toBe(1000);
  });
});

test('the variable list names what the script reads', () => {
  for (const v of REBALANCE_SHARDS_VARIABLES) {
    for (const part of v.name.split('<id>')) {
      expect(REBALANCE_SHARDS_SCRIPT).toContain(part);
    }
  }
});
