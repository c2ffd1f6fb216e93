//! ITM over the DEM around one site: profiles sampled along radials (bilinear, one sample per
//! `step_m`), [`radial_losses`] at every sample, rayon-parallel across radials, then every DEM cell
//! within the radius takes the loss of its nearest radial sample. By default there are 360·k
//! radials with k chosen so that neighbouring radials are at most one cell apart at the edge, so
//! every cell has its own evaluation. This is the ITM area prediction the coverage engine (and the
//! `itm` benchmark) uses; antenna gains and transmit power are the caller's.

use rayon::prelude::*;

use super::inputs::ItmParams;
use super::radial::{radial_losses, ItmScratch};
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

    // Losses per radial (NaN past a truncation), one scratch and profile buffer per worker.
    let mut losses = vec![f32::NAN; n_radials * n_points];
    let results: Vec<Result<bool>> = losses
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
                if len >= 2 {
                    radial_losses(profile, opts.step_m, params, &mut out[..len], scratch)?;
                }
                Ok(len < n_points)
            },
        )
        .collect();
    let mut truncated = 0;
    for r in results {
        truncated += r? as usize;
    }

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
                let az = east.atan2(north).rem_euclid(std::f64::consts::TAU);
                let ri = (az / std::f64::consts::TAU * n_radials as f64).round() as usize % n_radials;
                let si = (dist / opts.step_m).round() as usize;
                if si >= 1 && si < n_points {
                    *v = losses[ri * n_points + si];
                }
            }
        });
    }
    Ok((grid, SweepStats { radials: n_radials, evaluations: n_radials * (n_points - 1), truncated_radials: truncated }))
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
        let opts = SweepOptions { radius_m: 2500.0, step_m: 30.0, radials: None };
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
        let opts = SweepOptions { radius_m: 2500.0, step_m: 30.0, radials: None };
        let (loss, _) = site_loss_grid(&g, 3000.0, 3000.0, &params(), &opts).unwrap();
        let (flat, _) = site_loss_grid(&dem(|_, _| 300.0), 3000.0, 3000.0, &params(), &opts).unwrap();
        let (c, r) = loss.cell_of(3000.0 + 1800.0, 3000.0).unwrap();
        assert!(loss.get(c, r) > flat.get(c, r) + 10.0, "{} vs {}", loss.get(c, r), flat.get(c, r));
    }

    #[test]
    fn bad_requests_are_errors() {
        let g = dem(|_, _| 300.0);
        let opts = SweepOptions { radius_m: 2500.0, step_m: 30.0, radials: None };
        assert!(site_loss_grid(&g, -100.0, 3000.0, &params(), &opts).is_err());
        let bad = SweepOptions { radius_m: 0.0, ..opts };
        assert!(site_loss_grid(&g, 3000.0, 3000.0, &params(), &bad).is_err());
        // Near the DEM's edge radials are cut short and counted.
        let (_, stats) = site_loss_grid(&g, 500.0, 3000.0, &params(), &opts).unwrap();
        assert!(stats.truncated_radials > 0);
    }
}
