#!/usr/bin/env bash
# Measured scale-out run: one-machine `covermap build` against plan → N shard processes → merge on
# the same dataset, with wall time and peak RSS (GNU time) per step, and a check that both stores
# hold the same rasters. Shards run one after another (this machine stands in for N pods; each
# shard's time is what one pod would take alone).
# Usage: scripts/shard-bench.sh [DATA] [N] [WORKDIR] [ONE_STORE]
# With ONE_STORE (a store `covermap build` already made from DATA by the same sources) the one-machine
# build is not run again: the merged store is compared with it.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/sonla}"; n="${2:-4}"; work="${3:-target/shard-bench}"; one="${4:-}"
rm -rf "$work"; mkdir -p "$work"
# A copy of the binary: every step must be the same program (the plan records its checksum).
cp target/release/covermap "$work/covermap"; bin="$work/covermap"
step() { # name, command...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" 2>"$work/$name.log"
  read -r secs kb < "$work/$name.time"
  printf "%-14s %8.1f s %8d MB\n" "$name" "$secs" $((kb / 1024))
}
echo "dataset $data, $n shards, $(nproc) cores"
if [ -z "$one" ]; then
  step build "$bin" build --data "$data" --out "$work/one" --force
  one="$work/one"
fi
step plan "$bin" plan --data "$data" --shards "$n" --out "$work/plan.json"
for i in $(seq 0 $((n - 1))); do
  step "shard-$i" "$bin" run-shard --plan "$work/plan.json" --index "$i" --out "$work/parts"
  grep "^run-shard" "$work/shard-$i.log" | sed 's/^/    /'
  # The network-quality partial results (top-N lists per operator).
  du -b "$work/parts/shard-$i"/coverage/topn_*.bin | awk '{ t += $1; printf "    %s %.1f MB\n", $2, $1 / 1e6 } END { printf "    top-N partials %.1f MB\n", t / 1e6 }'
done
step merge "$bin" merge --plan "$work/plan.json" --from "$work/parts" --out "$work/merged"
for f in "$one"/*.tif; do
  cmp -s "$f" "$work/merged/$(basename "$f")" || { echo "DIFFERENT: $(basename "$f")"; exit 1; }
done
echo "rasters identical: $(ls "$one"/*.tif | wc -l)"
