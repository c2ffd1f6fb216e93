//! The landscape evolution's large channels carried to the output grid, so the refined DEM drains
//! where the evolution drains. The refinement adds small-scale relief to a bicubic of the 125 m
//! evolution grid; on low-relief valley floors that relief alone re-routes a channel draining
//! hundreds of km² by kilometres (and the 200 km² threshold is crossed on another branch). Real trunk
//! streams incise and smooth their floors — the relief belongs to the hillslopes — so each
//! evolution cell draining more than a threshold has its D8 step (centre to its receiver's centre)
//! traced as an 8-connected path of output cells, and [`impose`] lowers those cells below their
//! neighbours off the network and makes every path descend downstream, donors before receivers
//! (as [`super::carve`] does: lowering, never raising). The output's D8 then follows the evolution's
//! network wherever it is imposed.

use rayon::prelude::*;

use super::carve::DROP;
use super::channels::Frame;
use super::fastscape::{DC, DR};
use super::real::densify;
use crate::grid::Grid;

/// The traced network on the output grid.
pub struct Trunks {
    /// Output cells of each traced evolution step, upstream to downstream; every path comes after
    /// the paths of the steps that drain into its first cell.
    pub paths: Vec<Vec<u32>>,
    /// Output cells on any path.
    pub on: Vec<bool>,
}

/// Trace every step of the evolution grid (its `receiver`s, `stack` order and drainage `area`)
/// whose cell drains at least `min_area` (m²) onto the output grid `out`, from `at(cell)` to
/// `at(receiver)`: the cells' centres, or centres displaced by a smooth field so that the long
/// straight runs D8 draws on gentle planar slopes wind as real streams do (one point per cell, so
/// the network stays connected at its confluences).
pub fn trace(
    receiver: &[u32],
    stack: &[u32],
    area: &[f64],
    min_area: f64,
    out: &Frame,
    at: impl Fn(usize) -> geo::Coord<f64>,
) -> Trunks {
    let mut on = vec![false; out.width * out.height];
    let mut paths = Vec::new();
    // Reversed stack: every cell before its receiver, so donors' paths come first.
    for &i in stack.iter().rev() {
        let (i, r) = (i as usize, receiver[i as usize] as usize);
        if r == i || area[i] < min_area {
            continue;
        }
        let line = geo::LineString(vec![at(i), at(r)]);
        // Samples 0.4 cells apart: consecutive cells are 8-neighbours.
        let mut path: Vec<u32> = Vec::new();
        for c in densify(&line, out.cell * 0.4) {
            if let Some(k) = out.cell_of(c) {
                if path.last() != Some(&(k as u32)) {
                    path.push(k as u32);
                    on[k] = true;
                }
            }
        }
        if !path.is_empty() {
            paths.push(path);
        }
    }
    Trunks { paths, on }
}

