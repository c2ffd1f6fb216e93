#!/usr/bin/env bash
# The national-scale demo of issue 16, measured: a synthetic region of REGION × REGION provinces
# (`covermap demo-data --region`), built once by `covermap build` in one process and once by
# `plan` → SHARDS × `run-shard` (separate processes standing in for pods, PARALLEL at a time) →
# `merge`; GNU time's wall time and peak RSS for every process, the phases of each (the build's and
# the merge's manifest timings, each shard's shard.json), and a check that both stores are equal:
# rasters byte for byte, every GeoPackage table row for row, manifest.json but for timings and
# built_at_unix (what tests/foundation/shard_build.rs compares) — except the network quality (SINR,
# rate, runner-up server: `sinr_*`/`dl_mbps_*` rasters and their table fields), which a merged build
# does not compute (docs/ARCHITECTURE.md): those must be absent or empty in the merged store.
# Writes WORKDIR/report.md. REPORT_ONLY=1 redoes only the comparison and the report.
# Usage: scripts/region-bench.sh [REGION=2] [RESOLUTION=90] [SHARDS=4] [PARALLEL=2] [WORKDIR=target/region-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
region="${1:-2}"; res="${2:-90}"; n="${3:-4}"; par="${4:-2}"; work="${5:-target/region-bench}"
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }
[ -x target/release/covermap ] || { echo "build first: cargo build --release --locked" >&2; exit 1; }
# The dataset is kept between runs (demo-data skips a complete one); every result is redone.
data="$work/data-r${region}-${res}m"
if [ -z "${REPORT_ONLY:-}" ]; then
rm -rf "$work/one" "$work/parts" "$work/merged" "$work/plan.json" "$work"/*.time "$work"/*.log "$work/report.md"
mkdir -p "$work"
# A copy of the binary: every step must be the same program (the plan records its checksum).
cp target/release/covermap "$work/covermap"; bin="$work/covermap"

step() { # name, command...  (GNU time -v: wall clock and maximum resident set size)
  local name="$1"; shift
  if ! /usr/bin/time -v -o "$work/$name.time" "$@" 2>"$work/$name.log"; then
    echo "$name failed:" >&2; tail -5 "$work/$name.log" >&2; return 1
  fi
  awk -v name="$name" '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = p[n] + (n > 1 ? 60 * p[n-1] : 0) + (n > 2 ? 3600 * p[n-2] : 0) }
       /Maximum resident set size/ { kb = $NF }
       END { printf "%-12s %9.1f s %7d MB\n", name, s, kb / 1024 }' "$work/$name.time"
}

echo "region ${region}×${region} at ${res} m, ${n} shards ${par} at a time, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
step demo-data "$bin" demo-data --out "$data" --region "$region" --resolution "$res"
step build "$bin" build --data "$data" --out "$work/one" --force
step plan "$bin" plan --data "$data" --shards "$n" --out "$work/plan.json"
for ((first = 0; first < n; first += par)); do
  pids=()
  for ((i = first; i < first + par && i < n; i++)); do
    step "shard-$i" "$bin" run-shard --plan "$work/plan.json" --index "$i" --out "$work/parts" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
done
step merge "$bin" merge --plan "$work/plan.json" --from "$work/parts" --out "$work/merged"
fi

python3 - "$work" "$data" "$region" "$res" "$n" "$par" <<'EOF'
import json, os, re, sqlite3, sys, filecmp
work, data, region, res, n, par = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])

def gnu_time(name):
    text = open(os.path.join(work, name + ".time")).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", text).group(1).split(":")
    secs = sum(float(x) * 60 ** k for k, x in enumerate(reversed(wall)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss / 1024

def timings(store):
    m = json.load(open(os.path.join(store, "manifest.json")))
    return m, {t["stage"]: t["seconds"] for t in m["timings"]}

# --- the two stores are equal (as tests/foundation/shard_build.rs checks), but for the quality ---
one, merged = os.path.join(work, "one"), os.path.join(work, "merged")
QUALITY = re.compile(r"(sinr|dl_mbps|_dl_\d+mbps|runner_up|serving_sector_id)")
ta_ = sorted(f for f in os.listdir(one) if f.endswith(".tif"))
tifs = sorted(f for f in os.listdir(merged) if f.endswith(".tif"))
only_one = sorted(set(ta_) - set(tifs))
assert set(tifs) <= set(ta_) and all(QUALITY.search(f) for f in only_one), f"raster sets differ: {only_one}, {sorted(set(tifs) - set(ta_))}"
bad = [f for f in tifs if not filecmp.cmp(os.path.join(one, f), os.path.join(merged, f), shallow=False)]
assert not bad, f"rasters differ: {bad}"
def tables(gpkg):
    db = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    names = sorted(r[0] for r in db.execute("SELECT table_name FROM gpkg_contents"))
    out = {}
    for t in names:
        cur = db.execute(f'SELECT * FROM "{t}" ORDER BY 1')
        out[t] = ([d[0] for d in cur.description], cur.fetchall())
    return out
ta, tb = tables(os.path.join(one, "results.gpkg")), tables(os.path.join(merged, "results.gpkg"))
assert list(ta) == list(tb), "different table sets"
quality_cols = set()
for t, (cols, ra) in ta.items():
    cb, rb = tb[t]
    assert cols == cb and len(ra) == len(rb), f"table {t}: columns or row count differ"
    for k, (x, y) in enumerate(zip(ra, rb)):
        for c, u, v in zip(cols, x, y):
            if u != v:
                # A quality field the merge leaves empty (NULL, or 0 in a count of hamlets/people).
                assert QUALITY.search(c) and v in (None, 0, 0.0), f"table {t} row {k} column {c}: {u!r} vs {v!r}"
                quality_cols.add(f"{t}.{c}")
(ma, pa), (mb, pb) = timings(one), timings(merged)
for m in (ma, mb):
    m.pop("timings"); m.pop("built_at_unix")
layers_a = [l for l in ma.get("rasters", []) if not QUALITY.search(json.dumps(l))]
if "rasters" in ma:
    ma["rasters"] = layers_a
assert ma == mb, "manifest.json differs beyond timings and the quality rasters"
rows = sum(len(v[1]) for v in ta.values())

# --- the table ---
plan = json.load(open(os.path.join(work, "plan.json")))
shards = [json.load(open(os.path.join(work, "parts", f"shard-{i}", "shard.json"))) for i in range(n)]
out = []
p = lambda s="": out.append(s)
load = next((t["detail"] for t in json.load(open(os.path.join(one, "manifest.json")))["timings"] if t["stage"] == "load dataset"), "")
p(f"Region {region} × {region} provinces at {res} m ({load}); {n} shards, {par} processes at a time on {os.cpu_count()} cores; "
  f"load average at the end {open('/proc/loadavg').read().split()[0]}.")
p()
p("| process | wall (s) | peak RSS (MB) | phases (s) |")
p("|---|---:|---:|---|")
def row(name, label, phases):
    s, mb = gnu_time(name)
    p(f"| {label} | {s:.1f} | {mb:.0f} | {phases} |")
    return s
row("demo-data", f"`demo-data --region {region} --resolution {res}`", "")
keys = ["load dataset", "coverage", "risk", "uav"]
build_s = row("build", "`build` (one process)", ", ".join(f"{k} {pa[k]:.1f}" for k in keys if k in pa))
plan_s = row("plan", f"`plan --shards {n}`", "")
shard_s = []
for i, r in enumerate(shards):
    phases = ", ".join(f"{k} {v:.1f}" for k, v in r["seconds"])
    shard_s.append(row(f"shard-{i}", f"`run-shard --index {i}` ({r['sites']} sites, tiles {r['tiles']})", phases))
merge_s = row("merge", "`merge`", ", ".join(f"{k} {pb[k]:.1f}" for k in keys if k in pb))
batches = [max(shard_s[b:b + par]) for b in range(0, n, par)]
p()
p(f"One machine: {build_s:.1f} s. Sharded here ({par} at a time): plan {plan_s:.1f} + shards {' + '.join(f'{b:.1f}' for b in batches)} + merge {merge_s:.1f} "
  f"= {plan_s + sum(batches) + merge_s:.1f} s; with {n} pods at once: plan + slowest shard + merge = {plan_s + max(shard_s) + merge_s:.1f} s. "
  f"Shard wall times sum to {sum(shard_s):.1f} s.")
p(f"Stores equal: {len(tifs)} rasters byte for byte, {len(ta)} tables ({rows} rows) row for row, manifest.json but for timings; "
  f"except the network quality a merged build does not compute: {len(only_one)} rasters ({', '.join(only_one)}) and "
  f"{len(quality_cols)} table fields, empty in the merged store.")
text = "\n".join(out) + "\n"
open(os.path.join(work, "report.md"), "w").write(text)
print(text)
EOF
