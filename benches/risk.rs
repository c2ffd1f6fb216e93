//! Throughput (cells/s) of the risk stage's heavy steps: slope, depression filling, D8 with flats,
//! flow accumulation — on a synthetic 1024² terrain and, when `covermap demo-data` has been run, on
//! a 2048² window of the demo Sơn La DEM (`data/sonla/generated/dem.tif`).
//! Run: `cargo bench --bench risk`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use covermap::grid::{GeoTransform, Grid};
use covermap::risk::{accumulation, fill, flowdir, slope};

/// Ridges and valleys (sum of sines) plus hash noise that creates many small pits and flats.
fn synthetic(n: usize) -> Grid<f32> {
    let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
    let mut g = Grid::new(n, n, t, 0.0f32, Some(-32768.0));
    for r in 0..n {
        for c in 0..n {
            let (x, y) = (c as f32 / 64.0, r as f32 / 64.0);
            let h = ((c as u32).wrapping_mul(73_856_093) ^ (r as u32).wrapping_mul(19_349_663)) % 1000;
            let z = 800.0 + 300.0 * (x.sin() * y.cos()) + 120.0 * (2.7 * x + 1.3 * y).sin() + h as f32 / 200.0;
            g.set(c, r, (z * 2.0).round() / 2.0);
        }
    }
    g
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
    let mut dems = vec![("synthetic_1024", synthetic(1024))];
    if let Some(d) = demo_window(2048) {
        dems.push(("demo_2048", d));
    }
    let mut grp = c.benchmark_group("risk");
    grp.sample_size(10);
    for (name, dem) in &dems {
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
