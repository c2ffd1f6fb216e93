//! ITM over the DEM around one site: profiles sampled along radials (bilinear, one sample per
//! `step_m`), ITM point-to-point from the site to the samples ([`super::ItmPath`], the radial
//! fast path of [`super::radial_losses`]), rayon-parallel across radials; then every DEM cell
//! within the radius takes the loss of its nearest evaluated radial sample. By default there are
//! 360·k radials with k chosen so that neighbouring radials are at most one cell apart at the
//! edge, so every cell has its own evaluation. Near the site that many radials are far denser than
//! the cells: with `thin_near_site`, a ring is evaluated only on the evenly spaced subset of
//! radials (halving, quartering, … the count) that still leaves at most one cell between
//! neighbours — about a third fewer evaluations for the same cell-level result. This is the ITM
//! area prediction the coverage engine (and the `itm` benchmark) uses; antenna gains and transmit
//! power are the caller's.

use rayon::prelude::*;

use super::inputs::ItmParams;
use super::radial::{ItmPath, ItmScratch};
use crate::error::{Error, Result};
use crate::grid::{GeoTransform, Grid};

/// Where and how densely to sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepOptions {
    /// Prediction radius around the site, m.
    pub radius_m: f64,
    /// Distance between profile samples along a radial, m (the DEM's cell size is the natural choice).
    pub step_m: f64,
    /// Number of radials; `None`: 360·k, neighbouring radials ≤ one `step_m` apart at the edge.
    pub radials: Option<usize>,
    /// Evaluate near the site only on as many radials as the rings there need (see the module
    /// notes); `false` evaluates every point of every radial.
    pub thin_near_site: bool,
}

impl SweepOptions {
    /// Radius and sample step, default radial count, thinning on.
    pub fn new(radius_m: f64, step_m: f64) -> Self {
        SweepOptions { radius_m, step_m, radials: None, thin_near_site: true }
    }
}

/// Radial thinning: radial r is "level" m = trailing zeros of r (capped at the 2-adic valuation M
/// of the radial count R, so every level's radials are evenly spaced). The radials of levels ≥ m+1
/// are R/2^(m+1) evenly spaced ones, at most one step apart out to ring R/(2π·2^(m+1)); so a level-m
/// radial is only needed beyond that ring.
#[derive(Debug, Clone, Copy)]
struct Thinning {
    radials: usize,
    max_level: u32,
    enabled: bool,
}

impl Thinning {
    fn new(radials: usize, enabled: bool) -> Self {
        Thinning { radials, max_level: radials.trailing_zeros().min(16), enabled }
    }

    fn level(&self, r: usize) -> u32 {
        if r == 0 {
            self.max_level
        } else {
            r.trailing_zeros().min(self.max_level)
        }
    }

    /// The first ring (sample index ≥ 1) evaluated on radials of level `m`.
    fn first_ring(&self, m: u32) -> usize {
        if !self.enabled || m >= self.max_level {
            return 1;
        }
        let coarser = self.radials as f64 / (1u64 << (m + 1)) as f64;
        (coarser / std::f64::consts::TAU).floor() as usize + 1
    }

    /// Radial grouping at ring `k`: the evaluated radials there are the multiples of the result.
    fn group_at(&self, k: usize) -> usize {
        let mut m = 0;
        while m < self.max_level && self.first_ring(m) > k {
            m += 1;
        }
        1 << m
    }
}

/// What a sweep computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepStats {
    pub radials: usize,
    /// ITM evaluations (receivers) over all radials.
    pub evaluations: usize,
    /// Radials cut short by the DEM's edge or a nodata sample (cells beyond stay nodata).
    pub truncated_radials: usize,
}

