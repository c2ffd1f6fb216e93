//! Raster regions → polygons by tracing cell boundaries. Every cell side between a region and
//! anything else is a directed boundary edge with the region on its left (in map coordinates, y
//! north), so outer rings come out counter-clockwise and holes clockwise. At a vertex where the
//! region touches itself only diagonally the trace turns right, joining the two cells: the shell
//! then stays one simple ring and the enclosed background becomes a hole touching it at a point —
//! valid OGC polygons. Rings keep only their corner vertices.
//!
//! Labels are traced in parallel, a share of the labels per task: a trace marks only sides of its
//! own label's cells, so tasks never mark the same cell, and each label's rings are found in the
//! same scan order, hence with the same start and vertex order, as by one sequential scan.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

use geo::{Coord, LineString, Polygon};
use rayon::prelude::*;

use crate::grid::GeoTransform;

/// Headings, clockwise in map view: east, south (down the rows), west, north.
const E: u8 = 0;
const S: u8 = 1;
const W: u8 = 2;
const N: u8 = 3;

struct Tracer<'a> {
    labels: &'a [u32],
    w: usize,
    h: usize,
    /// Per cell, bit k set when side k (top 1, right 2, bottom 4, left 8) was traced; a cell's
    /// byte is only written by the task tracing its label (so a plain load and store suffice).
    visited: &'a [AtomicU8],
}

impl Tracer<'_> {
    /// Label of cell (x, y), 0 outside the grid.
    #[inline]
    fn lab(&self, x: isize, y: isize) -> u32 {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            0
        } else {
            self.labels[y as usize * self.w + x as usize]
        }
    }

    /// The cell on the left of the edge leaving vertex (x, y) with heading `h`, the cell on its
    /// right, and the side bit of the left cell.
    #[inline]
    fn edge_cells(x: isize, y: isize, h: u8) -> ((isize, isize), (isize, isize), u8) {
        match h {
            E => ((x, y - 1), (x, y), 4),
            S => ((x, y), (x - 1, y), 8),
            W => ((x - 1, y), (x - 1, y - 1), 1),
            _ => ((x - 1, y - 1), (x, y - 1), 2),
        }
    }

    #[inline]
    fn is_boundary(&self, x: isize, y: isize, h: u8, l: u32) -> bool {
        let (a, b, _) = Self::edge_cells(x, y, h);
        self.lab(a.0, a.1) == l && self.lab(b.0, b.1) != l
    }

    /// Trace the ring of label `l` through the edge leaving (x, y) with heading `h`; returns the
    /// corner vertices in grid units (x = column edge, y = row edge).
    fn trace(&mut self, x0: isize, y0: isize, h0: u8, l: u32) -> Vec<(isize, isize)> {
        let (mut x, mut y, mut h) = (x0, y0, h0);
        let mut corners = Vec::new();
        loop {
            let (cell, _, bit) = Self::edge_cells(x, y, h);
            let v = &self.visited[cell.1 as usize * self.w + cell.0 as usize];
            v.store(v.load(Relaxed) | bit, Relaxed);
            match h {
                E => x += 1,
                S => y += 1,
                W => x -= 1,
                _ => y -= 1,
            }
            // Right turn first (joins diagonal cells of the region), then straight, then left.
            let next = [(h + 1) % 4, h, (h + 3) % 4].into_iter().find(|&c| self.is_boundary(x, y, c, l));
            let Some(nh) = next else {
                // Cannot happen on a consistent labelling: every entered vertex has an exit.
                break;
            };
            if (x, y, nh) == (x0, y0, h0) {
                if nh != h {
                    corners.push((x, y));
                }
                break;
            }
            if nh != h {
                corners.push((x, y));
            }
            h = nh;
        }
        corners
    }
}

/// Polygons (map coordinates) of the 4-connected regions of `labels` (row-major, 0 = none) for which
/// `keep(label)` is true, one per region, in label order.
pub fn polygonize(labels: &[u32], width: usize, height: usize, t: &GeoTransform, keep: impl Fn(u32) -> bool + Sync) -> Vec<(u32, Polygon<f64>)> {
    let visited: Vec<AtomicU8> = crate::grid::filled_with(width * height, || AtomicU8::new(0));
    // Labels dealt round-robin over a few tasks per thread (regions of very unequal outline length
    // then spread over the tasks).
    let tasks = (rayon::current_num_threads() * 4) as u32;
    let mut out: Vec<(u32, Polygon<f64>)> = (0..tasks)
        .into_par_iter()
        .flat_map_iter(|task| {
            let tr = Tracer { labels, w: width, h: height, visited: &visited };
            trace_labels(tr, t, |l| l % tasks == task && keep(l))
        })
        .collect();
    out.sort_unstable_by_key(|p| p.0);
    out
}

