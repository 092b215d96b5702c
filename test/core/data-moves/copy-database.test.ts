import * as fs from 'fs';
import * as path from 'path';
import { runScript, startScript, useScratchDir, waitFor } from './run-script';
import { COPY_DATABASE_EXIT_CODES, COPY_DATABASE_SCRIPT, COPY_DATABASE_VARIABLES } from '../../../lib/core/data-moves/copy-database';
import { PostgresServer, usePostgres } from '../../support/postgres';

jest.setTimeout(60_000);

const [source, target] = usePostgres(2);
const scratch = useScratchDir();
const SOURCE_DB = 'shop';

const SOURCE_DATA = `
create schema sales;
create schema "Audit Trail";
create table sales.customers (
  id bigserial primary key,
  name text not null,
  email text,
  born date,
  balance numeric(12, 2),
  tags text[],
  created_at timestamptz not null default '2024-01-02 03:04:05+00'
);
insert into sales.customers (name, email, born, balance, tags)
select 'Zoë Ångström 北京 🚀 #' || i,
       case when i % 7 = 0 then null else 'c' || i || '@example.test' end,
       case when i % 5 = 0 then null else date '1980-01-01' + i end,
       case when i % 3 = 0 then null else (i * 1.25)::numeric(12, 2) end,
       case when i % 4 = 0 then null else array['a' || i, 'é "quoted"', null] end
from generate_series(1, 3000) as i;
create table sales.orders (
  id integer generated always as identity primary key,
  customer_id bigint not null references sales.customers (id),
  total double precision,
  paid boolean,
  items jsonb
);
insert into sales.orders (customer_id, total, paid, items)
select 1 + (i * 7) % 3000, i / 3.0, case when i % 3 = 0 then null else i % 2 = 0 end,
       jsonb_build_object('sku', 'sku-' || i, 'qty', i % 9, 'note', case when i % 11 = 0 then null else 'ü' end)
from generate_series(1, 4000) as i;
-- no primary key, with duplicate rows, binary payloads
create table public.events (kind text, payload bytea, at timestamp);
insert into public.events
select case when i % 2 = 0 then 'click' else 'view' end,
       case when i % 6 = 0 then null else decode(md5(i::text) || '00ff', 'hex') end,
       timestamp '2024-05-01 00:00:00' + (i % 50) * interval '1 minute'
from generate_series(1, 2500) as i;
create table "Audit Trail"."Log Entries" (id serial primary key, "Message" text, happened tstzrange, during interval);
insert into "Audit Trail"."Log Entries" ("Message", happened, during)
select repeat('x', i % 40) || E'\\ttab\\nnewline', tstzrange('2024-01-01', '2024-01-02'), i * interval '1 second'
from generate_series(1, 500) as i;
create table public.empty_table (id int);
create sequence sales.invoice_numbers start 1000;
select nextval('sales.invoice_numbers') from generate_series(1, 42);
`;

/** Every user table's rows as JSON text, sorted, by table name (two psql calls). */
function contents(server: PostgresServer, db: string): Record<string, string[]> {
  const tables = server.sql(`select format('%I.%I', schemaname, tablename) from pg_tables
    where schemaname not in ('pg_catalog', 'information_schema') order by 1`, db).split('\n').filter((t) => t !== '');
  const out: Record<string, string[]> = Object.fromEntries(tables.map((t) => [t, []]));
  if (tables.length === 0) {
    return out;
  }
  const rows = tables.map((t) => `select ${literal(t)} as tab, to_json(t::text)::text as r from only ${t} as t`).join(' union all ');
  const lines = server.sql(`set timezone = 'UTC'; select tab || ' ' || r from (${rows}) as s order by tab, r collate "C"`, db);
  for (const line of lines.split('\n').filter((l) => l !== '')) {
    const at = line.lastIndexOf(' "');
    out[line.slice(0, at)].push(line.slice(at + 1));
  }
  return out;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function rowCounts(data: Record<string, string[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(data).map(([t, rows]) => [t, rows.length]));
}

let sourceContents: Record<string, string[]>;

beforeAll(() => {
  source.sql(`create database ${SOURCE_DB}`);
  source.sql(SOURCE_DATA, SOURCE_DB);
  sourceContents = contents(source, SOURCE_DB);
});

let targetDbs = 0;
/** A fresh, empty database on the target server, so each case starts clean. */
function freshTargetDb(): string {
  const db = `target_${++targetDbs}`;
  target.sql(`create database ${db}`);
  return db;
}

function env(targetDb: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SOURCE_HOST: source.host,
    SOURCE_PORT: String(source.port),
    SOURCE_USER: source.user,
    SOURCE_PASSWORD: source.password,
    SOURCE_DB,
    SOURCE_SSLMODE: 'disable',
    TARGET_HOST: target.host,
    TARGET_PORT: String(target.port),
    TARGET_USER: target.user,
    TARGET_PASSWORD: target.password,
    TARGET_DB: targetDb,
    TARGET_SSLMODE: 'disable',
    WORK_DIR: path.join(scratch.dir, 'work'),
    ...extra,
  };
}

