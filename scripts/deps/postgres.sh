#!/usr/bin/env bash
# PostgreSQL for the caseload tests: install Debian's `postgresql` if missing, start a private
# server on 127.0.0.1 (its own data directory and port, not the system cluster), create a user
# and a database, and print the URL as the last line of stdout (everything else goes to stderr).
# Idempotent: a second run finds the server running and prints the same URL.
#   export ARRANGEUR_TEST_POSTGRES_URL=$(bash scripts/deps/postgres.sh | tail -1)
set -euo pipefail
PORT="${ARRANGEUR_PG_PORT:-55432}"
DATA="${ARRANGEUR_PG_DATA:-/tmp/arrangeur-pg}"
USER_NAME=arrangeur
PASSWORD=arrangeur
DB=arrangeur_test

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "postgres.sh: PostgreSQL is not installed; run as root to install Debian's postgresql" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

as_postgres() {  # initdb and the server refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
  chmod 700 "$DATA"
  as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale >&2
fi
if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA" start >&2
fi

psql_admin() {  # the superuser over the server's own socket (trust), never over TCP
  as_postgres "$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE $DB OWNER $USER_NAME" >&2
fi
echo "postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
