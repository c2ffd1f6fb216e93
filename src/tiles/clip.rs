//! Clipping geometries to a tile's buffered square and snapping them to the integer tile grid.
//! Works in tile coordinates (x right, y down, 0..4096 across the tile). Lines are cut with
//! Liang–Barsky into the pieces inside; polygons are intersected with the square by geo's boolean
//! operations (i_overlay), so the pieces are valid polygons, not the zero-width bridges a
//! Sutherland–Hodgman clip leaves; snapping then removes repeated points and spikes, drops rings that
//! collapse, and orients rings as MVT 2.1 requires (exterior positive area, holes negative).

use geo::{BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};

use super::mvt::ring_area2;

/// The clip square [lo, hi]² in tile coordinates.
#[derive(Debug, Clone, Copy)]
pub struct ClipBox {
    pub lo: f64,
    pub hi: f64,
}

impl ClipBox {
    #[inline]
    pub fn contains(&self, p: [f64; 2]) -> bool {
        p[0] >= self.lo && p[0] <= self.hi && p[1] >= self.lo && p[1] <= self.hi
    }
    fn rect(&self) -> Rect<f64> {
        Rect::new(Coord { x: self.lo, y: self.lo }, Coord { x: self.hi, y: self.hi })
    }
}

/// The parameter interval [t0, t1] of segment a→b inside the box (Liang–Barsky), if any.
fn liang_barsky(a: [f64; 2], b: [f64; 2], c: &ClipBox) -> Option<(f64, f64)> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [(-dx, a[0] - c.lo), (dx, c.hi - a[0]), (-dy, a[1] - c.lo), (dy, c.hi - a[1])] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((t0, t1))
}

