//! Coverage engine throughput: one three-sector site at 30 m within 20 km over fractal hills, swept
//! and rasterized into a best-server grid on one thread. Criterion's throughput is cells evaluated per
//! second per core; `samples` counts the profile steps walked. The whole-province timing is printed by
//! `covermap build`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use covermap::coverage::best::BestServerGrid;
use covermap::coverage::engine::walk_for;
use covermap::coverage::params::CoverageParams;
use covermap::coverage::profile::Profile;
use covermap::coverage::sweep::{rasterize, sweep, Scratch};
use covermap::coverage::synthetic::{empty_dataset, hilly_dem, prepared_three_sector};

fn one_site(c: &mut Criterion) {
    let n = 1400;
    let ds = empty_dataset(hilly_dem(n, n, 30.0, 11, 800.0));
    // Open-area defaults reach the full 20 km radius at 1800 MHz with 27 dBm RS EIRP.
    let params = CoverageParams::default();
    let p = prepared_three_sector(&ds, &params, (n / 2, n / 2), (0.0, 0.0), 30.0, 1800.0);
    let tx = &p.txs[0];
    let (prof, plan) = walk_for(&ds.dem, tx, &params).expect("the site reaches 20 km");
    let grid = BestServerGrid::new(ds.dem.len());
    let mut sc = Scratch::default();
    sweep(&prof, &plan, &mut sc);
    let cells = rasterize(tx, &plan, &sc, &ds.dem, -140.0, |i, v| grid.update(i, v, 0));
    eprintln!(
        "one site: radius {:.1} km, {} radials, {} profile samples, {} cells",
        prof.n as f64 * prof.step_m / 1000.0,
        plan.n_final,
        plan.samples(),
        cells
    );
    let mut g = c.benchmark_group("coverage");
    g.sample_size(10);
    g.throughput(Throughput::Elements(cells));
    g.bench_function("one_site_30m_20km_sweep+raster", |b| {
        b.iter(|| {
            let prof = Profile::new(&ds.dem, tx, &params);
            sweep(&prof, &plan, &mut sc);
            rasterize(tx, &plan, &sc, &ds.dem, -140.0, |i, v| grid.update(i, v, 0))
        })
    });
    g.throughput(Throughput::Elements(plan.samples() as u64));
    g.bench_function("one_site_30m_20km_sweep_only", |b| b.iter(|| sweep(&prof, &plan, &mut sc)));
    g.finish();
}

criterion_group!(benches, one_site);
criterion_main!(benches);
