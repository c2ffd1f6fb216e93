//! The demo's land cover (`generated/landcover.tif`, ESA WorldCover codes on the DEM grid), drawn
//! from the terrain and the settlements as Sơn La's land is used, deterministically from the seed:
//!
//! - **water** (80) along the big rivers of the real network, wider by Strahler rank (the Đà and Mã
//!   are reservoirs and wide rivers): 60 / 120 / 250 m for rank 1 / 2 / 3;
//! - **built-up** (50) around each hamlet, radius 35 m × √(people / 100) (≈ 70 m for the average
//!   420-people bản) and at least its own cell, and 500 m around each town, both with ragged edges
//!   from gradient noise;
//! - **tree cover** (10) where a forest score is positive: steep (slope above ≈ 20°, Horn at 30 m),
//!   high ground relative to the surroundings (the DEM minus its ≈ 1.5 km mean), far from villages
//!   (beyond ≈ 2 km), plus 1.5 km noise so forest edges are patchy;
//! - **cropland** (40): the rest in valleys, on gentle slopes and near villages (upland maize and
//!   paddy); **shrubland** (20) where the forest score is just below zero and fine noise says fallow;
//!   **grassland** (30) elsewhere; **bare / sparse** (60) on the steepest high crests.
//!
//! Cells where the DEM has no data get no class (0).

use geo::Point;
use rayon::prelude::*;

use super::noise::fbm;
use super::real::{densify, Real};
use crate::dataset::landcover::NO_CLASS;
use crate::grid::distance::distance_to;
use crate::grid::Grid;

/// Block size (cells) of the coarse mean the relative elevation is taken against.
const BLOCK: usize = 16;

/// Mark every cell whose centre is within `r` m of (x, y) (times `1 + ragged(cell)`), with `class`.
fn disk(out: &mut [u8], g: &Grid<f32>, x: f64, y: f64, r: f64, class: u8, ragged: impl Fn(f64, f64) -> f64) {
    let t = &g.transform;
    let rr = r * 1.5;
    let c0 = ((x - rr - t.x0) / t.dx).floor().max(0.0) as usize;
    let c1 = (((x + rr - t.x0) / t.dx).ceil().max(0.0) as usize).min(g.width);
    let r0 = ((t.y0 - y - rr) / t.dy).floor().max(0.0) as usize;
    let r1 = (((t.y0 - y + rr) / t.dy).ceil().max(0.0) as usize).min(g.height);
    for row in r0..r1 {
        for col in c0..c1 {
            let (cx, cy) = g.cell_center(col, row);
            if (cx - x).hypot(cy - y) <= r * (1.0 + ragged(cx, cy)) {
                out[row * g.width + col] = class;
            }
        }
    }
}

/// The mean elevation around every cell, ≈ 1.5 km across: block means of `BLOCK`² cells, blurred
/// 3 × 3, read bilinearly.
fn surroundings(dem: &Grid<f32>) -> impl Fn(usize, usize) -> f32 + Sync + '_ {
    let bw = dem.width.div_ceil(BLOCK);
    let bh = dem.height.div_ceil(BLOCK);
    let blocks: Vec<f32> = (0..bw * bh)
        .into_par_iter()
        .map(|b| {
            let (bx, by) = (b % bw, b / bw);
            let (mut s, mut n) = (0.0f64, 0u32);
            for r in by * BLOCK..((by + 1) * BLOCK).min(dem.height) {
                for c in bx * BLOCK..((bx + 1) * BLOCK).min(dem.width) {
                    let z = dem.get(c, r);
                    if !dem.is_nodata(z) {
                        s += z as f64;
                        n += 1;
                    }
                }
            }
            if n == 0 {
                f32::NAN
            } else {
                (s / n as f64) as f32
            }
        })
        .collect();
    let blurred: Vec<f32> = (0..bw * bh)
        .map(|b| {
            let (bx, by) = ((b % bw) as isize, (b / bw) as isize);
            let (mut s, mut n) = (0.0f32, 0.0f32);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (x, y) = (bx + dx, by + dy);
                    if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                        let v = blocks[y as usize * bw + x as usize];
                        if v.is_finite() {
                            s += v;
                            n += 1.0;
                        }
                    }
                }
            }
            if n > 0.0 {
                s / n
            } else {
                f32::NAN
            }
        })
        .collect();
    move |col, row| {
        let fx = ((col as f32 + 0.5) / BLOCK as f32 - 0.5).clamp(0.0, (bw - 1) as f32);
        let fy = ((row as f32 + 0.5) / BLOCK as f32 - 0.5).clamp(0.0, (bh - 1) as f32);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(bw - 1), (y0 + 1).min(bh - 1));
        let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
        let v = |x: usize, y: usize| blurred[y * bw + x];
        let top = v(x0, y0) + (v(x1, y0) - v(x0, y0)) * tx;
        let bot = v(x0, y1) + (v(x1, y1) - v(x0, y1)) * tx;
        top + (bot - top) * ty
    }
}

