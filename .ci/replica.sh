#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 on 127.0.0.1:$REPLICA_PORT (default 55433) as a streaming
# replica of the server on 127.0.0.1:$PGPORT (default 55432, started by .ci/postgres.sh), as
# the postgres user. Waits until it accepts reads and prints its URL for $1 (the database name,
# default ledger_test: replication is whole-cluster, so every database of the primary is there).
# Stop it with: pg_ctl -D /tmp/ledger-pg-replica-$REPLICA_PORT -m fast stop
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-55432}
REPLICA_PORT=${REPLICA_PORT:-55433}
REPLICA_DATA=${REPLICA_DATA:-/tmp/ledger-pg-replica-$REPLICA_PORT}
DB=${1:-ledger_test}
in_recovery() { "$PGBIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -tAc "SELECT pg_is_in_recovery()" 2>/dev/null; }
if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p "$REPLICA_PORT" -q; then
  rm -rf "$REPLICA_DATA"; mkdir -p "$REPLICA_DATA"; chown postgres "$REPLICA_DATA"; chmod 700 "$REPLICA_DATA"
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL needed to start.
  # initdb's pg_hba trusts replication from 127.0.0.1, and wal_level=replica is the default.
  su postgres -s /bin/sh -c "$PGBIN/pg_basebackup -h 127.0.0.1 -p $PGPORT -U postgres -D '$REPLICA_DATA' -R -X stream -c fast" >&2
  # The primary's own settings come along in the copy (its postgresql.auto.conf may ask for a
  # large shared_buffers): the replica gets its own port, socket, memory and log. Hot-standby
  # feedback keeps a long figure query from being cancelled by the replay of a VACUUM.
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$REPLICA_DATA' -l '$REPLICA_DATA/server.log' -w -t 120 start \
    -o \"-h 127.0.0.1 -p $REPLICA_PORT -k /tmp -c shared_buffers=128MB -c hot_standby_feedback=on\"" >/dev/null
fi
for _ in $(seq 1 120); do
  [ "$(in_recovery)" = "t" ] && break
  sleep 1
done
if [ "$(in_recovery)" != "t" ]; then
  echo "the server on $REPLICA_PORT is not a replica in recovery (see $REPLICA_DATA/server.log)" >&2
  exit 1
fi
echo "postgresql://postgres@127.0.0.1:$REPLICA_PORT/$DB"
