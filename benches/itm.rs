//! ITM throughput: point-to-point calls per second on ~1,000-point profiles, and the time for one
//! site's coverage at 30 m within 30 km (SPLAT! 2.0 takes 35–55 s for that on a 2-core machine).
//!
//! The terrain is a deterministic fractal DEM built here (value noise, 9 octaves, 200–1,900 m, a
//! mountainous relief like Sơn La's) as a `Grid<f32>` at 30 m. Coverage: 360·k radials (k chosen so
//! neighbouring radials are at most one cell apart at 30 km), the profile sampled every 30 m by
//! bilinear interpolation, ITM at every point of every radial; then every DEM cell within 30 km takes
//! the loss of its nearest radial sample. That is the coverage engine itself (`coverage::engine::
//! sweep_sites` with a band whose model is ITM: radials born where neighbours drift a cell apart, so
//! rings near the site are thinned), one omni site, with the engine's default Δh interpolation
//! (`ItmParams::radial_delta_h_step`; the p2p and radial figures are exact). Besides criterion's
//! wall-clock figures the bench prints CPU-time figures, which stay meaningful when other work
//! shares the machine.

use std::time::Duration;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use covermap::coverage::engine::{sweep_sites, SweepInput, SweepStats};
use covermap::coverage::params::{BandConfig, CoverageParams, ModelKind};
use covermap::coverage::sites::{prepare_site, PreparedSite};
use covermap::coverage::synthetic::{empty_dataset, omni_site};
use covermap::dataset::Dataset;
use covermap::grid::{GeoTransform, Grid};
use covermap::radio::itm::{p2p_loss_db, radial_losses, ItmParams, ItmScratch};
use covermap::radio::Environment;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;

const CELL_M: f64 = 30.0;
const RADIUS_M: f64 = 30_000.0;

