#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 on 127.0.0.1:$PGPORT (default 55432) as the postgres
# user (the server refuses to run as root) and create the test database. Prints the URL.
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-55432}
PGDATA=${PGDATA:-/tmp/ledger-pg-$PGPORT}
id postgres >/dev/null 2>&1 || useradd --system --create-home postgres
if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q; then
  rm -rf "$PGDATA"; mkdir -p "$PGDATA"; chown postgres "$PGDATA"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D '$PGDATA' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$PGDATA' -o \"-h 127.0.0.1 -p $PGPORT -k /tmp\" -l '$PGDATA/server.log' -w start" >/dev/null
fi
for db in ledger_test ledger_bench; do
  "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$db"
done
echo "postgresql://postgres@127.0.0.1:$PGPORT/ledger_test"
