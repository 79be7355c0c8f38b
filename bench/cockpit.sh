#!/usr/bin/env bash
# The leaders' screen and the warnings page at scale (issue 17): 领导驾驶舱 (/cockpit as the
# leader: the year-to-date figure set, overdue obligations by unit, this week's hearings, red
# warnings, 挂牌督办, what waits for an instruction) and 风险预警 (/warnings as the coordinator:
# the list with its tiles and 预警统计), measured with wrk from another process at 32 concurrent
# connections; also /warnings/risk (every pending case scored). Target: p99 under 150 ms.
#   bench/cockpit.sh [sqlite|postgres] [N]          (default: sqlite 1000000)
# Needs: a release build (cargo build --release -p huajie) and wrk (apt-get install wrk).
# The data set is the one bench/ledger.sh loads (huajie demo --scale N); warnings are added here
# for one pending case in 200 (red, yellow, blue in turn), so the lists are not empty.
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

# Warnings on one pending case in 200, once.
add_warnings="INSERT INTO warnings (jurisdiction_id, proceeding_id, grade, reasons, source, source_unit_id, issued_on, state, created_by_name, version, created_at, updated_at) \
  SELECT p.jurisdiction_id, p.id, CASE p.id % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'blue' END, '压测数据', 'bureau', p.jurisdiction_id, p.registered_on, 'reported', '压测', 1, p.created_at, p.created_at \
  FROM proceedings p WHERE p.status <> 'concluded' AND p.id % 200 = 0 AND NOT EXISTS (SELECT 1 FROM warnings)"
case "$engine" in
  sqlite) sqlite3 "$db" "$add_warnings"; warned=$(sqlite3 "$db" "SELECT COUNT(*) FROM warnings") ;;
  postgres) psql "$db" -qc "$add_warnings"; warned=$(psql "$db" -qtAc "SELECT COUNT(*) FROM warnings") ;;
esac
echo "== $warned warnings in the database"

port=$((19000 + RANDOM % 1000))
"$bin" -d "$db" serve --no-worker --bind "127.0.0.1:$port" --db-connections "${HUAJIE_BENCH_CONNECTIONS:-8}" --documents-dir "$work/documents" >"$work/serve-cockpit.log" 2>&1 &
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
leader_session=$(login leader)
coord_session=$(login coordinator)
[ -n "$leader_session" ] && [ -n "$coord_session" ] || { echo "login failed" >&2; exit 1; }

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
run "领导驾驶舱 (leader)" "Cookie: hj_session=$leader_session" "/cockpit"
run "风险预警 (coordinator)" "Cookie: hj_session=$coord_session" "/warnings"
run "风险评分 (coordinator)" "Cookie: hj_session=$coord_session" "/warnings/risk"
