//! Horizons of successive receivers along one radial, without rescanning the whole prefix each
//! time. Both terminals' horizon angles depend on the effective earth radius a_e, which depends on
//! the prefix's mean height and so changes (slightly) from one receiver to the next; the search
//! therefore keeps structures that are exact for any a_e:
//!
//! - Transmitter: θ_i(c) = u_i − x_i·c with u_i = (z_i − z_tx)/x_i and c = 1/(2a_e) is a line in c
//!   per terrain point. The upper envelope of these lines (a convex hull built incrementally as
//!   the receiver moves out, slopes −x_i decreasing) answers "which point is the horizon for this
//!   c" by binary search. Only points whose u_i exceeds every earlier u_j enter it: with c > 0 and
//!   x_i > x_j, u_i ≤ u_j puts line i below line j everywhere it matters, so the envelope over
//!   c > 0 and its argmax are unchanged (on mountain radials a few percent of the points).
//! - Receiver: scanned backwards from the receiver in blocks of 16 points; a block whose highest
//!   point could not beat the best angle so far even at the block's nearest distance is skipped
//!   (θ_j ≤ (max z − z_rx)/D_near − c·D_near), and the scan stops when the prefix maximum says the
//!   same of everything left.
//!
//! The winners are re-evaluated with the reference's own formulas and distances (the spacing added
//! i times / the path length minus the spacing i times; closed forms when the spacing's multiples
//! are exact in f64), so the horizons equal `terrain::find_horizons` except when two points' angles
//! tie to within rounding; ties otherwise go to the point nearest the transmitter, as there.

/// Points per block of the receiver-side scan.
const BLOCK: usize = 16;

/// Per-radial horizon state (lives in the scratch, reused across radials).
#[derive(Debug, Clone, Default)]
pub(crate) struct RadialHorizons {
    z_tx: f64,
    xi: f64,
    /// j·xi is exact in f64 for every j ≤ n: running sums equal products.
    exact_multiples: bool,
    /// inv_x[i] = 1 / (i·xi).
    inv_x: Vec<f64>,
    /// The spacing added i times (the reference's running distance), when not exact.
    acc_x: Vec<f64>,
    /// Steps of the receiver's running distance (`repeated_sub`) by binade, when not exact.
    binades: BinadeSteps,
    /// pmax[i] = max z[1..=i].
    pmax: Vec<f64>,
    /// block_max[b] = max z[b·BLOCK .. (b+1)·BLOCK].
    block_max: Vec<f64>,
    /// u[i] = (z_i − z_tx)·inv_x[i].
    u: Vec<f64>,
    /// The points whose u exceeds every earlier point's (candidates for the TX horizon), in order.
    rising: Vec<u32>,
    /// Upper envelope of the TX lines, earliest point first.
    hull: Vec<u32>,
    /// The lines of rising[..built] are in the hull.
    built: usize,
}

/// Whether j·xi is exactly representable for all j ≤ n (the significand of xi has few enough bits).
fn multiples_are_exact(xi: f64, n: usize) -> bool {
    if !xi.is_normal() {
        return false;
    }
    let mantissa = (xi.to_bits() & ((1u64 << 52) - 1)) | (1u64 << 52);
    let significant = 53 - mantissa.trailing_zeros();
    let n_bits = usize::BITS - n.leading_zeros();
    significant + n_bits <= 53
}

/// `d` with `xi` subtracted `m` times in f64, one rounding per subtraction — the reference's
/// running receiver distance — in O(binades crossed) instead of O(m), with the same result bit for
/// bit. While r and r − xi stay in one binade [2^e, 2^(e+1)) (ulp u), r is a multiple of u and
/// fl(r − xi) = r − xi_u with xi_u = xi rounded to a multiple of u (unless xi/u ends in exactly ½,
/// where round-half-even depends on r: then steps are taken one by one); so a binade's steps are one
/// exact subtraction of t·xi_u, and only the step that leaves it is taken as is. (The sweep uses
/// [`repeated_sub_with`] and a [`BinadeSteps`] table of the radial's spacing.)
#[cfg(test)]
pub(crate) fn repeated_sub(d: f64, xi: f64, m: usize) -> f64 {
    repeated_sub_with(d, xi, m, |e| binade_step(xi, e))
}

