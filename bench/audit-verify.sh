#!/usr/bin/env bash
# The audit chain at 1 million rows (issue 15): a fresh SQLite database gets N audit rows written
# behind the application's back (unsealed, as rows from before the chain), `huajie migrate` seals
# them (timed), then `huajie audit verify` walks the whole chain (timed, and it prints its own
# figure). Needs a release build and sqlite3.
#   bench/audit-verify.sh [N]        (default 1000000)
set -euo pipefail
n="${1:-1000000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${HUAJIE_BIN:-$root/target/release/huajie}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/audit.db"
"$bin" -d "$db" migrate >/dev/null
sqlite3 "$db" "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
  INSERT INTO audit_events (at, actor_id, actor_name, action, entity, entity_id, proceeding_id, after_json)
  SELECT strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i / 10) || ' seconds'), 1, 'coordinator', 'update', 'proceeding', i % 50000, i % 50000,
         '{\"status\":\"pending\",\"note\":\"' || hex(randomblob(24)) || '\"}' FROM s;"
echo "== $n audit rows written; sealing them (huajie migrate)"
start=$(date +%s.%N); "$bin" -d "$db" migrate >/dev/null; end=$(date +%s.%N)
echo "   sealed in $(echo "$end - $start" | bc) s"
echo "== huajie audit verify"
start=$(date +%s.%N); "$bin" -d "$db" audit verify; end=$(date +%s.%N)
echo "   wall time $(echo "$end - $start" | bc) s"