/// SplitMix64 hash of a lattice point: the noise's deterministic random values.
fn hash(ix: i64, iy: i64, octave: u64) -> f64 {
    let mut z = (ix as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (iy as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ octave.wrapping_mul(0x1656_67B1_9E37_79F9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Smoothly interpolated value noise in [0, 1].
fn value_noise(x: f64, y: f64, octave: u64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = (x - x0, y - y0);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let (ix, iy) = (x0 as i64, y0 as i64);
    let a = hash(ix, iy, octave);
    let b = hash(ix + 1, iy, octave);
    let c = hash(ix, iy + 1, octave);
    let d = hash(ix + 1, iy + 1, octave);
    let top = a + (b - a) * sx;
    let bot = c + (d - c) * sx;
    top + (bot - top) * sy
}

/// A deterministic fractal DEM (fBm of value noise, persistence 0.5, base wavelength 25 km).
fn fractal_dem(width: usize, height: usize) -> Grid<f32> {
    let t = GeoTransform { x0: 500_000.0, y0: 2_400_000.0, dx: CELL_M, dy: CELL_M };
    let mut g = Grid::new(width, height, t, 0.0f32, Some(-9999.0));
    g.data.par_chunks_mut(width).enumerate().for_each(|(row, line)| {
        for (col, v) in line.iter_mut().enumerate() {
            let (x, y) = (col as f64 * CELL_M, row as f64 * CELL_M);
            let (mut amp, mut wl, mut sum, mut norm) = (1.0, 25_000.0, 0.0, 0.0);
            for octave in 0..9 {
                sum += amp * value_noise(x / wl, y / wl, octave);
                norm += amp;
                amp *= 0.5;
                wl *= 0.5;
            }
            // Sharpen the ridges a little: valleys stay low, peaks rise.
            let h = sum / norm;
            *v = (200.0 + 1700.0 * h * h * (3.0 - 2.0 * h)) as f32;
        }
    });
    g
}

fn params() -> ItmParams {
    // A 1800 MHz sector 30 m up, handset 1.5 m, continental subtropical climate, mobile mode with
    // location variability kept, medians.
    ItmParams::from_codes(30.0, 1.5, 2, 301.0, 1800.0, 1, 15.0, 0.005, 2, 50.0, 50.0, 50.0).expect("valid parameters")
}

/// The profile from (x, y) along `azimuth` (radians from north), `n` points `step` apart.
fn sample_radial(dem: &Grid<f32>, x: f64, y: f64, azimuth: f64, step: f64, out: &mut [f32]) {
    let (dx, dy) = (azimuth.sin(), azimuth.cos());
    let mut last = dem.sample_bilinear(x, y).unwrap_or(0.0);
    for (k, o) in out.iter_mut().enumerate() {
        let d = k as f64 * step;
        // Beyond the DEM the last valid elevation continues (does not happen in this benchmark).
        last = dem.sample_bilinear(x + d * dx, y + d * dy).unwrap_or(last);
        *o = last;
    }
}

/// Process CPU time (all threads), s: the benchmark machine is shared, so wall time alone
/// overstates the cost when other work competes for the two cores.
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; CLOCK_PROCESS_CPUTIME_ID is always valid.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Coverage parameters whose one band (1700–1900 MHz) uses ITM within 30 km, every cell kept.
fn itm_coverage_params() -> CoverageParams {
    let band = BandConfig { min_mhz: 1700.0, max_mhz: 1900.0, model: ModelKind::Itm, environment: Environment::Open, max_radius_m: None };
    CoverageParams { bands: vec![band], max_radius_m: RADIUS_M, min_rsrp_dbm: -400.0, reach_margin_db: 1000.0, ..Default::default() }
}

/// One site's ITM coverage by the engine: (cells given a value, the sweep's work).
fn site_coverage(ds: &Dataset, site: &PreparedSite, params: &CoverageParams) -> (u64, SweepStats) {
    let cells = AtomicU64::new(0);
    let stats = sweep_sites(SweepInput { dem: &ds.dem, sites: &[site], params, source: "bench" }, |_, _, _| {
        cells.fetch_add(1, Relaxed);
    }, || {})
    .expect("ITM accepts the bench's profiles");
    (cells.into_inner(), stats)
}

fn bench_itm(c: &mut Criterion) {
    let n = 2 * (RADIUS_M / CELL_M) as usize + 41;
    let dem = fractal_dem(n, n);
    let (x, y) = dem.cell_center(n / 2, n / 2);
    let p = params();

    // ~1,000-point profiles: 30 km at 30 m, from the site towards 16 directions.
    let profiles: Vec<Vec<f32>> = (0..16)
        .map(|i| {
            let mut prof = vec![0.0f32; 1001];
            sample_radial(&dem, x, y, i as f64 * std::f64::consts::FRAC_PI_8, CELL_M, &mut prof);
            prof
        })
        .collect();

    let mut s = ItmScratch::new();
    let (cpu0, reps) = (cpu_seconds(), 200);
    for _ in 0..reps {
        for prof in &profiles {
            std::hint::black_box(p2p_loss_db(prof, CELL_M, &p, &mut s).unwrap());
        }
    }
    let cpu = cpu_seconds() - cpu0;
    eprintln!(
        "p2p_loss_db, 1001-point profiles: {:.0} calls per CPU-second",
        (reps * profiles.len()) as f64 / cpu
    );

    let mut g = c.benchmark_group("itm_p2p");
    g.throughput(Throughput::Elements(profiles.len() as u64));
    g.bench_function(BenchmarkId::new("p2p_loss_db", "1001 points"), |b| {
        let mut s = ItmScratch::new();
        b.iter(|| {
            let mut acc = 0.0;
            for prof in &profiles {
                acc += p2p_loss_db(prof, CELL_M, &p, &mut s).unwrap().loss_db;
            }
            acc
        })
    });
    g.finish();

    let mut g = c.benchmark_group("itm_radial");
    g.throughput(Throughput::Elements(1000));
    g.bench_function(BenchmarkId::new("radial_losses", "1000 receivers, 30 km"), |b| {
        let mut s = ItmScratch::new();
        let mut out = vec![0.0f32; 1001];
        b.iter(|| radial_losses(&profiles[3], CELL_M, &p, &mut out, &mut s).unwrap())
    });
    g.finish();

    // One timed run outside criterion, reporting CPU time too (see `cpu_seconds`). The engine runs
    // one site's radials in parallel, so wall time is that of all cores and CPU time their sum.
    let params = itm_coverage_params();
    let ds = empty_dataset(dem);
    let site = prepare_site(&ds, 0, &omni_site(1, "bench", x, y, 30.0, 1800.0), &params).expect("site on the DEM");
    let mut g = c.benchmark_group("itm_site_coverage");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(40));
    let (cpu0, wall0) = (cpu_seconds(), std::time::Instant::now());
    let (cells, stats) = site_coverage(&ds, &site, &params);
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    eprintln!(
        "site coverage 30 m / 30 km, coverage engine with ITM: {} ITM evaluations (the samples cells take), {} cells; \
         wall {:.2} s, CPU {:.2} s ({:.0} evaluations per CPU-second)",
        stats.samples,
        cells,
        wall,
        cpu,
        stats.samples as f64 / cpu,
    );
    g.throughput(Throughput::Elements(cells));
    g.bench_function(BenchmarkId::new("30 m within 30 km", "coverage engine"), |b| b.iter(|| site_coverage(&ds, &site, &params)));
    g.finish();
}

criterion_group!(benches, bench_itm);
criterion_main!(benches);
