#!/usr/bin/env bash
# The data-move tests start real PostgreSQL servers and run the shipped scripts with
# psql / pg_dump / pg_restore. This makes sure those programs exist before jest runs:
# a no-op when they do, Debian's packages when we may install them, one clear error otherwise.
set -euo pipefail

have_server() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && return 0
  done
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null
}

missing() {
  local tool out=()
  have_server || out+=(initdb/pg_ctl/postgres)
  for tool in psql pg_dump pg_restore; do
    command -v "$tool" >/dev/null || out+=("$tool")
  done
  echo "${out[*]}"
}

gone=$(missing)
[ -z "$gone" ] && exit 0

if [ "$EUID" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-postgres: installing PostgreSQL (missing: $gone)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
  gone=$(missing)
  [ -z "$gone" ] && exit 0
  echo "ensure-postgres: still missing after apt-get install postgresql postgresql-client: $gone" >&2
  exit 1
fi

echo "ensure-postgres: the tests need PostgreSQL server and client programs (missing: $gone); install them, e.g. 'sudo apt-get install postgresql postgresql-client' (or run as root with apt-get)" >&2
exit 1
