#!/usr/bin/env bash
# The whole suite on SQLite (with the browser tests), then again on a
# throw-away PostgreSQL cluster. With CI=true a missing chromium or PostgreSQL
# is a failure, not a skip.
set -uo pipefail
bin=.venv/bin
ci="${CI:-false}"
status=0

run_pytest() {
  "$bin/pytest" "$@"
  local rc=$?
  # 5 = no tests collected: that is a failure of the suite, not a pass.
  return $rc
}

echo "== pytest on SQLite"
run_pytest -q || status=1

pg_bin=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/pg_ctl" ] && pg_bin="$candidate"
done
if [ -z "$pg_bin" ] && command -v pg_ctl >/dev/null 2>&1; then
  pg_bin="$(dirname "$(command -v pg_ctl)")"
fi

if [ -z "$pg_bin" ]; then
  if [ "$ci" = "true" ]; then
    echo "PostgreSQL is not installed: CI requires the suite to run on it." >&2
    exit 1
  fi
  echo "== skipping PostgreSQL run: pg_ctl not found (install postgresql to run it)"
  exit $status
fi

pgdir="$(mktemp -d /tmp/renkou-pg.XXXXXX)"
port="$("$bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_pg=()
if [ "$(id -u)" = "0" ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$pgdir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
echo "== starting a throw-away PostgreSQL on port $port"
if ! "${as_pg[@]}" "$pg_bin/initdb" -D "$pgdir/data" -U renkou -A trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1; then
  cat "$pgdir/initdb.log" >&2; exit 1
fi
if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
  cat "$pgdir/server.log" >&2; exit 1
fi
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U renkou renkou

echo "== pytest on PostgreSQL"
DATABASE_URL="postgres://renkou@127.0.0.1:$port/renkou" RENKOU_EXPECT_DB=postgresql \
  run_pytest -q -m "not browser" || status=1
exit $status
