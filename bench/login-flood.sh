#!/usr/bin/env bash
# Login flood (issue 15): 16 wrk connections send wrong passwords to POST /api/v1/tokens while a
# second wrk process measures GET /healthz at 4 connections; /healthz is first measured alone.
# Two floods: from one address (the throttle answers 429 after the free attempts, without
# hashing), and from a new address per request (HUAJIE_TRUST_PROXY with a random
# X-Forwarded-For and a new name each time, so every attempt is a real Argon2 check — the worst
# case for the CPU).
#   bench/login-flood.sh            (needs a release build and wrk)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${HUAJIE_BIN:-$root/target/release/huajie}"
work="$(mktemp -d)"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 1000))
while ss -ltn | grep -q ":$port "; do port=$((port + 1)); done
"$bin" -d "$work/flood.db" demo >/dev/null
HUAJIE_TRUST_PROXY=true "$bin" -d "$work/flood.db" serve --bind "127.0.0.1:$port" --documents-dir "$work/docs" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

cat >"$work/one.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"coordinator","password":"wrong-pass-123"}'
LUA
cat >"$work/many.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  wrk.headers["X-Forwarded-For"] = ip
  wrk.body = string.format('{"username":"user%d","password":"wrong-pass-123"}', math.random(1, 100000000))
  return wrk.format()
end
LUA
health() { wrk -t1 -c4 -d"$1" --latency "http://127.0.0.1:$port/healthz" | grep -E "50%|99%|Requests/sec"; }

echo "== /healthz alone"
health 10s
echo "== flood from one address (16 connections, 20 s) with /healthz measured at the same time"
wrk -t2 -c16 -d20s -s "$work/one.lua" "http://127.0.0.1:$port/api/v1/tokens" >"$work/flood1.txt" &
f=$!
sleep 5; health 10s; wait $f
grep -E "requests in|Requests/sec|Non-2xx" "$work/flood1.txt" | sed 's/^/   login /'
echo "== flood from a new address per request (every attempt hashed) with /healthz at the same time"
wrk -t2 -c16 -d20s -s "$work/many.lua" "http://127.0.0.1:$port/api/v1/tokens" >"$work/flood2.txt" &
f=$!
sleep 5; health 10s; wait $f
grep -E "requests in|Requests/sec|Non-2xx" "$work/flood2.txt" | sed 's/^/   login /'
echo "   password checks (failed logins written to the audit log):"
"$bin" -d "$work/flood.db" audit verify | head -1