/// The polygons of the labels `mine` selects, scanning the grid in row-major order.
fn trace_labels(mut tr: Tracer<'_>, t: &GeoTransform, mine: impl Fn(u32) -> bool) -> Vec<(u32, Polygon<f64>)> {
    let (width, height, labels) = (tr.w, tr.h, tr.labels);
    // Rings per label: (signed area, ring).
    let mut rings: std::collections::BTreeMap<u32, Vec<(f64, LineString<f64>)>> = Default::default();
    for i in 0..width * height {
        let l = labels[i];
        if l == 0 || !mine(l) {
            continue;
        }
        let (c, r) = ((i % width) as isize, (i / width) as isize);
        // Start vertex and heading of each side's edge: top, right, bottom, left.
        for (bit, (x, y, h)) in [(1u8, (c + 1, r, W)), (2, (c + 1, r + 1, N)), (4, (c, r + 1, E)), (8, (c, r, S))] {
            if tr.visited[i].load(Relaxed) & bit != 0 || !tr.is_boundary(x, y, h, l) {
                continue;
            }
            let corners = tr.trace(x, y, h, l);
            if corners.len() < 4 {
                continue;
            }
            let mut pts: Vec<Coord<f64>> =
                corners.iter().map(|&(gx, gy)| Coord { x: t.x0 + gx as f64 * t.dx, y: t.y0 - gy as f64 * t.dy }).collect();
            pts.push(pts[0]);
            let area = signed_area(&pts);
            rings.entry(l).or_default().push((area, LineString::new(pts)));
        }
    }
    rings
        .into_iter()
        .filter_map(|(l, mut rs)| {
            // The shell is the one counter-clockwise ring; the rest are holes.
            rs.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut it = rs.into_iter();
            let (area, shell) = it.next()?;
            if area <= 0.0 {
                return None;
            }
            Some((l, Polygon::new(shell, it.map(|(_, r)| r).collect())))
        })
        .collect()
}

/// Shoelace signed area (positive = counter-clockwise) of a closed ring.
pub fn signed_area(pts: &[Coord<f64>]) -> f64 {
    pts.windows(2).map(|p| p[0].x * p[1].y - p[1].x * p[0].y).sum::<f64>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::super::regions::{label, Regions};
    use super::*;
    use crate::grid::Grid;
    use geo::{Area, Validation};

    /// A `w` × `h` class grid of unit cells with its lower-left corner at the origin: its regions
    /// and its georeference (the tests' expected areas are cell counts).
    fn unit_cells(w: usize, h: usize, v: &[u8]) -> (Regions, GeoTransform) {
        let t = GeoTransform { x0: 0.0, y0: h as f64, dx: 1.0, dy: 1.0 };
        (label(&Grid { width: w, height: h, transform: t, nodata: Some(0), data: v.to_vec() }), t)
    }

    #[test]
    fn ring_with_hole_has_exact_area_and_is_valid() {
        #[rustfmt::skip]
        let v = [
            1, 1, 1, 1,
            1, 2, 2, 1,
            1, 2, 2, 1,
            1, 1, 1, 1,
        ];
        let (reg, t) = unit_cells(4, 4, &v);
        let polys = polygonize(&reg.labels, 4, 4, &t, |_| true);
        assert_eq!(polys.len(), 2);
        let outer = &polys.iter().find(|(l, _)| reg.class[*l as usize] == 1).unwrap().1;
        assert_eq!(outer.interiors().len(), 1);
        assert_eq!(outer.unsigned_area(), 12.0);
        assert_eq!(outer.exterior().0.len(), 5, "corners only");
        assert!(outer.is_valid());
        let inner = &polys.iter().find(|(l, _)| reg.class[*l as usize] == 2).unwrap().1;
        assert_eq!(inner.unsigned_area(), 4.0);
        assert!(signed_area(&outer.exterior().0) > 0.0, "shell counter-clockwise");
    }

    #[test]
    fn parallel_tracing_equals_one_sequential_scan() {
        // Noisy regions (holes, diagonal touches, regions spanning the grid) traced by the parallel
        // tasks and by one scan over every label: the same rings, vertex for vertex.
        let (w, h) = (120, 90);
        let mut rng = crate::risk::synthetic::Lcg(99);
        let v: Vec<u8> = (0..w * h)
            .map(|i| {
                let draw = rng.next();
                if (i % w) / 30 == (i / w) / 30 { 1 } else { 1 + (draw % 3) as u8 }
            })
            .collect();
        let reg = unit_cells(w, h, &v).0;
        let t = GeoTransform { x0: 500_000.0, y0: 2_000_000.0, dx: 30.0, dy: 30.0 };
        let visited: Vec<AtomicU8> = (0..w * h).map(|_| AtomicU8::new(0)).collect();
        let want = trace_labels(Tracer { labels: &reg.labels, w, h, visited: &visited }, &t, |_| true);
        assert!(want.len() > 500, "{} regions", want.len());
        assert_eq!(polygonize(&reg.labels, w, h, &t, |_| true), want);
        let odd = polygonize(&reg.labels, w, h, &t, |l| l % 2 == 1);
        assert_eq!(odd, want.iter().filter(|p| p.0 % 2 == 1).cloned().collect::<Vec<_>>());
    }

    #[test]
    fn self_touching_region_stays_valid() {
        // The 1-region touches itself diagonally at the corner between (1,1) and (2,2): one shell
        // with the enclosed 0-cell as a hole touching it at a point.
        #[rustfmt::skip]
        let v = [
            1, 1, 1, 0,
            1, 3, 1, 0,
            1, 1, 3, 0,
            0, 0, 0, 0,
        ];
        let (reg, t) = unit_cells(4, 4, &v);
        let l1 = reg.labels[0];
        let polys = polygonize(&reg.labels, 4, 4, &t, |l| l == l1);
        assert_eq!(polys.len(), 1);
        let p = &polys[0].1;
        assert_eq!(p.unsigned_area(), 7.0);
        assert!(p.is_valid(), "{:?}", p.validation_errors());
    }
}
