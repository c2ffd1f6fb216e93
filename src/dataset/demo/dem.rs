//! The synthetic DEM, grown like real mountains: a landscape-evolution model ([`super::fastscape`],
//! uplift against stream-power erosion and hillslope diffusion) on a 250 m grid of the province, with
//! the real rivers imposed as its trunk channels ([`super::channels`]) and the real 5′ elevation grid
//! as its target; then refined to the output resolution with small-scale relief and carved so it still
//! drains ([`super::carve`]).
//!
//! - **Target.** The 5′ grid (≈ 9 km, point samples) smoothed with a 5-tap binomial kernel is the
//!   mean elevation `T` the terrain must keep; its 3 × 3 minimum is the valley level `V`.
//! - **Channels.** River cells are fixed at a profile that follows `V` downstream and never rises
//!   downstream (at least [`MIN_RIVER_GRADIENT`]); their outlets are where the lines leave the grid.
//!   The rest of the border is a base level at `V + ½(T − V)`: water leaves through the outlets and,
//!   near the edge, across the border (rivers do cross the province's outline).
//! - **Divides.** The real HydroBASINS level-6 divides (`real/hydro/…hydrobasins_l6…`, derived
//!   from the real DEM) are imposed: water does not pass from one basin into another (the start is
//!   grown, pits are filled and receivers are taken within each basin), so a cell drains towards the
//!   real river of its own basin or out of the grid where its basin continues, as in the real terrain.
//! - **Start.** Grown outwards from the channels and the border ([`Landscape::grow_from`]: a
//!   Priority-Flood climbing [`START_GRADIENT`] × (0.5 + uniform) per metre), so every cell drains
//!   from the first step towards the nearest river along a branching path and no large closed basin
//!   is ever filled flat (an ε-filled basin drains along straight rows: the old E–W / N–S artifacts).
//! - **Evolution.** Uplift `U ∝ T − V`, [`EVOLUTION`] parameters, on a 250 m grid. After each stage
//!   of the schedule the relief above each cell's base level is compared with the target's over
//!   ≈ 9 km, and the uplift and the relief are scaled by the ratio (steady-state relief is
//!   proportional to `U/K` for n = 1), so the mountains settle at the real grid's heights. Then a
//!   fine pass on a 125 m grid seeded by the coarse result ([`FINE_STEPS`] steps, the calibrated
//!   uplift): the hillslopes between the coarse valleys grow their own valleys and steepen (the
//!   steady-state slope `(U/K) A^−m` is largest at the smallest catchment, one cell).
//! - **Refinement.** Bicubic from the evolution grid, plus fractal detail whose amplitude follows the
//!   local slope (none on the valley floors: near the real rivers and along the evolution's channels
//!   draining more than [`TRUNK_AREA_M2`]); those channels are then imposed on the output grid as
//!   descending paths ([`super::trunks`]), so the detail cannot re-route them, and the pits left are
//!   carved open.

use geo::{Coord, LineString};
use rayon::prelude::*;

use super::carve::carve_pits;
use super::channels::{self, Frame};
use super::fastscape::{Landscape, Params, NONE};
use super::noise;
use super::real::{densify, Real};
use super::rng::Rng;
use super::trunks;
use crate::crs::Transformer;
use crate::error::{Error, Result};
use crate::grid::distance::distance_to;
use crate::grid::{GeoTransform, Grid};

pub const NODATA: f32 = -32768.0;

