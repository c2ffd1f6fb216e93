//! Exact coverage fractions: for each raster cell, the fraction of its area inside a polygon, as
//! exactextract computes them (Baston, *exactextract*, `raster_cell_intersection.cpp`), so that edge
//! pixels count in zonal statistics by the share of them inside the parcel.
//!
//! Method (our own, exact for polygons whose rings do not overlap): in pixel coordinates the area of
//! a ring inside cell (c, r) is Σ over the ring's edge pieces crossing row r of
//! `dy · (width of the cell to the right of the piece)`. Splitting every edge at the row and column
//! lines makes that width linear along a piece, so its integral is `dy · (1 − f)` for the piece's own
//! cell (f = mean x of the piece inside its column) and `dy` for every cell further right. We add
//! `dy·(1−f)` to the piece's cell and `dy·f` to the next one, then a prefix sum along each row gives
//! every cell its exact area — the accumulation used by exact-area font rasterizers. Holes are rings of
//! the opposite orientation and subtract themselves. Cost: O(edge crossings + cells of the bounding box).

use geo::{MultiPolygon, Orient, Polygon};

use crate::grid::GeoTransform;

/// Coverage fractions of the cells of a window `[col0, col0+w) × [row0, row0+h)` of a raster.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub col0: usize,
    pub row0: usize,
    pub w: usize,
    pub h: usize,
    /// Row-major fraction (0–1) of each cell inside the polygon.
    pub frac: Vec<f64>,
}

impl Coverage {
    #[inline]
    pub fn get(&self, col: usize, row: usize) -> f64 {
        self.frac[(row - self.row0) * self.w + (col - self.col0)]
    }

    /// Σ fractions × cell area: the polygon's area inside the raster's extent.
    pub fn area(&self, t: &GeoTransform) -> f64 {
        self.frac.iter().sum::<f64>() * t.dx * t.dy
    }
}

/// Exact coverage of the cells of a `width` × `height` raster placed by `t` by `poly` (same CRS).
/// `None` when the polygon does not reach the raster.
pub fn coverage_fractions(poly: &MultiPolygon<f64>, t: &GeoTransform, width: usize, height: usize) -> Option<Coverage> {
    coverage_fractions_reusing(poly, t, width, height, Vec::new())
}

/// [`coverage_fractions`] computed in `buf`'s memory (cleared first): a caller visiting many zones
/// hands back the previous zone's `frac`, so the fractions cost no fresh allocation (on the 400 parcels
/// of `scripts/bench_reference.py`, page faults on new buffers were a third of `covermap zonal`'s time).
pub fn coverage_fractions_reusing(poly: &MultiPolygon<f64>, t: &GeoTransform, width: usize, height: usize, mut buf: Vec<f64>) -> Option<Coverage> {
    // Pixel space: x = column, y = row (downwards).
    let to_px = |x: f64, y: f64| ((x - t.x0) / t.dx, (t.y0 - y) / t.dy);
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in &poly.0 {
        for c in p.exterior().0.iter() {
            let (x, y) = to_px(c.x, c.y);
            minx = minx.min(x);
            maxx = maxx.max(x);
            miny = miny.min(y);
            maxy = maxy.max(y);
        }
    }
    if !(minx.is_finite() && maxx.is_finite() && miny.is_finite() && maxy.is_finite()) {
        return None;
    }
    let col0 = minx.floor().max(0.0) as usize;
    let row0 = miny.floor().max(0.0) as usize;
    let col1 = (maxx.ceil().max(0.0) as usize).min(width);
    let row1 = (maxy.ceil().max(0.0) as usize).min(height);
    if col1 <= col0 || row1 <= row0 {
        return None;
    }
    let (w, h) = (col1 - col0, row1 - row0);
    let stride = w + 1;
    buf.clear();
    buf.resize(stride * h, 0.0);
    let mut acc = buf;
    let (ox, oy) = (col0 as f64, row0 as f64);
    // Twice the signed (shoelace) area of the rings in pixel space, holes included.
    let mut area2 = 0.0;
    for p in &poly.0 {
        let p: Polygon<f64> = p.orient(geo::orient::Direction::Default);
        for ring in std::iter::once(p.exterior()).chain(p.interiors().iter()) {
            for seg in ring.0.windows(2) {
                let (ax, ay) = to_px(seg[0].x, seg[0].y);
                let (bx, by) = to_px(seg[1].x, seg[1].y);
                let (a, b) = ((ax - ox, ay - oy), (bx - ox, by - oy));
                area2 += a.0 * b.1 - b.0 * a.1;
                add_edge(&mut acc, stride, w, h, a, b);
            }
        }
    }
    // The accumulated coverage carries the sign of the rings' orientation, uniform after `orient`: a
    // ring with a positive shoelace area in pixel space (y down) accumulates negative coverage (the
    // unit square 0→(1,0)→(1,1)→(0,1): its dy = +1 edge at x = 1 adds +1 right of it, its dy = −1 edge
    // at x = 0 adds −1 from x = 0 on, so the cell between holds −1).
    let sign = if area2 > 0.0 { -1.0 } else { 1.0 };
    // Prefix sums along each row, written in place with the row stride w (the accumulator's extra
    // column only receives the spill of the last column): index r·w + c ≤ r·stride + c, so every
    // write lands on an accumulator cell already read. One pass also sets the sign and clamps.
    for r in 0..h {
        let mut s = 0.0;
        for c in 0..w {
            s += acc[r * stride + c];
            let f = (s * sign).clamp(0.0, 1.0);
            acc[r * w + c] = if f < 1e-12 { 0.0 } else { f };
        }
    }
    acc.truncate(w * h);
    Some(Coverage { col0, row0, w, h, frac: acc })
}

