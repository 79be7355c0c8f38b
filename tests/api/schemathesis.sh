#!/usr/bin/env bash
# The API against its own OpenAPI document (issue 15): schemathesis (from PyPI) generates requests
# for every operation from /api/openapi.json and checks that no answer is a server error and that
# every answer's status, content type and body are the documented ones. It runs against a fresh
# SQLite database with the demo county, as the coordinator, on a free local port, with a fixed
# seed and a bounded number of examples, and exits non-zero on any failure.
#   bash tests/api/schemathesis.sh            (HUAJIE_BIN to use another server binary)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${HUAJIE_BIN:-$root/target/debug/huajie}"
[ -x "$bin" ] || (cd "$root" && cargo build -p huajie)
command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis
work="$(mktemp -d)"
port=$((21000 + RANDOM % 1000))
while ss -ltn 2>/dev/null | grep -q ":$port "; do port=$((port + 1)); done
"$bin" -d "$work/api.db" demo >/dev/null
"$bin" -d "$work/api.db" serve --bind "127.0.0.1:$port" --documents-dir "$work/docs" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$("$bin" -d "$work/api.db" user token coordinator --label schemathesis | tail -n1)
# The token's own revocation (DELETE /tokens/{id}) would end the run's credentials.
schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path '/api/v1/tokens/{id}' \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" --seed 20261204 --request-timeout 20 --no-color
