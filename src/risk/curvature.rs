//! Plan and profile curvature from the Zevenbergen & Thorne (1987) partial quartic fitted to the
//! 3 × 3 window ("Quantitative analysis of land surface topography", Earth Surface Processes and
//! Landforms 12: 47–56) — the surface ArcGIS's Curvature tool fits (Moore et al. 1991).
//!
//! With `z = D x² + E y² + F xy + G x + H y + …` (x east, y north):
//! * **profile curvature** is the second derivative of elevation along the steepest-slope direction,
//!   `2 (D G² + E H² + F G H) / (G² + H²)`;
//! * **plan curvature** is the second derivative along the contour,
//!   `2 (D H² + E G² − F G H) / (G² + H²)`.
//!
//! Units are 1/m, and the sign is the geometric one (positive = the surface curves upwards in that
//! direction): a positive plan curvature is a hollow where flow converges, negative a spur where it
//! diverges; a positive profile curvature is a slope flattening downhill (flow slows), negative a
//! slope steepening downhill. ArcGIS scales by 100 and flips the profile sign; we keep the
//! geometric convention so both curvatures read alike. Where the window is flat (no gradient) both
//! are 0; where it touches nodata or the grid edge both are nodata, as with slope.

use rayon::prelude::*;

use super::d8::is_valid;
use super::slope::SLOPE_NODATA;
use crate::grid::Grid;

/// Plan and profile curvature (1/m) of a 3 × 3 window `z0 z1 z2 / z3 z4 z5 / z6 z7 z8` (row 0
/// north) on cells `lx` × `ly` metres.
#[inline]
pub fn plan_profile(z: &[f32; 9], lx: f64, ly: f64) -> (f32, f32) {
    let z: [f64; 9] = z.map(|v| v as f64);
    let d = ((z[3] + z[5]) / 2.0 - z[4]) / (lx * lx);
    let e = ((z[1] + z[7]) / 2.0 - z[4]) / (ly * ly);
    let f = (-z[0] + z[2] + z[6] - z[8]) / (4.0 * lx * ly);
    let g = (z[5] - z[3]) / (2.0 * lx);
    let h = (z[1] - z[7]) / (2.0 * ly);
    let g2h2 = g * g + h * h;
    if g2h2 <= f64::EPSILON * f64::EPSILON {
        return (0.0, 0.0);
    }
    let profile = 2.0 * (d * g * g + e * h * h + f * g * h) / g2h2;
    let plan = 2.0 * (d * h * h + e * g * g - f * g * h) / g2h2;
    (plan as f32, profile as f32)
}

/// The 3 × 3 window around (c, r) when it lies inside the grid and is fully valid.
#[inline]
pub fn window(dem: &Grid<f32>, c: usize, r: usize) -> Option<[f32; 9]> {
    let (w, h) = (dem.width, dem.height);
    if c == 0 || r == 0 || c + 1 >= w || r + 1 >= h {
        return None;
    }
    let d = &dem.data;
    let (a, b, e) = ((r - 1) * w, r * w, (r + 1) * w);
    let win = [d[a + c - 1], d[a + c], d[a + c + 1], d[b + c - 1], d[b + c], d[b + c + 1], d[e + c - 1], d[e + c], d[e + c + 1]];
    win.iter().all(|v| is_valid(*v, dem.nodata)).then_some(win)
}

/// Plan and profile curvature grids (1/m), nodata [`SLOPE_NODATA`] at the edge and next to nodata.
pub fn curvatures(dem: &Grid<f32>) -> (Grid<f32>, Grid<f32>) {
    let mut plan = dem.like(SLOPE_NODATA, Some(SLOPE_NODATA));
    let mut profile = dem.like(SLOPE_NODATA, Some(SLOPE_NODATA));
    let (lx, ly, w) = (dem.transform.dx, dem.transform.dy, dem.width);
    plan.data.par_chunks_mut(w).zip(profile.data.par_chunks_mut(w)).enumerate().for_each(|(r, (pl, pr))| {
        for c in 0..w {
            if let Some(win) = window(dem, c, r) {
                let (a, b) = plan_profile(&win, lx, ly);
                pl[c] = a;
                pr[c] = b;
            }
        }
    });
    (plan, profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(f: impl Fn(f64, f64) -> f64, x0: f64, y0: f64, l: f64) -> [f32; 9] {
        let mut w = [0f32; 9];
        for (k, v) in w.iter_mut().enumerate() {
            let (i, j) = ((k % 3) as f64 - 1.0, 1.0 - (k / 3) as f64); // x east, y north
            *v = f(x0 + i * l, y0 + j * l) as f32;
        }
        w
    }

    #[test]
    fn plane_has_no_curvature() {
        let (pl, pr) = plan_profile(&win(|x, y| 100.0 + 0.2 * x - 0.1 * y, 0.0, 0.0, 30.0), 30.0, 30.0);
        assert!(pl.abs() < 1e-7 && pr.abs() < 1e-7, "{pl} {pr}");
    }

    #[test]
    fn valley_and_bowl_match_second_derivatives() {
        // Valley z = k x² + s y: across the flow (x) the second derivative is 2k, along it 0
        // (Zevenbergen & Thorne's quartic reproduces quadratics exactly).
        let k = 0.002;
        let (pl, pr) = plan_profile(&win(|x, y| k * x * x + 0.1 * y, 0.0, 50.0, 30.0), 30.0, 30.0);
        assert!((pl - 0.004).abs() < 1e-6 && pr.abs() < 1e-6, "{pl} {pr}");
        // A ridge (k < 0) diverges: negative plan curvature.
        let (pl, _) = plan_profile(&win(|x, y| -k * x * x + 0.1 * y, 0.0, 50.0, 30.0), 30.0, 30.0);
        assert!((pl + 0.004).abs() < 1e-6);
        // Bowl z = k (x² + y²) east of its centre: both directions curve up by 2k.
        let (pl, pr) = plan_profile(&win(|x, y| k * (x * x + y * y), 300.0, 0.0, 30.0), 30.0, 30.0);
        assert!((pl - 0.004).abs() < 1e-5 && (pr - 0.004).abs() < 1e-5, "{pl} {pr}");
    }
}
