#!/usr/bin/env bash
# Statistics benchmark: the full quarterly figure set (all units, all indicators, year on year,
# year to date, trend, assessment) on N proceedings, on SQLite and PostgreSQL, beside DuckDB
# computing the same figures from the same rows exported to Parquet.
#   bench/stats.sh [N] [YEAR] [QUARTER]        (default: 1000000 2026 3)
# Needs: a release build (cargo build --release -p huajie), python3 with duckdb
# (pip install duckdb), and a PostgreSQL server at $HUAJIE_BENCH_PG
# (default postgres://postgres@127.0.0.1:5432). The data sets are the ones bench/ledger.sh uses.
set -euo pipefail
n="${1:-1000000}"
year="${2:-2026}"
quarter="${3:-3}"
repeat="${HUAJIE_BENCH_REPEAT:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/huajie"
work="${HUAJIE_BENCH_DIR:-/tmp/huajie-bench}"
mkdir -p "$work"
python3 -c 'import duckdb' 2>/dev/null || { echo "duckdb is missing: pip install duckdb" >&2; exit 2; }

load() {
  local db="$1"
  local have
  have=$("$bin" -d "$db" demo --scale 0 2>/dev/null | sed -n 's/.*共有 \([0-9]*\) 个程序.*/\1/p' || echo 0)
  if [ "${have:-0}" -lt "$n" ]; then
    echo "== loading $((n - ${have:-0})) proceedings into $db"
    "$bin" -d "$db" demo --scale "$((n - have))"
  fi
}

sqlite_db="$work/ledger-$n.db"
base="${HUAJIE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
name="huajie_bench_$n"
psql "$base/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1 || psql "$base/postgres" -qc "CREATE DATABASE $name"
pg_db="$base/$name"
load "$sqlite_db"
load "$pg_db"

args=(stats --period quarter --year "$year" --n "$quarter" --repeat "$repeat" --json)
echo "== huajie, SQLite"
"$bin" -d "$sqlite_db" "${args[@]}" >"$work/stats-sqlite.json" 2>"$work/stats-sqlite.txt"
cat "$work/stats-sqlite.txt"
echo "== huajie, PostgreSQL"
"$bin" -d "$pg_db" "${args[@]}" >"$work/stats-postgres.json" 2>"$work/stats-postgres.txt"
cat "$work/stats-postgres.txt"
echo "== DuckDB on the SQLite rows"
python3 "$root/bench/stats_duckdb.py" "$sqlite_db" "$year" "$quarter" "$work/stats-sqlite.json" --repeat "$repeat" | tee "$work/stats-duckdb.txt"

median() { sed -n 's/.*中位数 \([0-9.]*\) 毫秒.*/\1/p' "$1"; }
duck=$(sed -n 's/^DUCKDB_MEDIAN_MS=//p' "$work/stats-duckdb.txt")
python3 - "$(median "$work/stats-sqlite.txt")" "$(median "$work/stats-postgres.txt")" "$duck" <<'EOF'
import sys
s, p, d = map(float, sys.argv[1:])
print(f"== median: SQLite {s:.0f} ms, PostgreSQL {p:.0f} ms, DuckDB {d:.0f} ms")
print(f"== ratio to DuckDB: SQLite {s / d:.2f}x, PostgreSQL {p / d:.2f}x (target: within 3x)")
EOF
