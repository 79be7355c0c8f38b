#!/usr/bin/env bash
# Ledger benchmark: one filtered page of 50 through the HTTP API against N proceedings,
# measured with wrk from another process at 32 connections.
#   bench/ledger.sh [sqlite|postgres] [N]          (default: sqlite 1000000)
# Needs: a release build (cargo build --release -p huajie), wrk (apt-get install wrk),
# and for postgres a server at $HUAJIE_BENCH_PG (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
engine="${1:-sqlite}"
n="${2:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/huajie"
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

port=$((18000 + RANDOM % 1000))
"$bin" -d "$db" serve --bind "127.0.0.1:$port" --db-connections 8 >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$("$bin" -d "$db" user token coordinator --label bench)
unit=$(curl -fs "http://127.0.0.1:$port/api/v1/units" -H "authorization: Bearer $token" | python3 -c 'import sys,json;print([u["id"] for u in json.load(sys.stdin) if u["kind"]=="township"][0])')

run() {
  local label="$1" path="$2"
  echo "== $label: GET $path"
  curl -fs "http://127.0.0.1:$port$path" -H "authorization: Bearer $token" | python3 -c 'import sys,json;d=json.load(sys.stdin);print("   rows on page:", len(d["items"]))'
  wrk -t2 -c32 -d20s --latency -H "authorization: Bearer $token" "http://127.0.0.1:$port$path" | grep -E "Latency|50%|99%|Requests/sec"
}
run "unfiltered newest page" "/api/v1/proceedings?limit=50"
run "kind+status+domain" "/api/v1/proceedings?kind=first_instance&status=concluded&domain=penalty&limit=50"
run "unit+date range" "/api/v1/proceedings?unit_id=$unit&registered_from=2020-01-01&registered_to=2022-12-31&limit=50"
run "party full name (王伟)" "/api/v1/proceedings?party=%E7%8E%8B%E4%BC%9F&limit=50"
run "party surname prefix (王)" "/api/v1/proceedings?party=%E7%8E%8B&limit=50"