/** ON_VERIFIED writes a marker file: the test's stand-in for switching the app. */
function switchMarker(name: string): { file: string; command: string } {
  const file = path.join(scratch.dir, `switched-${name}`);
  return { file, command: `touch '${file}'` };
}

/** psql against the target from inside the script's environment (for ON_RESTORED). */
const TARGET_PSQL = 'PGPASSWORD="$TARGET_PASSWORD" PGSSLMODE=disable psql -X -q -v ON_ERROR_STOP=1 -h "$TARGET_HOST" -p "$TARGET_PORT" -U "$TARGET_USER" -d "$TARGET_DB"';

function expectSourceUnchanged(): void {
  expect(contents(source, SOURCE_DB)).toEqual(sourceContents);
}

test('the source holds what the cases rely on', () => {
  expect(rowCounts(sourceContents)).toEqual({
    '"Audit Trail"."Log Entries"': 500,
    'public.empty_table': 0,
    'public.events': 2500,
    'sales.customers': 3000,
    'sales.orders': 4000,
  });
  expect(source.sql('select count(*) from sales.customers where email is null or born is null or balance is null or tags is null', SOURCE_DB)).not.toBe('0');
  // The table without a key has duplicate rows, which a copy must keep.
  expect(new Set(sourceContents['public.events']).size).toBeLessThan(2500);
});

describe('a copy that succeeds', () => {
  let db: string;
  let result: Awaited<ReturnType<typeof runScript>>;
  let marker: { file: string; command: string };

  beforeAll(async () => {
    marker = switchMarker('ok');
    db = freshTargetDb();
    result = await runScript(scratch.dir, 'copy-ok', COPY_DATABASE_SCRIPT, env(db, { ON_VERIFIED: marker.command }));
  });

  test('exits 0, prints both sides per table and the verified line, then switches', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.verified);
    const out = result.stdout;
    for (const [table, rows] of Object.entries(rowCounts(sourceContents))) {
      const line = new RegExp(`^source ${escape(table)} rows=${rows} checksum=([0-9a-f]{32})$`, 'm');
      const checksum = line.exec(out)?.[1];
      expect(checksum).toBeDefined();
      expect(out).toMatch(new RegExp(`^target ${escape(table)} rows=${rows} checksum=${checksum}$`, 'm'));
    }
    expect(out).toMatch(/^source sequence sales\.invoice_numbers last_value=1041 is_called=t$/m);
    expect(out).toMatch(/^verified: 5 tables, 10000 rows, 4 sequences$/m);
    expect(fs.existsSync(marker.file)).toBe(true);
  });

  test('every row arrived, byte for byte', () => {
    expect(contents(target, db)).toEqual(sourceContents);
  });

  test('sequences and identities carry on where the source stopped', () => {
    expect(target.sql("select nextval('sales.invoice_numbers')", db)).toBe('1042');
    expect(target.sql("insert into sales.customers (name) values ('new') returning id", db)).toBe('3001');
    expect(target.sql('insert into sales.orders (customer_id) values (1) returning id', db)).toBe('4001');
    expect(target.sql('select last_value from "Audit Trail"."Log Entries_id_seq"', db)).toBe('500');
  });

  test('the dump file is removed', () => {
    expect(fs.readdirSync(path.join(scratch.dir, 'work'))).toEqual([]);
  });

  test('the source is untouched', expectSourceUnchanged);

  test('a second run against the filled target refuses and writes nothing', async () => {
    const before = contents(target, db);
    const again = switchMarker('again');
    const second = await runScript(scratch.dir, 'copy-again', COPY_DATABASE_SCRIPT, env(db, { ON_VERIFIED: again.command }));
    expect(second.code).toBe(COPY_DATABASE_EXIT_CODES.targetNotEmpty);
    expect(second.stderr).toMatch(/already has 5 table\(s\); refusing/);
    expect(fs.existsSync(again.file)).toBe(false);
    expect(contents(target, db)).toEqual(before);
  });

  test('REPLACE_TARGET=yes replaces the target with the source again, without doubling rows', async () => {
    target.sql("delete from sales.orders where id > 4000; delete from sales.customers where id > 3000; select setval('sales.invoice_numbers', 1041)", db);
    target.sql("insert into public.events (kind) values ('only on the target')", db);
    const replaced = await runScript(scratch.dir, 'copy-replace', COPY_DATABASE_SCRIPT, env(db, { REPLACE_TARGET: 'yes' }));
    expect(replaced.stderr).toBe('');
    expect(replaced.code).toBe(0);
    expect(contents(target, db)).toEqual(sourceContents);
  });
});

