//! Throughput (cells/s) of the risk stage's heavy steps: slope, depression filling, D8 with flats,
//! flow accumulation — on the synthetic terrain of issue 15's table at its size, 3000² cells of 30 m
//! (`risk::synthetic::bench_dem`, the DEM `scripts/bench_reference.py` gives richdem, whitebox and
//! pysheds), and, when `covermap demo-data` has been run, on a 2048² window of the demo Sơn La DEM
//! (`data/sonla/generated/dem.tif`). Besides criterion's figures each step prints its cells/s per
//! core (best of three runs ÷ rayon's threads).
//! Run: `cargo bench --bench risk` (or `-- --quick`, or a filter such as `fill`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use covermap::grid::{GeoTransform, Grid};
use covermap::risk::synthetic::bench_dem;
use covermap::risk::{accumulation, fill, flowdir, slope};

/// Print `f`'s throughput on `cells` cells per core: the best of three runs.
fn per_core<R>(step: &str, dem: &str, cells: usize, f: impl Fn() -> R) {
    let best = (0..3)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    let cores = rayon::current_num_threads();
    let rate = cells as f64 / best;
    eprintln!("risk/{step}/{dem}: {best:.3} s, {:.1} M cells/s, {:.1} M cells/s per core ({cores} cores)", rate / 1e6, rate / 1e6 / cores as f64);
}

fn demo_window(n: usize) -> Option<Grid<f32>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sonla/generated/dem.tif");
    let (g, _) = covermap::grid::io::read_raster_f32(&path, 1).ok()?;
    let (n, m) = (n.min(g.width), n.min(g.height));
    let (c0, r0) = ((g.width - n) / 2, (g.height - m) / 2);
    let mut data = Vec::with_capacity(n * m);
    for r in r0..r0 + m {
        data.extend_from_slice(&g.data[r * g.width + c0..r * g.width + c0 + n]);
    }
    let t = GeoTransform { x0: g.transform.x0 + c0 as f64 * g.transform.dx, y0: g.transform.y0 - r0 as f64 * g.transform.dy, ..g.transform };
    Some(Grid { width: n, height: m, transform: t, nodata: g.nodata, data })
}

fn bench(c: &mut Criterion) {
    let mut dems = vec![("synthetic_3000", bench_dem(3000))];
    if let Some(d) = demo_window(2048) {
        dems.push(("demo_2048", d));
    }
    let mut grp = c.benchmark_group("risk");
    grp.sample_size(10);
    for (name, dem) in &dems {
        let filled = fill::fill_depressions(dem).unwrap();
        let dirs = flowdir::d8_flow_directions(&filled).unwrap();
        per_core("slope", name, dem.len(), || slope::slope_degrees(dem));
        per_core("fill", name, dem.len(), || fill::fill_depressions(dem).unwrap());
        per_core("d8_flats", name, dem.len(), || flowdir::d8_flow_directions(&filled).unwrap());
        per_core("accumulation", name, dem.len(), || accumulation::flow_accumulation(&dirs).unwrap());
        drop((filled, dirs));
        grp.throughput(Throughput::Elements(dem.len() as u64));
        grp.bench_with_input(BenchmarkId::new("slope", name), dem, |b, d| b.iter(|| slope::slope_degrees(d)));
        grp.bench_with_input(BenchmarkId::new("fill", name), dem, |b, d| b.iter(|| fill::fill_depressions(d).unwrap()));
        let filled = fill::fill_depressions(dem).unwrap();
        grp.bench_with_input(BenchmarkId::new("d8_flats", name), &filled, |b, f| b.iter(|| flowdir::d8_flow_directions(f).unwrap()));
        let dirs = flowdir::d8_flow_directions(&filled).unwrap();
        grp.bench_with_input(BenchmarkId::new("accumulation", name), &dirs, |b, d| b.iter(|| accumulation::flow_accumulation(d).unwrap()));
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
