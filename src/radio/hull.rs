//! The upper convex hull of a terrain profile, maintained incrementally as a radial walks outwards
//! (Andrew's monotone chain, amortised O(1) per point). Seen from the transmitter — the hull's first
//! vertex — the hull is the "stretched string" over the terrain: its vertices are the only points
//! that can be diffracting edges of a path to any receiver further out, and the receiver is in line
//! of sight exactly when no vertex rises above the straight Tx–Rx line.
//!
//! A vertex may also be dropped when the hull without it stays within a tolerance (0.5 m by default,
//! below the vertical accuracy of a 30 m DEM) of every point it replaces. Each vertex carries the
//! bound (`slack`) on how far dropped points stand above the hull edge ending at it, so the tolerance
//! holds for all points ever dropped, not just the last. Without it a smooth convex stretch — flat
//! land seen over the earth's curvature is one — would keep every sample as a vertex and each step
//! would cost the whole profile; with it, a smooth arc keeps one vertex per few kilometres.

/// A profile point: distance from the transmitter (m) and height in the flattened-earth frame (m).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vertex {
    pub x: f32,
    pub z: f32,
    /// Upper bound on the height of dropped profile points above the hull edge ending here (m).
    pub slack: f32,
}

impl Vertex {
    pub fn new(x: f32, z: f32) -> Self {
        Self { x, z, slack: 0.0 }
    }
}

/// Append `p` (further out than every vertex) to the upper hull `h`, dropping the vertices below the
/// new chord and those whose removal keeps every dropped point within `eps` of the hull. The first
/// vertex (the transmitter) is never dropped.
#[inline]
pub fn push(h: &mut Vec<Vertex>, mut p: Vertex, eps: f32) {
    let mut slack = 0.0f32;
    while h.len() >= 2 {
        let a = h[h.len() - 2];
        let b = h[h.len() - 1];
        let t = (b.x - a.x) / (p.x - a.x);
        let above = b.z - (a.z + (p.z - a.z) * t);
        // Points dropped under a→b and b→p stand at most their slack plus b's height above a→p.
        let merged = b.slack.max(slack) + above.max(0.0);
        if above <= 0.0 || merged <= eps {
            h.pop();
            slack = merged;
        } else {
            break;
        }
    }
    p.slack = slack;
    h.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pts: &[(f32, f32)], eps: f32) -> Vec<Vertex> {
        let mut h = Vec::new();
        for &(x, z) in pts {
            push(&mut h, Vertex::new(x, z), eps);
        }
        h
    }

    #[test]
    fn exact_upper_hull() {
        let h = build(&[(0.0, 10.0), (1.0, 0.0), (2.0, 5.0), (3.0, 1.0), (4.0, 4.0), (5.0, 0.0)], 0.0);
        let xs: Vec<f32> = h.iter().map(|v| v.x).collect();
        // By hand: (2,5) survives (3,1) but falls below the chord (0,10)→(4,4), which is 7 at x = 2.
        assert_eq!(xs, vec![0.0, 4.0, 5.0]);
        // Concave: slopes decrease along the hull.
        for w in h.windows(3) {
            let s1 = (w[1].z - w[0].z) / (w[1].x - w[0].x);
            let s2 = (w[2].z - w[1].z) / (w[2].x - w[1].x);
            assert!(s2 < s1);
        }
    }

    #[test]
    fn collinear_points_are_dropped() {
        let h = build(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)], 0.0);
        assert_eq!(h.len(), 2);
    }

    fn max_above(pts: &[(f32, f32)], h: &[Vertex]) -> f32 {
        let mut worst = 0.0f32;
        for &(x, z) in pts {
            let k = h.iter().position(|v| v.x >= x).unwrap();
            if k == 0 {
                continue;
            }
            let (a, b) = (h[k - 1], h[k]);
            let line = a.z + (b.z - a.z) * (x - a.x) / (b.x - a.x);
            worst = worst.max(z - line);
        }
        worst
    }

    #[test]
    fn tolerance_thins_a_smooth_arc() {
        // A dome z = −x²/(2·8.5e6) sampled every 30 m over 20 km (flat land over the k = 4/3 earth):
        // every point is on the exact hull; with 0.5 m tolerance only a handful remain, and no sample
        // rises more than the tolerance above the thinned hull.
        let pts: Vec<(f32, f32)> =
            (0..=667).map(|i| (i as f32 * 30.0, -((i as f32 * 30.0).powi(2)) / 17.0e6)).collect();
        assert_eq!(build(&pts, 0.0).len(), pts.len());
        let h = build(&pts, 0.5);
        assert!(h.len() < 12, "{}", h.len());
        assert!(max_above(&pts, &h) <= 0.5 + 1e-3, "{}", max_above(&pts, &h));
    }

    #[test]
    fn tolerance_holds_on_rough_terrain() {
        // A deterministic rough profile (sum of sines): the thinned hull never leaves a point more
        // than the tolerance above it, and the exact hull leaves none above it at all.
        let pts: Vec<(f32, f32)> = (0..2000)
            .map(|i| {
                let x = i as f32 * 30.0;
                (x, 50.0 * (x / 900.0).sin() + 20.0 * (x / 170.0).sin() + 3.0 * (x / 37.0).sin() - x * x / 17.0e6)
            })
            .collect();
        assert!(max_above(&pts, &build(&pts, 0.0)) <= 1e-3);
        let h = build(&pts, 0.5);
        assert!(max_above(&pts, &h) <= 0.5 + 1e-3, "{}", max_above(&pts, &h));
    }
}
