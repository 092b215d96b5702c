import { ROW_SET_CHECKSUM_SQL, STABLE_TEXT_SETTINGS_SQL, ScriptVariable } from './script-variable';

/*
 * The 1K → 10K data move, cloud-neutral: one PostgreSQL database copied into another and
 * proven identical. The cloud layers run it inside the stock postgres image (SSM document
 * on AWS, a Cloud Run job on Google Cloud) after stopping the app, and switch the app only
 * when it exits 0. Not part of the jsii API.
 */

function connectionVariables(side: 'SOURCE' | 'TARGET', what: string): ScriptVariable[] {
  return [
    { name: `${side}_HOST`, required: true, secret: false, description: `Host of the ${what} server.` },
    { name: `${side}_PORT`, required: false, secret: false, defaultValue: '5432', description: `Port of the ${what} server.` },
    { name: `${side}_USER`, required: false, secret: false, defaultValue: 'postgres', description: `User to connect to the ${what} as.` },
    { name: `${side}_PASSWORD`, required: true, secret: true, description: 'That user\'s password.' },
    { name: `${side}_DB`, required: false, secret: false, defaultValue: 'postgres', description: `The ${what} database.` },
    { name: `${side}_SSLMODE`, required: false, secret: false, defaultValue: 'require', description: `libpq sslmode for the ${what} (disable, require, verify-full, …).` },
  ];
}

/** The environment `COPY_DATABASE_SCRIPT` reads. */
export const COPY_DATABASE_VARIABLES: readonly ScriptVariable[] = [
  ...connectionVariables('SOURCE', 'source (the database copied from, only read)'),
  ...connectionVariables('TARGET', 'target (the database copied into)'),
  { name: 'WORK_DIR', required: false, secret: false, defaultValue: '$TMPDIR or /tmp', description: 'Directory for the dump file (removed on exit); needs room for a compressed dump of the source.' },
  { name: 'REPLACE_TARGET', required: false, secret: false, defaultValue: 'no', description: '`yes` lets the copy run into a target that already has tables: the restored objects replace theirs (pg_restore --clean), still in one transaction. Without it a target with any user table is refused (exit 3), so a second run never doubles the data.' },
  { name: 'ON_RESTORED', required: false, secret: false, description: 'Shell command run after the restore and before the verification (for rehearsals and tests); its failure fails the copy.' },
  { name: 'ON_VERIFIED', required: false, secret: false, description: 'Shell command run only after a verified copy, e.g. switching the app to the target; its failure fails the script.' },
  { name: 'CONNECT_TIMEOUT', required: false, secret: false, defaultValue: '15', description: 'Seconds to wait for each connection.' },
];

/** Exit codes of `COPY_DATABASE_SCRIPT`. */
export const COPY_DATABASE_EXIT_CODES = {
  /** Copied, verified, and ON_VERIFIED (if any) succeeded. */
  verified: 0,
  /** Failed: connection, dump, restore, verification or ON_VERIFIED. The source is never written. */
  failed: 1,
  /** A variable is missing or invalid, or a client program is not installed. */
  badUsage: 2,
  /** The target already has user tables and REPLACE_TARGET is not `yes`; nothing was written. */
  targetNotEmpty: 3,
} as const;

/** User relations: not in a system schema, not a member of an extension. */
const USER_RELATIONS_SQL = "from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_catalog', 'information_schema') and left(n.nspname, 3) <> 'pg_' and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')";

/**
 * Bash (psql, pg_dump and pg_restore only) that copies one PostgreSQL database into
 * another and proves it; the environment is `COPY_DATABASE_VARIABLES`.
 *
 * 1. Connects to both; refuses (exit 3, nothing written) when the target has a user table,
 *    unless REPLACE_TARGET=yes.
 * 2. `pg_dump -Fc` of the source, `pg_restore --single-transaction --no-owner --no-privileges`
 *    into the target: a restore that fails half-way leaves the target as it was.
 * 3. Runs ON_RESTORED, if set.
 * 4. On both sides and for every ordinary table of every non-system schema: the exact row count
 *    (`count(*)`) and a checksum (md5 over the sorted md5s of the rows' text, with the session
 *    settings that shape that text pinned), plus every sequence's position. Prints
 *    `source <schema.table> rows=<n> checksum=<md5>` and `target …` lines, then one
 *    `mismatch: …` line per difference, or `verified: <n> tables, <m> rows, <k> sequences`.
 * 5. Only when everything matches, runs ON_VERIFIED (the caller's switch).
 *
 * The source is only read; keep writers stopped from before the dump until the end, or the
 * verification fails. Exit codes: `COPY_DATABASE_EXIT_CODES`.
 */