/// Cell size of the coarse evolution grid (m); a fine pass at half of it follows, and the output is
/// refined from that.
pub const EVOLUTION_CELL_M: f64 = 250.0;
/// Stream power (K, m) and diffusion of the evolution, and its time step. m = 0.5 (concavity m/n in
/// the usual 0.35–0.6): steeper small catchments for the same trunk relief than 0.45 gave.
pub const EVOLUTION: Params = Params { k: 1e-4, m: 0.5, kd: 0.05, dt: 1e5 };
/// Time steps per stage of the coarse pass; the relief is calibrated against the target after every
/// stage but the last. 7.5 Myr in all: the relief reaches the target within the first stages (the
/// response time of a 30 km river is a few hundred kyr), while a longer run only lets the larger
/// basins capture their neighbours — 16 Myr ([60, 40, 30, 30]) left tributaries of > 200 km² far
/// from the real rivers (73 % of the large drainage near them on the 125 m grid, 82 % with this schedule).
pub const SCHEDULE: [usize; 4] = [30, 20, 15, 15];
/// Time steps of the fine pass (its small catchments reach steady state in ≈ 20 kyr per cell).
pub const FINE_STEPS: usize = 10;
/// White noise added to the fine pass's start (m): seeds its small valleys.
pub const FINE_NOISE_M: f64 = 5.0;
/// Gradient of the grown start (m / m), each step × (0.5 + uniform).
pub const START_GRADIENT: f64 = 0.08;
/// The border is a base level at the valley level plus this share of the relief (T − V).
pub const BORDER_RELIEF: f64 = 0.5;
/// Mean uplift rate before calibration (m / yr).
pub const UPLIFT_M_PER_YR: f64 = 5e-3;
/// Lowest gradient of an imposed river (m / m).
pub const MIN_RIVER_GRADIENT: f64 = 5e-4;
/// Amplitude of the small-scale relief (m), scaled by 0.35 + slope / 0.3 (at most 1.5). 100 m since
/// version 8: the shorter evolution leaves smoother hillslopes (median slope 13.6° at 30 m with 60 m).
pub const DETAIL_M: f64 = 100.0;
/// Evolution cells draining at least this (m²) have their D8 step imposed on the output grid
/// ([`super::trunks`]): 20 km² keeps the > 200 km² channels where the evolution put them (83 % of
/// them near the real rivers at 30 m, against 73 % when the detail could re-route them; 5 km² gave
/// the same) while the smooth floors along them leave the median slope at 15.1°.
pub const TRUNK_AREA_M2: f64 = 2e7;
/// Width scale of the smooth floor along the imposed channels (m): the detail's amplitude is
/// × (1 − exp(−(d / this)²)) at distance d from them.
pub const TRUNK_FLOOR_M: f64 = 100.0;
/// Amplitude (m, times a gradient-noise fBm of about ±0.5) and wavelength (m) of the displacement of
/// the imposed channels on flat ground (the amplitude is ÷ (1 + slope / 0.05)). 250 m over 1.5 km
/// left the long runs nearly straight in the hillshade; the river agreement is 83.2 % with either.
pub const TRUNK_MEANDER_M: f64 = 500.0;
pub const TRUNK_MEANDER_WAVELENGTH_M: f64 = 2500.0;

/// Catmull-Rom sample of a grid at fractional pixel (px, py) (pixel centres at +0.5).
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

/// Size in cells of the grid of [`extent`].
fn size(real: &Real, t: &GeoTransform, margin_m: f64) -> (usize, usize) {
    use geo::BoundingRect;
    let bb = real.province.bounding_rect().expect("province polygon is not empty");
    (((bb.max().x + margin_m - t.x0) / t.dx).ceil() as usize, ((t.y0 - (bb.min().y - margin_m)) / t.dy).ceil() as usize)
}

/// The real 5′ grid smoothed (binomial 1-4-6-4-1 in both directions: the mean elevation the terrain
/// keeps) and its 3 × 3 minimum (the valley level).
pub fn target_grids(coarse: &Grid<f32>) -> (Grid<f32>, Grid<f32>) {
    let fill = coarse.min_max().map(|(lo, _)| lo).unwrap_or(200.0);
    let (w, h) = (coarse.width as isize, coarse.height as isize);
    let at = |c: isize, r: isize| coarse.value(c.clamp(0, w - 1), r.clamp(0, h - 1)).unwrap_or(fill) as f64;
    let k = [1.0, 4.0, 6.0, 4.0, 1.0];
    let mut t = coarse.like(0f32, None);
    let mut v = coarse.like(0f32, None);
    for r in 0..h {
        for c in 0..w {
            let mut s = 0.0;
            let mut lo = f64::MAX;
            for (j, kj) in k.iter().enumerate() {
                for (i, ki) in k.iter().enumerate() {
                    s += ki * kj * at(c + i as isize - 2, r + j as isize - 2);
                }
            }
            for j in -1..=1 {
                for i in -1..=1 {
                    lo = lo.min(at(c + i, r + j));
                }
            }
            t.set(c as usize, r as usize, (s / 256.0) as f32);
            v.set(c as usize, r as usize, lo as f32);
        }
    }
    (t, v)
}

