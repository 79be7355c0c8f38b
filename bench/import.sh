#!/usr/bin/env bash
# Import of an N-row .xlsx ledger (default 100,000) into a fresh database, against the time the
# file takes to read alone. The ledger is made by the product itself: `demo --scale N` into a
# scratch database, then `export ledger`; the import goes into a fresh demo county (same unit
# names, none of those case numbers), so every row is a new case. The import command prints
# rows/s end to end and the read time (calamine) separately.
set -euo pipefail
n="${1:-100000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/huajie"
dir="${HUAJIE_BENCH_DIR:-/tmp/huajie-bench}/import-$n"
mkdir -p "$dir"
export HUAJIE_LOG=error
if [ ! -s "$dir/ledger.xlsx" ]; then
  rm -f "$dir"/source.db*
  "$bin" -d "$dir/source.db" demo --scale "$n" > /dev/null
  "$bin" -d "$dir/source.db" export ledger --from 2000-01-01 -o "$dir/ledger.xlsx"
fi
ls -l "$dir/ledger.xlsx"
rm -f "$dir"/target.db*
"$bin" -d "$dir/target.db" demo > /dev/null
echo "== dry run (check only)"
/usr/bin/time -f "wall %e s, max RSS %M KB" "$bin" -d "$dir/target.db" import "$dir/ledger.xlsx" --dry-run | tail -n 1
echo "== import"
/usr/bin/time -f "wall %e s, max RSS %M KB" "$bin" -d "$dir/target.db" import "$dir/ledger.xlsx" | tail -n 1
