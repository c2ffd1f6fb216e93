//! The road network: the real national/provincial roads plus synthesized connectors so every commune
//! centre is reachable. Connectors are least-cost paths over the terrain (A* on a coarse grid where
//! steep cells cost more), so they wind along valleys and contours as mountain roads do.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use geo::{Coord, LineString, Point, Simplify};
use rayon::prelude::*;

use super::communes::SynthCommune;
use super::real::{densify, Real};
use crate::grid::Grid;

pub struct SynthRoad {
    pub name: String,
    pub class: String,
    pub geom: LineString<f64>,
}

/// Cost grid: one cell per `cell` metres; cost per metre grows with the square of the slope.
struct CostGrid {
    g: Grid<f32>,
}

impl CostGrid {
    fn new(dem: &Grid<f32>, cell: f64) -> Self {
        let b = dem.bounds();
        let w = (b.width() / cell) as usize;
        let h = (b.height() / cell) as usize;
        let t = crate::grid::GeoTransform { x0: b.min_x, y0: b.max_y, dx: cell, dy: cell };
        let mut g = Grid::new(w, h, t, 0f32, None);
        g.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
            for (c, v) in row.iter_mut().enumerate() {
                let x = t.x0 + (c as f64 + 0.5) * cell;
                let y = t.y0 - (r as f64 + 0.5) * cell;
                let s = super::terrain::slope_deg(dem, x, y, cell / 2.0);
                *v = (1.0 + (s / 9.0).powi(2)) as f32;
            }
        });
        Self { g }
    }

    /// A* from a to b within a window around both, 8-connected.
    fn path(&self, a: Point<f64>, b: Point<f64>) -> Option<Vec<Coord<f64>>> {
        let g = &self.g;
        let (ca, ra) = g.cell_of(a.x(), a.y())?;
        let (cb, rb) = g.cell_of(b.x(), b.y())?;
        let pad = 40usize;
        let c0 = ca.min(cb).saturating_sub(pad);
        let r0 = ra.min(rb).saturating_sub(pad);
        let c1 = (ca.max(cb) + pad).min(g.width - 1);
        let r1 = ra.max(rb).saturating_add(pad).min(g.height - 1);
        let (ww, wh) = (c1 - c0 + 1, r1 - r0 + 1);
        let idx = |c: usize, r: usize| (r - r0) * ww + (c - c0);
        let mut dist = vec![f32::INFINITY; ww * wh];
        let mut prev = vec![u32::MAX; ww * wh];
        let mut heap = BinaryHeap::new();
        let cell = g.transform.dx as f32;
        let hfun = |c: usize, r: usize| {
            let dx = c as f32 - cb as f32;
            let dy = r as f32 - rb as f32;
            (dx * dx + dy * dy).sqrt() * cell
        };
        dist[idx(ca, ra)] = 0.0;
        heap.push(Reverse(((hfun(ca, ra) * 16.0) as u64, idx(ca, ra) as u32)));
        let goal = idx(cb, rb);
        while let Some(Reverse((_, i))) = heap.pop() {
            let i = i as usize;
            if i == goal {
                break;
            }
            let (c, r) = (c0 + i % ww, r0 + i / ww);
            let d = dist[i];
            for (dc, dr) in [(-1i32, -1i32), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nc, nr) = (c as i32 + dc, r as i32 + dr);
                if nc < c0 as i32 || nr < r0 as i32 || nc > c1 as i32 || nr > r1 as i32 {
                    continue;
                }
                let (nc, nr) = (nc as usize, nr as usize);
                let step = if dc != 0 && dr != 0 { std::f32::consts::SQRT_2 } else { 1.0 } * cell;
                let nd = d + step * 0.5 * (g.get(c, r) + g.get(nc, nr));
                let j = idx(nc, nr);
                if nd < dist[j] {
                    dist[j] = nd;
                    prev[j] = i as u32;
                    heap.push(Reverse((((nd + hfun(nc, nr)) * 16.0) as u64, j as u32)));
                }
            }
        }
        if prev[goal] == u32::MAX && goal != idx(ca, ra) {
            return None;
        }
        let mut pts = vec![b.0];
        let mut i = goal;
        while prev[i] != u32::MAX {
            i = prev[i] as usize;
            let (x, y) = g.cell_center(c0 + i % ww, r0 + i / ww);
            pts.push(Coord { x, y });
        }
        pts.push(a.0);
        pts.reverse();
        Some(pts)
    }
}

pub fn synthesize(real: &Real, communes: &[SynthCommune], dem: &Grid<f32>) -> Vec<SynthRoad> {
    let mut roads: Vec<SynthRoad> = Vec::new();
    for r in &real.roads {
        let class = match r.rank {
            3 => "national",
            2 => "provincial",
            _ => "district",
        };
        for ls in &r.geom.0 {
            roads.push(SynthRoad { name: r.name.clone(), class: class.into(), geom: ls.clone() });
        }
    }
    // Prim's algorithm over straight-line distances: connect, one at a time, the commune centre nearest
    // to the network built so far, to its nearest network point.
    let mut net: Vec<Coord<f64>> = roads.iter().flat_map(|r| densify(&r.geom, 500.0)).collect();
    let mut done = vec![false; communes.len()];
    let mut best: Vec<(f64, usize)> = communes
        .iter()
        .map(|c| {
            net.iter()
                .enumerate()
                .map(|(k, p)| ((p.x - c.centre.x()).hypot(p.y - c.centre.y()), k))
                .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
        })
        .collect();
    let mut links: Vec<(usize, Coord<f64>)> = Vec::new();
    for _ in 0..communes.len() {
        let Some(i) = (0..communes.len()).filter(|i| !done[*i]).min_by(|a, b| best[*a].0.total_cmp(&best[*b].0)) else {
            break;
        };
        done[i] = true;
        let target = net[best[i].1];
        links.push((i, target));
        let c = communes[i].centre.0;
        let k = net.len();
        net.push(c);
        for j in 0..communes.len() {
            if !done[j] {
                let d = (c.x - communes[j].centre.x()).hypot(c.y - communes[j].centre.y());
                if d < best[j].0 {
                    best[j] = (d, k);
                }
            }
        }
    }
    let cost = CostGrid::new(dem, 150.0);
    let paths: Vec<Option<SynthRoad>> = links
        .par_iter()
        .map(|(i, target)| {
            let c = &communes[*i];
            if (target.x - c.centre.x()).hypot(target.y - c.centre.y()) < 50.0 {
                return None;
            }
            let pts = cost.path(Point(*target), c.centre).unwrap_or_else(|| vec![*target, c.centre.0]);
            let geom = LineString(pts).simplify(40.0);
            Some(SynthRoad { name: format!("Đường đến {}", c.name), class: "commune".into(), geom })
        })
        .collect();
    roads.extend(paths.into_iter().flatten());
    roads
}
