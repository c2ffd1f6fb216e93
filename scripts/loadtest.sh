#!/usr/bin/env bash
# Load test of `covermap serve` on loopback, bounded in time: requests/s and latency percentiles for
#   1. uncached vector tiles  (the basemap composite districts,communes,roads,rivers,hamlets at z12–14,
#                              every request a tile never asked before → rendered),
#   2. uncached raster tiles  (hillshade computed from the DEM, z10–13),
#   3. cached tiles           (500 of the above, warmed first).
# It then checks that the server stayed correct: no 5xx in /metrics, and the tiles still decode.
# Uses wrk (apt: wrk) with a Lua script cycling through URL lists, or oha when wrk is missing.
#
#   scripts/loadtest.sh [STORE] [DURATION_SECONDS]     (defaults: out/sonla, 15)
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${1:-out/sonla}
DURATION=${2:-15}
PORT=${LOADTEST_PORT:-18090}
CONN=${LOADTEST_CONNECTIONS:-32}
BIN=target/release/covermap
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill ${SERVER:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -x "$BIN" ] || cargo build --release
[ -f "$STORE/manifest.json" ] || { echo "no store at $STORE: run 'make store' first" >&2; exit 1; }
if ! command -v wrk >/dev/null && ! command -v oha >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else echo "install wrk (apt-get install wrk) or oha" >&2; exit 1; fi
fi

start() { # cache MiB
  [ -n "${SERVER:-}" ] && { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
  "$BIN" serve --store "$STORE" --port "$PORT" --cache-mb "$1" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done
  curl -sf "$BASE/health" >/dev/null || { cat "$WORK/server.log"; exit 1; }
}
# Uncached: a 1 MiB tile cache, so (with each URL asked again only after thousands of others) every
# request renders its tile.
start 1

# Tile URLs covering a layer list's bounds at zooms Z0..Z1 (slippy-map formulas), shuffled.
tiles() { # layers ext z0 z1
  local b; b=$(curl -sf "$BASE/tiles/$1.json" | python3 -c 'import json,sys; print(*json.load(sys.stdin)["bounds"])')
  python3 - "$1" "$2" "$3" "$4" $b <<'PY'
import math, random, sys
layers, ext, z0, z1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
w, s, e, n = map(float, sys.argv[5:9])
def tx(lon, z): return int((lon + 180) / 360 * 2**z)
def ty(lat, z):
    r = math.radians(lat); return int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * 2**z)
urls = [f"/tiles/{layers}/{z}/{x}/{y}.{ext}" for z in range(z0, z1 + 1)
        for x in range(tx(w, z), tx(e, z) + 1) for y in range(ty(n, z), ty(s, z) + 1)]
random.Random(4).shuffle(urls)
print("\n".join(urls))
PY
}
BASEMAP=districts,communes,roads,rivers,hamlets
tiles $BASEMAP mvt 12 14 >"$WORK/vector.txt"
tiles hillshade png 10 13 >"$WORK/raster.txt"
{ head -n 400 "$WORK/vector.txt"; head -n 100 "$WORK/raster.txt"; } | shuf --random-source=<(yes) >"$WORK/cached.txt"

cat >"$WORK/paths.lua" <<'LUA'
-- Each thread walks its own share of the URL list (thread k: k, k+T, k+2T, …), so no URL repeats
-- until the list is exhausted.
local threads, count = {}, 0
function setup(thread) thread:set("tid", count); count = count + 1; table.insert(threads, thread) end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  step = tonumber(args[2]); i = tid + 1 - step
end
function request()
  i = i + step
  if i > #paths then i = tid + 1 end
  return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip, br"})
end
LUA

# Still correct after the load: no server errors, a tile still decodes.
ERRORS=0
check() {
  local five; five=$(curl -sf "$BASE/metrics" | awk '/^covermap_http_requests_total/ && /status="5/ {s+=$2} END {print s+0}')
  echo "-- 5xx responses: $five"
  ERRORS=$((ERRORS + five))
  curl -sf "$BASE/metrics" | grep -E "^covermap_tile_cache_(hits|misses)_total|^covermap_tile_cache_bytes "
  local u; u=$(head -n 1 "$WORK/vector.txt")
  curl -sf -o "$WORK/t.mvt" -w "-- after the load $u: %{http_code}, %{size_download} bytes\n" "$BASE$u"
}

run() { # name urlfile
  local n; n=$(wc -l <"$2")
  echo "== $1 ($n distinct URLs, ${DURATION}s, $CONN connections)"
  if command -v wrk >/dev/null; then
    wrk -t2 -c"$CONN" -d"${DURATION}s" --latency -s "$WORK/paths.lua" "$BASE" -- "$2" 2 | tee "$WORK/$1.out" |
      grep -E "Requests/sec|Latency |     50%|     90%|     99%|Non-2xx|requests in|Socket errors"
  else
    sed "s|^|$BASE|" "$2" >"$WORK/$1.urls"
    oha -z "${DURATION}s" -c "$CONN" --no-tui -H "Accept-Encoding: gzip, br" --urls-from-file "$WORK/$1.urls" | tee "$WORK/$1.out" |
      grep -E "Requests/sec|99.00%|50.00%|Success rate"
  fi
}

run uncached-vector "$WORK/vector.txt"
run uncached-raster "$WORK/raster.txt"
check
start 512
echo "-- warming $(wc -l <"$WORK/cached.txt") tiles"
sed "s|^|$BASE|" "$WORK/cached.txt" | xargs -P 4 -I{} curl -s -o /dev/null -H "Accept-Encoding: gzip, br" {}
run cached "$WORK/cached.txt"

check
[ "$ERRORS" = 0 ] || { echo "server errors under load" >&2; exit 1; }