export const COPY_DATABASE_SCRIPT = `#!/usr/bin/env bash
# scale-ladder copy-database: copy one PostgreSQL database into another, then prove the copy
# table by table (exact row counts and checksums). Needs psql, pg_dump and pg_restore.
set -euo pipefail
# Only this script's variables decide where it connects.
unset PGSERVICE PGSERVICEFILE PGHOSTADDR PGOPTIONS

say() { printf 'copy-database: %s\\n' "$*"; }
fail() { printf 'copy-database: %s\\n' "$*" >&2; exit 1; }
usage() { printf 'copy-database: %s\\n' "$*" >&2; exit 2; }

for name in SOURCE_HOST SOURCE_PASSWORD TARGET_HOST TARGET_PASSWORD; do
  [ -n "\${!name:-}" ] || usage "$name must be set"
done
SOURCE_PORT=\${SOURCE_PORT:-5432} SOURCE_USER=\${SOURCE_USER:-postgres} SOURCE_DB=\${SOURCE_DB:-postgres} SOURCE_SSLMODE=\${SOURCE_SSLMODE:-require}
TARGET_PORT=\${TARGET_PORT:-5432} TARGET_USER=\${TARGET_USER:-postgres} TARGET_DB=\${TARGET_DB:-postgres} TARGET_SSLMODE=\${TARGET_SSLMODE:-require}
REPLACE_TARGET=\${REPLACE_TARGET:-no}
case "$REPLACE_TARGET" in yes|no) ;; *) usage "REPLACE_TARGET must be yes or no, got '$REPLACE_TARGET'" ;; esac
for tool in psql pg_dump pg_restore; do
  command -v "$tool" >/dev/null || usage "$tool not found on PATH (run this inside the postgres image)"
done
export PGCONNECT_TIMEOUT=\${CONNECT_TIMEOUT:-15} PGAPPNAME=scale-ladder-copy-database

on_source() { PGHOST=$SOURCE_HOST PGPORT=$SOURCE_PORT PGUSER=$SOURCE_USER PGPASSWORD=$SOURCE_PASSWORD PGDATABASE=$SOURCE_DB PGSSLMODE=$SOURCE_SSLMODE "$@"; }
on_target() { PGHOST=$TARGET_HOST PGPORT=$TARGET_PORT PGUSER=$TARGET_USER PGPASSWORD=$TARGET_PASSWORD PGDATABASE=$TARGET_DB PGSSLMODE=$TARGET_SSLMODE "$@"; }
sql() { local side=$1; shift; "$side" psql -X -q -v ON_ERROR_STOP=1 -t -A "$@"; }

SOURCE_NAME="$SOURCE_DB on $SOURCE_HOST:$SOURCE_PORT"
TARGET_NAME="$TARGET_DB on $TARGET_HOST:$TARGET_PORT"
sql on_source -c 'select 1' >/dev/null || fail "cannot connect to the source ($SOURCE_NAME)"
sql on_target -c 'select 1' >/dev/null || fail "cannot connect to the target ($TARGET_NAME); nothing was copied"

existing=$(sql on_target -c "select count(*) ${USER_RELATIONS_SQL} and c.relkind in ('r', 'p')") || fail "cannot list the target's tables"
if [ "$existing" != 0 ] && [ "$REPLACE_TARGET" != yes ]; then
  printf 'copy-database: the target (%s) already has %s table(s); refusing to copy into it (a second run must not double the data). Set REPLACE_TARGET=yes to replace what the dump holds.\\n' "$TARGET_NAME" "$existing" >&2
  exit 3
fi

work=\${WORK_DIR:-\${TMPDIR:-/tmp}}
mkdir -p "$work" || usage "cannot create $work (WORK_DIR)"
dump=$(mktemp "$work/copy-database.XXXXXX") || usage "cannot create the dump file in $work (WORK_DIR)"
trap 'rm -f "$dump"' EXIT

say "dumping the source ($SOURCE_NAME)"
on_source pg_dump --format=custom --no-owner --no-privileges --file="$dump" || fail "pg_dump of the source failed; nothing was written to the target"

restore=(--single-transaction --exit-on-error --no-owner --no-privileges)
[ "$REPLACE_TARGET" = yes ] && restore+=(--clean --if-exists)
say "restoring into the target ($TARGET_NAME) in one transaction"
on_target pg_restore "\${restore[@]}" --dbname="$TARGET_DB" "$dump" || fail "restore into the target failed and was rolled back (one transaction): the target holds what it held before, the source is untouched"

if [ -n "\${ON_RESTORED:-}" ]; then
  bash -c "$ON_RESTORED" || fail "ON_RESTORED failed (exit $?)"
fi

# One line per table and sequence: kind, name, then rows and checksum, or last_value and is_called.
FS=$'\\x1f'
inventory() {
  sql "$1" -F "$FS" <<'SQL'
${STABLE_TEXT_SETTINGS_SQL}
select format($q$select 'table', %L, ${ROW_SET_CHECKSUM_SQL} from (select md5(t::text) collate "C" as h from only %I.%I as t) as hashed$q$,
              format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
  ${USER_RELATIONS_SQL} and c.relkind = 'r'
 order by n.nspname, c.relname
\\gexec
select format($q$select 'sequence', %L, last_value, is_called from %I.%I$q$,
              format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
  ${USER_RELATIONS_SQL} and c.relkind = 'S'
 order by n.nspname, c.relname
\\gexec
SQL
}

say "verifying every table (exact row counts and checksums on both sides)"
source_lines=$(inventory on_source) || fail "could not read the source for the verification"
target_lines=$(inventory on_target) || fail "could not read the target for the verification; the copy is NOT verified"

declare -A on_src=() on_dst=()
tables=0 rows=0 sequences=0 differences=0
read_inventory() { # side label, lines on stdin; fills on_src / on_dst and prints them
  local kind name a b shown
  while IFS=$FS read -r kind name a b; do
    [ -n "$kind" ] || continue
    if [ "$kind" = table ]; then shown="rows=$a checksum=$b"; else shown="last_value=$a is_called=$b"; fi
    [ "$kind" = table ] && echo "$1 $name $shown" || echo "$1 sequence $name $shown"
    if [ "$1" = source ]; then
      on_src["$kind $name"]=$shown
      if [ "$kind" = table ]; then tables=$((tables + 1)) rows=$((rows + a)); else sequences=$((sequences + 1)); fi
    else
      on_dst["$kind $name"]=$shown
    fi
  done
}
read_inventory source <<<"$source_lines"
read_inventory target <<<"$target_lines"

while IFS= read -r key; do
  [ -n "$key" ] || continue
  if [ -z "\${on_dst[$key]+set}" ]; then
    echo "mismatch: $key is missing on the target" >&2; differences=$((differences + 1))
  elif [ "\${on_dst[$key]}" != "\${on_src[$key]}" ]; then
    echo "mismatch: $key source \${on_src[$key]}, target \${on_dst[$key]}" >&2; differences=$((differences + 1))
  fi
done < <(printf '%s\\n' "\${!on_src[@]}" | LC_ALL=C sort)
while IFS= read -r key; do
  [ -n "$key" ] || continue
  [ -n "\${on_src[$key]+set}" ] || { echo "mismatch: $key exists only on the target" >&2; differences=$((differences + 1)); }
done < <(printf '%s\\n' "\${!on_dst[@]}" | LC_ALL=C sort)

[ "$differences" = 0 ] || fail "$differences difference(s) between source and target: the copy is NOT verified, keep the app on the source"
echo "verified: $tables tables, $rows rows, $sequences sequences"

if [ -n "\${ON_VERIFIED:-}" ]; then
  say "running ON_VERIFIED"
  bash -c "$ON_VERIFIED" || fail "ON_VERIFIED failed (exit $?) after a verified copy"
fi
`;
