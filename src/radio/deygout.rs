//! Diffraction over several edges by the Deygout construction (J. Deygout, "Multiple knife-edge
//! diffraction of microwaves", IEEE Trans. Antennas Propag. AP-14(4), 1966), limited to three edges
//! as the ITU-R P.526 general method does: the principal edge (largest ν on the whole path), then the
//! edge of largest ν on each of the two sub-paths either side of it, each loss from J(ν) of P.526
//! eq. (31); total = J(ν_p) + J(ν_t) + J(ν_r). P.526's empirical correction term is not applied.
//!
//! The edges offered are the vertices of the profile's upper hull ([`super::hull`]) — the points a
//! stretched string from transmitter to receiver can rest on — so the search is over a handful of
//! points rather than the whole profile. ν is compared in the squared form q = h|h|(d₁+d₂)/(d₁d₂)
//! (ν² = 2q/λ with ν's sign), so only the winner needs a square root. The transmitter-side sub-path
//! depends only on the hull up to the principal edge and is memoised while that edge stays.

use super::hull::Vertex;
use super::knife_edge::{j_db_f32, NU_MIN};

/// Squared-form ν of edge `p` on the path `a`→`b` (all in metres), without the 2/λ factor.
#[cfg(test)]
fn q_of(a: Vertex, b: Vertex, p: Vertex) -> f32 {
    let d1 = p.x - a.x;
    let d2 = b.x - p.x;
    let d = b.x - a.x;
    let h = p.z - (a.z + (b.z - a.z) * (d1 / d));
    h * h.abs() * d / (d1 * d2)
}

/// Index and q of the edge of largest ν on the path `a`→`b` among `edges` (strictly between the
/// ends), or `None` when there are none. A linear scan comparing h|h|/(d₁d₂) by cross-multiplication
/// (the denominators are positive), so the loop has no division: hulls hold a handful of vertices
/// (about five on average over rough 30 m terrain), where a scan beats any search structure.
#[inline]
fn principal(a: Vertex, b: Vertex, edges: &[Vertex]) -> Option<(usize, f32)> {
    let (first, rest) = edges.split_first()?;
    let d = b.x - a.x;
    let slope = (b.z - a.z) / d;
    let term = |p: &Vertex| {
        let d1 = p.x - a.x;
        let h = p.z - a.z - slope * d1;
        (h * h.abs(), d1 * (b.x - p.x))
    };
    let (mut num, mut den) = term(first);
    let mut best = 0;
    for (k, p) in rest.iter().enumerate() {
        let (n, m) = term(p);
        if n * den > num * m {
            num = n;
            den = m;
            best = k + 1;
        }
    }
    Some((best, num * d / den))
}

#[inline]
fn nu_of(q: f32, two_over_lambda: f32) -> f32 {
    let v = (q.abs() * two_over_lambda).sqrt();
    if q < 0.0 {
        -v
    } else {
        v
    }
}

/// Memo of the transmitter-side sub-path: it depends only on the hull up to the principal edge,
/// which stays the same while the principal edge (identified by its distance) does.
#[derive(Debug, Clone, Copy)]
pub struct LeftMemo {
    main_x: f32,
    loss: f32,
}

impl Default for LeftMemo {
    fn default() -> Self {
        Self { main_x: -1.0, loss: 0.0 }
    }
}

