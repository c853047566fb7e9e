#!/usr/bin/env bash
# Run COMMAND against a throw-away PostgreSQL server:
#
#   scripts/with_postgres.sh COMMAND [ARG...]
#
# initdb in a temporary directory, start the server on loopback only (its unix socket in that
# directory, TCP on a free port of 127.0.0.1, password authentication over TCP), create the
# database `dagster`, export ADVERSARIAL_MLOPS_DAGSTER_PG_URL for it, run COMMAND, then stop the
# server and delete the directory however COMMAND ends. The exit status is COMMAND's.
#
# Binaries: $PG_BIN if set, else the newest /usr/lib/postgresql/*/bin (Debian, Ubuntu), else
# initdb on PATH. Missing, and running as root with apt-get: `apt-get install -y postgresql`.
# initdb and postgres refuse to run as root, so as root the server runs as the `postgres` user
# (the Debian package creates it); otherwise as the current user.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/with_postgres.sh COMMAND [ARG...]" >&2
  exit 64
fi

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then echo "$newest"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
}

PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "with_postgres: PostgreSQL not found; installing it with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
    PG_BIN=$(find_pg_bin)
  fi
fi
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "with_postgres: no PostgreSQL server binaries (initdb, pg_ctl) found in \$PG_BIN, /usr/lib/postgresql/*/bin" \
       "or PATH. Fix: install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql) or set PG_BIN to" \
       "the directory holding initdb." >&2
  exit 69
fi

# As root, every server command runs as `postgres`; the temp directory is handed to that user.
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with_postgres: running as root, but there is no 'postgres' user to run the server as (initdb" \
         "refuses root). Fix: create one (useradd --system postgres) or run this script as an ordinary user." >&2
    exit 69
  fi
  as_server() { runuser -u postgres -- "$@"; }
else
  as_server() { "$@"; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/with_postgres.XXXXXX")
DATA="$WORK/data"
SOCKET="$WORK/socket"
STARTED=0
cleanup() {
  if [ "$STARTED" -eq 1 ]; then
    as_server "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || \
      as_server "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$SOCKET"
chmod 700 "$WORK"
DB_USER=adversarial
DB_NAME=dagster
# A random password: the URL carries a real secret, so the tests can check it never reaches a file.
DB_PASSWORD=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
(umask 077; printf '%s\n' "$DB_PASSWORD" > "$WORK/pwfile")
if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$WORK"; fi

# Local (socket) connections trust the OS user; TCP needs the password, as a real server would.
as_server "$PG_BIN/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$WORK/pwfile" --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1 \
  || { echo "with_postgres: initdb failed:" >&2; cat "$WORK/initdb.log" >&2; exit 70; }
rm -f "$WORK/pwfile"

free_port() {
  # Ask the kernel for a free port; losing it to another process before the server binds it is
  # retried below.
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# fsync off: the data dies with the directory, and CI's database writes get much cheaper.
PORT=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port)
  if as_server "$PG_BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -p $candidate -k $SOCKET -c fsync=off" start >/dev/null 2>&1; then
    PORT=$candidate
    STARTED=1
    break
  fi
done
if [ -z "$PORT" ]; then
  echo "with_postgres: the server did not start; its log:" >&2
  cat "$WORK/server.log" >&2 || true
  exit 70
fi

"$PG_BIN/psql" -q -h "$SOCKET" -p "$PORT" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE $DB_NAME" >&2

export ADVERSARIAL_MLOPS_DAGSTER_PG_URL="postgresql+psycopg2://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
echo "with_postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT," \
     "database $DB_NAME; ADVERSARIAL_MLOPS_DAGSTER_PG_URL is set for: $*" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
