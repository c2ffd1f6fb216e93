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
        if clearly_kept(a, b, p, eps) {
            break;
        }
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

/// Whether `b` certainly stays a vertex when `p` is appended after `a`, `b` — [`push`]'s test
/// `above > 0 && merged > eps` certainly true — decided without its division: b's height above the
/// chord a→p times (p.x − a.x) is a difference of two products of f32 differences, each exact in
/// f64, so it is the exact value to 1 part in 10¹⁵; [`push`]'s f32 `above` is within
/// 10 u·max|z| < 6·10⁻⁷·(|a.z| + |b.z| + |p.z|) of the exact height (u = 2⁻²⁴: a rounded quotient,
/// product, sum and difference), so a height more than twice that over max(eps, 0) makes its
/// `above` exceed eps and 0, and `merged ≥ above`. Where this says no, [`push`] decides as it did.
#[inline(always)]
fn clearly_kept(a: Vertex, b: Vertex, p: Vertex, eps: f32) -> bool {
    let (ax, az) = (a.x as f64, a.z as f64);
    let dx = p.x as f64 - ax;
    let lifted = (b.z as f64 - az) * dx - (p.z as f64 - az) * (b.x as f64 - ax);
    let margin = 1.2e-6 * (a.z.abs() as f64 + b.z.abs() as f64 + p.z.abs() as f64) + 1e-6;
    lifted > (eps.max(0.0) as f64 + margin) * dx
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

    /// [`push`] before its division-free keep test ([`clearly_kept`]), the reference it must equal.
    fn push_before(h: &mut Vec<Vertex>, mut p: Vertex, eps: f32) {
        let mut slack = 0.0f32;
        while h.len() >= 2 {
            let a = h[h.len() - 2];
            let b = h[h.len() - 1];
            let t = (b.x - a.x) / (p.x - a.x);
            let above = b.z - (a.z + (p.z - a.z) * t);
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

    #[test]
    fn division_free_keep_test_leaves_the_hull_bit_for_bit() {
        // Random profiles — smooth and rough, low and 3000 m high, steps of 1–100 m, some with
        // runs of exact flats and exact straight slopes (ties at the keep test's threshold) — pushed
        // with tolerances 0 to 2 m: after every point the hull (x, z and slack of every vertex) has
        // the reference's bits, and the fast test decided a good share of the first steps (22 % here).
        let mut rng = crate::dataset::demo::rng::Rng::new(1515);
        let (mut fast, mut all) = (0u64, 0u64);
        for case in 0..400 {
            let step = rng.range(1.0, 100.0) as f32;
            let base = rng.range(-50.0, 3000.0) as f32;
            let amp = rng.range(0.01, 300.0) as f32;
            let rough = rng.range(0.0, 1.0) as f32;
            let eps = [0.0, 0.5, rng.range(0.0, 2.0) as f32][case % 3];
            let flat = case % 5 == 0;
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for s in 0..800 {
                let x = s as f32 * step;
                let z = if flat && (s / 40) % 2 == 0 {
                    base + (s / 80) as f32 * 3.0 + if (s / 40) % 4 == 0 { 0.0 } else { 0.25 * s as f32 }
                } else {
                    base + amp * (x / (37.0 * step)).sin() + rough * amp * 0.2 * (rng.f64() as f32 - 0.5) - x * x / 17.0e6
                };
                let p = Vertex::new(x, z);
                if b.len() >= 2 {
                    all += 1;
                    fast += clearly_kept(b[b.len() - 2], b[b.len() - 1], p, eps) as u64;
                }
                push(&mut a, p, eps);
                push_before(&mut b, p, eps);
                let bits = |h: &[Vertex]| h.iter().map(|v| (v.x.to_bits(), v.z.to_bits(), v.slack.to_bits())).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "case {case}, s {s}");
            }
        }
        assert!(fast * 10 > all, "{fast} of {all}");
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