/// Lon/lat of every cell centre of a `w` × `h` grid of transform `t`, through a PROJ lattice every
/// `step` cells bilinearly interpolated (the projection is smooth at this scale, error ≪ 1 m).
fn lonlat(t: &GeoTransform, w: usize, h: usize, crs: &str, step: usize) -> Result<impl Fn(usize, usize) -> (f64, f64) + Sync> {
    let (lw, lh) = (w / step + 2, h / step + 2);
    let inv = Transformer::new(crs, "EPSG:4326")?;
    let mut lattice = vec![(0.0, 0.0); lw * lh];
    for j in 0..lh {
        for i in 0..lw {
            lattice[j * lw + i] = (t.x0 + ((i * step) as f64 + 0.5) * t.dx, t.y0 - ((j * step) as f64 + 0.5) * t.dy);
        }
    }
    inv.convert_all(&mut lattice)?;
    Ok(move |col: usize, row: usize| {
        let (i, fx) = (col / step, (col % step) as f64 / step as f64);
        let (j, fy) = (row / step, (row % step) as f64 / step as f64);
        let l = |a: usize, b: usize| lattice[b * lw + a];
        let (a, b, c, d) = (l(i, j), l(i + 1, j), l(i, j + 1), l(i + 1, j + 1));
        let lon = (a.0 * (1.0 - fx) + b.0 * fx) * (1.0 - fy) + (c.0 * (1.0 - fx) + d.0 * fx) * fy;
        let lat = (a.1 * (1.0 - fx) + b.1 * fx) * (1.0 - fy) + (c.1 * (1.0 - fx) + d.1 * fx) * fy;
        (lon, lat)
    })
}

/// The smoothed real grid `T` (m) sampled at every cell of a grid in `crs` (used by the checks).
pub fn target_on(coarse: &Grid<f32>, t: &GeoTransform, w: usize, h: usize, crs: &str) -> Result<Grid<f32>> {
    let (tg, _) = target_grids(coarse);
    let ll = lonlat(t, w, h, crs, 16)?;
    let cgt = coarse.transform;
    let mut out = Grid::new(w, h, *t, 0f32, None);
    out.data.par_chunks_mut(w).enumerate().for_each(|(row, o)| {
        for (col, v) in o.iter_mut().enumerate() {
            let (lon, lat) = ll(col, row);
            *v = bicubic(&tg, (lon - cgt.x0) / cgt.dx, (cgt.y0 - lat) / cgt.dy, 0.0) as f32;
        }
    });
    Ok(out)
}

/// Distance from `p` to the outline of the province (m).
fn outline_distance(real: &Real, p: Coord<f64>) -> f64 {
    let mut best = f64::INFINITY;
    for poly in &real.province.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for s in ring.0.windows(2) {
                let (a, b) = (s[0], s[1]);
                let (vx, vy) = (b.x - a.x, b.y - a.y);
                let l2 = vx * vx + vy * vy;
                let u = if l2 > 0.0 { (((p.x - a.x) * vx + (p.y - a.y) * vy) / l2).clamp(0.0, 1.0) } else { 0.0 };
                best = best.min((a.x + u * vx - p.x).hypot(a.y + u * vy - p.y));
            }
        }
    }
    best
}

