#!/usr/bin/env bash
# Runs a command against the second backend: FerretDB (the version go.mod
# pins) on PostgreSQL, reached over TCP with a user and password, exported
# to the command as YARDSTICK_TEST_MONGO_URI. Also exported, for the outage
# tests that stop and start the server themselves:
# YARDSTICK_TEST_FERRETDB (the server's binary) and
# YARDSTICK_TEST_POSTGRESQL_URL (the database it stores in).
#
#   ./scripts/postgresql-backend.sh go test ./pkg/... ./services/...
#
# Installs Debian's postgresql when it is missing; the cluster lives in a
# temporary directory and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq postgresql
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)

work=$(mktemp -d)
chmod 755 "$work"
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# postgres user Debian's package made.
as_owner() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; fi

pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')

cleanup() {
  [ -n "${ferret_pid:-}" ] && kill "$ferret_pid" 2>/dev/null || true
  as_owner "$bin/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "$password" > "$work/pw" && chmod 644 "$work/pw"
as_owner "$bin/initdb -D $work/data -U postgres -A scram-sha-256 --pwfile=$work/pw" >/dev/null
as_owner "$bin/pg_ctl -D $work/data -l $work/postgresql.log -o '-p $pgport -k $work -c listen_addresses=127.0.0.1' -w start" >/dev/null
PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE yardstick LOGIN PASSWORD '$password';
CREATE DATABASE ferretdb OWNER yardstick;
SQL

go build -o "$work/ferretdb" ./internal/cmd/ferretdb-postgresql
pgurl="postgres://127.0.0.1:$pgport/ferretdb"
"$work/ferretdb" -listen "127.0.0.1:$fport" -postgresql-url "$pgurl" 2>"$work/ferretdb.log" &
ferret_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$fport") 2>/dev/null && break
  sleep 0.1
done

export YARDSTICK_TEST_MONGO_URI="mongodb://yardstick:$password@127.0.0.1:$fport/?authMechanism=PLAIN"
export YARDSTICK_TEST_FERRETDB="$work/ferretdb"
export YARDSTICK_TEST_POSTGRESQL_URL="$pgurl"
export YARDSTICK_TEST_POSTGRESQL_USER=yardstick YARDSTICK_TEST_POSTGRESQL_PASSWORD="$password"
echo "FerretDB on PostgreSQL at 127.0.0.1:$fport (PLAIN authentication)"
status=0
"$@" || status=$?
if [ "$status" != 0 ]; then
  echo "--- ferretdb log"; tail -n 40 "$work/ferretdb.log" || true
fi
exit "$status"
