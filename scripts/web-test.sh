#!/usr/bin/env bash
# Tests of the web map (run by `make test` after `cargo test`): eslint over web/, the unit tests
# (web/test/*.test.js: layer registry, legends, popups, speed tiers; Node only, no browser), then the
# browser tests: starts `target/release/covermap serve` on the demo store (out/sonla) and drives
# Debian's Chromium with playwright-core through web/tests/. Screenshots land in
# web/test-results/. Bounded to 5 minutes (about 2.5 on a busy 2-core machine).
# Needs: the release binary and the store (make store), chromium (scripts/setup.sh test), Node ≥ 20.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "web-test: Node.js 20+ is required" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "web-test: ${CHROMIUM:-/usr/bin/chromium} missing: scripts/setup.sh test" >&2; exit 1; }
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  # The binary embeds the bundle at compile time: rebuild now that the modules are here.
  cargo build --release --locked
fi
bin="${COVERMAP_BIN:-target/release/covermap}"
[ -x "$bin" ] || { echo "web-test: $bin missing: cargo build --release" >&2; exit 1; }
rm -rf web/test-results && mkdir -p web/test-results
start=$(date +%s)
cd web
npx --no-install eslint .
node --test --test-reporter=spec test/*.test.js
timeout --kill-after=10 300 node --test --test-concurrency=1 --test-reporter=spec tests/
echo "web-test: $(( $(date +%s) - start )) s; screenshots in web/test-results/"