/// Diffraction loss (dB) of the path `tx`→`rx` over candidate `edges` (sorted by x, strictly between
/// the ends); `two_over_lambda` = 2/λ in 1/m. `memo` may be kept across receivers along one radial.
#[inline]
pub fn deygout_loss_db(tx: Vertex, rx: Vertex, edges: &[Vertex], two_over_lambda: f32, memo: &mut LeftMemo) -> f32 {
    let Some((i, q)) = principal(tx, rx, edges) else { return 0.0 };
    let nu = nu_of(q, two_over_lambda);
    if nu <= NU_MIN as f32 {
        return 0.0;
    }
    let main = edges[i];
    let mut loss = j_db_f32(nu);
    if i > 0 {
        if memo.main_x != main.x {
            memo.loss = match principal(tx, main, &edges[..i]) {
                Some((_, q)) => j_db_f32(nu_of(q, two_over_lambda)),
                None => 0.0,
            };
            memo.main_x = main.x;
        }
        loss += memo.loss;
    }
    if let Some((_, q)) = principal(main, rx, &edges[i + 1..]) {
        loss += j_db_f32(nu_of(q, two_over_lambda));
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::super::hull::push;
    use super::super::knife_edge::{fresnel_nu, j_db};
    use super::*;

    fn v(x: f32, z: f32) -> Vertex {
        Vertex::new(x, z)
    }

    fn loss(tx: Vertex, rx: Vertex, edges: &[Vertex], tol: f32) -> f32 {
        deygout_loss_db(tx, rx, edges, tol, &mut LeftMemo::default())
    }

    #[test]
    fn single_edge_is_the_knife_edge() {
        super::super::knife_edge::check_single_edge(loss);
    }

    #[test]
    fn two_edges_by_hand() {
        // Tx (0, 0), Rx (10 km, 0), edges 30 m high at 3 km and 20 m high at 7 km, λ = 1/3 m.
        // ν(3 km) = 30 √(2·10⁴ / (λ·3000·7000)) = 1.6036 is principal; on the sub-path from it to the
        // receiver the second edge stands 20 − 30·3/7 = 7.143 m above the line: ν = 7.143 √(2·7000 /
        // (λ·4000·3000)) = 0.4226. Loss = J(1.6036) + J(0.4226) = 17.30 + 9.65 = 26.95 dB.
        let lambda = 1.0 / 3.0;
        let nu_p = fresnel_nu(30.0, 3000.0, 7000.0, lambda);
        let nu_r = fresnel_nu(20.0 - 30.0 * 3.0 / 7.0, 4000.0, 3000.0, lambda);
        let expect = j_db(nu_p) + j_db(nu_r);
        assert!((expect - 26.95).abs() < 0.01, "{expect}");
        let l = loss(v(0.0, 0.0), v(10_000.0, 0.0), &[v(3000.0, 30.0), v(7000.0, 20.0)], 6.0);
        assert!((l as f64 - expect).abs() < 1e-3, "{l}");
    }

    #[test]
    fn three_edges_use_both_sides() {
        let lambda = 1.0 / 3.0;
        let edges = [v(2000.0, 15.0), v(5000.0, 40.0), v(8000.0, 12.0)];
        let l = loss(v(0.0, 0.0), v(10_000.0, 0.0), &edges, (2.0 / lambda) as f32);
        let main = j_db(fresnel_nu(40.0, 5000.0, 5000.0, lambda));
        let left = j_db(fresnel_nu(15.0 - 40.0 * 2.0 / 5.0, 2000.0, 3000.0, lambda));
        let right = j_db(fresnel_nu(12.0 - 40.0 * 2.0 / 5.0, 3000.0, 2000.0, lambda));
        assert!((l as f64 - (main + left + right)).abs() < 1e-3, "{l}");
    }

    /// Deygout by brute force over every edge (no bisection, no pruning, no memo).
    fn brute(tx: Vertex, rx: Vertex, edges: &[Vertex], tol: f32) -> f32 {
        let best = |a: Vertex, b: Vertex, e: &[Vertex]| {
            e.iter().enumerate().map(|(k, &p)| (k, q_of(a, b, p))).fold(None, |m: Option<(usize, f32)>, x| match m {
                Some(m) if m.1 >= x.1 => Some(m),
                _ => Some(x),
            })
        };
        let Some((i, q)) = best(tx, rx, edges) else { return 0.0 };
        let nu = nu_of(q, tol);
        if nu <= NU_MIN as f32 {
            return 0.0;
        }
        let mut l = j_db_f32(nu);
        if let Some((_, q)) = best(tx, edges[i], &edges[..i]) {
            l += j_db_f32(nu_of(q, tol));
        }
        if let Some((_, q)) = best(edges[i], rx, &edges[i + 1..]) {
            l += j_db_f32(nu_of(q, tol));
        }
        l
    }

    #[test]
    fn pruned_search_equals_brute_force_along_a_rough_profile() {
        // Walk a rough profile as the engine does (hull carried along, memo kept) and compare every
        // receiver's loss with the exhaustive Deygout over the same hull.
        let tol = (2.0 * 1800.0 / 299.792458) as f32;
        let z = |x: f32| 40.0 * (x / 700.0).sin() + 25.0 * (x / 230.0).cos() + 6.0 * (x / 53.0).sin() + x * 0.004;
        let tx = v(0.0, z(0.0) + 30.0);
        let mut hull = vec![tx];
        let mut memo = LeftMemo::default();
        let mut obstructed = 0;
        for s in 1..1500 {
            let x = s as f32 * 20.0;
            let rx = v(x, z(x) + 1.5);
            let a = deygout_loss_db(tx, rx, &hull[1..], tol, &mut memo);
            let b = brute(tx, rx, &hull[1..], tol);
            assert!((a - b).abs() < 1e-4, "s = {s}: {a} vs {b}");
            obstructed += (a > 0.0) as usize;
            push(&mut hull, v(x, z(x)), 0.5);
        }
        assert!(obstructed > 300, "{obstructed}");
    }
}
