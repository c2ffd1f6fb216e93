//! Slope and aspect by Horn's method (Horn 1981, "Hill shading and the reflectance map", Proc. IEEE
//! 69(1)), computed exactly as `gdaldem slope` / `gdaldem aspect` do (GDAL 3.6 `gdaldem_lib.cpp`):
//!
//! * the 3 × 3 window `z0 z1 z2 / z3 z4 z5 / z6 z7 z8` (row 0 north) gives
//!   `dz/dx = ((z0 + 2 z3 + z6) − (z2 + 2 z5 + z8)) / ewres` and
//!   `dz/dy = ((z6 + 2 z7 + z8) − (z0 + 2 z1 + z2)) / nsres` with `nsres` the (negative) GDAL
//!   row step, and slope = atan(√(dx² + dy²) / 8) in degrees;
//! * aspect is the azimuth (clockwise from north) of the downslope direction, `atan2(dy, −dx)`
//!   turned into an azimuth; a perfectly flat window has no aspect (nodata), as in gdaldem.
//!
//! Edges follow gdaldem's default (no `-compute_edges`): the first and last row and column, and
//! every cell whose window touches nodata, are nodata ([`SLOPE_NODATA`], gdaldem's −9999). So the
//! outer ring of the province DEM has no slope; every analysis that needs slope treats those cells
//! as nodata rather than inventing values.
//!
//! Rows are processed in parallel (rayon); each output row reads three input rows.

use rayon::prelude::*;

use super::d8::is_valid;
use crate::grid::horn::horn_differences;
use crate::grid::Grid;

/// The nodata value of slope and aspect grids (gdaldem's).
pub const SLOPE_NODATA: f32 = -9999.0;

/// Apply `f` to the 3 × 3 window of every interior cell whose window is fully valid.
fn horn_map(dem: &Grid<f32>, f: impl Fn(&[f32; 9]) -> f32 + Sync) -> Grid<f32> {
    let (w, h) = (dem.width, dem.height);
    let mut out = dem.like(SLOPE_NODATA, Some(SLOPE_NODATA));
    if w < 3 || h < 3 {
        return out;
    }
    let nd = dem.nodata;
    out.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        if r == 0 || r == h - 1 {
            return;
        }
        let up = &dem.data[(r - 1) * w..r * w];
        let mid = &dem.data[r * w..(r + 1) * w];
        let down = &dem.data[(r + 1) * w..(r + 2) * w];
        for c in 1..w - 1 {
            let win = [up[c - 1], up[c], up[c + 1], mid[c - 1], mid[c], mid[c + 1], down[c - 1], down[c], down[c + 1]];
            if win.iter().all(|v| is_valid(*v, nd)) {
                row[c] = f(&win);
            }
        }
    });
    out
}

/// Slope in degrees, as `gdaldem slope` (Horn, degrees, scale 1, no `-compute_edges`).
pub fn slope_degrees(dem: &Grid<f32>) -> Grid<f32> {
    let ewres = dem.transform.dx;
    let nsres = -dem.transform.dy;
    horn_map(dem, move |z| {
        // Sums in f32 then one division in f64: the order of operations gdaldem uses.
        let (we, sn) = horn_differences(z);
        let dx = we as f64 / ewres;
        let dy = sn as f64 / nsres;
        ((dx * dx + dy * dy).sqrt() / 8.0).atan().to_degrees() as f32
    })
}

/// Aspect in degrees clockwise from north (0 = north-facing), as `gdaldem aspect` (Horn); flat
/// windows are nodata. Like gdaldem, the cell size is not used (square cells assumed).
pub fn aspect_degrees(dem: &Grid<f32>) -> Grid<f32> {
    horn_map(dem, |z| {
        let (we, sn) = horn_differences(z);
        let (dx, dy) = (-we as f64, sn as f64);
        if dx == 0.0 && dy == 0.0 {
            return SLOPE_NODATA;
        }
        let mut a = dy.atan2(-dx).to_degrees() as f32;
        a = if a > 90.0 { 450.0 - a } else { 90.0 - a };
        if a == 360.0 {
            0.0
        } else {
            a
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    fn plane(w: usize, h: usize, cell: f64, f: impl Fn(f64, f64) -> f64) -> Grid<f32> {
        let t = GeoTransform { x0: 500_000.0, y0: 2_400_000.0, dx: cell, dy: cell };
        let mut g = Grid::new(w, h, t, 0.0f32, Some(-9999.0));
        for r in 0..h {
            for c in 0..w {
                let (x, y) = g.cell_center(c, r);
                g.set(c, r, f(x - 500_000.0, y - 2_400_000.0) as f32);
            }
        }
        g
    }

    #[test]
    fn tilted_plane_matches_analytic_slope() {
        // z = 0.3 x + 0.4 y: gradient magnitude 0.5, slope = atan(0.5) = 26.565051°; Horn's operator is
        // exact on planes. Rising to the north-east, so it faces south-west: aspect = 180 + atan2(3, 4)
        // = 216.869898°.
        let g = plane(7, 6, 30.0, |x, y| 1000.0 + 0.3 * x + 0.4 * y);
        let s = slope_degrees(&g);
        let a = aspect_degrees(&g);
        for r in 1..5 {
            for c in 1..6 {
                assert!((s.get(c, r) - 26.565_05).abs() < 1e-3, "{}", s.get(c, r));
                assert!((a.get(c, r) - 216.869_9).abs() < 1e-2, "{}", a.get(c, r));
            }
        }
        // gdaldem's default leaves the border without slope.
        assert_eq!(s.get(0, 3), SLOPE_NODATA);
        assert_eq!(s.get(3, 5), SLOPE_NODATA);
    }

    #[test]
    fn cone_slope_is_constant_away_from_apex() {
        // A cone z = 500 − 0.5 r has slope atan(0.5) = 26.565° everywhere except near the apex,
        // and its aspect points away from the apex (east of it → 90°).
        let g = plane(41, 41, 10.0, |x, y| {
            let (cx, cy) = (205.0, -205.0);
            500.0 - 0.5 * ((x - cx).powi(2) + (y - cy).powi(2)).sqrt()
        });
        let s = slope_degrees(&g);
        let a = aspect_degrees(&g);
        // 15 cells east of the apex (cell 20, 20) the window sees a nearly planar surface.
        assert!((s.get(35, 20) - 26.565).abs() < 0.2, "{}", s.get(35, 20));
        assert!((a.get(35, 20) - 90.0).abs() < 1e-3, "{}", a.get(35, 20));
        assert!((a.get(20, 35) - 180.0).abs() < 1e-3, "{}", a.get(20, 35));
    }

    #[test]
    fn nodata_in_window_gives_nodata() {
        let mut g = plane(5, 5, 30.0, |x, _| x * 0.1);
        g.set(2, 2, -9999.0);
        let s = slope_degrees(&g);
        for r in 1..4 {
            for c in 1..4 {
                assert_eq!(s.get(c, r), SLOPE_NODATA);
            }
        }
        let a = aspect_degrees(&plane(5, 5, 30.0, |_, _| 7.0));
        assert_eq!(a.get(2, 2), SLOPE_NODATA, "flat has no aspect");
    }
}