/// Basic transmission loss (dB) from a site at (x, y) (antenna `params.h_tx_m` above the DEM) to
/// every DEM cell within `opts.radius_m` (receiver `params.h_rx_m` above ground). The result is a
/// window of the DEM's grid around the site (same cell size, aligned), NaN where nothing was
/// computed: outside the radius, the site's own cell, beyond a DEM edge or nodata on the radial.
pub fn site_loss_grid(
    dem: &Grid<f32>,
    x: f64,
    y: f64,
    params: &ItmParams,
    opts: &SweepOptions,
) -> Result<(Grid<f32>, SweepStats)> {
    if !(opts.radius_m > 0.0 && opts.radius_m.is_finite()) {
        return Err(Error::param("radius_m", format!("{} is not a positive distance", opts.radius_m)));
    }
    if !(opts.step_m > 0.0 && opts.step_m < opts.radius_m) {
        return Err(Error::param("step_m", format!("{} must be positive and below the radius", opts.step_m)));
    }
    if dem.sample_bilinear(x, y).is_none() {
        return Err(Error::param("site", format!("({x:.1}, {y:.1}) is outside the DEM or on nodata")));
    }
    params.validate()?;

    let n_points = (opts.radius_m / opts.step_m).floor() as usize + 1;
    let n_radials = opts.radials.unwrap_or_else(|| {
        let k = (std::f64::consts::TAU * opts.radius_m / opts.step_m / 360.0).ceil().max(1.0) as usize;
        360 * k
    });
    if n_radials == 0 {
        return Err(Error::param("radials", "at least one radial is needed"));
    }

    let thinning = Thinning::new(n_radials, opts.thin_near_site);

    // Losses per radial (NaN where not evaluated), one scratch and profile buffer per worker.
    let mut losses = vec![f32::NAN; n_radials * n_points];
    let results: Vec<Result<(bool, usize)>> = losses
        .par_chunks_mut(n_points)
        .enumerate()
        .map_init(
            || (ItmScratch::new(), Vec::with_capacity(n_points)),
            |(scratch, profile), (r, out)| {
                let az = r as f64 * std::f64::consts::TAU / n_radials as f64;
                let (dx, dy) = (az.sin() * opts.step_m, az.cos() * opts.step_m);
                profile.clear();
                for k in 0..n_points {
                    match dem.sample_bilinear(x + k as f64 * dx, y + k as f64 * dy) {
                        Some(v) => profile.push(v),
                        None => break,
                    }
                }
                let len = profile.len();
                let first = thinning.first_ring(thinning.level(r));
                if len > first {
                    let mut path = ItmPath::new(profile, opts.step_m, params, scratch)?;
                    for (k, o) in out.iter_mut().enumerate().take(len).skip(first) {
                        *o = path.loss_to(k)?.loss_db as f32;
                    }
                }
                Ok((len < n_points, len.saturating_sub(first)))
            },
        )
        .collect();
    let (mut truncated, mut evaluations) = (0, 0);
    for r in results {
        let (cut, evaluated) = r?;
        truncated += cut as usize;
        evaluations += evaluated;
    }
    // The radial grouping of every ring, for the cell lookup below.
    let groups: Vec<usize> = (0..n_points).map(|k| thinning.group_at(k)).collect();

    // The window of DEM cells that can lie within the radius.
    let t = dem.transform;
    let (px, py) = dem.world_to_pixel(x, y);
    let (rc, rr) = (opts.radius_m / t.dx, opts.radius_m / t.dy);
    let c0 = (px - rc).floor().max(0.0) as usize;
    let r0 = (py - rr).floor().max(0.0) as usize;
    let c1 = ((px + rc).ceil() as usize).min(dem.width);
    let r1 = ((py + rr).ceil() as usize).min(dem.height);
    let transform = GeoTransform { x0: t.x0 + c0 as f64 * t.dx, y0: t.y0 - r0 as f64 * t.dy, dx: t.dx, dy: t.dy };
    let mut grid = Grid::new(c1.saturating_sub(c0), r1.saturating_sub(r0), transform, f32::NAN, Some(f32::NAN));
    let width = grid.width;
    if width > 0 {
        grid.data.par_chunks_mut(width).enumerate().for_each(|(row, line)| {
            for (col, v) in line.iter_mut().enumerate() {
                let (cx, cy) = (transform.x0 + (col as f64 + 0.5) * t.dx, transform.y0 - (row as f64 + 0.5) * t.dy);
                let (east, north) = (cx - x, cy - y);
                let dist = east.hypot(north);
                if dist > opts.radius_m {
                    continue;
                }
                let si = (dist / opts.step_m).round() as usize;
                if si < 1 || si >= n_points {
                    continue;
                }
                let az = east.atan2(north).rem_euclid(std::f64::consts::TAU);
                let g = groups[si] as f64;
                let ri = ((az / std::f64::consts::TAU * n_radials as f64 / g).round() * g) as usize % n_radials;
                *v = losses[ri * n_points + si];
            }
        });
    }
    Ok((grid, SweepStats { radials: n_radials, evaluations, truncated_radials: truncated }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> ItmParams {
        ItmParams::from_codes(30.0, 1.5, 2, 301.0, 1800.0, 1, 15.0, 0.005, 2, 50.0, 50.0, 50.0).unwrap()
    }

    fn dem(f: impl Fn(f64, f64) -> f32) -> Grid<f32> {
        let t = GeoTransform { x0: 0.0, y0: 6000.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(200, 200, t, 0.0f32, Some(-9999.0));
        for r in 0..200 {
            for c in 0..200 {
                let (x, y) = g.cell_center(c, r);
                g.set(c, r, f(x, y));
            }
        }
        g
    }

    #[test]
    fn flat_terrain_loss_grows_with_distance_and_stops_at_the_radius() {
        let g = dem(|_, _| 300.0);
        let opts = SweepOptions::new(2500.0, 30.0);
        let (loss, stats) = site_loss_grid(&g, 3000.0, 3000.0, &params(), &opts).unwrap();
        assert_eq!(stats.truncated_radials, 0);
        assert_eq!(stats.radials % 360, 0);
        // Along a row eastwards from the site the loss increases; outside the radius it is NaN.
        let (c, r) = loss.cell_of(3015.0, 3015.0).unwrap();
        let row: Vec<f32> = (c + 3..c + 80).map(|cc| loss.get(cc, r)).collect();
        assert!(row.iter().all(|v| v.is_finite()));
        assert!(row.windows(2).all(|w| w[1] >= w[0] - 0.5), "{row:?}");
        let (cf, rf) = loss.cell_of(3000.0 + 2400.0, 3000.0 + 1500.0).unwrap();
        assert!(loss.get(cf, rf).is_nan());
    }

    #[test]
    fn a_ridge_shadows_the_cells_behind_it() {
        // A 120 m ridge running north–south 1.2 km east of the site.
        let g = dem(|x, _| if (x - 4200.0).abs() < 60.0 { 420.0 } else { 300.0 });
        let opts = SweepOptions::new(2500.0, 30.0);
        let (loss, _) = site_loss_grid(&g, 3000.0, 3000.0, &params(), &opts).unwrap();
        let (flat, _) = site_loss_grid(&dem(|_, _| 300.0), 3000.0, 3000.0, &params(), &opts).unwrap();
        let (c, r) = loss.cell_of(3000.0 + 1800.0, 3000.0).unwrap();
        assert!(loss.get(c, r) > flat.get(c, r) + 10.0, "{} vs {}", loss.get(c, r), flat.get(c, r));
    }

    #[test]
    fn thinning_keeps_every_cell_and_saves_evaluations() {
        // Same cells computed, thinned or not; on thinned radials the losses are the same ITM
        // evaluations, so every cell's value is one of the full sweep's samples at the same ring.
        let g = dem(|x, y| (300.0 + 40.0 * ((x * 0.002).sin() + (y * 0.0031).cos())) as f32);
        let full_opts = SweepOptions { thin_near_site: false, ..SweepOptions::new(2500.0, 30.0) };
        let (full, fs) = site_loss_grid(&g, 3000.0, 3000.0, &params(), &full_opts).unwrap();
        let (thin, ts) = site_loss_grid(&g, 3000.0, 3000.0, &params(), &SweepOptions::new(2500.0, 30.0)).unwrap();
        assert!(ts.evaluations < fs.evaluations * 3 / 4, "{ts:?} vs {fs:?}");
        assert_eq!(full.data.iter().filter(|v| v.is_finite()).count(), thin.data.iter().filter(|v| v.is_finite()).count());
        // Neighbouring radials differ little: thinned and full values stay close cell by cell.
        let worst = full.data.iter().zip(&thin.data).filter(|(a, _)| a.is_finite()).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 15.0, "{worst}");
        let t = Thinning::new(720, true);
        assert_eq!(t.max_level, 4);
        assert_eq!(t.group_at(1), 16);
        assert_eq!(t.group_at(1000), 1);
        assert!(t.first_ring(0) > t.first_ring(1) && t.first_ring(4) == 1);
    }

    #[test]
    fn bad_requests_are_errors() {
        let g = dem(|_, _| 300.0);
        let opts = SweepOptions::new(2500.0, 30.0);
        assert!(site_loss_grid(&g, -100.0, 3000.0, &params(), &opts).is_err());
        let bad = SweepOptions { radius_m: 0.0, ..opts };
        assert!(site_loss_grid(&g, 3000.0, 3000.0, &params(), &bad).is_err());
        // Near the DEM's edge radials are cut short and counted.
        let (_, stats) = site_loss_grid(&g, 500.0, 3000.0, &params(), &opts).unwrap();
        assert!(stats.truncated_radials > 0);
    }
}
