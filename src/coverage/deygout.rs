//! Diffraction over several edges by the Deygout construction (J. Deygout, "Multiple knife-edge
//! diffraction of microwaves", IEEE Trans. Antennas Propag. AP-14(4), 1966), limited to three edges
//! as the ITU-R P.526 general method does: the principal edge (largest ν on the whole path), then the
//! edge of largest ν on each of the two sub-paths either side of it, each loss from J(ν) of P.526
//! eq. (31); total = J(ν_p) + J(ν_t) + J(ν_r). P.526's empirical correction term is not applied.
//!
//! The edges offered are the vertices of the profile's upper hull ([`super::hull`]) — the points a
//! stretched string from transmitter to receiver can rest on — so the search is over a handful of
//! points rather than the whole profile. ν is compared in the squared form q = h|h|(d₁+d₂)/(d₁d₂)
//! (ν² = 2q/λ with ν's sign), so only the winners need a square root.

use super::hull::Vertex;
use super::knife_edge::{j_db_f32, NU_MIN};

/// Squared-form ν of edge `p` on the path `a`→`b` (all in metres), without the 2/λ factor.
#[inline]
fn q_of(a: Vertex, b: Vertex, p: Vertex) -> f32 {
    let d1 = p.x - a.x;
    let d2 = b.x - p.x;
    let d = b.x - a.x;
    let h = p.z - (a.z + (b.z - a.z) * (d1 / d));
    h * h.abs() * d / (d1 * d2)
}

/// Index and q of the edge of largest ν on the path `a`→`b`; `edges` lie strictly between them.
#[inline]
fn principal(a: Vertex, b: Vertex, edges: &[Vertex]) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, &p) in edges.iter().enumerate() {
        let q = q_of(a, b, p);
        if q > best.1 {
            best = (i, q);
        }
    }
    best
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

/// Diffraction loss (dB) of the path `tx`→`rx` over candidate `edges` (sorted by x, strictly between
/// the ends); `two_over_lambda` = 2/λ in 1/m.
pub fn deygout_loss_db(tx: Vertex, rx: Vertex, edges: &[Vertex], two_over_lambda: f32) -> f32 {
    if edges.is_empty() {
        return 0.0;
    }
    let (i, q) = principal(tx, rx, edges);
    let nu = nu_of(q, two_over_lambda);
    if nu <= NU_MIN as f32 {
        return 0.0;
    }
    let main = edges[i];
    let mut loss = j_db_f32(nu);
    if i > 0 {
        let (_, q) = principal(tx, main, &edges[..i]);
        loss += j_db_f32(nu_of(q, two_over_lambda));
    }
    if i + 1 < edges.len() {
        let (_, q) = principal(main, rx, &edges[i + 1..]);
        loss += j_db_f32(nu_of(q, two_over_lambda));
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::super::knife_edge::{fresnel_nu, j_db};
    use super::*;

    fn v(x: f32, z: f32) -> Vertex {
        Vertex::new(x, z)
    }

    #[test]
    fn single_edge_is_the_knife_edge() {
        // Rappaport Example 4.7 geometry (λ = 1/3 m, 1 km + 1 km, edge 25 m above the line): 21.7 dB.
        let l = deygout_loss_db(v(0.0, 0.0), v(2000.0, 0.0), &[v(1000.0, 25.0)], 6.0);
        assert!((l as f64 - j_db(fresnel_nu(25.0, 1000.0, 1000.0, 1.0 / 3.0))).abs() < 1e-3, "{l}");
        assert!((l - 21.7).abs() < 0.3);
        assert_eq!(deygout_loss_db(v(0.0, 0.0), v(2000.0, 0.0), &[], 6.0), 0.0);
        assert_eq!(deygout_loss_db(v(0.0, 0.0), v(2000.0, 0.0), &[v(1000.0, -30.0)], 6.0), 0.0);
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
        let l = deygout_loss_db(v(0.0, 0.0), v(10_000.0, 0.0), &[v(3000.0, 30.0), v(7000.0, 20.0)], 6.0);
        assert!((l as f64 - expect).abs() < 1e-3, "{l}");
    }

    #[test]
    fn three_edges_use_both_sides() {
        let lambda = 1.0 / 3.0;
        let edges = [v(2000.0, 15.0), v(5000.0, 40.0), v(8000.0, 12.0)];
        let l = deygout_loss_db(v(0.0, 0.0), v(10_000.0, 0.0), &edges, (2.0 / lambda) as f32);
        let main = j_db(fresnel_nu(40.0, 5000.0, 5000.0, lambda));
        let left = j_db(fresnel_nu(15.0 - 40.0 * 2.0 / 5.0, 2000.0, 3000.0, lambda));
        let right = j_db(fresnel_nu(12.0 - 40.0 * 2.0 / 5.0, 3000.0, 2000.0, lambda));
        assert!((l as f64 - (main + left + right)).abs() < 1e-3, "{l}");
    }
}