#[inline]
fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// The parts of a polyline inside the box, in order.
pub fn clip_line(pts: &[[f64; 2]], c: &ClipBox) -> Vec<Vec<[f64; 2]>> {
    let mut out = Vec::new();
    let mut cur: Vec<[f64; 2]> = Vec::new();
    let flush = |cur: &mut Vec<[f64; 2]>, out: &mut Vec<Vec<[f64; 2]>>| {
        if cur.len() >= 2 {
            out.push(std::mem::take(cur));
        } else {
            cur.clear();
        }
    };
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match liang_barsky(a, b, c) {
            None => flush(&mut cur, &mut out),
            Some((t0, t1)) => {
                if t0 > 0.0 {
                    flush(&mut cur, &mut out);
                }
                if cur.is_empty() {
                    cur.push(lerp(a, b, t0));
                }
                cur.push(lerp(a, b, t1));
                if t1 < 1.0 {
                    flush(&mut cur, &mut out);
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Vertices above which a polygon is first cut down by Sutherland–Hodgman (linear time) before the
/// exact boolean intersection, which is O(n log n) in the whole polygon.
const PREFILTER_VERTICES: usize = 64;

/// Sutherland–Hodgman: the ring clipped to the box, as one ring (possibly with zero-width bridges along
/// the box edges, which the boolean intersection afterwards removes).
fn sutherland_hodgman(ring: &LineString<f64>, c: &ClipBox) -> Vec<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    // Each edge of the box: (inside test, intersection of segment a→b with the edge line).
    for edge in 0..4 {
        if pts.is_empty() {
            break;
        }
        let inside = |p: &Coord<f64>| match edge {
            0 => p.x >= c.lo,
            1 => p.x <= c.hi,
            2 => p.y >= c.lo,
            _ => p.y <= c.hi,
        };
        let cut = |a: &Coord<f64>, b: &Coord<f64>| {
            let t = match edge {
                0 => (c.lo - a.x) / (b.x - a.x),
                1 => (c.hi - a.x) / (b.x - a.x),
                2 => (c.lo - a.y) / (b.y - a.y),
                _ => (c.hi - a.y) / (b.y - a.y),
            };
            Coord { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }
        };
        let mut out = Vec::with_capacity(pts.len());
        for k in 0..pts.len() {
            let cur = &pts[k];
            let prev = &pts[(k + pts.len() - 1) % pts.len()];
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(*cur),
                (true, false) => out.push(cut(prev, cur)),
                (false, true) => {
                    out.push(cut(prev, cur));
                    out.push(*cur);
                }
                (false, false) => {}
            }
        }
        pts = out;
    }
    pts
}

/// The polygon cut to the box: unchanged when inside, empty when outside, else the exact intersection.
pub fn clip_polygon(p: &Polygon<f64>, c: &ClipBox) -> MultiPolygon<f64> {
    clip_polygon_with(p, c, PREFILTER_VERTICES)
}

fn clip_polygon_with(p: &Polygon<f64>, c: &ClipBox, prefilter_above: usize) -> MultiPolygon<f64> {
    let Some(bb) = p.bounding_rect() else { return MultiPolygon(vec![]) };
    if bb.min().x >= c.lo && bb.max().x <= c.hi && bb.min().y >= c.lo && bb.max().y <= c.hi {
        return MultiPolygon(vec![p.clone()]);
    }
    if bb.max().x < c.lo || bb.min().x > c.hi || bb.max().y < c.lo || bb.min().y > c.hi {
        return MultiPolygon(vec![]);
    }
    let rect = c.rect().to_polygon();
    let n = p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>();
    if n <= prefilter_above {
        return p.intersection(&rect);
    }
    let ext = sutherland_hodgman(p.exterior(), c);
    if ext.len() < 3 {
        return MultiPolygon(vec![]);
    }
    let holes: Vec<LineString<f64>> = p
        .interiors()
        .iter()
        .map(|h| sutherland_hodgman(h, c))
        .filter(|h| h.len() >= 3)
        .map(LineString::from)
        .collect();
    Polygon::new(LineString::from(ext), holes).intersection(&rect)
}

/// Round to the integer grid and drop repeated consecutive points.
pub fn snap_path(pts: impl IntoIterator<Item = [f64; 2]>) -> Vec<[i32; 2]> {
    let mut out: Vec<[i32; 2]> = Vec::new();
    for p in pts {
        let q = [p[0].round() as i32, p[1].round() as i32];
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

/// Snap a closed ring: open it, remove repeated points and spikes (a→b→a), and return it when it still
/// encloses area.
pub fn snap_ring(ring: &LineString<f64>) -> Option<Vec<[i32; 2]>> {
    let mut r = snap_path(ring.0.iter().map(|c| [c.x, c.y]));
    while r.len() > 1 && r.first() == r.last() {
        r.pop();
    }
    // Spikes appear when snapping folds a thin part onto itself; remove until none is left.
    let mut changed = true;
    while changed && r.len() >= 3 {
        changed = false;
        let mut i = 0;
        while i < r.len() && r.len() >= 3 {
            let n2 = r.len();
            let prev = r[(i + n2 - 1) % n2];
            let next = r[(i + 1) % n2];
            if prev == next || prev == r[i] {
                r.remove(i);
                changed = true;
            } else {
                i += 1;
            }
        }
    }
    if r.len() < 3 || ring_area2(&r) == 0 {
        return None;
    }
    Some(r)
}

/// Snap a polygon's rings and orient them: exterior positive, holes negative area in tile
/// coordinates. `None` when the exterior collapses.
pub fn snap_polygon(p: &Polygon<f64>) -> Option<Vec<Vec<[i32; 2]>>> {
    let mut ext = snap_ring(p.exterior())?;
    if ring_area2(&ext) < 0 {
        ext.reverse();
    }
    let mut rings = vec![ext];
    for h in p.interiors() {
        if let Some(mut r) = snap_ring(h) {
            if ring_area2(&r) > 0 {
                r.reverse();
            }
            rings.push(r);
        }
    }
    Some(rings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    const B: ClipBox = ClipBox { lo: 0.0, hi: 10.0 };

    #[test]
    fn line_crossing_the_box_twice_gives_two_parts() {
        // A U-shaped path leaving and re-entering: worked by hand with Liang–Barsky.
        let parts = clip_line(&[[-5.0, 5.0], [5.0, 5.0], [5.0, 15.0], [8.0, 15.0], [8.0, 5.0]], &B);
        assert_eq!(parts, vec![vec![[0.0, 5.0], [5.0, 5.0], [5.0, 10.0]], vec![[8.0, 10.0], [8.0, 5.0]]]);
        assert!(clip_line(&[[-5.0, -5.0], [-1.0, 20.0]], &B).is_empty());
    }

    #[test]
    fn concave_polygon_is_split_not_bridged() {
        // A U open to the north whose arms leave the box: the clip must give two separate polygons
        // (a Sutherland–Hodgman clip would give one ring with a zero-width bridge along y = 10).
        let u = polygon![(x: 1.0, y: 0.0), (x: 9.0, y: 0.0), (x: 9.0, y: 20.0), (x: 7.0, y: 20.0),
                         (x: 7.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 20.0), (x: 1.0, y: 20.0)];
        let out = clip_polygon(&u, &ClipBox { lo: 0.0, hi: 30.0 });
        assert!((out.unsigned_area() - u.unsigned_area()).abs() < 1e-9);
        let out = clip_polygon(&u, &ClipBox { lo: -1.0, hi: 10.0 });
        // Inside y ≤ 10: base 8×2 + two arms 2×8 each = 48.
        assert!((out.unsigned_area() - 48.0).abs() < 1e-9, "{}", out.unsigned_area());
        assert_eq!(out.0.len(), 1, "the base joins the arms: one polygon");
        let out = clip_polygon(&u, &ClipBox { lo: 2.5, hi: 30.0 });
        assert_eq!(out.0.len(), 2, "arms cut off from the base: two polygons");
        // The same through the Sutherland–Hodgman prefilter (used for large polygons): its bridge along
        // y = 2.5 is removed by the boolean intersection.
        let pre = clip_polygon_with(&u, &ClipBox { lo: 2.5, hi: 30.0 }, 0);
        assert_eq!(pre.0.len(), 2);
        assert!((pre.unsigned_area() - out.unsigned_area()).abs() < 1e-9);
        let pre = clip_polygon_with(&u, &ClipBox { lo: -1.0, hi: 10.0 }, 0);
        assert!((pre.unsigned_area() - 48.0).abs() < 1e-9);
    }

    #[test]
    fn prefilter_gives_the_exact_intersection() {
        // A wiggly star with a hole, cut by boxes at many offsets: the area through the prefilter equals
        // the plain boolean intersection's.
        let ring: Vec<(f64, f64)> = (0..300)
            .map(|k| {
                let a = k as f64 / 300.0 * std::f64::consts::TAU;
                let r = 50.0 + 20.0 * (9.0 * a).sin() + 6.0 * (31.0 * a).cos();
                (r * a.cos(), r * a.sin())
            })
            .collect();
        let hole: Vec<(f64, f64)> = (0..40).map(|k| {
            let a = -(k as f64) / 40.0 * std::f64::consts::TAU;
            (10.0 * a.cos() + 5.0, 10.0 * a.sin())
        }).collect();
        let p = Polygon::new(LineString::from(ring), vec![LineString::from(hole)]);
        for (lo, hi) in [(-10.0, 30.0), (0.0, 100.0), (-80.0, -20.0), (20.0, 45.0), (-3.0, 3.0)] {
            let b = ClipBox { lo, hi };
            let exact = clip_polygon_with(&p, &b, usize::MAX);
            let pre = clip_polygon_with(&p, &b, 0);
            assert!((exact.unsigned_area() - pre.unsigned_area()).abs() < 1e-6 * exact.unsigned_area().max(1.0), "{lo}..{hi}");
            assert_eq!(exact.0.len(), pre.0.len(), "{lo}..{hi}");
        }
    }

    #[test]
    fn snapping_orients_and_drops_collapsed_rings() {
        // Counter-clockwise on screen (negative area in y-down coordinates) must be reversed.
        let p = polygon!(exterior: [(x: 0.0, y: 0.0), (x: 0.0, y: 10.0), (x: 10.0, y: 10.0), (x: 10.0, y: 0.0)],
                         interiors: [[(x: 2.0, y: 2.0), (x: 4.0, y: 2.0), (x: 4.0, y: 4.0), (x: 2.0, y: 4.0)],
                                     [(x: 6.0, y: 6.0), (x: 6.2, y: 6.1), (x: 6.1, y: 6.3)]]);
        let rings = snap_polygon(&p).unwrap();
        assert_eq!(rings.len(), 2, "the sub-unit hole collapses");
        assert!(ring_area2(&rings[0]) > 0 && ring_area2(&rings[1]) < 0);
        let sliver = polygon![(x: 0.0, y: 0.0), (x: 5.0, y: 0.2), (x: 10.0, y: 0.0)];
        assert!(snap_polygon(&sliver).is_none());
    }
}