/// Separable box mean of radius `r` cells (edges clamped), applied twice (a triangle kernel).
fn blur(v: &[f64], w: usize, h: usize, r: usize) -> Vec<f64> {
    fn pass(v: &[f64], w: usize, h: usize, r: usize) -> Vec<f64> {
        let mut out = vec![0.0; w * h];
        out.par_chunks_mut(w).enumerate().for_each(|(row, o)| {
            let line = &v[row * w..(row + 1) * w];
            let mut s: f64 = (0..=r).map(|k| line[k.min(w - 1)]).sum::<f64>() + r as f64 * line[0];
            for (c, x) in o.iter_mut().enumerate() {
                *x = s / (2 * r + 1) as f64;
                let add = line[(c + r + 1).min(w - 1)];
                let sub = line[c.saturating_sub(r)];
                s += add - sub;
            }
        });
        out
    }
    let t = |v: &[f64], w: usize, h: usize| -> Vec<f64> {
        let mut o = vec![0.0; w * h];
        o.par_chunks_mut(h).enumerate().for_each(|(c, col)| {
            for (r, x) in col.iter_mut().enumerate() {
                *x = v[r * w + c];
            }
        });
        o
    };
    let mut a = v.to_vec();
    for _ in 0..2 {
        a = pass(&a, w, h, r);
        a = t(&a, w, h);
        a = pass(&a, h, w, r);
        a = t(&a, h, w);
    }
    a
}

/// What the evolution grid gives the refinement.
struct Evolved {
    frame: Frame,
    z: Grid<f32>,
    /// Steepest local slope (m/m) of the evolved surface.
    slope: Grid<f32>,
    lines: Vec<LineString<f64>>,
    /// The evolution's drainage: D8 receiver (within the real basins), stack order (every cell after
    /// its receiver) and drainage area (m²) of every cell of its grid.
    receiver: Vec<u32>,
    stack: Vec<u32>,
    area: Vec<f64>,
}

/// The target, the valley level and the imposed channels on one evolution frame.
struct Setup {
    frame: Frame,
    et: GeoTransform,
    target: Vec<f64>,
    valley: Vec<f64>,
    ch: channels::Channels,
    /// Height of every channel cell (NaN elsewhere).
    zr: Vec<f64>,
    /// HydroBASINS basin of every cell (1 + index; 0 outside all and on the channels).
    basin: Vec<u16>,
}



fn setup(real: &Real, coarse: &Grid<f32>, crs: &str, frame: Frame) -> Result<Setup> {
    let (ew, eh) = (frame.width, frame.height);
    let et = GeoTransform { x0: frame.x0, y0: frame.y0, dx: frame.cell, dy: frame.cell };
    let (tg, vg) = target_grids(coarse);
    let ll = lonlat(&et, ew, eh, crs, 4)?;
    let cgt = coarse.transform;
    let n = ew * eh;
    let mut target = vec![0.0; n];
    let mut valley = vec![0.0; n];
    target.par_iter_mut().zip(valley.par_iter_mut()).enumerate().for_each(|(i, (tv, vv))| {
        let (lon, lat) = ll(i % ew, i / ew);
        let (px, py) = ((lon - cgt.x0) / cgt.dx, (cgt.y0 - lat) / cgt.dy);
        let tt = bicubic(&tg, px, py, 0.0).max(140.0);
        *tv = tt;
        *vv = bicubic(&vg, px, py, 0.0).clamp(60.0, tt - 80.0);
    });
    // Channels from the real rivers, with a profile that follows the valley level downstream.
    let lines: Vec<LineString<f64>> = real.rivers.iter().flat_map(|r| r.geom.0.iter().cloned()).collect();
    let ch = channels::build(&frame, &lines, |p| outline_distance(real, p));
    if ch.order.is_empty() {
        return Err(Error::input("(embedded) real/hydro rivers", "no river line reaches the edge of the DEM: the terrain has no outlet"));
    }
    let mut zr = vec![f64::NAN; n];
    for (&c, &r) in ch.order.iter().zip(&ch.receiver) {
        let c = c as usize;
        zr[c] = if r == NONE {
            valley[c]
        } else {
            let (a, b) = (frame.centre(c), frame.centre(r as usize));
            valley[c].max(zr[r as usize] + MIN_RIVER_GRADIENT * (a.x - b.x).hypot(a.y - b.y))
        };
    }
    // The real basins' divides: each cell labelled with the HydroBASINS basin holding its centre;
    // the channels are unlabelled (the trunk rivers pass from one basin into the next).
    let like = Grid::new(ew, eh, et, 0u8, None);
    let polys: Vec<&geo::MultiPolygon<f64>> = real.basins.iter().collect();
    let mut basin = crate::grid::rasterize::burn_polygons(&like, &polys).data;
    for &c in &ch.order {
        basin[c as usize] = 0;
    }
    Ok(Setup { frame, et, target, valley, ch, zr, basin })
}

