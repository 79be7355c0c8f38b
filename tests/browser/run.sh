#!/usr/bin/env bash
# Browser tests of the web UI: serves a fresh SQLite database with the demo county on a free
# local port and runs tests/browser/suite.mjs (playwright-core driving the system Chromium)
# against it. Installs what it needs when missing. Screenshots go to $ARTIFACTS.
#
#   bash tests/browser/run.sh                 # all tests
#   bash tests/browser/run.sh login lockout   # some tests, by name
#
# Environment: ARTIFACTS (default target/browser-artifacts), CHROMIUM (default /usr/bin/chromium),
# HUAJIE_BIN (use this server binary instead of building target/debug/huajie).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

export ARTIFACTS="${ARTIFACTS:-target/browser-artifacts}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "browser tests: need root to run: $*" >&2
    return 1
  fi
}

apt_install() {
  echo "== installing $*"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y "$@" || { as_root apt-get update && as_root apt-get install -y "$@"; }
}

# --- what the tests need: Chromium with a CJK font, node 20+, playwright-core -------------------
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium fonts-wqy-microhei
elif ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
  apt_install fonts-wqy-microhei
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "browser tests: playwright-core needs node 20 or later, found $(node --version)" >&2
  exit 1
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "== npm install (tests/browser)"
  if [ -f tests/browser/package-lock.json ]; then
    (cd tests/browser && npm ci --no-audit --no-fund)
  else
    (cd tests/browser && npm install --no-audit --no-fund)
  fi
fi

# --- the server ---------------------------------------------------------------------------------
if [ -n "${HUAJIE_BIN:-}" ]; then
  bin="$HUAJIE_BIN"
else
  echo "== cargo build -p huajie"
  cargo build -p huajie -q
  bin="${CARGO_TARGET_DIR:-target}/debug/huajie"
fi
[ -x "$bin" ] || { echo "browser tests: no server binary at $bin" >&2; exit 1; }

work="$(mktemp -d -t huajie-browser.XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ -f "$work/server.log" ]; then
    mkdir -p "$ARTIFACTS" && cp "$work/server.log" "$ARTIFACTS/server.log" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
base="http://127.0.0.1:$port"
echo "== serving a fresh demo database at $base"
env -u HUAJIE_SECURE_COOKIES -u HUAJIE_DATABASE -u HUAJIE_BIND \
  "$bin" -d "$work/huajie.db" serve --bind "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server=$!

ready=""
for _ in $(seq 1 240); do
  if ! kill -0 "$server" 2>/dev/null; then
    break
  fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "browser tests: the server did not become ready at $base/healthz; its log:" >&2
  tail -n 40 "$work/server.log" >&2 || true
  echo "browser: 0 passed, 1 failed"
  exit 1
fi

# --- the tests ----------------------------------------------------------------------------------
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png
set +e
# The suite runs the clock's work at a chosen moment with `huajie tick --at` on the same database.
HUAJIE_TEST_BIN="$bin" HUAJIE_TEST_DB="$work/huajie.db" BASE_URL="$base" node tests/browser/suite.mjs "$@" | tee "$work/suite.log"
status=${PIPESTATUS[0]}
set -e
summary="$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed' "$work/suite.log" | tail -n 1 || true)"
if [ "$status" -ne 0 ]; then
  echo "== server log (last 30 lines; whole log in $ARTIFACTS/server.log)"
  tail -n 30 "$work/server.log" || true
  echo "screenshots: $ARTIFACTS"
  # The summary again, as the closing line.
  echo "${summary:-browser: 0 passed, 1 failed}"
fi
exit "$status"