describe('failures leave the old state in force', () => {
  test('the target server dies during the restore: non-zero, no switch, target rolled back, source unchanged', async () => {
    const db = freshTargetDb();
    const marker = switchMarker('killed');
    // An uncommitted schema of the same name makes the restore wait half-way (after
    // creating "Audit Trail"), so the kill lands inside its transaction.
    const blocker = target.session(db);
    blocker.send('begin; create schema sales;');
    await waitFor('the blocking schema', () => target.sql("select count(*) from pg_locks where locktype = 'transactionid' and granted", db) !== '0');
    const running = startScript(scratch.dir, 'copy-killed', COPY_DATABASE_SCRIPT, env(db, { ON_VERIFIED: marker.command }));
    await waitFor('the restore to block', async () => await target.sqlAsync(
      "select count(*) from pg_stat_activity where application_name = 'scale-ladder-copy-database' and wait_event_type = 'Lock'") !== '0');
    await target.kill();
    const result = await running.done;
    await blocker.close();
    await target.start();

    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.failed);
    expect(result.stderr).toMatch(/restore into the target failed/);
    expect(result.stdout).not.toMatch(/^verified/m);
    expect(fs.existsSync(marker.file)).toBe(false);
    expect(target.sql("select count(*) from pg_namespace where nspname in ('sales', 'Audit Trail')", db)).toBe('0');
    expect(contents(target, db)).toEqual({});
    expectSourceUnchanged();
  });

  test.each([
    ['a database that does not exist', () => ({ TARGET_DB: 'no_such_database' })],
    ['a server that is not running', () => ({ TARGET_PORT: '1' })],
  ])('the target is %s: non-zero before anything is copied', async (_what, override) => {
    const marker = switchMarker('missing');
    const result = await runScript(scratch.dir, 'copy-missing', COPY_DATABASE_SCRIPT,
      { ...env('unused', { ON_VERIFIED: marker.command }), ...override() });
    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.failed);
    expect(result.stderr).toMatch(/cannot connect to the target .*nothing was copied/);
    expect(fs.existsSync(marker.file)).toBe(false);
    expectSourceUnchanged();
  });

  test.each([
    ['a row changed', 'update sales.customers set email = null where id = 17', /^mismatch: table sales\.customers source rows=3000 checksum=\w+, target rows=3000 checksum=\w+$/m],
    ['a row deleted from a table without a key', 'delete from public.events where ctid = (select min(ctid) from public.events)', /^mismatch: table public\.events source rows=2500 .* target rows=2499 /m],
    ['a table dropped', 'drop table public.empty_table', /^mismatch: table public\.empty_table is missing on the target$/m],
    ['a table added', 'create table public.stray (x int)', /^mismatch: table public\.stray exists only on the target$/m],
    ['a sequence moved', "select setval('sales.invoice_numbers', 5)", /^mismatch: sequence sales\.invoice_numbers source last_value=1041 is_called=t, target last_value=5 is_called=t$/m],
  ])('the target differs after the restore (%s): non-zero, no switch', async (_what, corruption, mismatch) => {
    const db = freshTargetDb();
    const marker = switchMarker('mismatch');
    const result = await runScript(scratch.dir, 'copy-mismatch', COPY_DATABASE_SCRIPT,
      env(db, { ON_RESTORED: `${TARGET_PSQL} -c "${corruption}"`, ON_VERIFIED: marker.command }));
    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.failed);
    expect(result.stderr).toMatch(mismatch);
    expect(result.stderr).toMatch(/1 difference\(s\) between source and target: the copy is NOT verified/);
    expect(result.stdout).not.toMatch(/^verified/m);
    expect(fs.existsSync(marker.file)).toBe(false);
    expectSourceUnchanged();
  });

  test('a failing ON_VERIFIED fails the script', async () => {
    const result = await runScript(scratch.dir, 'copy-switch-fails', COPY_DATABASE_SCRIPT, env(freshTargetDb(), { ON_VERIFIED: 'exit 7' }));
    expect(result.stdout).toMatch(/^verified: /m);
    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.failed);
    expect(result.stderr).toMatch(/ON_VERIFIED failed \(exit 7\)/);
  });

  test('a missing required variable is bad usage', async () => {
    const { SOURCE_PASSWORD: _omitted, ...rest } = env('unused');
    const result = await runScript(scratch.dir, 'copy-usage', COPY_DATABASE_SCRIPT, rest);
    expect(result.code).toBe(COPY_DATABASE_EXIT_CODES.badUsage);
    expect(result.stderr).toBe('copy-database: SOURCE_PASSWORD must be set\n');
  });
});

test('the variable list names what the script reads', () => {
  for (const v of COPY_DATABASE_VARIABLES) {
    expect(COPY_DATABASE_SCRIPT).toContain(v.name);
  }
  expect(COPY_DATABASE_VARIABLES.filter((v) => v.required).map((v) => v.name))
    .toEqual(['SOURCE_HOST', 'SOURCE_PASSWORD', 'TARGET_HOST', 'TARGET_PASSWORD']);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
