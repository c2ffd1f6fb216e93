//! Diffraction over a general terrain path by the Bullington method, as ITU-R P.1812-4 §4.3.1 and
//! P.452-16 §4.2.1 give it (eqs. 13–20): the obstacles are replaced by one equivalent knife edge at
//! the intersection of the transmitter's and the receiver's horizon rays, and the loss is J(ν_b) of
//! ITU-R P.526 eq. (31). When the path is in line of sight, the loss is J of the largest ν of the
//! profile points (grazing and sub-path obstruction). The empirical term of P.1812 eq. (21),
//! [1 − e^(−J/6)](10 + 0.02 d), is not added: the empirical median models this loss is added to
//! already carry the average environment, and without it a single ridge gives the textbook
//! knife-edge loss exactly.
//!
//! Why Bullington and not Deygout ([`super::deygout`], also available): Bullington's loss is
//! continuous and monotone — raising an antenna, or lowering any obstacle, never increases it —
//! while Deygout's jumps by several dB where two edges compete for principal edge.
//!
//! Profile points are the vertices of the terrain's upper hull ([`super::hull`]), which holds every
//! horizon: the transmitter's and receiver's horizons are the tangents from each end to the hull
//! (found by bisection on the concave chain), so each receiver costs O(log m) for m vertices. In
//! line of sight the largest ν is searched on the hull too — along a concave chain |h|/r (clearance
//! over Fresnel radius, a convex over a concave function) is quasiconvex, so ν is unimodal.

use super::hull::Vertex;
use super::knife_edge::j_db_f32;