/// The land cover of the demo (see the module note). `hamlets`: position and people.
pub fn synthesize(dem: &Grid<f32>, real: &Real, hamlets: &[(Point<f64>, u32)], seed: u64) -> Grid<u8> {
    let (w, h) = (dem.width, dem.height);
    let cell = dem.transform.dx;
    let s_noise = seed ^ 0x4c41_4e44; // "LAND"
    let mut fixed = vec![NO_CLASS; w * h];
    // Water first, then settlements over it where they meet (a bridge town stays built-up).
    for river in &real.rivers {
        let half = match river.rank {
            r if r >= 3 => 125.0,
            2 => 60.0,
            _ => 30.0,
        };
        for ls in &river.geom.0 {
            for c in densify(ls, cell / 2.0) {
                disk(&mut fixed, dem, c.x, c.y, half, 80, |_, _| 0.0);
            }
        }
    }
    let ragged = |x: f64, y: f64| 0.35 * fbm(s_noise.wrapping_add(1), x, y, 300.0, 3, 0.5);
    let mut villages = vec![false; w * h];
    for (p, people) in hamlets {
        let r = 35.0 * (*people as f64 / 100.0).max(0.25).sqrt();
        disk(&mut fixed, dem, p.x(), p.y(), r, 50, ragged);
        // The hamlet's own cell is built-up whatever the cell size (a coarse grid's centre may lie
        // beyond a small hamlet's radius).
        if let Some((c, r)) = dem.cell_of(p.x(), p.y()) {
            fixed[r * w + c] = 50;
            villages[r * w + c] = true;
        }
    }
    for t in &real.towns {
        disk(&mut fixed, dem, t.pos.x(), t.pos.y(), 500.0, 50, ragged);
        if let Some((c, r)) = dem.cell_of(t.pos.x(), t.pos.y()) {
            villages[r * w + c] = true;
        }
    }
    let to_village = distance_to(&villages, w, h, dem.transform);
    drop(villages);
    let mean = surroundings(dem);
    let mut out = vec![NO_CLASS; w * h];
    out.par_chunks_mut(w).enumerate().for_each(|(row, line)| {
        for (col, o) in line.iter_mut().enumerate() {
            let z = dem.get(col, row);
            if dem.is_nodata(z) || z.is_nan() {
                continue;
            }
            let f = fixed[row * w + col];
            if f != NO_CLASS {
                *o = f;
                continue;
            }
            let win = std::array::from_fn::<f32, 9, _>(|k| {
                let (c, r) = ((col + k % 3).saturating_sub(1).min(w - 1), (row + k / 3).saturating_sub(1).min(h - 1));
                let v = dem.get(c, r);
                if dem.is_nodata(v) || v.is_nan() {
                    z
                } else {
                    v
                }
            });
            let (we, sn) = crate::grid::horn::horn_differences(&win);
            let slope = ((we as f64).hypot(sn as f64) / (8.0 * cell)).atan().to_degrees();
            let rel = (z - mean(col, row)) as f64;
            let rel = if rel.is_finite() { rel } else { 0.0 };
            let d = to_village.data[row * w + col] as f64;
            let (x, y) = dem.cell_center(col, row);
            let n = fbm(s_noise.wrapping_add(2), x, y, 1500.0, 4, 0.5);
            let fine = fbm(s_noise.wrapping_add(3), x, y, 250.0, 2, 0.5);
            let forest = (slope - 20.0) / 10.0 + rel / 200.0 + (d.min(4000.0) - 2000.0) / 1500.0 + 0.6 * n;
            *o = if slope > 40.0 && rel > 150.0 {
                60
            } else if forest > 0.0 {
                10
            } else if forest > -0.8 && fine > 0.0 {
                20
            } else if slope < 12.0 || d < 1500.0 {
                40
            } else {
                30
            };
        }
    });
    Grid { width: w, height: h, transform: dem.transform, nodata: Some(NO_CLASS), data: out }
}
