#!/usr/bin/env python3
"""Side-by-side timings of covermap's standalone tools and the reference tools, in one run on the
same inputs (the machine may be shared: compare the ratios printed, not the seconds).

Inputs (the issue's synthetic sizes): a 3000² DEM of 30 m cells (the `benches/risk.rs` terrain:
ridges, valleys and hash noise with many pits and flats) and an 8000² Float32 raster (64 M px) with
400 parcels. Reference tools: richdem (epsilon fill + D8 accumulation, slope), whitebox-workflows
(fill + D8 pointer + D8 accumulation), pysheds (fill pits/depressions, resolve flats, D8,
accumulation), exactextract (mean + count). Ours: `covermap risk` (its per-step times) and
`covermap zonal` (mean,count and with quantiles).

Setup:  python3 -m venv --system-site-packages /work/venv-ref
        /work/venv-ref/bin/pip install richdem-fork whitebox-workflows pysheds exactextract
Run:    cargo build --release && /work/venv-ref/bin/python scripts/bench_reference.py [--dem-size 3000] [--zonal-size 8000] [--repeat 3]
        [--skip-hydrology | --skip-zonal]

On a shared machine the load changes within seconds, so the tools run in rounds — ours, then each
reference, then ours again — and each figure is the best (minimum) of its `--repeat` rounds
(pysheds, 5–10× slower than the rest, runs in the first round only unless `--pysheds-every-round`).
The load average before and after is printed with the figures.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import rasterio
from rasterio.transform import from_origin

BIN = os.environ.get("COVERMAP_BIN") or os.path.join(os.path.dirname(__file__), "..", "target", "release", "covermap")
CRS = "EPSG:32648"


def synthetic_dem(n):
    """benches/risk.rs `synthetic`, in f32 as there."""
    c = np.arange(n, dtype=np.uint32)[None, :]
    r = np.arange(n, dtype=np.uint32)[:, None]
    x = (c.astype(np.float32) / np.float32(64.0))
    y = (r.astype(np.float32) / np.float32(64.0))
    h = ((c * np.uint32(73_856_093)) ^ (r * np.uint32(19_349_663))) % np.uint32(1000)
    z = (np.float32(800.0) + np.float32(300.0) * (np.sin(x) * np.cos(y)) + np.float32(120.0) * np.sin(np.float32(2.7) * x + np.float32(1.3) * y)
         + h.astype(np.float32) / np.float32(200.0))
    return (np.round(z * 2.0) / 2.0).astype(np.float32)


def write_tif(path, a, cell, nodata):
    with rasterio.open(path, "w", driver="GTiff", width=a.shape[1], height=a.shape[0], count=1, dtype=a.dtype, crs=CRS,
                       transform=from_origin(400_000.0, 2_400_000.0, cell, cell), nodata=nodata, tiled=True, blockxsize=512, blockysize=512) as ds:
        ds.write(a, 1)


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def ours_risk(dem_path, out_dir):
    r = subprocess.run([BIN, "risk", "--dem", dem_path, "--out", out_dir], capture_output=True, text=True, check=True)
    steps = {}
    for line in r.stderr.splitlines():
        m = re.match(r"\s+(.+?)\s{2,}([\d.]+) s", line)
        if m:
            steps[m.group(1).strip()] = float(m.group(2))
    return steps


def best(res, key, t):
    res[key] = min(res.get(key, math.inf), t)


def hydrology(dem_path, dem, rounds, pysheds_every_round):
    res = {}
    for k in range(rounds):
        hydrology_round(dem_path, dem, res, k == 0 or pysheds_every_round)
    return res


def hydrology_round(dem_path, dem, res, with_pysheds):
    steps = ours_risk(dem_path, tempfile.mkdtemp())
    best(res, "covermap fill", steps["depression filling"])
    best(res, "covermap D8+flats", steps["D8 + flats"])
    best(res, "covermap accumulation", steps["flow accumulation"])
    best(res, "covermap fill+D8+acc", steps["depression filling"] + steps["D8 + flats"] + steps["flow accumulation"])
    best(res, "covermap slope", steps["slope (Horn)"])

    import richdem as rd
    rdem = rd.rdarray(dem.copy(), no_data=-32768.0)
    rdem.geotransform = [400_000.0, 30.0, 0.0, 2_400_000.0, 0.0, -30.0]
    t, _ = timed(lambda: rd.TerrainAttribute(rdem, attrib="slope_degrees"))
    best(res, "richdem slope", t)
    t1, filled = timed(lambda: rd.FillDepressions(rdem, epsilon=True, in_place=False))
    t2, _ = timed(lambda: rd.FlowAccumulation(filled, method="D8"))
    best(res, "richdem fill+D8+acc", t1 + t2)
    del filled
    # Ours again, between the references, so a change of load shows in both.
    steps = ours_risk(dem_path, tempfile.mkdtemp())
    best(res, "covermap fill+D8+acc", steps["depression filling"] + steps["D8 + flats"] + steps["flow accumulation"])
    best(res, "covermap slope", steps["slope (Horn)"])

    import whitebox_workflows as wbw
    wbe = wbw.WbEnvironment()
    wbe.verbose = False
    wr = wbe.read_raster(dem_path)
    # whitebox-workflows 2 groups its tools by category.
    h = getattr(wbe, "hydrology", wbe)
    t1, wf = timed(lambda: h.fill_depressions(dem=wr))
    t2, wp = timed(lambda: h.d8_pointer(dem=wf))
    t3, _ = timed(lambda: h.d8_flow_accum(input=wp, input_is_pointer=True, out_type="cells"))
    best(res, "whitebox-workflows fill+D8+acc", t1 + t2 + t3)
    if not with_pysheds:
        return

    from pysheds.grid import Grid
    if not hasattr(np, "in1d"):  # pysheds 0.5 still calls np.in1d, removed in numpy 2.4
        np.in1d = np.isin
    g = Grid.from_raster(dem_path)
    d = g.read_raster(dem_path)

    def ps():
        p = g.fill_pits(d)
        f = g.fill_depressions(p)
        fl = g.resolve_flats(f)
        fd = g.flowdir(fl)
        return g.accumulation(fd)

    t, _ = timed(ps)
    best(res, "pysheds fill+D8+acc", t)


def parcels(n_px, cell, k=20):
    """k² hexagonal parcels tiling most of the raster (400 for k = 20)."""
    x0, y0 = 400_000.0, 2_400_000.0
    size = n_px * cell / k
    feats = []
    for i in range(k):
        for j in range(k):
            cx, cy = x0 + (i + 0.5) * size, y0 - (j + 0.5) * size
            rad = 0.48 * size
            ring = [[cx + rad * math.cos(a + 0.1 * i), cy + rad * math.sin(a + 0.1 * i)] for a in np.linspace(0, 2 * math.pi, 7)[:-1]]
            ring.append(ring[0])
            feats.append({"type": "Feature", "id": i * k + j + 1, "properties": {"pid": i * k + j + 1}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32648"}}, "features": feats}


def zonal(tmp, n, rounds):
    cell = 0.5
    c = np.arange(n, dtype=np.uint64)[None, :]
    r = np.arange(n, dtype=np.uint64)[:, None]
    vals = (((c * 2_654_435_761) ^ (r * 40_503)) % 1000).astype(np.float32) / np.float32(1000.0)
    path = os.path.join(tmp, "values.tif")
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32", crs=CRS,
                       transform=from_origin(400_000.0, 2_400_000.0, cell, cell), nodata=-9999.0, tiled=True, blockxsize=512, blockysize=512) as ds:
        ds.write(vals, 1)
    del vals
    fc = parcels(n, cell)
    zpath = os.path.join(tmp, "parcels.geojson")
    with open(zpath, "w") as f:
        json.dump(fc, f)
    res = {}

    def ours(stats):
        t = time.perf_counter()
        subprocess.run([BIN, "zonal", "--raster", path, "--zones", zpath, "--stats", stats, "--out", os.path.join(tmp, "z.csv")], check=True, capture_output=True)
        return time.perf_counter() - t

    from exactextract import exact_extract
    for _ in range(rounds):
        best(res, "covermap zonal mean,count", ours("mean,count"))
        with rasterio.open(path) as rs:
            t, _ = timed(lambda: exact_extract(rs, fc["features"], ["mean", "count"]))
        best(res, "exactextract mean,count", t)
        best(res, "covermap zonal mean,count,p10,p50,p90", ours("mean,count,p10,p50,p90"))
        with rasterio.open(path) as rs:
            t, _ = timed(lambda: exact_extract(rs, fc["features"], ["mean", "count", "quantile(q=0.1)", "median", "quantile(q=0.9)"]))
        best(res, "exactextract mean,count,p10,p50,p90", t)
    # The same means (exactextract's definitions; the issue asks for agreement to 1e-6).
    ours("mean,count")
    import csv
    with open(os.path.join(tmp, "z.csv")) as f:
        mine = {int(r["pid"]): (float(r["mean"]), float(r["count"])) for r in csv.DictReader(f)}
    with rasterio.open(path) as rs:
        ref = exact_extract(rs, fc["features"], ["mean", "count"], include_cols=["pid"])
    res["max |mean - exactextract|"] = max(abs(mine[f["properties"]["pid"]][0] - f["properties"]["mean"]) for f in ref)
    res["max |count - exactextract| / count"] = max(
        abs(mine[f["properties"]["pid"]][1] - f["properties"]["count"]) / f["properties"]["count"] for f in ref)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dem-size", type=int, default=3000)
    ap.add_argument("--zonal-size", type=int, default=8000)
    ap.add_argument("--skip-zonal", action="store_true")
    ap.add_argument("--skip-hydrology", action="store_true", help="only the zonal statistics (exactextract)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each figure is the best of its rounds")
    ap.add_argument("--pysheds-every-round", action="store_true")
    a = ap.parse_args()
    load0 = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="covermap-bench-")
    res = {}
    if not a.skip_hydrology:
        dem = synthetic_dem(a.dem_size)
        dem_path = os.path.join(tmp, "dem.tif")
        write_tif(dem_path, dem, 30.0, -32768.0)
        res = hydrology(dem_path, dem, a.repeat, a.pysheds_every_round)
    if not a.skip_zonal:
        res.update(zonal(tmp, a.zonal_size, a.repeat))
    print(f"# {a.dem_size}² DEM ({a.dem_size**2 / 1e6:.0f} M cells), {a.zonal_size}² zonal raster, {os.cpu_count()} cores, "
          f"best of {a.repeat} rounds; load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after")
    for k, v in res.items():
        print(f"{k:<42} {v:8.2f} s" if not k.startswith("max") else f"{k:<42} {v:.2e}")
    if not a.skip_hydrology:
        best_ref = min(res["richdem fill+D8+acc"], res["whitebox-workflows fill+D8+acc"], res["pysheds fill+D8+acc"])
        print(f"ratio best reference / covermap, fill+D8+acc: {best_ref / res['covermap fill+D8+acc']:.2f}")
        print(f"ratio richdem / covermap, slope: {res['richdem slope'] / max(res['covermap slope'], 0.005):.2f}")
    if not a.skip_zonal:
        print(f"ratio exactextract / covermap, mean+count: {res['exactextract mean,count'] / res['covermap zonal mean,count']:.2f}")
        print(f"ratio exactextract / covermap, mean+count+quantiles: "
              f"{res['exactextract mean,count,p10,p50,p90'] / res['covermap zonal mean,count,p10,p50,p90']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
