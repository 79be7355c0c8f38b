#!/usr/bin/env bash
# `huajie deadline --batch` over N lines (default 1,000,000) of mixed rules and dates 2004–2026.
set -euo pipefail
n="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/huajie"
file="${HUAJIE_BENCH_DIR:-/tmp/huajie-bench}/deadline-$n.csv"
mkdir -p "$(dirname "$file")"
if [ ! -s "$file" ]; then
  awk -v n="$n" 'BEGIN {
    split("calendar_days:15 working_days:10 months:6 calendar_days:60 working_days:5 years:1 calendar_days:7 months:3", rules, " ");
    srand(42); print "start,rule";
    for (i = 0; i < n; i++) {
      y = 2004 + int(rand() * 23); m = 1 + int(rand() * 12); d = 1 + int(rand() * 28);
      printf "%04d-%02d-%02d,%s\n", y, m, d, rules[1 + int(rand() * 8)];
    }
  }' > "$file"
fi
echo "== $(($(wc -l < "$file") - 1)) lines"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, max RSS %M KB" "$bin" deadline --batch "$file" > "$file.out"
tail -n 2 "$file.out"
