//! The radial layout of one transmitter's sweep. Samples lie every `step` metres along radials from
//! the site; a cell takes the value of its nearest sample. Near the site few radials suffice, far out
//! many are needed, so radials double with distance ("radial doubling"): level L has n₀·2ᴸ radials
//! and serves the distances where neighbouring radials are at most `gap` apart (one DEM cell by
//! default, so no cell centre is more than half a cell from a sample). A radial born at level L starts
//! with a copy of the profile state (the hull) of its neighbour at the level below — the same terrain
//! up to half a cell's sideways offset — so a site costs about one profile step per cell of its disc
//! instead of two for full-length radials.
//!
//! Radials are numbered at the finest level: radial i points at azimuth i·2π/N. It is born at the
//! level where i's lowest set bit first appears, from its parent `i & (i − 1)`.

use std::f64::consts::TAU;

#[derive(Debug, Clone)]
pub struct RadialPlan {
    pub step_m: f64,
    /// Last sample index; samples are 1..=n at distances s·step.
    pub n: usize,
    pub lmax: u32,
    pub n0: usize,
    /// Radials at the finest level.
    pub n_final: usize,
    band_end: Vec<usize>,
    level: Vec<u8>,
}

impl RadialPlan {
    /// A plan for `n` samples of `step_m` with neighbouring radials at most `gap_m` apart.
    pub fn new(n: usize, step_m: f64, gap_m: f64) -> Self {
        let needed = ((TAU * n as f64 * step_m / gap_m).ceil() as usize).max(4);
        let lmax = if needed > 16 { ((needed as f64 / 16.0).log2().floor() as u32).min(20) } else { 0 };
        let n0 = needed.div_ceil(1 << lmax);
        let n_final = n0 << lmax;
        let mut band_end = Vec::with_capacity(lmax as usize + 1);
        for l in 0..=lmax {
            let radials = (n0 << l) as f64;
            let reach = (gap_m * radials / (TAU * step_m)).floor() as usize;
            band_end.push(if l == lmax { n } else { reach.min(n) });
        }
        let mut level = vec![0u8; n + 1];
        let mut l = 0usize;
        for (s, lv) in level.iter_mut().enumerate().skip(1) {
            while s > band_end[l] {
                l += 1;
            }
            *lv = l as u8;
        }
        Self { step_m, n, lmax, n0, n_final, band_end, level }
    }

    /// Inclusive sample range of level `l`'s band (empty when start > end).
    #[inline]
    pub fn band(&self, l: u32) -> (usize, usize) {
        let start = if l == 0 { 1 } else { self.band_end[l as usize - 1] + 1 };
        (start, self.band_end[l as usize])
    }

    /// Azimuth of radial `i` (radians clockwise from north).
    #[inline]
    pub fn azimuth(&self, i: usize) -> f64 {
        i as f64 * TAU / self.n_final as f64
    }

    /// The level at which radial `i` appears.
    #[inline]
    pub fn birth(&self, i: usize) -> u32 {
        if i == 0 {
            0
        } else {
            self.lmax - (i.trailing_zeros()).min(self.lmax)
        }
    }

    /// The radial whose hull radial `i` copies at birth.
    #[inline]
    pub fn parent(i: usize) -> usize {
        i & (i.wrapping_sub(1))
    }

    #[inline]
    pub fn level_of(&self, s: usize) -> u32 {
        self.level[s] as u32
    }

    /// The radial nearest to azimuth `az` (radians, [0, 2π)) among those alive at sample `s`.
    #[inline]
    pub fn radial_at(&self, s: usize, az: f64) -> usize {
        let l = self.level[s] as u32;
        let nl = self.n0 << l;
        let j = (az * nl as f64 / TAU + 0.5) as usize;
        // `% nl` only when needed: az < 2π gives j ≤ nl, so the wrap is one compare, not a 64-bit
        // division per located cell (nl is not a power of two). Same value for every input.
        let j = if j < nl { j } else { j % nl };
        j << (self.lmax - l)
    }

    /// Total profile samples one full sweep walks.
    pub fn samples(&self) -> usize {
        (0..=self.lmax)
            .map(|l| {
                let (a, b) = self.band(l);
                if b >= a {
                    (b - a + 1) * (self.n0 << l)
                } else {
                    0
                }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radials_are_dense_enough_everywhere() {
        let plan = RadialPlan::new(667, 30.0, 30.0);
        assert!(plan.n_final as f64 >= TAU * 667.0);
        // At every sample, the radials alive there are at most one gap apart.
        for s in 1..=plan.n {
            let l = plan.level_of(s);
            let spacing = s as f64 * 30.0 * TAU / (plan.n0 << l) as f64;
            assert!(spacing <= 30.0 + 1e-9, "s = {s}: {spacing}");
        }
        // Doubling walks fewer samples than the ~π·R² cells of the disc times 1.6, and fewer than
        // full-length radials (N·n).
        let disc = std::f64::consts::PI * 667.0f64.powi(2);
        assert!((plan.samples() as f64) < 1.6 * disc, "{} vs {disc}", plan.samples());
        assert!(plan.samples() < plan.n_final * plan.n * 7 / 10);
    }

    #[test]
    fn ancestry_is_consistent() {
        let plan = RadialPlan::new(300, 30.0, 30.0);
        for i in 1..plan.n_final {
            let b = plan.birth(i);
            if b == 0 {
                continue; // level-0 radials start at the site
            }
            let p = RadialPlan::parent(i);
            assert!(plan.birth(p) < b, "radial {i}");
            // The parent is the neighbour at the coarser level: one step of that level anticlockwise.
            assert_eq!(i - p, 1 << (plan.lmax - b));
        }
        // The radial chosen for a sample is alive there.
        for s in 1..=plan.n {
            for k in 0..50 {
                let az = k as f64 * TAU / 50.0;
                let i = plan.radial_at(s, az);
                assert!(plan.band(plan.birth(i)).0 <= s);
            }
        }
    }
}