/// Accumulate one edge from `a` to `b` (window pixel coordinates).
fn add_edge(acc: &mut [f64], stride: usize, w: usize, h: usize, a: (f64, f64), b: (f64, f64)) {
    let (dy_total, dx_total) = (b.1 - a.1, b.0 - a.0);
    if dy_total == 0.0 {
        return; // horizontal edges enclose no area between rows
    }
    // Clip to the window's rows; parts above or below touch no cell of the window.
    let (ylo, yhi) = (a.1.min(b.1).max(0.0), a.1.max(b.1).min(h as f64));
    if ylo >= yhi {
        return;
    }
    let x_at = |y: f64| a.0 + dx_total * (y - a.1) / dy_total;
    let down = dy_total > 0.0;
    let r_start = ylo.floor() as usize;
    let r_end = (yhi.ceil() as usize).min(h);
    for r in r_start..r_end {
        let y_top = (r as f64).max(ylo);
        let y_bot = ((r + 1) as f64).min(yhi);
        if y_bot <= y_top {
            continue;
        }
        // Traverse in the edge's own direction so dy keeps its sign.
        let (y_p, y_q) = if down { (y_top, y_bot) } else { (y_bot, y_top) };
        let (x_p, x_q) = (x_at(y_p), x_at(y_q));
        add_row_piece(&mut acc[r * stride..(r + 1) * stride], w, (x_p, y_p), (x_q, y_q));
    }
}

