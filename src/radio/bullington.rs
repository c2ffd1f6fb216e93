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
///
/// The bounds move by selects rather than a branch on `up` (whose outcome is a coin toss, so a
/// branch would be mispredicted about every other step): the same probes in the same order as
/// the branching form, so the same index.
#[inline(always)]
fn peak(len: usize, up: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, len - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        let u = up(mid);
        lo = if u { mid + 1 } else { lo };
        hi = if u { hi } else { mid };
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
#[inline]
pub fn bullington_loss_db(tx: Vertex, rx: Vertex, hull: &[Vertex], horizon: Vertex, two_over_lambda: f32) -> f32 {
    match bullington_edge(tx, rx, hull, horizon, horizon_slope(tx, horizon), two_over_lambda) {
        Edge::Loss(l) => l,
        Edge::Nlos(p) => nlos_loss_db(tx, rx, &p, two_over_lambda),
    }
}

/// [`bullington_loss_db`] in two halves: what needs the hull ([`bullington_edge`]: the line-of-sight
/// test, the receiver's horizon, and the whole loss in line of sight), and the arithmetic that
/// follows beyond the horizon ([`nlos_loss_db`]: three divisions, a square root and J(ν), a chain
/// of ~80 cycles that needs only the two horizons). The walk runs the first half sample by sample
/// as the hull grows and the second over a batch of samples, whose chains then overlap instead of
/// waiting on the hull's branches; each half is the single function's operations in its order, so
/// the loss is the same bit for bit.
#[derive(Debug, Clone, Copy)]
pub enum Edge {
    /// The loss is known (line of sight, or no terrain).
    Loss(f32),
    /// Beyond the transmitter's horizon: the horizons for [`nlos_loss_db`].
    Nlos(NlosPath),
}

/// The two horizons of a path beyond the transmitter's horizon and the two elevation slopes from
/// the transmitter (to its horizon, `stim`, and to the receiver, `str_`), as [`bullington_edge`]
/// found them.
#[derive(Debug, Clone, Copy)]
pub struct NlosPath {
    pub t: Vertex,
    pub r: Vertex,
    pub stim: f32,
    pub str_: f32,
}

/// The elevation slope of `t` seen from `tx` (P.1812's S_tim when `t` is the horizon).
#[inline(always)]
pub fn horizon_slope(tx: Vertex, t: Vertex) -> f32 {
    (t.z - tx.z) / (t.x - tx.x)
}

/// The first half of [`bullington_loss_db`] (see [`Edge`]); `stim` is [`horizon_slope`]`(tx,
/// horizon)`, which a walk computes once per horizon.
#[inline(always)]
pub fn bullington_edge(tx: Vertex, rx: Vertex, hull: &[Vertex], horizon: Vertex, stim: f32, two_over_lambda: f32) -> Edge {
    if hull.is_empty() {
        return Edge::Loss(0.0);
    }
    let d = rx.x - tx.x;
    let t = horizon;
    let str_ = (rx.z - tx.z) / d;
    if stim < str_ {
        // Line of sight: the point of largest ν, h|h|/(d₁d₂) being unimodal along the hull.
        let q = |p: Vertex| {
            let (d1, d2) = (p.x - tx.x, rx.x - p.x);
            let h = p.z - (tx.z + str_ * d1);
            h * h.abs() / (d1 * d2)
        };
        let k = peak(hull.len(), |j| q(hull[j + 1]) > q(hull[j]));
        let q = q(hull[k]) * d;
        let v = (q.abs() * two_over_lambda).sqrt();
        Edge::Loss(j_db_f32(if q < 0.0 { -v } else { v }))
    } else {
        Edge::Nlos(NlosPath { t, r: hull[rx_horizon(rx, hull)], stim, str_ })
    }
}

/// The second half of [`bullington_loss_db`] (see [`Edge`]): the loss over the equivalent knife
/// edge where the horizon rays of `p` cross.
#[inline(always)]
pub fn nlos_loss_db(tx: Vertex, rx: Vertex, p: &NlosPath, two_over_lambda: f32) -> f32 {
    let NlosPath { t, r, stim, str_ } = *p;
    let d = rx.x - tx.x;
    let srim = (r.z - rx.z) / (rx.x - r.x);
    let den = stim + srim;
    // The Bullington point: where the two horizon rays cross (between the two horizons).
    let (lo, hi) = if t.x <= r.x { (t.x, r.x) } else { (r.x, t.x) };
    let dbp = if den > 0.0 { ((rx.z - tx.z + srim * d) / den + tx.x).clamp(lo, hi) } else { t.x };
    let d1 = dbp - tx.x;
    let d2 = rx.x - dbp;
    let h = tx.z + stim * d1 - (tx.z + str_ * d1);
    j_db_f32(h * (two_over_lambda * d / (d1 * d2)).sqrt())
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

    /// The loss with the hull's vertices searched one by one instead of by bisection: in line of
    /// sight the vertex of largest ν, beyond the horizon the receiver's horizon (steepest seen from
    /// the receiver); the rest is the published arithmetic.
    fn exhaustive(tx: Vertex, rx: Vertex, hull: &[Vertex], horizon: Vertex, two_over_lambda: f32) -> f32 {
        let d = rx.x - tx.x;
        let (stim, str_) = (horizon_slope(tx, horizon), (rx.z - tx.z) / d);
        if stim < str_ {
            let nu = |p: &Vertex| {
                let (d1, d2) = (p.x - tx.x, rx.x - p.x);
                let h = p.z - (tx.z + str_ * d1);
                h.signum() * (h * h.abs() / (d1 * d2) * d * two_over_lambda).abs().sqrt()
            };
            j_db_f32(hull.iter().map(nu).fold(f32::MIN, f32::max))
        } else {
            let srim = |p: &&Vertex| (p.z - rx.z) / (rx.x - p.x);
            let r = *hull.iter().max_by(|a, b| srim(a).total_cmp(&srim(b))).unwrap();
            nlos_loss_db(tx, rx, &NlosPath { t: horizon, r, stim, str_ }, two_over_lambda)
        }
    }

    #[test]
    fn the_bisections_find_the_vertices_an_exhaustive_search_finds() {
        // Random rough profiles (sums of random sines over the earth's bulge, 20–90 m steps),
        // hulls with and without tolerance, masts of 5–80 m, receivers of 1.5–20 m, 700–3500 MHz,
        // horizon kept as the walk keeps it: every receiver's loss has the bits of the loss over the
        // vertex an exhaustive search of the hull picks (the bisections rely on the chain being
        // concave), and the two halves as the walk calls them give the whole function's bits.
        let mut rng = crate::dataset::demo::rng::Rng::new(15);
        let (mut nlos, mut los, mut checked) = (0, 0, 0);
        for case in 0..300 {
            let step = rng.range(20.0, 90.0) as f32;
            let waves: Vec<(f32, f32, f32)> =
                (0..4).map(|_| (rng.range(5.0, 120.0) as f32, rng.range(40.0, 3000.0) as f32, rng.range(0.0, 6.3) as f32)).collect();
            let z = |x: f32| waves.iter().map(|(a, l, p)| a * (x / l + p).sin()).sum::<f32>() - x * x / 17.0e6;
            let eps = if case % 3 == 0 { 0.0 } else { rng.range(0.1, 2.0) as f32 };
            let mast = rng.range(5.0, 80.0) as f32;
            let hr = rng.range(1.5, 20.0) as f32;
            let tol = (2.0 * rng.range(700.0, 3500.0) / 299.792458) as f32;
            let tx = v(0.0, z(0.0) + mast);
            let (mut hull, mut horizon): (Vec<Vertex>, Option<Vertex>) = (Vec::new(), None);
            for s in 1..600 {
                let x = s as f32 * step;
                let zp = z(x);
                let rx = v(x, zp + hr);
                if let Some(h) = horizon {
                    let want = exhaustive(tx, rx, &hull, h, tol);
                    let got = bullington_loss_db(tx, rx, &hull, h, tol);
                    let halves = match bullington_edge(tx, rx, &hull, h, horizon_slope(tx, h), tol) {
                        Edge::Loss(l) => {
                            los += 1;
                            l
                        }
                        Edge::Nlos(p) => {
                            nlos += 1;
                            nlos_loss_db(tx, rx, &p, tol)
                        }
                    };
                    assert_eq!(got.to_bits(), want.to_bits(), "case {case}, s {s}: {got} vs {want}");
                    assert_eq!(halves.to_bits(), got.to_bits(), "case {case}, s {s}");
                    checked += 1;
                }
                let p = v(x, zp);
                if horizon.is_none_or(|h| (zp - tx.z) * h.x > (h.z - tx.z) * x) {
                    horizon = Some(p);
                }
                push(&mut hull, p, eps);
            }
        }
        assert!(checked > 170_000 && nlos > 20_000 && los > 20_000, "{checked} {nlos} {los}");
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