/// `xi` rounded to a multiple of the ulp of binade `e` (biased exponent) and its reciprocal; 0
/// where the steps must be taken one by one (a tie at half an ulp).
#[inline]
fn binade_step(xi: f64, e: u64) -> (f64, f64) {
    let u = f64::from_bits((e.saturating_sub(52).max(1)) << 52); // the binade's ulp
    let q = xi / u; // exact: u is a power of two
    // ⌊q⌋ by truncation (q > 0; a libm floor call costs more than the rest of the step).
    let fl = if q < 4503599627370496.0 { (q as u64) as f64 } else { q };
    let frac = q - fl;
    if frac == 0.5 || u < f64::MIN_POSITIVE {
        return (0.0, 0.0);
    }
    let xi_u = if frac < 0.5 { fl } else { fl + 1.0 } * u;
    (xi_u, 1.0 / xi_u)
}

/// [`repeated_sub`] with the per-binade steps from `step` (e.g. a table for one spacing).
#[inline]
fn repeated_sub_with(d: f64, xi: f64, m: usize, step: impl Fn(u64) -> (f64, f64)) -> f64 {
    let mut r = d;
    let mut left = m;
    while left > 0 {
        if !(r.is_normal() && r > 0.0 && xi > 0.0 && xi.is_finite()) {
            // Outside the case the shortcut is made for (never on a radial): plain steps.
            for _ in 0..left {
                r -= xi;
            }
            return r;
        }
        let e = r.to_bits() >> 52; // biased exponent (r > 0, normal)
        let base = f64::from_bits(e << 52); // 2^e, the binade's floor
        let head = r - base; // exact (Sterbenz)
        if head >= xi {
            let (xi_u, inv) = step(e);
            if xi_u > 0.0 {
                // Steps j = 1..=t stay in the binade iff (r − (j−1)·xi_u) − 2^e ≥ xi, i.e.
                // t = ⌊(head − xi)/xi_u⌋ + 1, the estimate corrected with exact tests
                // ((j−1)·xi_u and head − (j−1)·xi_u are multiples of u below 2^e).
                let stays = |j: usize| j >= 1 && head - (j - 1) as f64 * xi_u >= xi;
                let mut c = (((head - xi) * inv) as usize).saturating_add(1).min(left);
                while c > 0 && !stays(c) {
                    c -= 1;
                }
                while c < left && stays(c + 1) {
                    c += 1;
                }
                r -= c as f64 * xi_u;
                left -= c;
            }
        }
        if left > 0 {
            // The step that leaves the binade (or a tie step), as the reference takes it.
            r -= xi;
            left -= 1;
        }
    }
    r
}

/// [`binade_step`] for every binade a radial's distances fall in, for one spacing.
#[derive(Debug, Clone, Default)]
struct BinadeSteps {
    xi: f64,
    /// Biased exponent of the first entry.
    e0: u64,
    steps: Vec<(f64, f64)>,
}

impl BinadeSteps {
    /// Covers the binades from xi's to d_max's (kept when the spacing is the same and they are covered).
    fn prepare(&mut self, xi: f64, d_max: f64) {
        if !(xi.is_normal() && xi > 0.0 && d_max.is_finite()) {
            self.steps.clear();
            return;
        }
        let e0 = xi.to_bits() >> 52;
        let e1 = d_max.max(xi).to_bits() >> 52;
        if self.xi.to_bits() == xi.to_bits() && self.e0 == e0 && self.e0 + self.steps.len() as u64 > e1 {
            return;
        }
        self.xi = xi;
        self.e0 = e0;
        self.steps.clear();
        self.steps.extend((e0..=e1).map(|e| binade_step(xi, e)));
    }

    #[inline]
    fn get(&self, xi: f64, e: u64) -> (f64, f64) {
        match e.checked_sub(self.e0).and_then(|k| self.steps.get(k as usize)) {
            Some(&s) => s,
            None => binade_step(xi, e),
        }
    }
}