/// Accumulate a piece of an edge lying within one row, split at the column lines inside the window
/// (beyond the window a piece only needs its total dy, which the clamping in `put` gives).
fn add_row_piece(row: &mut [f64], w: usize, p: (f64, f64), q: (f64, f64)) {
    let dy = q.1 - p.1;
    let mut put = |x_a: f64, x_b: f64, d: f64| {
        let xm = 0.5 * (x_a + x_b);
        if xm <= 0.0 {
            row[0] += d;
        } else if xm < w as f64 {
            let c = (xm.floor() as usize).min(w - 1);
            let f = xm - c as f64;
            row[c] += d * (1.0 - f);
            row[c + 1] += d * f;
        }
    };
    let (xlo, xhi) = (p.0.min(q.0), p.0.max(q.0));
    let span = xhi - xlo;
    if span == 0.0 {
        put(xlo, xlo, dy);
        return;
    }
    // y is linear in x along the piece, so a sub-interval of x carries its share of dy.
    let k0 = (xlo.floor() + 1.0).max(0.0) as i64;
    let k1 = (xhi.ceil() - 1.0).min(w as f64) as i64;
    let mut prev = xlo;
    for k in k0..=k1 {
        let x = k as f64;
        if x > prev && x < xhi {
            put(prev, x, dy * (x - prev) / span);
            prev = x;
        }
    }
    put(prev, xhi, dy * (xhi - prev) / span);
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    fn unit_grid() -> GeoTransform {
        // 1 m cells, top-left corner at (0, 4): the pixel (c, r) spans x∈[c,c+1], y∈[3−r, 4−r].
        GeoTransform { x0: 0.0, y0: 4.0, dx: 1.0, dy: 1.0 }
    }

    #[test]
    fn offset_square_hand_computed() {
        // Square [0.5, 2.5]² (4 m²): corner cells ¼ covered, edge cells ½, the centre cell fully.
        let sq = polygon![(x: 0.5, y: 0.5), (x: 2.5, y: 0.5), (x: 2.5, y: 2.5), (x: 0.5, y: 2.5), (x: 0.5, y: 0.5)];
        let cov = coverage_fractions(&MultiPolygon(vec![sq]), &unit_grid(), 4, 4).unwrap();
        // Rows 1..=3 (y from 3 down to 0), columns 0..=2.
        let expect = [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]];
        for (i, row) in expect.iter().enumerate() {
            for (j, e) in row.iter().enumerate() {
                assert!((cov.get(j, i + 1) - e).abs() < 1e-12, "cell ({j},{}) = {}", i + 1, cov.get(j, i + 1));
            }
        }
        assert!((cov.area(&unit_grid()) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn triangle_hand_computed() {
        // Right triangle (0,0),(2,0),(0,2): the diagonal x+y=2 halves cells (0,3) [x∈0..1,y∈1..2] and
        // (1,3)... by hand: cell x∈[0,1],y∈[0,1] is fully inside; x∈[1,2],y∈[0,1] and x∈[0,1],y∈[1,2]
        // are each cut by the diagonal into halves; x∈[1,2],y∈[1,2] is outside.
        let tri = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)];
        let cov = coverage_fractions(&MultiPolygon(vec![tri]), &unit_grid(), 4, 4).unwrap();
        assert!((cov.get(0, 3) - 1.0).abs() < 1e-12);
        assert!((cov.get(1, 3) - 0.5).abs() < 1e-12);
        assert!((cov.get(0, 2) - 0.5).abs() < 1e-12);
        assert!(cov.get(1, 2).abs() < 1e-12);
    }

    #[test]
    fn hole_subtracts_and_orientation_does_not_matter() {
        // 4×4 square with a 1×1 hole at [1.5,2.5]²: cell (1,1) [x1..2, y2..3] loses ¼ to the hole.
        let outer_cw = vec![(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (0.0, 0.0)];
        let hole = vec![(1.5, 1.5), (2.5, 1.5), (2.5, 2.5), (1.5, 2.5), (1.5, 1.5)];
        let p = Polygon::new(outer_cw.into(), vec![hole.into()]);
        let cov = coverage_fractions(&MultiPolygon(vec![p.clone()]), &unit_grid(), 4, 4).unwrap();
        assert!((cov.get(1, 1) - 0.75).abs() < 1e-12);
        assert!((cov.get(0, 0) - 1.0).abs() < 1e-12);
        assert!((cov.area(&unit_grid()) - 15.0).abs() < 1e-9);
        assert!((p.unsigned_area() - 15.0).abs() < 1e-12);
    }

    #[test]
    fn clipped_by_raster_edge() {
        // A square reaching 1.5 m west of the raster and 0.5 m north of it: only its part inside counts.
        let sq = polygon![(x: -1.5, y: 1.0), (x: 1.5, y: 1.0), (x: 1.5, y: 4.5), (x: -1.5, y: 4.5), (x: -1.5, y: 1.0)];
        let cov = coverage_fractions(&MultiPolygon(vec![sq]), &unit_grid(), 4, 4).unwrap();
        assert_eq!((cov.col0, cov.row0), (0, 0));
        // Inside the raster: x∈[0,1.5], y∈[1,4] → 4.5 m².
        assert!((cov.area(&unit_grid()) - 4.5).abs() < 1e-12, "{}", cov.area(&unit_grid()));
        assert!((cov.get(1, 0) - 0.5).abs() < 1e-12);
        let far = polygon![(x: 10.0, y: 10.0), (x: 11.0, y: 10.0), (x: 11.0, y: 11.0), (x: 10.0, y: 10.0)];
        assert!(coverage_fractions(&MultiPolygon(vec![far]), &unit_grid(), 4, 4).is_none());
    }

    #[test]
    fn matches_supersampling_on_an_irregular_quadrilateral() {
        // Reference: 400×400 point sampling per cell (error ≲ 1/400 of a cell along each edge).
        let t = GeoTransform { x0: 100.0, y0: 220.0, dx: 0.5, dy: 0.5 };
        let q = polygon![(x: 101.13, y: 210.37), (x: 108.91, y: 211.02), (x: 107.2, y: 218.66), (x: 100.4, y: 216.1), (x: 101.13, y: 210.37)];
        let cov = coverage_fractions(&MultiPolygon(vec![q.clone()]), &t, 40, 40).unwrap();
        use geo::Contains;
        let n = 400;
        for r in cov.row0..cov.row0 + cov.h {
            for c in cov.col0..cov.col0 + cov.w {
                let mut inside = 0;
                for i in 0..n {
                    for j in 0..n {
                        let x = t.x0 + (c as f64 + (j as f64 + 0.5) / n as f64) * t.dx;
                        let y = t.y0 - (r as f64 + (i as f64 + 0.5) / n as f64) * t.dy;
                        if q.contains(&geo::Point::new(x, y)) {
                            inside += 1;
                        }
                    }
                }
                let approx = inside as f64 / (n * n) as f64;
                assert!((cov.get(c, r) - approx).abs() < 0.006, "cell ({c},{r}): exact {} vs sampled {approx}", cov.get(c, r));
            }
        }
        assert!((cov.area(&t) - q.unsigned_area()).abs() < 1e-9);
    }
}
