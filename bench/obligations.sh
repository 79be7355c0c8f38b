#!/usr/bin/env bash
# Obligation lists at scale (issue 14): the unit workbench (工作台 of a unit clerk: what the unit
# owes, its returned submissions) and the county obligation list (the coordinator's workbench,
# which lists every unit's open duties with the county counts, and the same list through
# GET /api/v1/deadlines), measured with wrk from another process at 32 concurrent connections.
#   bench/obligations.sh [sqlite|postgres] [N]          (default: sqlite 1000000)
# Needs: a release build (cargo build --release -p huajie) and wrk (apt-get install wrk).
# The server runs with 8 database connections, as bench/pages.sh (HUAJIE_BENCH_CONNECTIONS to change).
# The data set is the one bench/ledger.sh loads (huajie demo --scale N, which also records the
# events of the recent pending cases, so each defendant unit owes its own obligations).
set -euo pipefail
# A new password each run: the forced change after the reset may not repeat the last five.
fresh="Bench-$(date +%s%N | tail -c 10)y"
engine="${1:-sqlite}"
n="${2:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${HUAJIE_BIN:-$root/target/release/huajie}"
work="${HUAJIE_BENCH_DIR:-/tmp/huajie-bench}"
mkdir -p "$work"
case "$engine" in
  sqlite) db="$work/ledger-$n.db" ;;
  postgres)
    base="${HUAJIE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
    name="huajie_bench_$n"
    psql "$base/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 || psql "$base/postgres" -qc "CREATE DATABASE $name"
    db="$base/$name" ;;
  *) echo "usage: $0 [sqlite|postgres] [N]" >&2; exit 2 ;;
esac

# Count without `demo --scale 0`, which would record the recent cases' events once more.
case "$engine" in
  sqlite) have=$( [ -f "$db" ] && sqlite3 "$db" "SELECT COUNT(*) FROM proceedings" 2>/dev/null || echo 0) ;;
  postgres) have=$(psql "$db" -qtAc "SELECT COUNT(*) FROM proceedings" 2>/dev/null || echo 0) ;;
esac
if [ "${have:-0}" -lt "$n" ]; then
  echo "== loading $((n - ${have:-0})) proceedings into $engine"
  "$bin" -d "$db" demo --scale "$((n - have))"
fi
"$bin" -d "$db" migrate >/dev/null

# The unit that owes the most open duties, and one of its clerks.
busiest="SELECT d.unit_id FROM deadlines d WHERE d.unit_id IS NOT NULL AND d.nature = 'duty' AND d.done = 0 \
  AND EXISTS (SELECT 1 FROM users u WHERE u.unit_id = d.unit_id AND u.role = 'unit_clerk' AND u.active = 1) \
  GROUP BY d.unit_id ORDER BY COUNT(*) DESC LIMIT 1"
case "$engine" in
  sqlite) unit=$(sqlite3 "$db" "$busiest"); clerk=$(sqlite3 "$db" "SELECT username FROM users WHERE role = 'unit_clerk' AND unit_id = $unit AND active = 1 ORDER BY id LIMIT 1")
          owed=$(sqlite3 "$db" "SELECT COUNT(*) FROM deadlines WHERE unit_id = $unit AND nature = 'duty' AND done = 0")
          total=$(sqlite3 "$db" "SELECT COUNT(*) FROM deadlines") ;;
  postgres) unit=$(psql "$db" -qtAc "$busiest"); clerk=$(psql "$db" -qtAc "SELECT username FROM users WHERE role = 'unit_clerk' AND unit_id = $unit AND active = 1 ORDER BY id LIMIT 1")
            owed=$(psql "$db" -qtAc "SELECT COUNT(*) FROM deadlines WHERE unit_id = $unit AND nature = 'duty' AND done = 0")
            total=$(psql "$db" -qtAc "SELECT COUNT(*) FROM deadlines") ;;
esac
echo "== $total obligations in the database; unit $unit ($clerk) owes $owed open duties"

port=$((19000 + RANDOM % 1000))
"$bin" -d "$db" serve --bind "127.0.0.1:$port" --db-connections "${HUAJIE_BENCH_CONNECTIONS:-8}" --documents-dir "$work/documents" >"$work/serve-obligations.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

# Logs in through the form like a browser (the forced change after a reset included); prints
# the session cookie.
login() {
  local user="$1" jar="$work/cookies-$1.txt"
  "$bin" -d "$db" user reset-password "$user" --password "Bench-2024x" >/dev/null
  rm -f "$jar"
  local csrf
  csrf=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$user" --data-urlencode "password=Bench-2024x" --data-urlencode "csrf=$csrf" "http://127.0.0.1:$port/login"
  csrf=$(curl -fs -b "$jar" "http://127.0.0.1:$port/password" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "current=Bench-2024x" --data-urlencode "new=$fresh" --data-urlencode "confirm=$fresh" "http://127.0.0.1:$port/password"
  awk '$6 == "hj_session" { print $7 }' "$jar"
}
clerk_session=$(login "$clerk")
coord_session=$(login coordinator)
[ -n "$clerk_session" ] && [ -n "$coord_session" ] || { echo "login failed" >&2; exit 1; }
for s in "$clerk_session" "$coord_session"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: hj_session=$s" "http://127.0.0.1:$port/")
  [ "$code" = 200 ] || { echo "the workbench answers $code after login (password change refused?)" >&2; exit 1; }
done
token=$("$bin" -d "$db" user token coordinator | tail -n1)

run() {
  local label="$1" header="$2" path="$3"
  echo "== $label: GET $path"
  curl -fs -H "$header" "http://127.0.0.1:$port$path" | python3 -c '
import sys, re
body = sys.stdin.read()
rows = len(re.findall(r"<tr", body)) - len(re.findall(r"<thead", body))
print("   bytes:", len(body.encode()), " table rows:", rows if "<html" in body else "(json)")'
  # Warm up first (a fresh server maps the database file page by page), then measure.
  wrk -t2 -c32 -d5s -H "$header" "http://127.0.0.1:$port$path" >/dev/null
  wrk -t2 -c32 -d20s --latency -H "$header" "http://127.0.0.1:$port$path" | grep -E "Latency|50%|99%|Requests/sec"
}
run "unit workbench ($clerk)" "Cookie: hj_session=$clerk_session" "/"
run "county obligation list (coordinator's workbench)" "Cookie: hj_session=$coord_session" "/"
run "county obligation list (API, overdue duties of units)" "Authorization: Bearer $token" "/api/v1/deadlines?nature=duty&responsible=unit&state=overdue&limit=50"
run "a unit's obligations (API)" "Authorization: Bearer $token" "/api/v1/deadlines?unit_id=$unit&state=open&limit=50"