impl RadialHorizons {
    /// Prepare for the profile `z` (site first) with transmitter height `h_tx` over the ground.
    pub fn prepare(&mut self, z: &[f64], xi: f64, h_tx: f64) {
        let n = z.len();
        self.z_tx = z[0] + h_tx;
        self.xi = xi;
        self.exact_multiples = multiples_are_exact(xi, n);
        self.inv_x.clear();
        self.inv_x.push(f64::INFINITY);
        self.inv_x.extend((1..n).map(|i| 1.0 / (i as f64 * xi)));
        self.acc_x.clear();
        if !self.exact_multiples {
            self.binades.prepare(xi, n as f64 * xi);
            let mut acc = 0.0;
            self.acc_x.push(0.0);
            for _ in 1..n {
                acc += xi;
                self.acc_x.push(acc);
            }
        }
        self.pmax.clear();
        self.pmax.push(f64::NEG_INFINITY);
        let mut m = f64::NEG_INFINITY;
        for &v in &z[1..] {
            m = m.max(v);
            self.pmax.push(m);
        }
        self.block_max.clear();
        self.block_max.extend(z.chunks(BLOCK).map(|b| b.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v))));
        self.u.clear();
        self.u.push(0.0);
        let z_tx = self.z_tx;
        self.u.extend(z[1..].iter().zip(&self.inv_x[1..]).map(|(&v, &inv)| (v - z_tx) * inv));
        self.rising.clear();
        let mut top = f64::NEG_INFINITY;
        for (i, &v) in self.u.iter().enumerate().skip(1) {
            if v > top {
                top = v;
                self.rising.push(i as u32);
            }
        }
        self.hull.clear();
        self.built = 0;
    }

    /// Adds TX line `i` to the upper envelope (lines arrive with decreasing slopes −x_i).
    #[inline]
    fn push_line(&mut self, i: usize) {
        let xi = self.xi;
        let (b3, m3) = (self.u[i], -(i as f64) * xi);
        while self.hull.len() >= 2 {
            let l2 = self.hull[self.hull.len() - 1] as usize;
            let l1 = self.hull[self.hull.len() - 2] as usize;
            let (b1, m1) = (self.u[l1], -(l1 as f64) * xi);
            let (b2, m2) = (self.u[l2], -(l2 as f64) * xi);
            // Line 2 never wins alone when line 3 overtakes it no earlier than line 1 gives way.
            if (b3 - b2) * (m1 - m2) >= (b2 - b1) * (m2 - m3) {
                self.hull.pop();
            } else {
                break;
            }
        }
        self.hull.push(i as u32);
    }

    /// The TX line with the highest angle at c among points 1..k (k = receiver index).
    #[inline]
    fn tx_best(&mut self, k: usize, c: f64) -> Option<usize> {
        if self.built > 0 && self.rising[self.built - 1] as usize >= k {
            // A receiver nearer than the last line added: start again.
            self.hull.clear();
            self.built = 0;
        }
        while self.built < self.rising.len() && (self.rising[self.built] as usize) < k {
            self.push_line(self.rising[self.built] as usize);
            self.built += 1;
        }
        if self.hull.is_empty() {
            return None;
        }
        let xi = self.xi;
        let value = |i: usize| self.u[i] - (i as f64 * xi) * c;
        // Values along the hull rise then fall: the first vertex not beaten by its successor
        // (ties to the earlier point).
        let h = &self.hull;
        let (mut lo, mut hi) = (0usize, h.len() - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if value(h[mid] as usize) >= value(h[mid + 1] as usize) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Some(h[lo] as usize)
    }

    /// Horizon angles and distances of both terminals for the receiver at index `k` of `z`
    /// (receiver structural height `h_rx`), effective earth radius `a_e`.
    pub fn horizons(&mut self, z: &[f64], k: usize, a_e: f64, h_rx: f64) -> ([f64; 2], [f64; 2]) {
        let xi = self.xi;
        let np = k;
        let d = np as f64 * xi;
        let z_tx = self.z_tx;
        let z_rx = z[np] + h_rx;
        let mut theta = [(z_rx - z_tx) / d - d / (2.0 * a_e), -(z_rx - z_tx) / d - d / (2.0 * a_e)];
        let mut d_hzn = [d, d];
        let c = 1.0 / (2.0 * a_e);

        if let Some(i) = self.tx_best(k, c) {
            let d_tx = if self.exact_multiples { i as f64 * xi } else { self.acc_x[i] };
            let t = (z[i] - z_tx) / d_tx - d_tx / (2.0 * a_e);
            if t > theta[0] {
                theta[0] = t;
                d_hzn[0] = d_tx;
            }
        }

        if let Some(i) = self.rx_best(z, np, z_rx, c) {
            let d_rx = if self.exact_multiples {
                (np - i) as f64 * xi
            } else {
                repeated_sub_with(d, xi, i, |e| self.binades.get(xi, e))
            };
            let t = -(z_rx - z[i]) / d_rx - d_rx / (2.0 * a_e);
            if t > theta[1] {
                theta[1] = t;
                d_hzn[1] = d_rx;
            }
        }
        (theta, d_hzn)
    }

    /// The point with the highest angle seen from the receiver at `np`, scanning backwards block
    /// by block (earliest point on ties). A block is skipped when even its highest point at its
    /// nearest distance could not beat the best angle so far; the scan stops when the same holds
    /// for everything left (prefix maximum).
    #[inline]
    fn rx_best(&self, z: &[f64], np: usize, z_rx: f64, c: f64) -> Option<usize> {
        if np < 2 {
            return None;
        }
        let xi = self.xi;
        let inv_x = &self.inv_x;
        // Upper bound of the angle of any point with height ≤ top at distances in [j_near, j_far]
        // steps from the receiver.
        let bound = |top: f64, j_near: usize, j_far: usize| {
            let rise = top - z_rx;
            let slope = if rise >= 0.0 { rise * inv_x[j_near] } else { rise * inv_x[j_far] };
            slope - (j_near as f64 * xi) * c
        };
        let mut best = f64::NEG_INFINITY;
        let mut best_i = 0usize;
        let mut hi = np - 1;
        loop {
            let lo = ((hi / BLOCK) * BLOCK).max(1);
            let mut scan = true;
            if best > f64::NEG_INFINITY {
                let beaten = best - 1e-12 * best.abs() - 1e-15;
                if bound(self.pmax[hi], np - hi, np - 1) < beaten {
                    break;
                }
                scan = bound(self.block_max[hi / BLOCK], np - hi, np - lo) >= beaten;
            }
            if scan {
                for i in (lo..=hi).rev() {
                    let j = np - i;
                    let t = (z[i] - z_rx) * inv_x[j] - (j as f64 * xi) * c;
                    if t >= best {
                        best = t;
                        best_i = i;
                    }
                }
            }
            if lo == 1 {
                break;
            }
            hi = lo - 1;
        }
        Some(best_i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radio::itm::terrain::find_horizons;

    #[test]
    fn repeated_subtraction_equals_the_running_distance() {
        // Spacings as the tools produce them (28.9 m from 1″ SRTM at 21° N, odd warps), thirds and
        // tenths (ties at the ulp), exact ones; every count along 2,000-point paths.
        // The crate's one deterministic generator (SplitMix64): reproducible cases.
        let mut rng = crate::dataset::demo::rng::Rng::from_state(0x9e37_79b9_7f4a_7c15);
        let mut rnd = || rng.f64();
        let mut spacings = vec![28.9, 29.97, 30.0518, 0.1, 1.0 / 3.0, 30.0, 92.6, 0.5];
        spacings.extend((0..12).map(|_| 5.0 + 90.0 * rnd()));
        for xi in spacings {
            for np in [1usize, 2, 7, 63, 500, 2000] {
                let d = np as f64 * xi;
                let mut want = d;
                // The table of one spacing, covering a shorter radial than this one (its binades
                // beyond are computed on the fly) or the whole of it.
                let mut table = BinadeSteps::default();
                table.prepare(xi, if np % 2 == 0 { d } else { 0.5 * d });
                for m in 0..=np {
                    assert_eq!(repeated_sub(d, xi, m).to_bits(), want.to_bits(), "xi={xi} np={np} m={m}");
                    let tabled = repeated_sub_with(d, xi, m, |e| table.get(xi, e));
                    assert_eq!(tabled.to_bits(), want.to_bits(), "table: xi={xi} np={np} m={m}");
                    want -= xi;
                }
            }
        }
    }

    #[test]
    fn exact_multiples_detection() {
        assert!(multiples_are_exact(30.0, 10_000));
        assert!(multiples_are_exact(0.5, 10_000));
        assert!(!multiples_are_exact(30.0518, 1000));
        assert!(!multiples_are_exact(0.1, 10));
    }

    #[test]
    fn equal_to_the_full_scan_for_every_receiver_and_radius() {
        // Rough synthetic terrain, both an exact and an inexact spacing, effective earth radii
        // across the range N_s allows, receivers visited in order and then backwards.
        let z = super::super::terrain::wavy_profile(700, 600.0, [(250.0, 0.011), (90.0, 0.037), (20.0, 0.41)]);
        for &xi in &[30.0, 29.97] {
            let mut h = RadialHorizons::default();
            h.prepare(&z, xi, 25.0);
            let ks: Vec<usize> = (1..z.len()).chain((1..z.len()).rev().step_by(37)).collect();
            for (n, &k) in ks.iter().enumerate() {
                let a_e = 7.2e6 + 4.0e6 * ((n % 13) as f64 / 13.0);
                let got = h.horizons(&z, k, a_e, 1.5);
                let want = find_horizons(&z[..=k], xi, a_e, [25.0, 1.5]);
                assert_eq!(got.1, want.1, "xi={xi} k={k}: distances");
                for t in 0..2 {
                    assert!((got.0[t] - want.0[t]).abs() <= 1e-15 * want.0[t].abs().max(1.0), "xi={xi} k={k}");
                }
            }
        }
    }
}
