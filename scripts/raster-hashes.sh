#!/usr/bin/env bash
# SHA-256 of the decoded pixels (raw, band-interleaved, native type) of a store's coverage rasters:
# rsrp_*, coverage_class, sinr_*, dl_mbps_*, serving_site, coverage_probability. Compares what was
# computed, not how the COG was encoded. Usage: scripts/raster-hashes.sh out/sonla [> hashes.txt];
# compare two stores with `diff <(scripts/raster-hashes.sh A) <(scripts/raster-hashes.sh B)`.
set -euo pipefail
store=${1:?usage: $0 STORE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shopt -s nullglob
files=("$store"/rsrp_*.tif "$store"/coverage_class.tif "$store"/sinr_*.tif "$store"/dl_mbps_*.tif \
       "$store"/serving_site.tif "$store"/coverage_probability.tif)
[ ${#files[@]} -gt 0 ] || { echo "no coverage rasters in $store" >&2; exit 1; }
for f in "${files[@]}"; do
  gdal_translate -q -of ENVI "$f" "$tmp/x.bin"
  printf '%s  %s\n' "$(sha256sum < "$tmp/x.bin" | cut -d' ' -f1)" "$(basename "$f")"
  rm -f "$tmp"/x.*
done