/// Vertex of largest f over `hull`, where f is unimodal along the chain; `up(j)` tells whether
/// f(j + 1) > f(j).
#[inline]
fn peak(len: usize, up: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, len - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if up(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Index of the hull vertex seen at the steepest elevation from `tx` (left of every vertex).
#[inline]
pub fn tx_horizon(tx: Vertex, hull: &[Vertex]) -> usize {
    // slope(tx → j+1) > slope(tx → j), cross-multiplied (distances positive).
    peak(hull.len(), |j| {
        let (a, b) = (hull[j], hull[j + 1]);
        (b.z - tx.z) * (a.x - tx.x) > (a.z - tx.z) * (b.x - tx.x)
    })
}

/// Index of the hull vertex seen at the steepest elevation from `rx` (right of every vertex).
#[inline]
pub fn rx_horizon(rx: Vertex, hull: &[Vertex]) -> usize {
    peak(hull.len(), |j| {
        let (a, b) = (hull[j], hull[j + 1]);
        (b.z - rx.z) * (rx.x - a.x) > (a.z - rx.z) * (rx.x - b.x)
    })
}

/// Bullington diffraction loss (dB) of the path `tx`→`rx` over the terrain hull `hull` (a concave
/// chain strictly between the ends, in the flattened-earth frame) whose transmitter horizon — the
/// point seen at the steepest elevation from `tx` — is `horizon` (the walk keeps it as a running
/// maximum); `two_over_lambda` = 2/λ in 1/m.
pub fn bullington_loss_db(tx: Vertex, rx: Vertex, hull: &[Vertex], horizon: Vertex, two_over_lambda: f32) -> f32 {
    if hull.is_empty() {
        return 0.0;
    }
    let d = rx.x - tx.x;
    let t = horizon;
    let stim = (t.z - tx.z) / (t.x - tx.x);
    let str_ = (rx.z - tx.z) / d;
    let nu = if stim < str_ {
        // Line of sight: the point of largest ν, h|h|/(d₁d₂) being unimodal along the hull.
        let q = |p: Vertex| {
            let (d1, d2) = (p.x - tx.x, rx.x - p.x);
            let h = p.z - (tx.z + str_ * d1);
            h * h.abs() / (d1 * d2)
        };
        let k = peak(hull.len(), |j| q(hull[j + 1]) > q(hull[j]));
        let q = q(hull[k]) * d;
        let v = (q.abs() * two_over_lambda).sqrt();
        if q < 0.0 {
            -v
        } else {
            v
        }
    } else {
        let r = hull[rx_horizon(rx, hull)];
        let srim = (r.z - rx.z) / (rx.x - r.x);
        let den = stim + srim;
        // The Bullington point: where the two horizon rays cross (between the two horizons).
        let (lo, hi) = if t.x <= r.x { (t.x, r.x) } else { (r.x, t.x) };
        let dbp = if den > 0.0 { ((rx.z - tx.z + srim * d) / den + tx.x).clamp(lo, hi) } else { t.x };
        let d1 = dbp - tx.x;
        let d2 = rx.x - dbp;
        let h = tx.z + stim * d1 - (tx.z + str_ * d1);
        h * (two_over_lambda * d / (d1 * d2)).sqrt()
    };
    j_db_f32(nu)
}

#[cfg(test)]
mod tests {
    use super::super::hull::push;
    use super::super::knife_edge::{fresnel_nu, j_db};
    use super::*;

    fn v(x: f32, z: f32) -> Vertex {
        Vertex::new(x, z)
    }

    fn loss(tx: Vertex, rx: Vertex, hull: &[Vertex], tol: f32) -> f32 {
        let h = if hull.is_empty() { tx } else { hull[tx_horizon(tx, hull)] };
        bullington_loss_db(tx, rx, hull, h, tol)
    }

    /// P.1812-4 eqs. (13)–(20) over every profile point, in f64 (the reference implementation).
    fn p1812(tx: (f64, f64), rx: (f64, f64), pts: &[(f64, f64)], lambda: f64) -> f64 {
        let d = rx.0 - tx.0;
        let stim = pts.iter().map(|p| (p.1 - tx.1) / (p.0 - tx.0)).fold(f64::MIN, f64::max);
        let str_ = (rx.1 - tx.1) / d;
        let nu = if stim < str_ {
            pts.iter()
                .map(|p| {
                    let (d1, d2) = (p.0 - tx.0, rx.0 - p.0);
                    (p.1 - (tx.1 * d2 + rx.1 * d1) / d) * (2.0 * d / (lambda * d1 * d2)).sqrt()
                })
                .fold(f64::MIN, f64::max)
        } else {
            let srim = pts.iter().map(|p| (p.1 - rx.1) / (rx.0 - p.0)).fold(f64::MIN, f64::max);
            let dbp = (rx.1 - tx.1 + srim * d) / (stim + srim);
            (tx.1 + stim * dbp - (tx.1 * (d - dbp) + rx.1 * dbp) / d) * (2.0 * d / (lambda * dbp * (d - dbp))).sqrt()
        };
        j_db(nu)
    }

    #[test]
    fn single_edge_is_the_knife_edge() {
        super::super::knife_edge::check_single_edge(loss);
        // At grazing: 6 dB.
        let g = loss(v(0.0, 0.0), v(2000.0, 0.0), &[v(1000.0, 0.0)], 6.0);
        assert!((g - 6.03).abs() < 0.01, "{g}");
    }

    #[test]
    fn two_edges_by_hand() {
        // Tx (0, 0), Rx (10 km, 0), edges 30 m at 3 km and 20 m at 7 km: Stim = 0.01, Srim =
        // 20/3000; the rays cross at dbp = Srim·d/(Stim + Srim) = 4000 m, 40 m above the line.
        let lambda = 1.0 / 3.0;
        let l = loss(v(0.0, 0.0), v(10_000.0, 0.0), &[v(3000.0, 30.0), v(7000.0, 20.0)], 6.0);
        let expect = j_db(fresnel_nu(40.0, 4000.0, 6000.0, lambda));
        assert!((l as f64 - expect).abs() < 1e-3, "{l} vs {expect}");
    }

    #[test]
    fn equals_p1812_over_every_point_of_a_rough_profile() {
        // Walk a rough profile, keeping the exact hull, and compare every receiver's loss with the
        // P.1812 formulas over all profile points.
        let f = 1800.0;
        let lambda = 299.792458 / f;
        let tol = (2.0 / lambda) as f32;
        let z = |x: f64| 40.0 * (x / 700.0).sin() + 25.0 * (x / 230.0).cos() + 6.0 * (x / 53.0).sin() - x * x / 17.0e6;
        let tx = (0.0, z(0.0) + 30.0);
        let mut hull = Vec::new();
        let mut pts: Vec<(f64, f64)> = Vec::new();
        let (mut nlos, mut los) = (0, 0);
        for s in 1..1500 {
            let x = s as f64 * 20.0;
            let rx = (x, z(x) + 1.5);
            if !pts.is_empty() {
                let a = loss(v(0.0, tx.1 as f32), v(x as f32, rx.1 as f32), &hull, tol) as f64;
                let b = p1812(tx, rx, &pts, lambda);
                let stim = pts.iter().map(|p| (p.1 - tx.1) / p.0).fold(f64::MIN, f64::max);
                if stim >= (rx.1 - tx.1) / x {
                    nlos += 1;
                    assert!((a - b).abs() < 0.02, "s = {s}: hull {a} vs P.1812 {b}");
                } else {
                    // In line of sight only hull vertices are examined; points below the hull can
                    // have a slightly larger ν, never a smaller one.
                    los += 1;
                    assert!(a <= b + 0.02 && b - a < 3.0, "s = {s}: hull {a} vs P.1812 {b}");
                }
            }
            pts.push((x, z(x)));
            push(&mut hull, v(x as f32, z(x) as f32), 0.0);
        }
        assert!(nlos > 300 && los > 20, "{nlos} {los}");
    }

    #[test]
    fn raising_the_transmitter_never_adds_loss() {
        let z = |x: f32| 30.0 * (x / 500.0).sin() + 18.0 * (x / 170.0).cos() - x * x / 17.0e6;
        let mut hull = Vec::new();
        for s in 1..800 {
            let x = s as f32 * 30.0;
            push(&mut hull, v(x, z(x)), 0.5);
            let rx = v(x + 30.0, z(x + 30.0) + 1.5);
            let mut last = f32::INFINITY;
            for h in [5.0, 10.0, 20.0, 40.0, 80.0] {
                let l = loss(v(0.0, z(0.0) + h), rx, &hull, 12.0);
                assert!(l <= last + 1e-5, "x = {x}, h = {h}: {l} > {last}");
                last = l;
            }
        }
    }
}
