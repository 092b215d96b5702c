import { ROW_SET_CHECKSUM_SQL, STABLE_TEXT_PGOPTIONS, ScriptVariable } from './script-variable';

/*
 * Shard rebalancing, cloud-neutral: buckets of rows move between shards one batch at a time,
 * and a new bucket assignment is published only after every moved row is copied and
 * verified. The cloud layers run it as a one-off task in the stock postgres image (an ECS
 * task on AWS, a Cloud Run job on Google Cloud). Not part of the jsii API.
 */

/** The environment `REBALANCE_SHARDS_SCRIPT` reads. */
export const REBALANCE_SHARDS_VARIABLES: readonly ScriptVariable[] = [
  { name: 'SHARD_MAP', required: true, secret: false, description: 'The JSON shard map, `[{"id":0,"host":…,"readerHost":…,"port":5432,"secret":…}]` (the app\'s variable); writers are used.' },
  { name: 'SHARD_BUCKETS', required: true, secret: false, description: 'The JSON bucket assignment in force: 256 shard ids, bucket b on shard SHARD_BUCKETS[b].' },
  { name: 'SHARD_<id>_PASSWORD', required: true, secret: true, description: 'DATABASE_USER\'s password on each shard taking part (FROM and TO shards for move, FROM shards for abort, every shard for cleanup).' },
  { name: 'DATABASE_USER', required: false, secret: false, defaultValue: 'postgres', description: 'User on every shard; needs to create a schema, tables and triggers.' },
  { name: 'DATABASE_NAME', required: false, secret: false, defaultValue: 'postgres', description: 'Database on every shard.' },
  { name: 'PGSSLMODE', required: false, secret: false, defaultValue: 'require', description: 'libpq sslmode for every connection.' },
  { name: 'ACTION', required: false, secret: false, defaultValue: 'move', description: '`move`, `abort` (unfence MOVES\' buckets on their shards, for an operator who decided not to publish) or `cleanup` (once every task runs with the published SHARD_BUCKETS: delete on each shard the rows of buckets it does not hold).' },
  { name: 'MOVES', required: false, secret: false, description: 'For move and abort: space-separated `FROM>TO:b1,b2,…` groups, e.g. `0>1:1,5,9 0>2:2,6`.' },
  { name: 'PUBLISH_COMMAND', required: false, secret: false, description: 'Shell command run only after every move verified; gets the new SHARD_BUCKETS JSON on stdin (and in NEW_SHARD_BUCKETS). It must exit non-zero only when it did not publish: its failure undoes the move.' },
  { name: 'NEW_BUCKETS_FILE', required: false, secret: false, description: 'File the new SHARD_BUCKETS JSON is written to, only after a verified move (and a successful PUBLISH_COMMAND).' },
  { name: 'ON_COPIED', required: false, secret: false, description: 'Shell command run after the copy and before the verification (for rehearsals and tests); its failure undoes the move.' },
  { name: 'WORK_DIR', required: false, secret: false, defaultValue: '$TMPDIR or /tmp', description: 'Directory for the rows in transit (removed on exit).' },
  { name: 'FENCE_WAIT_SECONDS', required: false, secret: false, defaultValue: '60', description: 'How long to wait for transactions that began before the fence; the move fails (and unfences) after it.' },
  { name: 'LOCK_TIMEOUT_SECONDS', required: false, secret: false, defaultValue: '30', description: 'lock_timeout for installing the fence and for the copy transactions.' },
  { name: 'CONNECT_TIMEOUT', required: false, secret: false, defaultValue: '15', description: 'Seconds to wait for each connection.' },
];

/** Exit codes of `REBALANCE_SHARDS_SCRIPT`. */
export const REBALANCE_SHARDS_EXIT_CODES = {
  /** Done: moved, verified and published (or aborted, or cleaned up). */
  done: 0,
  /** Failed; for move, undone: nothing published, the moving buckets unfenced, the copies removed where reachable. */
  failed: 1,
  /** A variable is missing or invalid, or a client program is not installed; nothing changed. */
  badUsage: 2,
  /** Refused before anything changed: MOVES does not match SHARD_BUCKETS, or cleanup was given an assignment that is not in force. */
  refused: 3,
} as const;

/**
 * Bash (psql and pg_dump only) that moves buckets of rows between shards; the environment is
 * `REBALANCE_SHARDS_VARIABLES`, the exit codes `REBALANCE_SHARDS_EXIT_CODES`.
 *
 * Contract for sharded tables: every table that is sharded has an integer column
 * `shard_bucket` holding `ShardRouter.bucketFor(key)` of the row's routing key. Tables
 * without that column are global (reference) tables and are never moved or deleted. The
 * script keeps its own objects in the `scale_ladder` schema of each shard.
 *
 * ACTION=move, for the buckets in MOVES:
 * 1. Refuses (exit 3, nothing changed) unless SHARD_BUCKETS places every listed bucket on
 *    the shard its group moves it from.
 * 2. Fences them on their shard: `scale_ladder.fenced_buckets` plus a BEFORE INSERT/UPDATE/
 *    DELETE row trigger on every sharded table that refuses (SQLSTATE 25006, naming the
 *    bucket) any write whose old or new `shard_bucket` is fenced; then waits until every
 *    transaction that began before the fence has ended, so the copy sees every committed row.
 * 3. Per group, on the target shard: creates missing sharded tables from the source's
 *    definitions (pg_dump --schema-only), and in one transaction deletes any rows of the
 *    moving buckets and copies them across (parents before children; app triggers do not
 *    fire where the user may set session_replication_role); owned sequences move forward
 *    past the copied ids.
 * 4. Verifies per table and group the exact `count(*)` and a checksum of the rows on both
 *    sides, printing `source shard <id> <table> buckets=… rows=<n> checksum=<md5>` and
 *    `target …` lines.
 * 5. Only then computes the new assignment, runs PUBLISH_COMMAND, writes NEW_BUCKETS_FILE and
 *    prints `new SHARD_BUCKETS: [...]` as its last line. The old shards keep the moved buckets
 *    fenced (a task still on the old assignment cannot write there); their rows stay readable
 *    until cleanup.
 *
 * Any failure before publication (a shard dying, a mismatch, PUBLISH_COMMAND failing) removes
 * the copies from the target where reachable, unfences the source and exits non-zero: the
 * assignment in force stays, with every row on its shard and writable.
 *
 * Run one rebalance at a time.
 */