/// Lower the traced cells of `dem` until each is below every neighbour off the network and every
/// path descends by at least [`DROP`] per cell. Returns the number of cells lowered.
pub fn impose(dem: &mut Grid<f32>, t: &Trunks) -> usize {
    let (w, h) = (dem.width, dem.height);
    let z = &dem.data;
    // Below the lowest neighbour off the network (from the heights before any lowering).
    let lowered: Vec<(usize, f32)> = (0..w * h)
        .into_par_iter()
        .filter(|&i| t.on[i])
        .filter_map(|i| {
            let (c, r) = ((i % w) as isize, (i / w) as isize);
            let mut lo = z[i];
            for d in 0..8 {
                let (nc, nr) = (c + DC[d], r + DR[d]);
                if nc < 0 || nr < 0 || nc as usize >= w || nr as usize >= h {
                    continue;
                }
                let n = nr as usize * w + nc as usize;
                if !t.on[n] {
                    lo = lo.min(z[n] - DROP);
                }
            }
            (lo < z[i]).then_some((i, lo))
        })
        .collect();
    let mut changed = vec![false; w * h];
    let z = &mut dem.data;
    for &(i, v) in &lowered {
        z[i] = v;
        changed[i] = true;
    }
    // Then downstream along every path, donors first: each cell below the one before it.
    for p in &t.paths {
        for k in 1..p.len() {
            let (a, b) = (p[k - 1] as usize, p[k] as usize);
            let need = z[a] - DROP;
            if z[b] > need {
                z[b] = need;
                changed[b] = true;
            }
        }
    }
    changed.iter().filter(|c| **c).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::demo::rng::Rng;
    use crate::grid::GeoTransform;

    /// Steepest descent from cell `i` of `g` until no neighbour is lower; the cells visited.
    fn descend(g: &Grid<f32>, mut i: usize) -> Vec<usize> {
        let (w, h) = (g.width, g.height);
        let mut seen = vec![i];
        loop {
            let (c, r) = ((i % w) as isize, (i / w) as isize);
            let mut best = (0f32, i);
            for d in 0..8 {
                let (nc, nr) = (c + DC[d], r + DR[d]);
                if nc < 0 || nr < 0 || nc as usize >= w || nr as usize >= h {
                    continue;
                }
                let n = nr as usize * w + nc as usize;
                let s = (g.data[i] - g.data[n]) / if d & 1 == 1 { std::f32::consts::SQRT_2 } else { 1.0 };
                if s > best.0 {
                    best = (s, n);
                }
            }
            if best.1 == i {
                return seen;
            }
            i = best.1;
            seen.push(i);
        }
    }

    #[test]
    fn output_drains_along_the_evolution_network_against_the_relief() {
        // Evolution grid: 6 × 4 cells of 120 m. A trunk along row 2 flows east to an outlet at
        // column 5; a tributary comes down column 2 from row 0; cell (4, 0) drains too little.
        let ev = Frame { x0: 0.0, y0: 480.0, cell: 120.0, width: 6, height: 4 };
        let id = |c: usize, r: usize| r * 6 + c;
        let mut receiver: Vec<u32> = (0..24).collect();
        let mut area = vec![1e4; 24];
        for c in 0..5 {
            receiver[id(c, 2)] = id(c + 1, 2) as u32;
            area[id(c, 2)] = 1e7;
        }
        receiver[id(2, 0)] = id(2, 1) as u32;
        receiver[id(2, 1)] = id(2, 2) as u32;
        (area[id(2, 0)], area[id(2, 1)]) = (2e6, 3e6);
        receiver[id(4, 0)] = id(4, 1) as u32;
        // Stack: the outlet, then the trunk upstream, the tributary, the rest.
        let mut stack: Vec<u32> = vec![id(5, 2) as u32, id(4, 2) as u32, id(3, 2) as u32, id(2, 2) as u32];
        stack.extend([id(2, 1), id(2, 0), id(1, 2), id(0, 2), id(4, 1), id(4, 0)].map(|i| i as u32));
        let rest: Vec<u32> = (0..24u32).filter(|i| !stack.contains(i)).collect();
        stack.extend(rest);
        // Output: 30 m cells, rising eastwards (against the trunk) with 20 m of noise.
        let out = Frame { x0: 0.0, y0: 480.0, cell: 30.0, width: 24, height: 16 };
        let tr = trace(&receiver, &stack, &area, 1e6, &out, |i| ev.centre(i));
        assert_eq!(tr.paths.len(), 7, "the trunk's 5 steps and the tributary's 2");
        let mut rng = Rng::new(17);
        let data: Vec<f32> = (0..24 * 16).map(|i| 100.0 + (i % 24) as f32 * 2.0 + 20.0 * rng.f64() as f32).collect();
        let t = GeoTransform { x0: 0.0, y0: 480.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid { width: 24, height: 16, transform: t, nodata: None, data: data.clone() };
        let n = impose(&mut g, &tr);
        assert!(n > 0);
        assert!(g.data.iter().zip(&data).all(|(a, b)| a <= b), "only lowered");
        // From the tributary's head (the centre of evolution cell (2, 0)) water follows the network
        // to the outlet's centre, cell (22, 10) of the output.
        let head = out.cell_of(ev.centre(id(2, 0))).unwrap();
        let outlet = out.cell_of(ev.centre(id(5, 2))).unwrap();
        let path = descend(&g, head);
        assert_eq!(*path.last().unwrap(), outlet, "{path:?}");
        assert!(path.iter().all(|&i| tr.on[i]), "left the network: {path:?}");
        // The weak cell (4, 0) is not traced.
        assert!(!tr.on[out.cell_of(ev.centre(id(4, 0))).unwrap()]);
    }
}