/// A landscape on the setup's frame from `z0`: the border fixed as a divide, the channels fixed.
fn landscape(s: &Setup, z0: Vec<f64>) -> Landscape {
    let mut l = Landscape::new(s.frame, z0);
    l.fix_border();
    // The border is a divide (the target plus its relief), not a base level: water leaves through
    // the real rivers' outlets and through the border only where the land inside rises above it.
    for i in 0..l.z.len() {
        if l.fixed[i] {
            l.z[i] = s.valley[i] + BORDER_RELIEF * (s.target[i] - s.valley[i]);
        }
    }
    for (&c, &r) in s.ch.order.iter().zip(&s.ch.receiver) {
        let c = c as usize;
        l.fixed[c] = true;
        l.z[c] = s.zr[c];
        l.fixed_receiver[c] = r;
    }
    l.basin = s.basin.clone();
    l
}

/// Uniform in [0, 1) from a cell index and a seed (independent of the order cells are visited in).
fn cell_uniform(seed: u64, i: usize) -> f64 {
    (super::rng::mix(seed ^ super::rng::mix(i as u64)) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn as_grid(v: &[f64], s: &Setup) -> Grid<f32> {
    Grid { width: s.frame.width, height: s.frame.height, transform: s.et, nodata: None, data: v.iter().map(|x| *x as f32).collect() }
}

fn evolve(real: &Real, coarse: &Grid<f32>, crs: &str, seed: u64, t: &GeoTransform, w: usize, h: usize) -> Result<Evolved> {
    // At least four output cells per evolution cell: coarse test datasets stay fast.
    let ecell = EVOLUTION_CELL_M.max(4.0 * t.dx);
    let (ew, eh) = (((w as f64 * t.dx) / ecell).ceil() as usize, ((h as f64 * t.dy) / ecell).ceil() as usize);
    let s = setup(real, coarse, crs, Frame { x0: t.x0, y0: t.y0, cell: ecell, width: ew, height: eh })?;
    let n = ew * eh;
    let params = EVOLUTION;

    let mut rng = Rng::new(seed ^ 0x7E55_A1A5);
    let z0: Vec<f64> = s.valley.iter().map(|v| v + 10.0 * rng.f64()).collect();
    let mut l = landscape(&s, z0);
    // Grown from the channels and the border (every fixed cell is a base level).
    let sources = l.fixed.clone();
    l.grow_from(&sources, START_GRADIENT, |i| 0.5 + cell_uniform(seed ^ 0x6A0E, i));
    let relief: Vec<f64> = s.target.iter().zip(&s.valley).map(|(t, v)| (t - v).max(50.0)).collect();
    let mean_relief = relief.iter().sum::<f64>() / n as f64;
    l.uplift = relief.iter().map(|r| UPLIFT_M_PER_YR * r / mean_relief).collect();

    let schedule = SCHEDULE;
    let radius = (4500.0 / ecell).round().max(1.0) as usize;
    for (stage, steps) in schedule.iter().enumerate() {
        for _ in 0..*steps {
            l.step(&params)?;
        }
        l.route()?;
        if stage + 1 == schedule.len() {
            break;
        }
        // Calibrate: relief above the base level, against the target's, over ≈ 9 km.
        let base = l.base_level();
        let want: Vec<f64> = s.target.iter().zip(&base).map(|(t, b)| (t - b).max(30.0)).collect();
        let have: Vec<f64> = l.z.iter().zip(&base).map(|(z, b)| (z - b).max(1.0)).collect();
        let (want, have) = (blur(&want, ew, eh, radius), blur(&have, ew, eh, radius));
        for i in 0..n {
            if l.fixed[i] {
                continue;
            }
            let ratio = (want[i] / have[i]).clamp(0.5, 2.0);
            l.z[i] = base[i] + (l.z[i] - base[i]) * ratio;
            l.uplift[i] *= ratio;
        }
    }
    let (mut s, mut l) = (s, l);
    // Fine pass: half the cell, seeded by the coarse result, so the hillslopes between the coarse
    // valleys grow their own valleys and steepen (steady-state slope ∝ A^−m at the smallest A).
    if ecell / 2.0 >= 2.0 * t.dx {
        let fcell = ecell / 2.0;
        let (fw, fh) = (((w as f64 * t.dx) / fcell).ceil() as usize, ((h as f64 * t.dy) / fcell).ceil() as usize);
        let fs = setup(real, coarse, crs, Frame { x0: t.x0, y0: t.y0, cell: fcell, width: fw, height: fh })?;
        let (cz, cu) = (as_grid(&l.z, &s), as_grid(&l.uplift, &s));
        let mut z0 = vec![0.0; fw * fh];
        let mut up = vec![0.0; fw * fh];
        z0.par_iter_mut().zip(up.par_iter_mut()).enumerate().for_each(|(i, (z, u))| {
            let (px, py) = (((i % fw) as f64 + 0.5) * 0.5, ((i / fw) as f64 + 0.5) * 0.5);
            *z = bicubic(&cz, px, py, 0.0) + FINE_NOISE_M * cell_uniform(seed ^ 0xF1_4E, i);
            *u = bicubic(&cu, px, py, 0.0).max(0.0);
        });
        let mut fl = landscape(&fs, z0);
        fl.uplift = up;
        for _ in 0..FINE_STEPS {
            fl.step(&params)?;
        }
        fl.route()?;
        (s, l) = (fs, fl);
    }
    let (ew, eh, ecell) = (s.frame.width, s.frame.height, s.frame.cell);
    let z = as_grid(&l.z, &s);
    let mut slope = z.like(0f32, None);
    slope.data.par_iter_mut().enumerate().for_each(|(i, s)| {
        let (c, r) = ((i % ew) as isize, (i / ew) as isize);
        let at = |dc: isize, dr: isize| z.value((c + dc).clamp(0, ew as isize - 1), (r + dr).clamp(0, eh as isize - 1)).unwrap_or(0.0) as f64;
        let gx = (at(1, 0) - at(-1, 0)) / (2.0 * ecell);
        let gy = (at(0, 1) - at(0, -1)) / (2.0 * ecell);
        *s = gx.hypot(gy) as f32;
    });
    Ok(Evolved { frame: s.frame, z, slope, lines: s.ch.lines, receiver: l.receiver, stack: l.stack, area: l.area })
}

/// The evolution grid's surface alone (the fine pass, or the coarse one on a coarse output grid), for
/// measuring the model at its own resolution (`examples/terrain_metrics.rs --evolution`).
pub fn evolution_surface(real: &Real, coarse: &Grid<f32>, crs: &str, seed: u64, cell: f64) -> Result<Grid<f32>> {
    let (t, w, h) = province_grid(real, cell);
    Ok(evolve(real, coarse, crs, seed, &t, w, h)?.z)
}

/// Margin of the DEM around the province's bounding box (m).
pub const MARGIN_M: f64 = 5000.0;

/// The grid [`synthesize`] makes at `cell`: its transform and its size in cells.
pub fn province_grid(real: &Real, cell: f64) -> (GeoTransform, usize, usize) {
    let t = extent(real, cell, MARGIN_M);
    let (w, h) = size(real, &t, MARGIN_M);
    (t, w, h)
}

pub fn synthesize(real: &Real, coarse: &Grid<f32>, crs: &str, seed: u64, cell: f64) -> Result<Grid<f32>> {
    let (t, w, h) = province_grid(real, cell);
    let t0 = std::time::Instant::now();
    let ev = evolve(real, coarse, crs, seed, &t, w, h)?;
    eprintln!("demo-data: landscape evolution on {}×{} cells of {} m in {:.1}s", ev.frame.width, ev.frame.height, ev.frame.cell, t0.elapsed().as_secs_f64());

    // Distance to the imposed channels: the valley floors keep no small-scale relief.
    let mut mask = Grid::new(w, h, t, 0u8, None);
    for ls in &ev.lines {
        for c in densify(ls, cell * 0.5) {
            let col = ((c.x - t.x0) / cell).floor() as isize;
            let row = ((t.y0 - c.y) / cell).floor() as isize;
            if col >= 0 && row >= 0 && (col as usize) < w && (row as usize) < h {
                mask.set(col as usize, row as usize, 1);
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

    // The evolution's large channels on the output grid, and the distance to them: their floors
    // are smooth too.
    let out_frame = Frame { x0: t.x0, y0: t.y0, cell, width: w, height: h };
    // Each evolution cell's point displaced by a smooth field, most on gentle ground (on a steep
    // valley's axis the valley already bends the channel): D8 on the 125 m grid runs straight along
    // one of its 8 directions for kilometres across gentle planar slopes, and imposed as is those
    // runs read as dug canals in the hillshade.
    let warp = |i: usize| {
        let c = ev.frame.centre(i);
        let a = TRUNK_MEANDER_M / (1.0 + ev.slope.data[i] as f64 / 0.05);
        Coord {
            x: c.x + a * noise::fbm(seed ^ 41, c.x, c.y, TRUNK_MEANDER_WAVELENGTH_M, 2, 0.5),
            y: c.y + a * noise::fbm(seed ^ 42, c.x, c.y, TRUNK_MEANDER_WAVELENGTH_M, 2, 0.5),
        }
    };
    let trunks = trunks::trace(&ev.receiver, &ev.stack, &ev.area, TRUNK_AREA_M2, &out_frame, warp);
    let mut tdist = distance_to(&trunks.on, w, h, GeoTransform { dx: 1.0, dy: 1.0, ..t });
    tdist.data.par_iter_mut().for_each(|d| *d *= cell_f32);

    let ecell = ev.frame.cell;
    let mut data = vec![0f32; w * h];
    data.par_chunks_mut(w).enumerate().for_each(|(row, out)| {
        let y = t.y0 - (row as f64 + 0.5) * cell;
        let py = (t.y0 - y) / ecell;
        for (col, o) in out.iter_mut().enumerate() {
            let x = t.x0 + (col as f64 + 0.5) * cell;
            let px = (x - t.x0) / ecell;
            let base = bicubic(&ev.z, px, py, 0.0);
            let s = bicubic(&ev.slope, px, py, 0.0).max(0.0);
            let d = dist.data[row * w + col] as f64;
            let dt = tdist.data[row * w + col] as f64;
            let floor = (1.0 - (-(d / 300.0).powi(2)).exp()) * (1.0 - (-(dt / TRUNK_FLOOR_M).powi(2)).exp());
            // Ridged detail reads as spurs and gullies; fbm breaks the lattice.
            let wx = x + 300.0 * noise::fbm(seed ^ 11, x, y, 2500.0, 2, 0.5);
            let wy = y + 300.0 * noise::fbm(seed ^ 12, x, y, 2500.0, 2, 0.5);
            let ridges = noise::ridged(seed ^ 21, wx, wy, 1400.0, 4, 0.55) - 0.35;
            let rough = noise::fbm(seed ^ 31, wx, wy, 700.0, 4, 0.55);
            let amp = DETAIL_M * (0.35 + s / 0.3).min(1.5) * floor;
            *o = (base + amp * (ridges + 0.5 * rough)).max(40.0) as f32;
        }
    });
    drop((dist, tdist));
    let mut dem = Grid { width: w, height: h, transform: t, nodata: Some(NODATA), data };
    let t1 = std::time::Instant::now();
    // The evolution's network first (lowered into the floors), then every pit the detail left.
    let imposed = trunks::impose(&mut dem, &trunks);
    let steps = trunks.paths.len();
    drop(trunks);
    let carved = carve_pits(&mut dem);
    eprintln!(
        "demo-data: refined to {w}×{h} cells of {cell} m, {steps} channel steps of the evolution imposed ({imposed} cells lowered), {carved} cells ({:.2} %) carved to drain, in {:.1}s",
        carved as f64 * 100.0 / (w * h) as f64,
        t1.elapsed().as_secs_f64()
    );
    Ok(dem)
}
