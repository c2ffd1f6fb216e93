#!/usr/bin/env bash
# Install what covermap needs on Debian 12, once: system libraries (GDAL, PROJ), and for the tests a
# headless Chromium. A marker file records success so later runs cost nothing.
# Usage: scripts/setup.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-run}"
marker=".deps-installed-$what"
pkgs=(libgdal-dev libproj-dev gdal-bin pkg-config libclang-dev clang sqlite3)
if [ "$what" = test ]; then
  pkgs+=(chromium python3-yaml)
fi
# The web map is bundled with esbuild from npm modules: Node.js from Debian when it is missing.
if [ -f web/package.json ] && ! command -v npm >/dev/null; then
  pkgs+=(nodejs npm)
fi
web_modules() {
  if [ -f web/package.json ]; then
    (cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
  fi
}
if [ -f "$marker" ] && [ "$(cat "$marker")" = "${pkgs[*]}" ]; then
  web_modules
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "setup: cargo (Rust) is required: https://rustup.rs" >&2; exit 1; }
web_modules
echo "${pkgs[*]}" > "$marker"
