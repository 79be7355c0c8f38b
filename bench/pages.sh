#!/usr/bin/env bash
# Page benchmark: the coordinator's workbench (工作台) and ledger (案件台账) pages as HTML,
# logged in through the login form like a browser, measured with wrk from another process at
# 32 concurrent connections (32 sessions' worth of requests on one session cookie per run).
#   bench/pages.sh [sqlite|postgres] [N]          (default: sqlite 1000000)
# Needs: a release build (cargo build --release -p huajie) and wrk (apt-get install wrk).
# The data set is the one bench/ledger.sh loads (huajie demo --scale N, which also records
# events and deadlines for the recent pending cases).
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

have=$("$bin" -d "$db" demo --scale 0 2>/dev/null | sed -n 's/.*共有 \([0-9]*\) 个程序.*/\1/p' || echo 0)
if [ "${have:-0}" -lt "$n" ]; then
  echo "== loading $((n - ${have:-0})) proceedings into $engine"
  "$bin" -d "$db" demo --scale "$((n - have))"
fi

port=$((19000 + RANDOM % 1000))
"$bin" -d "$db" serve --bind "127.0.0.1:$port" --db-connections 8 --documents-dir "$work/documents" >"$work/serve-pages.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

# Log in as the coordinator through the form (the login CSRF cookie, then the session cookie).
"$bin" -d "$db" user reset-password coordinator --password "Bench-2024x" >/dev/null
jar="$work/cookies.txt"; rm -f "$jar"
csrf=$(curl -fs -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=coordinator" --data-urlencode "password=Bench-2024x" --data-urlencode "csrf=$csrf" "http://127.0.0.1:$port/login"
# A reset by an administrator requires a new password first: change it through the form.
csrf=$(curl -fs -b "$jar" "http://127.0.0.1:$port/password" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "current=Bench-2024x" --data-urlencode "new=$fresh" --data-urlencode "confirm=$fresh" "http://127.0.0.1:$port/password"
session=$(awk '$6 == "hj_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "login failed" >&2; exit 1; }

run() {
  local label="$1" path="$2"
  echo "== $label: GET $path"
  curl -fs -H "Cookie: hj_session=$session" "http://127.0.0.1:$port$path" | python3 -c '
import sys, re
html = sys.stdin.read()
rows = len(re.findall(r"<tr", html)) - len(re.findall(r"<thead", html))
print("   html bytes:", len(html.encode()), " table rows:", rows)'
  wrk -t2 -c32 -d20s --latency -H "Cookie: hj_session=$session" "http://127.0.0.1:$port$path" | grep -E "Latency|50%|99%|Requests/sec"
}
run "workbench (工作台)" "/"
run "ledger, first page (案件台账)" "/ledger"
run "ledger, pending + domain" "/ledger?status=pending&domain=expropriation"
run "ledger, party surname" "/ledger?party=%E7%8E%8B"