export const REBALANCE_SHARDS_SCRIPT = `#!/usr/bin/env bash
# scale-ladder rebalance-shards: move buckets of rows between shards, one batch at a time.
# ACTION=move fences the moving buckets on their shard, copies them, verifies exact counts and
# checksums, and only then publishes the new SHARD_BUCKETS; any failure before that undoes
# the fence and the copy, so the assignment in force keeps every row writable where it was.
# Needs bash, psql and pg_dump (the stock postgres image). The JSON is read by psql.
set -euo pipefail
# Only this script's variables decide where it connects.
unset PGSERVICE PGSERVICEFILE PGHOSTADDR PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE

say() { printf 'rebalance-shards: %s\\n' "$*"; }
fail() { printf 'rebalance-shards: %s\\n' "$*" >&2; exit 1; }
usage() { printf 'rebalance-shards: %s\\n' "$*" >&2; exit 2; }
refuse() { printf 'rebalance-shards: %s\\n' "$*" >&2; exit 3; }

ACTION=\${ACTION:-move}
case "$ACTION" in move|abort|cleanup) ;; *) usage "ACTION must be move, abort or cleanup, got '$ACTION'" ;; esac
[ -n "\${SHARD_MAP:-}" ] || usage "SHARD_MAP must be set (the JSON shard map)"
[ -n "\${SHARD_BUCKETS:-}" ] || usage "SHARD_BUCKETS must be set (the JSON bucket assignment in force)"
DATABASE_USER=\${DATABASE_USER:-postgres}
DATABASE_NAME=\${DATABASE_NAME:-postgres}
FENCE_WAIT_SECONDS=\${FENCE_WAIT_SECONDS:-60}
LOCK_TIMEOUT_SECONDS=\${LOCK_TIMEOUT_SECONDS:-30}
[[ $FENCE_WAIT_SECONDS =~ ^[0-9]{1,5}$ ]] || usage "FENCE_WAIT_SECONDS must be a number of seconds, got '$FENCE_WAIT_SECONDS'"
[[ $LOCK_TIMEOUT_SECONDS =~ ^[0-9]{1,5}$ ]] || usage "LOCK_TIMEOUT_SECONDS must be a number of seconds, got '$LOCK_TIMEOUT_SECONDS'"
tools=(psql)
[ "$ACTION" = move ] && tools+=(pg_dump)
for tool in "\${tools[@]}"; do
  command -v "$tool" >/dev/null || usage "$tool not found on PATH (run this inside the postgres image)"
done
export PGSSLMODE=\${PGSSLMODE:-require}
export PGCONNECT_TIMEOUT=\${CONNECT_TIMEOUT:-15} PGAPPNAME=scale-ladder-rebalance
# Rows travel and are compared as text: pin every setting that shapes that text.
export PGOPTIONS='${STABLE_TEXT_PGOPTIONS} -c client_min_messages=warning'
FS=$'\\x1f'
NL=$'\\n'

# --- MOVES: FROM>TO:b1,b2,… groups --------------------------------------------------------
GROUP_FROM=() GROUP_TO=() GROUP_BUCKETS=()
declare -A MOVING=()
if [ "$ACTION" != cleanup ]; then
  read -r -a groups <<<"\${MOVES:-}"
  [ "\${#groups[@]}" -gt 0 ] || usage "MOVES must list the buckets to move, e.g. MOVES='0>1:1,5,9 0>2:2,6'"
  group_re='^([0-9]{1,3})>([0-9]{1,3}):([0-9]{1,3}(,[0-9]{1,3})*)$'
  for group in "\${groups[@]}"; do
    [[ $group =~ $group_re ]] || usage "MOVES entry '$group' must look like FROM>TO:b1,b2,… (shard ids and bucket numbers)"
    from=$((10#\${BASH_REMATCH[1]})) to=$((10#\${BASH_REMATCH[2]}))
    IFS=, read -r -a listed <<<"\${BASH_REMATCH[3]}"
    [ "$from" != "$to" ] || usage "MOVES entry '$group' moves buckets onto the shard they are on"
    buckets=()
    for b in "\${listed[@]}"; do
      b=$((10#$b))
      [ "$b" -le 255 ] || usage "bucket $b in MOVES entry '$group' is out of range (buckets are 0-255)"
      [ -z "\${MOVING[$b]+set}" ] || usage "bucket $b is listed twice in MOVES"
      MOVING[$b]=$to
      buckets+=("$b")
    done
    GROUP_FROM+=("$from") GROUP_TO+=("$to") GROUP_BUCKETS+=("$(IFS=,; echo "\${buckets[*]}")")
  done
fi

# --- SHARD_MAP and SHARD_BUCKETS, read by psql ---------------------------------------------
declare -A HOST=() PORT=()
password_set() { local v="SHARD_$1_PASSWORD"; [ -n "\${!v:-}" ]; }
on_shard() {
  local id=$1 v="SHARD_$1_PASSWORD"; shift
  PGHOST=\${HOST[$id]} PGPORT=\${PORT[$id]} PGUSER=$DATABASE_USER PGPASSWORD=\${!v} PGDATABASE=$DATABASE_NAME "$@"
}
sql() { local id=$1; shift; on_shard "$id" psql -X -q -v ON_ERROR_STOP=1 -t -A "$@"; }
lit() { local q="'"; printf "'%s'" "\${1//$q/$q$q}"; }

# psql needs a server: a shallow scan finds each shard's host and port, then the first
# reachable shard with a password reads both documents properly.
rest=$SHARD_MAP
obj_re='\\{([^{}]*)\\}(.*)'
id_re='"id"[[:space:]]*:[[:space:]]*([0-9]{1,3})[^0-9]'
host_re='"host"[[:space:]]*:[[:space:]]*"([^"]+)"'
port_re='"port"[[:space:]]*:[[:space:]]*([0-9]{1,5})'
candidates=()
while [[ $rest =~ $obj_re ]]; do
  obj="\${BASH_REMATCH[1]} " rest=\${BASH_REMATCH[2]}
  if [[ $obj =~ $id_re ]]; then
    id=$((10#\${BASH_REMATCH[1]}))
    if [[ $obj =~ $host_re ]]; then
      HOST[$id]=\${BASH_REMATCH[1]}
      if [[ $obj =~ $port_re ]]; then
        PORT[$id]=\${BASH_REMATCH[1]}
        password_set "$id" && candidates+=("$id")
      fi
    fi
  fi
done
reader=
for id in "\${candidates[@]}"; do
  if sql "$id" -c 'select 1' >/dev/null 2>&1; then reader=$id; break; fi
done
[ -n "$reader" ] || fail "no shard of SHARD_MAP with a SHARD_<id>_PASSWORD could be reached (tried: \${candidates[*]:-none})"
reader_host=\${HOST[$reader]} reader_port=\${PORT[$reader]}
parsed=$(sql "$reader" -F "$FS" -v map="$SHARD_MAP" -v buckets="$SHARD_BUCKETS" <<'SQL'
select 'shard', coalesce(e ->> 'id', ''), coalesce(e ->> 'host', ''), coalesce(e ->> 'port', '')
  from json_array_elements(:'map'::json) as e;
select 'bucket', ord - 1, value from json_array_elements_text(:'buckets'::json) with ordinality as b(value, ord);
SQL
) || usage "SHARD_MAP and SHARD_BUCKETS must be JSON arrays (see psql's error above)"

HOST=() PORT=()
ASSIGN=()
shards=0 bucket_count=0
while IFS=$FS read -r kind a b c; do
  case "$kind" in
    shard)
      [[ $a =~ ^[0-9]{1,3}$ ]] || usage "SHARD_MAP: every shard needs an integer id, got '$a'"
      [ -z "\${HOST[$a]+set}" ] || usage "SHARD_MAP: shard id $a appears twice"
      [[ -n $b && $b != *[[:space:]]* ]] || usage "SHARD_MAP: shard $a needs a host without spaces"
      [[ $c =~ ^[0-9]{1,5}$ ]] && [ "$c" -ge 1 ] && [ "$c" -le 65535 ] || usage "SHARD_MAP: shard $a needs a port 1-65535, got '$c'"
      HOST[$a]=$b PORT[$a]=$c shards=$((shards + 1)) ;;
    bucket)
      [[ $b =~ ^[0-9]{1,3}$ ]] || usage "SHARD_BUCKETS[$a] must be a shard id, got '$b'"
      ASSIGN[$a]=$((10#$b)) bucket_count=$((bucket_count + 1)) ;;
  esac
done <<<"$parsed"
for ((id = 0; id < shards; id++)); do
  [ -n "\${HOST[$id]+set}" ] || usage "SHARD_MAP: shard ids must be 0 to $((shards - 1)), shard $id is missing"
done
[ "$bucket_count" = 256 ] || usage "SHARD_BUCKETS must list 256 shard ids (one per bucket), got $bucket_count"
for ((b = 0; b < 256; b++)); do
  [ "\${ASSIGN[$b]}" -lt "$shards" ] || usage "SHARD_BUCKETS[$b] names shard \${ASSIGN[$b]}, which SHARD_MAP does not have"
done
[ "\${HOST[$reader]}" = "$reader_host" ] && [ "\${PORT[$reader]}" = "$reader_port" ] \\
  || usage "SHARD_MAP could not be read consistently (shard $reader); write it as plain JSON objects"

need_password() {
  local id
  for id in "$@"; do
    password_set "$id" || usage "SHARD_\${id}_PASSWORD must be set (shard $id takes part)"
  done
}

# --- Catalog queries ------------------------------------------------------------------------
# Sharded tables (an integer shard_bucket column), parents before the tables referencing them;
# one line each: name, from-clause (ONLY for plain tables), insertable columns.
sharded_tables() {
  sql "$1" -F "$FS" <<'SQL'
with recursive sharded as (
  select c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p') and not c.relispartition
     and n.nspname not in ('pg_catalog', 'information_schema', 'scale_ladder') and left(n.nspname, 3) <> 'pg_'
     and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'shard_bucket'
                  and not a.attisdropped and a.atttypid in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype))
), refs as (
  select distinct conrelid as child, confrelid as parent from pg_constraint
   where contype = 'f' and conrelid <> confrelid
     and conrelid in (select oid from sharded) and confrelid in (select oid from sharded)
), depth (oid, d) as (
  select oid, 0 from sharded
  union all
  select refs.child, depth.d + 1 from depth join refs on refs.parent = depth.oid where depth.d < 32
)
select s.name,
       case when s.relkind = 'p' then s.name else 'only ' || s.name end,
       (select string_agg(quote_ident(a.attname), ',' order by a.attnum) from pg_attribute a
         where a.attrelid = s.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '')
  from sharded s join (select oid, max(d) as d from depth group by oid) o on o.oid = s.oid
 order by o.d, s.name;
SQL
}

# The fence: a table of fenced buckets and a row trigger function. The function is
# (re)created only when missing or different, so a run needs no ownership of it otherwise.
FENCE_FUNCTION_BODY=$(cat <<'SQL'
declare
  fenced integer;
  fence_state text;
  moved_to integer;
begin
  if current_setting('scale_ladder.bypass_fence', true) = 'on' then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    select f.bucket, f.state, f.moved_to into fenced, fence_state, moved_to from scale_ladder.fenced_buckets f where f.bucket = old.shard_bucket;
  end if;
  if fenced is null and tg_op in ('INSERT', 'UPDATE') then
    select f.bucket, f.state, f.moved_to into fenced, fence_state, moved_to from scale_ladder.fenced_buckets f where f.bucket = new.shard_bucket;
  end if;
  if fenced is not null then
    raise exception using errcode = 'read_only_sql_transaction',
      message = format('scale-ladder: bucket %s is fenced on this shard (%s): %s on %I.%I refused',
                       fenced, case fence_state when 'moving' then 'moving to shard ' || moved_to
                                  when 'verified' then 'copied to shard ' || moved_to || ', awaiting publication'
                                  else 'moved to shard ' || moved_to end,
                       tg_op, tg_table_schema, tg_table_name),
      hint = 'Reload SHARD_BUCKETS and write to the shard it names for this bucket.';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
SQL
)
FENCE_OBJECTS_SQL=$(cat <<'SQL'
select to_regclass('scale_ladder.fenced_buckets') is null as fence_table_missing,
       not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                    where n.nspname = 'scale_ladder' and p.proname = 'refuse_fenced_write'
                      and p.prosrc = :'fence_body') as fence_function_missing \\gset
\\if :fence_table_missing
create schema if not exists scale_ladder;
create table if not exists scale_ladder.fenced_buckets (
  bucket integer primary key check (bucket between 0 and 255),
  moved_to integer not null,
  -- moving: being copied; verified: copied and verified, not yet published; moved: published.
  state text not null check (state in ('moving', 'verified', 'moved')),
  fenced_at timestamptz not null default now()
);
\\endif
\\if :fence_function_missing
create or replace function scale_ladder.refuse_fenced_write() returns trigger
  language plpgsql set search_path = pg_catalog as :'fence_body';
\\endif
SQL
)

# Copies run with the fence bypassed and, where the user may, without firing the app's
# triggers (session_replication_role); otherwise foreign keys are satisfied by table order.
COPY_SESSION_SQL=$(cat <<SQL
set local lock_timeout = '\${LOCK_TIMEOUT_SECONDS}s';
set local scale_ladder.bypass_fence = 'on';
do \\$replica\\$ begin
  perform set_config('session_replication_role', 'replica', true);
exception when insufficient_privilege then
  null;
end \\$replica\\$;
SQL
)

# --- abort ------------------------------------------------------------------------------------
check_moves_against_assignment() {
  local i b wrong=
  for i in "\${!GROUP_FROM[@]}"; do
    [ "\${GROUP_FROM[$i]}" -lt "$shards" ] || usage "MOVES names shard \${GROUP_FROM[$i]}, which SHARD_MAP does not have"
    [ "\${GROUP_TO[$i]}" -lt "$shards" ] || usage "MOVES names shard \${GROUP_TO[$i]}, which SHARD_MAP does not have"
    for b in \${GROUP_BUCKETS[$i]//,/ }; do
      [ "\${ASSIGN[$b]}" = "\${GROUP_FROM[$i]}" ] || wrong+=" $b (on shard \${ASSIGN[$b]}, not \${GROUP_FROM[$i]})"
    done
  done
  [ -z "$wrong" ] || refuse "SHARD_BUCKETS does not place these buckets on the shard MOVES takes them from:$wrong; nothing was changed"
}

unfence() { # shard, bucket list
  sql "$1" -c "do \\$u\\$ begin if to_regclass('scale_ladder.fenced_buckets') is not null then delete from scale_ladder.fenced_buckets where bucket = any('{$2}'::int[]); end if; end \\$u\\$"
}

# A bucket its shard fences as published elsewhere shows SHARD_BUCKETS is older than the
# assignment in force: moving or unfencing by it would split the bucket across two shards.
refuse_published_moves() {
  local i moved
  for i in "\${!GROUP_FROM[@]}"; do
    moved=$(sql "\${GROUP_FROM[$i]}" -v buckets="{\${GROUP_BUCKETS[$i]}}" <<'SQL'
select to_regclass('scale_ladder.fenced_buckets') is not null as has_fences \\gset
\\if :has_fences
select coalesce(string_agg(format('%s (to shard %s)', bucket, moved_to), ', ' order by bucket), '')
  from scale_ladder.fenced_buckets where bucket = any(:'buckets'::int[]) and state = 'moved';
\\endif
SQL
    ) || fail "cannot read the fences of shard \${GROUP_FROM[$i]}"
    [ -z "$moved" ] || refuse "SHARD_BUCKETS is not the assignment in force: shard \${GROUP_FROM[$i]} has already moved bucket(s) $moved; nothing was changed"
  done
}

if [ "$ACTION" = abort ]; then
  check_moves_against_assignment
  need_password "\${GROUP_FROM[@]}"
  refuse_published_moves
  for i in "\${!GROUP_FROM[@]}"; do
    unfence "\${GROUP_FROM[$i]}" "\${GROUP_BUCKETS[$i]}" || fail "could not unfence buckets \${GROUP_BUCKETS[$i]} on shard \${GROUP_FROM[$i]}"
    say "shard \${GROUP_FROM[$i]}: buckets \${GROUP_BUCKETS[$i]} unfenced (writable again there)"
  done
  say "aborted: SHARD_BUCKETS stays as it is; ACTION=cleanup with it removes copies left on other shards"
  exit 0
fi

# --- cleanup ----------------------------------------------------------------------------------
if [ "$ACTION" = cleanup ]; then
  all=()
  for ((id = 0; id < shards; id++)); do all+=("$id"); done
  need_password "\${all[@]}"
  # A shard that fences a bucket this assignment gives it shows the assignment is not the one
  # in force (e.g. the one from before a move): deleting by it would delete live rows.
  declare -A SHARD_TABLES=() PRESENT=()
  stale=
  for id in "\${all[@]}"; do
    fenced=$(sql "$id" <<'SQL'
select to_regclass('scale_ladder.fenced_buckets') is not null as has_fences \\gset
\\if :has_fences
select coalesce(string_agg(bucket::text, ' ' order by bucket), '') from scale_ladder.fenced_buckets;
\\endif
SQL
    ) || fail "cannot read the fences of shard $id; nothing was deleted"
    for b in $fenced; do
      PRESENT["$id:$b"]=fenced
      [ "\${ASSIGN[$b]}" != "$id" ] || stale+=" $b (shard $id)"
    done
    SHARD_TABLES[$id]=$(sharded_tables "$id") || fail "cannot list the sharded tables of shard $id; nothing was deleted"
  done
  [ -z "$stale" ] || refuse "SHARD_BUCKETS assigns buckets to shards that fence them:$stale. Either it is not the assignment in force (use the one the move published) or a move was interrupted (ACTION=abort with its MOVES unfences); nothing was deleted"
  # Rows of a bucket a shard neither holds nor fences are copies a failed move left behind,
  # unless the shard the assignment names has none of that bucket: then the assignment is wrong.
  for id in "\${all[@]}"; do
    union=
    while IFS=$FS read -r name from_clause _columns; do
      [ -z "$name" ] || union+="\${union:+ union }select shard_bucket from $from_clause"
    done <<<"\${SHARD_TABLES[$id]}"
    [ -n "$union" ] || continue
    present=$(sql "$id" -c "select coalesce(string_agg(b::text, ' ' order by b), '') from (select distinct shard_bucket as b from ($union) as u where shard_bucket is not null) as d") \\
      || fail "cannot read which buckets shard $id holds rows of; nothing was deleted"
    for b in $present; do
      [ -n "\${PRESENT["$id:$b"]+set}" ] || PRESENT["$id:$b"]=rows
    done
  done
  unowned=
  for key in "\${!PRESENT[@]}"; do
    id=\${key%%:*} b=\${key#*:}
    if [ "\${PRESENT[$key]}" = rows ] && [ "\${ASSIGN[$b]}" != "$id" ] && [ "\${PRESENT["\${ASSIGN[$b]}:$b"]:-}" != rows ]; then
      unowned+=" $b (rows on shard $id, none on shard \${ASSIGN[$b]})"
    fi
  done
  [ -z "$unowned" ] || refuse "SHARD_BUCKETS gives buckets to shards that hold none of their rows:$unowned. It is not the assignment in force; nothing was deleted"
  # Every task now runs with this assignment: the buckets fenced here have moved for good.
  MARK_MOVED_SQL=$(cat <<'SQL'
select to_regclass('scale_ladder.fenced_buckets') is not null as has_fences \\gset
\\if :has_fences
update scale_ladder.fenced_buckets as f set state = 'moved', moved_to = (:'buckets'::json ->> f.bucket)::int where f.state <> 'moved';
\\endif
SQL
  )
  for id in "\${all[@]}"; do
    held=()
    for ((b = 0; b < 256; b++)); do
      [ "\${ASSIGN[$b]}" != "$id" ] || held+=("$b")
    done
    held_list=$(IFS=,; echo "\${held[*]:-}")
    deletes=()
    while IFS=$FS read -r name from_clause _columns; do
      [ -n "$name" ] || continue
      # Prepended: children are deleted before the parents they reference.
      deletes=("with gone as (delete from $from_clause where shard_bucket <> all('{$held_list}'::int[]) returning 1) select $(lit "$name"), count(*) from gone;" "\${deletes[@]}")
    done <<<"\${SHARD_TABLES[$id]}"
    if [ "\${#deletes[@]}" = 0 ]; then
      say "shard $id: no sharded tables"
      continue
    fi
    out=$(sql "$id" -F "$FS" -v buckets="$SHARD_BUCKETS" <<<"begin;\${NL}\${COPY_SESSION_SQL}\${NL}$(printf '%s\\n' "\${deletes[@]}")\${NL}\${MARK_MOVED_SQL}\${NL}commit;") \\
      || fail "cleanup of shard $id failed and was rolled back there"
    while IFS=$FS read -r name count; do
      [ -z "$name" ] || say "shard $id $name: deleted $count rows of buckets it does not hold"
    done <<<"$out"
  done
  say "cleanup done; the fences stay, so a task still on an older SHARD_BUCKETS cannot write to a moved bucket"
  exit 0
fi

# --- move -------------------------------------------------------------------------------------
check_moves_against_assignment
need_password "\${GROUP_FROM[@]}" "\${GROUP_TO[@]}"
refuse_published_moves
WORK=$(mktemp -d "\${WORK_DIR:-\${TMPDIR:-/tmp}}/rebalance.XXXXXX") || usage "cannot create a work directory under \${WORK_DIR:-\${TMPDIR:-/tmp}}"
[[ $WORK != *"'"* ]] || usage "the work directory must not contain a quote: $WORK"
SOURCES=$(printf '%s\\n' "\${GROUP_FROM[@]}" | sort -nu)
declare -A TABLES=() PREFENCED=()
names_of() { printf '%s\\n' "\${TABLES[$1]}" | cut -d "$FS" -f 1; }

remove_copies() { # group: delete its buckets' rows on the target, restore fences it had
  sql "\${GROUP_TO[$1]}" -v tables="$(names_of "\${GROUP_FROM[$1]}")" -v buckets="{\${GROUP_BUCKETS[$1]}}" -v prefenced="\${PREFENCED[$1]:-}" >/dev/null <<SQL
begin;
$COPY_SESSION_SQL
select format('delete from %s%s where shard_bucket = any(%L::int[])', case when c.relkind = 'p' then '' else 'only ' end, t, :'buckets')
  from regexp_split_to_table(:'tables', E'\\n') with ordinality as x(t, ord)
  join pg_class c on c.oid = to_regclass(t)
 where exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'shard_bucket' and not a.attisdropped)
 order by ord desc
\\gexec
select format('insert into scale_ladder.fenced_buckets (bucket, state, moved_to) values (%s, %L, %s) on conflict (bucket) do nothing',
              split_part(f, ':', 1), split_part(f, ':', 2), split_part(f, ':', 3))
  from regexp_split_to_table(:'prefenced', ' ') as f
 where f <> '' and to_regclass('scale_ladder.fenced_buckets') is not null
\\gexec
commit;
SQL
}

undo() {
  set +e
  local i
  echo "rebalance-shards: undoing: unfencing the moving buckets on their shards, removing the copies" >&2
  for i in "\${!GROUP_FROM[@]}"; do
    if unfence "\${GROUP_FROM[$i]}" "\${GROUP_BUCKETS[$i]}" >/dev/null; then
      echo "rebalance-shards: shard \${GROUP_FROM[$i]}: buckets \${GROUP_BUCKETS[$i]} unfenced (writable again)" >&2
    else
      echo "rebalance-shards: shard \${GROUP_FROM[$i]} STILL FENCES buckets \${GROUP_BUCKETS[$i]} (unreachable?): writes to them fail until ACTION=abort MOVES='\${GROUP_FROM[$i]}>\${GROUP_TO[$i]}:\${GROUP_BUCKETS[$i]}' succeeds" >&2
    fi
  done
  for i in "\${!GROUP_FROM[@]}"; do
    remove_copies "$i" \\
      || echo "rebalance-shards: could not remove copies of buckets \${GROUP_BUCKETS[$i]} from shard \${GROUP_TO[$i]} (unreachable?); nothing routes there, and ACTION=cleanup removes them" >&2
  done
}

PHASE=checking
on_exit() {
  local rc=$?
  if [ "$PHASE" = fenced ]; then
    undo
    [ "$rc" != 0 ] || rc=1
    echo "rebalance-shards: the move failed: nothing was published, the assignment in force (SHARD_BUCKETS) stays, with every row on its shard" >&2
  fi
  rm -rf "$WORK"
  [ -z "\${NEW_BUCKETS_FILE:-}" ] || rm -f "$NEW_BUCKETS_FILE.partial"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for from in $SOURCES; do
  TABLES[$from]=$(sharded_tables "$from") || fail "cannot list the sharded tables of shard $from"
  [ -n "\${TABLES[$from]}" ] || say "shard $from has no sharded tables (none with a shard_bucket column): only the assignment changes"
done

# 1. Fence: from here on, any failure unfences.
PHASE=fenced
for from in $SOURCES; do
  fences=()
  for i in "\${!GROUP_FROM[@]}"; do
    [ "\${GROUP_FROM[$i]}" != "$from" ] || for b in \${GROUP_BUCKETS[$i]//,/ }; do fences+=("$b:\${GROUP_TO[$i]}"); done
  done
  sql "$from" -v fence_body="$FENCE_FUNCTION_BODY" -v tables="$(names_of "$from")" -v fences="\${fences[*]}" -v lock_timeout="\${LOCK_TIMEOUT_SECONDS}s" >/dev/null <<SQL || fail "could not fence the moving buckets on shard $from"
begin;
set local lock_timeout = :'lock_timeout';
$FENCE_OBJECTS_SQL
select format('create trigger scale_ladder_fence before insert or update or delete on %s for each row execute function scale_ladder.refuse_fenced_write()', t)
  from regexp_split_to_table(:'tables', E'\\n') as t
 where t <> '' and not exists (select 1 from pg_trigger where tgrelid = t::regclass and tgname = 'scale_ladder_fence')
\\gexec
insert into scale_ladder.fenced_buckets (bucket, moved_to, state)
select split_part(f, ':', 1)::int, split_part(f, ':', 2)::int, 'moving' from regexp_split_to_table(:'fences', ' ') as f
    on conflict (bucket) do update set moved_to = excluded.moved_to, state = 'moving', fenced_at = now();
commit;
SQL
  say "shard $from: fenced buckets $(printf '%s\\n' "\${fences[@]}" | cut -d: -f1 | paste -sd, -); waiting for transactions begun before the fence"
  # A transaction that began before the fence may still write (a repeatable-read snapshot
  # does not see the fence): wait until every client transaction of then has ended.
  sql "$from" -v wait="$FENCE_WAIT_SECONDS" >/dev/null <<'SQL' || fail "transactions on shard $from that began before the fence did not end within \${FENCE_WAIT_SECONDS}s"
set scale_ladder.fence_wait_seconds = :'wait';
do $wait$
declare
  before text[] := array(select l.virtualxid from pg_locks l join pg_stat_activity a on a.pid = l.pid
                          where l.locktype = 'virtualxid' and l.granted and a.datname = current_database()
                            and coalesce(a.backend_type, 'client backend') = 'client backend'
                            and l.pid <> pg_backend_pid());
  deadline timestamptz := clock_timestamp() + make_interval(secs => current_setting('scale_ladder.fence_wait_seconds')::int);
  open_pids text;
begin
  loop
    select string_agg(distinct l.pid::text, ', ') into open_pids from pg_locks l
     where l.locktype = 'virtualxid' and l.granted and l.virtualxid = any(before);
    exit when open_pids is null;
    if clock_timestamp() > deadline then
      raise exception 'scale-ladder: transactions begun before the fence are still open (pids %)', open_pids;
    end if;
    perform pg_sleep(0.05);
  end loop;
end
$wait$;
SQL
done

# 2. Copy each group in one target transaction: schema where missing, rows of the moving buckets.
for i in "\${!GROUP_FROM[@]}"; do
  from=\${GROUP_FROM[$i]} to=\${GROUP_TO[$i]} list=\${GROUP_BUCKETS[$i]}
  names=$(names_of "$from")
  PREFENCED[$i]=$(sql "$to" -v fence_body="$FENCE_FUNCTION_BODY" -v buckets="{$list}" <<SQL
$FENCE_OBJECTS_SQL
select coalesce(string_agg(format('%s:%s:%s', bucket, state, moved_to), ' ' order by bucket), '')
  from scale_ladder.fenced_buckets where bucket = any(:'buckets'::int[]);
SQL
  ) || fail "cannot prepare shard $to"
  [ -n "\${TABLES[$from]}" ] || continue

  missing=$(sql "$to" -v tables="$names" <<'SQL'
select t from regexp_split_to_table(:'tables', E'\\n') with ordinality as x(t, ord) where t <> '' and to_regclass(t) is null order by ord;
SQL
  ) || fail "cannot list the tables of shard $to"
  if [ -n "$missing" ]; then
    pick=()
    while IFS= read -r t; do pick+=("--table=$t"); done <<<"$missing"
    schemas=$(sql "$from" -v tables="$missing" <<'SQL'
select distinct format('create schema if not exists %I;', n.nspname)
  from regexp_split_to_table(:'tables', E'\\n') as t join pg_class c on c.oid = t::regclass join pg_namespace n on n.oid = c.relnamespace;
SQL
    ) || fail "cannot read the schemas of the sharded tables on shard $from"
    on_shard "$from" pg_dump --schema-only --no-owner --no-privileges "\${pick[@]}" > "$WORK/schema-$i.sql" \\
      || fail "pg_dump of the sharded tables' definitions on shard $from failed"
    { printf '%s\\n' "$schemas"; cat "$WORK/schema-$i.sql"; } | sql "$to" --single-transaction >/dev/null \\
      || fail "could not create the sharded tables on shard $to (their definitions need objects shard $to lacks?)"
    say "shard $to: created $(wc -l <<<"$missing" | tr -d ' ') sharded table(s) from shard $from's definitions"
  fi

  sequences=$(sql "$from" -F "$FS" -v tables="$names" <<'SQL'
select t, a.attname, v
  from regexp_split_to_table(:'tables', E'\\n') as t
  join pg_attribute a on a.attrelid = t::regclass and a.attnum > 0 and not a.attisdropped
  cross join lateral (select pg_get_serial_sequence(t, a.attname) as seq) s
  cross join lateral (select pg_sequence_last_value(s.seq::regclass) as v) l
 where t <> '' and s.seq is not null and l.v is not null;
SQL
  ) || fail "cannot read the sequences of the sharded tables on shard $from"

  deletes=() copies=()
  j=0
  while IFS=$FS read -r name from_clause columns; do
    [ -n "$name" ] || continue
    rows=$WORK/rows-$i-$j.copy
    sql "$from" -c "\\\\copy (select $columns from $from_clause where shard_bucket = any('{$list}'::int[])) to stdout" > "$rows" \\
      || fail "cannot read buckets $list of $name on shard $from"
    deletes=("delete from $from_clause where shard_bucket = any('{$list}'::int[]);" "\${deletes[@]}")
    copies+=("\\\\copy $name ($columns) from '$rows'")
    j=$((j + 1))
  done <<<"\${TABLES[$from]}"
  {
    echo "begin;"
    echo "$COPY_SESSION_SQL"
    echo "delete from scale_ladder.fenced_buckets where bucket = any('{$list}'::int[]);"
    printf '%s\\n' "\${deletes[@]}" "\${copies[@]}"
    # New rows on the target must not reuse a copied id.
    while IFS=$FS read -r t col v; do
      [ -z "$t" ] || echo "select setval(seq::regclass, greatest($v, coalesce(pg_sequence_last_value(seq::regclass), $v))) from (select pg_get_serial_sequence($(lit "$t"), $(lit "$col")) as seq) as s where seq is not null;"
    done <<<"$sequences"
    echo "commit;"
  } > "$WORK/copy-$i.sql"
  sql "$to" -f "$WORK/copy-$i.sql" >/dev/null || fail "copying buckets $list from shard $from to shard $to failed (that transaction was rolled back)"
  say "shard $from -> shard $to: copied buckets $list"
done

if [ -n "\${ON_COPIED:-}" ]; then
  bash -c "$ON_COPIED" || fail "ON_COPIED failed (exit $?)"
fi

# 3. Verify: exact count and checksum per table and bucket set, on both sides.
differences=0
for i in "\${!GROUP_FROM[@]}"; do
  from=\${GROUP_FROM[$i]} to=\${GROUP_TO[$i]} list=\${GROUP_BUCKETS[$i]}
  [ -n "\${TABLES[$from]}" ] || continue
  query=
  while IFS=$FS read -r name from_clause columns; do
    [ -n "$name" ] || continue
    query+="select $(lit "$name"), ${ROW_SET_CHECKSUM_SQL} from (select md5(row($columns)::text) collate \\"C\\" as h from $from_clause where shard_bucket = any('{$list}'::int[])) as hashed;$NL"
  done <<<"\${TABLES[$from]}"
  source_lines=$(sql "$from" -F "$FS" <<<"$query") || fail "cannot verify on shard $from"
  target_lines=$(sql "$to" -F "$FS" <<<"$query") || fail "cannot verify on shard $to (a sharded table missing there?)"
  count=$(wc -l <<<"$source_lines" | tr -d ' ')
  for ((k = 1; k <= count; k++)); do
    IFS=$FS read -r name src_rows src_sum <<<"$(sed -n "\${k}p" <<<"$source_lines")"
    IFS=$FS read -r _ dst_rows dst_sum <<<"$(sed -n "\${k}p" <<<"$target_lines")"
    echo "source shard $from $name buckets=$list rows=$src_rows checksum=$src_sum"
    echo "target shard $to $name buckets=$list rows=$dst_rows checksum=$dst_sum"
    if [ "$src_rows" != "$dst_rows" ] || [ "$src_sum" != "$dst_sum" ]; then
      echo "mismatch: $name buckets $list: shard $from rows=$src_rows checksum=$src_sum, shard $to rows=$dst_rows checksum=$dst_sum" >&2
      differences=$((differences + 1))
    fi
  done
done
[ "$differences" = 0 ] || fail "$differences table(s) differ between the shards: the move is NOT verified"
set_state() { # state: on every source shard, for its moving buckets
  local i
  for i in "\${!GROUP_FROM[@]}"; do
    sql "\${GROUP_FROM[$i]}" -c "update scale_ladder.fenced_buckets set state = '$1' where bucket = any('{\${GROUP_BUCKETS[$i]}}'::int[])" >/dev/null || return 1
  done
}
set_state verified || fail "cannot record the verified copy on the source shards"

# 4. The new assignment, and only now its publication.
changes=
for b in "\${!MOVING[@]}"; do changes+="\\"$b\\":\\"\${MOVING[$b]}\\","; done
new=$(sql "\${GROUP_FROM[0]}" -v buckets="$SHARD_BUCKETS" -v changes="{\${changes%,}}" <<'SQL'
select '[' || string_agg(coalesce(c.shard, b.value), ',' order by b.ord) || ']'
  from json_array_elements_text(:'buckets'::json) with ordinality as b(value, ord)
  left join json_each_text(:'changes'::json) as c(bucket, shard) on c.bucket::int = b.ord - 1;
SQL
) || fail "cannot compute the new assignment"
say "verified every table of \${#GROUP_FROM[@]} move(s)"
if [ -n "\${NEW_BUCKETS_FILE:-}" ]; then
  printf '%s\\n' "$new" > "$NEW_BUCKETS_FILE.partial" || fail "cannot write $NEW_BUCKETS_FILE"
fi
if [ -n "\${PUBLISH_COMMAND:-}" ]; then
  say "publishing the new assignment (PUBLISH_COMMAND)"
  NEW_SHARD_BUCKETS=$new bash -c "$PUBLISH_COMMAND" <<<"$new" || fail "PUBLISH_COMMAND failed (exit $?)"
fi
PHASE=published
if [ -n "\${PUBLISH_COMMAND:-}" ]; then
  set_state moved || echo "rebalance-shards: published, but could not mark the buckets as moved on their old shards; ACTION=cleanup does it" >&2
fi
if [ -n "\${NEW_BUCKETS_FILE:-}" ]; then
  mv "$NEW_BUCKETS_FILE.partial" "$NEW_BUCKETS_FILE" || echo "rebalance-shards: could not write $NEW_BUCKETS_FILE; the new assignment is below" >&2
fi
say "the moved buckets stay fenced on their old shards (rows readable there until ACTION=cleanup, which runs once every task uses the new SHARD_BUCKETS)"
echo "new SHARD_BUCKETS: $new"
`;
