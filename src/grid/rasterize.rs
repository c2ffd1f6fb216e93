//! Burning vector features onto a grid: lines (roads) as the cells they cross, polygons
//! (communes, districts, basins) as the cells whose centre they contain. A shared raster primitive:
//! the risk stage uses it for distance-to-road and for attributing cells, sites and road lengths to
//! administrative units; the demo generator for the real drainage divides.

use geo::{LineString, MultiPolygon};
use rayon::prelude::*;

use crate::grid::Grid;

/// Mark every cell a line passes through (sampled every quarter cell, so no crossed cell is missed
/// except where a segment only clips a cell corner).
pub fn burn_lines<'a, T: Copy + PartialEq + Send + Sync>(
    like: &Grid<T>,
    lines: impl Iterator<Item = &'a LineString<f64>>,
) -> Vec<bool> {
    let mut mask = vec![false; like.width * like.height];
    let step = like.transform.dx.min(like.transform.dy) / 4.0;
    for line in lines {
        for seg in line.lines() {
            let (a, b) = (seg.start, seg.end);
            let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
            let n = (len / step).ceil().max(1.0) as usize;
            for k in 0..=n {
                let t = k as f64 / n as f64;
                if let Some((c, r)) = like.cell_of(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t) {
                    mask[r * like.width + c] = true;
                }
            }
        }
    }
    mask
}

/// For each cell, 1 + the index of the polygon containing its centre, or 0 for none (even–odd rule
/// over all rings, so holes are respected). Polygons are scanned in parallel; where two overlap on a
/// cell centre the later one wins.
pub fn burn_polygons<T: Copy + PartialEq + Send + Sync>(like: &Grid<T>, polys: &[&MultiPolygon<f64>]) -> Grid<u16> {
    let (w, h) = (like.width, like.height);
    let t = like.transform;
    let spans: Vec<Vec<(usize, usize, usize)>> = polys
        .par_iter()
        .map(|mp| {
            let mut out = Vec::new();
            let edges: Vec<((f64, f64), (f64, f64))> = mp
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|ring| ring.lines().map(|l| ((l.start.x, l.start.y), (l.end.x, l.end.y))))
                .collect();
            if edges.is_empty() {
                return out;
            }
            let (ymin, ymax) = edges.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (a, b)| (lo.min(a.1).min(b.1), hi.max(a.1).max(b.1)));
            let r0 = (((t.y0 - ymax) / t.dy).floor().max(0.0)) as usize;
            let r1 = (((t.y0 - ymin) / t.dy).ceil().max(0.0) as usize).min(h);
            let mut xs = Vec::new();
            for r in r0..r1 {
                let y = t.y0 - (r as f64 + 0.5) * t.dy;
                xs.clear();
                for &((x0, y0), (x1, y1)) in &edges {
                    if (y0 <= y) != (y1 <= y) {
                        xs.push(x0 + (y - y0) * (x1 - x0) / (y1 - y0));
                    }
                }
                xs.sort_by(f64::total_cmp);
                for pair in xs.chunks_exact(2) {
                    // Cells whose centre x lies in [pair0, pair1).
                    let c0 = ((pair[0] - t.x0) / t.dx - 0.5).ceil().max(0.0) as usize;
                    let c1 = (((pair[1] - t.x0) / t.dx - 0.5).ceil().max(0.0) as usize).min(w);
                    if c0 < c1 {
                        out.push((r, c0, c1));
                    }
                }
            }
            out
        })
        .collect();
    let mut g = like.like(0u16, Some(0));
    for (k, s) in spans.iter().enumerate() {
        let id = (k + 1).min(u16::MAX as usize) as u16;
        for &(r, c0, c1) in s {
            g.data[r * w + c0..r * w + c1].fill(id);
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;
    use geo::{polygon, Area};

    #[test]
    fn polygon_cell_count_matches_area() {
        // A 300 m × 210 m rectangle aligned to 30 m cells covers exactly 10 × 7 cells; a triangle's
        // cell count approaches its area (cell centres inside).
        let t = GeoTransform { x0: 0.0, y0: 600.0, dx: 30.0, dy: 30.0 };
        let g = Grid::new(20, 20, t, 0.0f32, None);
        let rect = MultiPolygon(vec![polygon![(x: 60., y: 300.), (x: 360., y: 300.), (x: 360., y: 510.), (x: 60., y: 510.)]]);
        let tri = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 600., y: 0.), (x: 0., y: 600.)]]);
        let b = burn_polygons(&g, &[&rect]);
        assert_eq!(b.data.iter().filter(|v| **v == 1).count(), 70);
        let b = burn_polygons(&g, &[&tri]);
        let n = b.data.iter().filter(|v| **v == 1).count() as f64 * 900.0;
        assert!((n - tri.unsigned_area()).abs() / tri.unsigned_area() < 0.06, "{n}");
    }

    #[test]
    fn line_marks_crossed_cells() {
        let t = GeoTransform { x0: 0.0, y0: 90.0, dx: 30.0, dy: 30.0 };
        let g = Grid::new(3, 3, t, 0.0f32, None);
        let l = LineString::from(vec![(1.0, 89.0), (89.0, 1.0)]);
        let m = burn_lines(&g, std::iter::once(&l));
        assert_eq!(m, vec![true, false, false, false, true, false, false, false, true]);
    }
}
