#!/usr/bin/env bash
# Run every check the project has: ruff, mypy and pytest on SQLite and PostgreSQL, with a real Redis.
# Starts a throwaway PostgreSQL 15 and redis-server on free loopback ports and stops them afterwards.
# Installs redis-server and chromium from Debian when missing. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v dot >/dev/null || need_apt+=(graphviz)  # SVG diagrams
[ -x "$PG_BIN/initdb" ] || need_apt+=(postgresql-15)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" fonts-dejavu-core >/dev/null
fi

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/boligsocial-test.XXXXXX)
pg_port=$(free_port)
redis_port=$(free_port)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: run it as the postgres user, creating one if needed.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$work"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$PG_BIN/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log"
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start \
  -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!

export BOLIGSOCIAL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
export BOLIGSOCIAL_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
export BOLIGSOCIAL_VAR_DIR="$work/var"  # keep the tests' files out of the checkout

if [ -z "${SKIP_LINT:-}" ]; then  # SKIP_LINT=1 while iterating on one test; CI always lints
  echo "== ruff"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  echo "== mypy"
  "$VENV/bin/mypy"
fi
echo "== pytest (PostgreSQL on :$pg_port, Redis on :$redis_port)"
"$VENV/bin/pytest" "$@"
