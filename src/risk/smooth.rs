//! Smoothing of traced raster outlines by bounded corner cutting: every vertex is replaced by two
//! points at distance `d` along its two edges (at most half an edge), then `d` is halved for
//! the next pass. With `d` = half a cell the first pass puts both cut points of a one-cell stair
//! step at the edge midpoints, so 45° staircases become straight lines; long straight edges only
//! lose their corners (Chaikin's scheme would cut a quarter of every edge, shrinking large simple
//! zones). Each cut stays inside the triangle of its corner, within `d` of a grid vertex, so rings
//! traced on the grid do not cross after smoothing, and points where a hole touched its shell come
//! apart. Collinear and repeated vertices are dropped after each pass.

use geo::{Coord, LineString, Polygon};

/// Smooth every ring of `p`; `cell` is the grid cell size (m).
pub fn smooth_polygon(p: &Polygon<f64>, cell: f64, passes: usize) -> Polygon<f64> {
    let ext = smooth_ring(p.exterior(), cell, passes);
    let holes = p.interiors().iter().map(|r| smooth_ring(r, cell, passes)).collect();
    Polygon::new(ext, holes)
}

/// Smooth a closed ring (first point repeated at the end).
pub fn smooth_ring(ring: &LineString<f64>, cell: f64, passes: usize) -> LineString<f64> {
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    pts = simplify_collinear(pts, cell);
    let mut d = cell / 2.0;
    for _ in 0..passes {
        if pts.len() < 3 {
            break;
        }
        let n = pts.len();
        let mut out = Vec::with_capacity(2 * n);
        for i in 0..n {
            let (a, v, b) = (pts[(i + n - 1) % n], pts[i], pts[(i + 1) % n]);
            let toward = |p: Coord<f64>| {
                let len = ((p.x - v.x).powi(2) + (p.y - v.y).powi(2)).sqrt();
                if len == 0.0 {
                    return v;
                }
                let t = (d / len).min(0.5);
                Coord { x: v.x + (p.x - v.x) * t, y: v.y + (p.y - v.y) * t }
            };
            out.push(toward(a));
            out.push(toward(b));
        }
        pts = simplify_collinear(out, cell);
        d /= 2.0;
    }
    if let Some(f) = pts.first().copied() {
        pts.push(f);
    }
    LineString::new(pts)
}

/// Drop repeated points and points on the straight line between their neighbours.
fn simplify_collinear(pts: Vec<Coord<f64>>, cell: f64) -> Vec<Coord<f64>> {
    let eps = 1e-9 * cell * cell;
    let mut v: Vec<Coord<f64>> = Vec::with_capacity(pts.len());
    for p in pts {
        if v.last().is_some_and(|q| (q.x - p.x).abs() < 1e-9 * cell && (q.y - p.y).abs() < 1e-9 * cell) {
            continue;
        }
        v.push(p);
    }
    while v.len() > 1 && (v[0].x - v[v.len() - 1].x).abs() < 1e-9 * cell && (v[0].y - v[v.len() - 1].y).abs() < 1e-9 * cell {
        v.pop();
    }
    // One sweep keeping a vertex only where the turn is not straight; repeat until stable.
    loop {
        let n = v.len();
        if n < 4 {
            return v;
        }
        let keep: Vec<bool> = (0..n)
            .map(|i| {
                let (a, b, c) = (v[(i + n - 1) % n], v[i], v[(i + 1) % n]);
                ((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)).abs() > eps
            })
            .collect();
        if keep.iter().all(|k| *k) {
            return v;
        }
        // Removing every straight vertex at once is safe: their neighbours stay on the same line.
        v = v.into_iter().zip(keep).filter_map(|(p, k)| k.then_some(p)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area, Validation};

    #[test]
    fn staircase_becomes_a_straight_diagonal() {
        // A right triangle drawn as a 1-cell staircase (legs 4 cells): after the first pass its
        // hypotenuse is the straight line through the stair midpoints, so only a handful of vertices
        // remain, and the area stays close to the raster's (10 cells).
        let stair = polygon![
            (x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 1.), (x: 3., y: 1.), (x: 3., y: 2.), (x: 2., y: 2.),
            (x: 2., y: 3.), (x: 1., y: 3.), (x: 1., y: 4.), (x: 0., y: 4.), (x: 0., y: 0.),
        ];
        let s = smooth_polygon(&stair, 1.0, 1);
        assert!(s.exterior().0.len() <= 10, "{:?}", s.exterior().0);
        assert!((s.unsigned_area() - 10.0).abs() < 1.0, "{}", s.unsigned_area());
        assert!(s.is_valid());
    }

    #[test]
    fn large_square_keeps_its_area() {
        // Cutting corners by at most half a cell: a 20 × 20-cell square loses < 0.2 % of its area.
        let sq = polygon![(x: 0., y: 0.), (x: 600., y: 0.), (x: 600., y: 600.), (x: 0., y: 600.), (x: 0., y: 0.)];
        let s = smooth_polygon(&sq, 30.0, 2);
        assert!((s.unsigned_area() - 360_000.0).abs() / 360_000.0 < 0.002, "{}", s.unsigned_area());
    }
}
