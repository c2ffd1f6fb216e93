//! The synthetic DEM: large-scale relief from the real 5′ elevation grid (bicubic), mountain ridges
//! from ridged fractal noise whose amplitude grows with the base elevation, and valleys carved along
//! the real rivers — giving north-west Vietnam's 100–2,900 m range and its steep slopes.

use rayon::prelude::*;

use super::noise;
use super::real::{densify, Real};
use crate::crs::Transformer;
use crate::error::Result;
use crate::grid::distance::distance_to;
use crate::grid::{GeoTransform, Grid};

pub const NODATA: f32 = -32768.0;

/// Catmull-Rom sample of a coarse grid at fractional pixel (px, py) (pixel centres at +0.5).
fn bicubic(g: &Grid<f32>, px: f64, py: f64, fill: f32) -> f64 {
    let (fx, fy) = (px - 0.5, py - 0.5);
    let (ix, iy) = (fx.floor() as isize, fy.floor() as isize);
    let (tx, ty) = (fx - fx.floor(), fy - fy.floor());
    let at = |c: isize, r: isize| -> f64 {
        let c = c.clamp(0, g.width as isize - 1);
        let r = r.clamp(0, g.height as isize - 1);
        g.value(c, r).unwrap_or(fill) as f64
    };
    let cr = |p0: f64, p1: f64, p2: f64, p3: f64, t: f64| {
        p1 + 0.5 * t * (p2 - p0 + t * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + t * (3.0 * (p1 - p2) + p3 - p0)))
    };
    let mut rows = [0.0; 4];
    for (k, row) in rows.iter_mut().enumerate() {
        let r = iy - 1 + k as isize;
        *row = cr(at(ix - 1, r), at(ix, r), at(ix + 1, r), at(ix + 2, r), tx);
    }
    cr(rows[0], rows[1], rows[2], rows[3], ty)
}

/// The grid covering the province with `margin_m` around it, snapped to `cell`.
pub fn extent(real: &Real, cell: f64, margin_m: f64) -> GeoTransform {
    use geo::BoundingRect;
    let bb = real.province.bounding_rect().expect("province polygon is not empty");
    let x0 = ((bb.min().x - margin_m) / cell).floor() * cell;
    let y0 = ((bb.max().y + margin_m) / cell).ceil() * cell;
    GeoTransform { x0, y0, dx: cell, dy: cell }
}

pub fn synthesize(real: &Real, coarse: &Grid<f32>, crs: &str, seed: u64, cell: f64) -> Result<Grid<f32>> {
    use geo::BoundingRect;
    let margin = 5000.0;
    let t = extent(real, cell, margin);
    let bb = real.province.bounding_rect().expect("province polygon is not empty");
    let w = ((bb.max().x + margin - t.x0) / cell).ceil() as usize;
    let h = ((t.y0 - (bb.min().y - margin)) / cell).ceil() as usize;

    // Lon/lat on a lattice every `step` cells, bilinearly interpolated between: the projection is
    // smooth at this scale (error ≪ 1 m), and 38 M PROJ calls would dominate the run time.
    let step = 32usize;
    let (lw, lh) = (w / step + 2, h / step + 2);
    let inv = Transformer::new(crs, "EPSG:4326")?;
    let mut lattice = vec![(0.0, 0.0); lw * lh];
    for j in 0..lh {
        for i in 0..lw {
            lattice[j * lw + i] = (t.x0 + (i * step) as f64 * cell, t.y0 - (j * step) as f64 * cell);
        }
    }
    inv.convert_all(&mut lattice)?;

    // Rivers: a mask of river cells (with Strahler order) → distance to the nearest river.
    let mut mask = Grid::new(w, h, t, 0u8, None);
    for r in &real.rivers {
        for ls in &r.geom.0 {
            for c in densify(ls, cell * 0.5) {
                let col = ((c.x - t.x0) / cell) as isize;
                let row = ((t.y0 - c.y) / cell) as isize;
                if col >= 0 && row >= 0 && (col as usize) < w && (row as usize) < h {
                    mask.set(col as usize, row as usize, 1);
                }
            }
        }
    }
    // Distance in cells (an exact integer under the root, rounded once), times the cell size in f32
    // as the generator has always scaled it: same seed, same bytes.
    let rivers: Vec<bool> = mask.data.iter().map(|&m| m != 0).collect();
    drop(mask);
    let mut dist = distance_to(&rivers, w, h, GeoTransform { dx: 1.0, dy: 1.0, ..t });
    drop(rivers);
    let cell_f32 = t.dx as f32;
    dist.data.par_iter_mut().for_each(|d| *d *= cell_f32);

    let fill = coarse.min_max().map(|(lo, _)| lo).unwrap_or(200.0);
    let cgt = coarse.transform;
    let mut data = vec![0f32; w * h];
    data.par_chunks_mut(w).enumerate().for_each(|(row, out)| {
        let (j, fy) = (row / step, (row % step) as f64 / step as f64);
        let y = t.y0 - (row as f64 + 0.5) * cell;
        for (col, cell_out) in out.iter_mut().enumerate() {
            let (i, fx) = (col / step, (col % step) as f64 / step as f64);
            let l = |a: usize, b: usize| lattice[b * lw + a];
            let (a, b, c, d) = (l(i, j), l(i + 1, j), l(i, j + 1), l(i + 1, j + 1));
            let lon = (a.0 * (1.0 - fx) + b.0 * fx) * (1.0 - fy) + (c.0 * (1.0 - fx) + d.0 * fx) * fy;
            let lat = (a.1 * (1.0 - fx) + b.1 * fx) * (1.0 - fy) + (c.1 * (1.0 - fx) + d.1 * fx) * fy;
            let base = bicubic(coarse, (lon - cgt.x0) / cgt.dx, (cgt.y0 - lat) / cgt.dy, fill).max(60.0);
            let x = t.x0 + (col as f64 + 0.5) * cell;
            // Domain warp bends the ridges so they are not aligned with the noise lattice.
            let wx = x + 1800.0 * noise::fbm(seed ^ 11, x, y, 9000.0, 3, 0.5);
            let wy = y + 1800.0 * noise::fbm(seed ^ 12, x, y, 9000.0, 3, 0.5);
            let ridges = noise::ridged(seed ^ 21, wx, wy, 5000.0, 6, 0.6);
            let detail = noise::fbm(seed ^ 31, wx, wy, 1800.0, 5, 0.55);
            let amp = 380.0 + 0.55 * base;
            let raw = base - 0.30 * amp + amp * (0.9 * ridges + 0.45 * detail);
            // Valleys: near a river the surface falls towards a floor below the local base.
            let d = dist.data[row * w + col] as f64;
            let width = 1400.0 + 700.0 * noise::fbm(seed ^ 41, x, y, 15000.0, 2, 0.5);
            let valley = 1.0 - (-(d / width).powi(2)).exp();
            let floor = (base - 0.55 * amp).max(90.0);
            let z = floor + (raw - floor) * (0.04 + 0.96 * valley);
            // A soft lower bound: valley floors flatten out towards ~100 m instead of being cut off.
            let lo = 95.0;
            let z = lo + 40.0 * ((z - lo) / 40.0).exp().ln_1p();
            *cell_out = z.min(3050.0) as f32;
        }
    });
    Ok(Grid { width: w, height: h, transform: t, nodata: Some(NODATA), data })
}
