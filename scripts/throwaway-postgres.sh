#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster in a temporary directory on a free loopback port and prints
# its server URL (postgresql://postgres@127.0.0.1:PORT/postgres). Stop it with:
#   scripts/throwaway-postgres.sh stop DIR
# Used by scripts/test.sh and bench/. Needs the postgresql package (PostgreSQL 15 on Debian 12).
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  dir=${2:?usage: $0 stop DIR}
  as_postgres "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

bin=$(pg_bin)
dir=$(mktemp -d /tmp/registry-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
echo "PGDIR=$dir"
echo "TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
