//! The reach rule per cell: which cells of a transmitter's disc a build's sweep may leave without a
//! value. A transmitter's radials already stop where even its best sector's boresight over the
//! median loss falls below the reach floor (`covered_dbm − reach_margin_db`, −113 dBm by default,
//! [`super::profile::Profile`]). The same bound, taken per direction and per cell, is much tighter:
//!
//! RSRP = EIRPₖ − Aₖ(φ, θ) − (L_median(d) + L_diffraction + L_clutter(cell))
//!      ≤ maxₖ (EIRPₖ − min(A_H,k(φ), A_m,k)) − L_median(d) − L_clutter(cell)
//!
//! since the TR 36.814 pattern A = min(A_H + A_V, A_m) ≥ min(A_H, A_m) (A_V ≥ 0), diffraction only
//! adds loss, and the empirical median models grow with distance. Where the right side is below the
//! reach floor no sector can cover the cell — the cell would hold a value weaker than −113 dBm — so
//! the sweep neither computes its sample nor visits it, as it already does beyond the radius. Between
//! the sectors of a three-sector site (60° off boresight, 10 dB down) and under trees (12 dB of
//! terminal clutter) this removes most of the far disc.
//!
//! What changes: cells that could only hold a value below the reach floor read nodata in the RSRP
//! rasters, and a sector weaker than the floor no longer enters a cell's top-N servers (so it is not
//! counted as an interferer there). Coverage classes (≥ −110 dBm) cannot change. The cells in the
//! `keep` mask — the hamlets' cells — are always evaluated in full, so every hamlet's values, servers,
//! SINR and the indicators built on them are exactly those of the uncut sweep.
//!
//! ITM's loss is not monotone in distance: for it the rule is off.

use std::sync::Arc;

use super::profile::Profile;
use super::sites::Transmitter;
use super::sweep::CellRef;

/// Azimuth bins of the per-direction bound (0.088° each).
const BINS: usize = 4096;
/// Slack (dB) on the comparison, so an f32 rounding of the bound never drops a cell at the floor.
const SLACK_DB: f32 = 0.01;

/// A set of DEM cells, one bit each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellMask {
    bits: Vec<u64>,
}

impl CellMask {
    /// The mask of `cells` (DEM cell indices) on a grid of `len` cells.
    pub fn of(len: usize, cells: &[usize]) -> Self {
        let mut bits = vec![0u64; len.div_ceil(64)];
        for &i in cells {
            bits[i / 64] |= 1u64 << (i % 64);
        }
        Self { bits }
    }

    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.bits.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// Whether any cell index in `range` is in the set (indices past the mask's grid are not).
    pub fn any_in(&self, range: std::ops::Range<usize>) -> bool {
        if range.is_empty() {
            return false;
        }
        let (w0, w1) = (range.start / 64, (range.end - 1) / 64);
        (w0..=w1).take_while(|&w| w < self.bits.len()).any(|w| {
            let lo = if w == w0 { range.start % 64 } else { 0 };
            let hi = if w == w1 { (range.end - 1) % 64 } else { 63 };
            let span = if hi - lo == 63 { u64::MAX } else { ((1u64 << (hi - lo + 1)) - 1) << lo };
            self.bits[w] & span != 0
        })
    }
}

/// Whether a sweep applies the per-cell reach rule.
#[derive(Debug, Clone, Default)]
pub enum CutRule {
    /// Every cell within the radius gets its value (single-site rasters, tests, `covermap coverage`).
    #[default]
    Off,
    /// Cells that cannot reach the reach floor are left out, except those in `keep`.
    Reach { keep: Arc<CellMask> },
}

impl CutRule {
    /// The rule with the cells `keep` (DEM cell indices on a grid of `len` cells) always evaluated.
    pub fn reach_keeping(len: usize, keep: &[usize]) -> Self {
        CutRule::Reach { keep: Arc::new(CellMask::of(len, keep)) }
    }
}

/// The rule prepared for one transmitter (reused across transmitters: no allocation once warm).
#[derive(Debug, Default)]
pub struct ReachCut {
    active: bool,
    /// Per azimuth bin: an upper bound of the best sector's EIRP less its pattern attenuation (dBm).
    gain: Vec<f32>,
    /// Per sample index: the reach floor plus the median loss there (dBm).
    need: Vec<f32>,
    /// Per sample index: the least `need` from there out (for [`Self::block_fails`]).
    need_from: Vec<f32>,
    keep: Option<Arc<CellMask>>,
}

impl ReachCut {
    /// Prepare for `tx` with profile `prof`; `floor` is the reach floor (dBm).
    pub fn prepare(&mut self, rule: &CutRule, prof: &Profile, tx: &Transmitter, floor: f64) {
        let keep = match rule {
            CutRule::Reach { keep } if tx.propagation.is_monotone() => keep,
            _ => {
                self.off();
                return;
            }
        };
        self.active = true;
        self.keep = Some(keep.clone());
        self.need.clear();
        self.need.extend((0..=prof.n).map(|s| (floor + prof.model_loss(s) as f64) as f32 - SLACK_DB));
        self.need_from.clear();
        self.need_from.extend(self.need.iter().rev().scan(f32::INFINITY, |m, &v| {
            *m = m.min(v);
            Some(*m)
        }));
        self.need_from.reverse();
        self.gain.clear();
        let w = 360.0 / BINS as f32;
        self.gain.extend((0..BINS).map(|b| {
            let (lo, hi) = (b as f32 * w, (b + 1) as f32 * w);
            tx.sectors
                .iter()
                .map(|sec| sec.eirp_dbm - sec.pattern.min_attenuation_between(lo, hi))
                .fold(f32::NEG_INFINITY, f32::max)
        }));
    }

    /// No cut: every located cell passes.
    pub fn off(&mut self) {
        self.active = false;
        self.keep = None;
    }

    /// Whether the cell `cell` located at `c` may reach the floor (or is kept, or the rule is off).
    #[inline]
    pub fn passes(&self, tx: &Transmitter, cell: usize, c: &CellRef) -> bool {
        if !self.active {
            return true;
        }
        let b = ((c.az_deg * (BINS as f32 / 360.0)) as usize).min(BINS - 1);
        let clutter = tx.clutter.as_ref().map_or(0.0, |k| k.loss_db(cell));
        self.gain[b] - clutter >= self.need[c.s] || self.keep.as_ref().is_some_and(|k| k.contains(cell))
    }

    /// An upper bound of the per-direction gain over every azimuth in `az_deg` (degrees, lo ≤ hi,
    /// possibly beyond 0° or 360°): the largest of the bins in reach, with one bin of margin on
    /// each side — far more than the arc tangent's error. +∞ when the rule is off.
    pub fn gain_bound(&self, az_deg: (f64, f64)) -> f32 {
        if !self.active {
            return f32::INFINITY;
        }
        let per_deg = BINS as f64 / 360.0;
        let (b0, b1) = ((az_deg.0 * per_deg).floor() as isize - 1, (az_deg.1 * per_deg).floor() as isize + 1);
        (b0..=b1).map(|b| self.gain[b.rem_euclid(BINS as isize) as usize]).fold(f32::NEG_INFINITY, f32::max)
    }

    /// Whether a cell `cell` at sample `s` whose direction's gain is at most `gain` may pass:
    /// false only where [`Self::passes`] is false — its test with `gain` for the direction's own
    /// (f32 rounding is monotone) — so the cell's direction need not be computed.
    #[inline]
    pub fn may_pass(&self, tx: &Transmitter, cell: usize, s: usize, gain: f32) -> bool {
        if !self.active {
            return true;
        }
        let clutter = tx.clutter.as_ref().map_or(0.0, |k| k.loss_db(cell));
        gain - clutter >= self.need[s] || self.keep.as_ref().is_some_and(|k| k.contains(cell))
    }

    /// Whether no cell of a block can pass the rule — so the block need not be located cell by
    /// cell: every cell centre at least `s_min` samples out, in directions whose gain is at most
    /// `gain` ([`Self::gain_bound`]), none of them kept; the block is `rows` × `cols` of a grid
    /// `width` wide. [`Self::passes`]' test with `gain` and the least `need` from `s_min` out,
    /// tried with each cell's clutter loss, bounds every cell's test, and f32 rounding is
    /// monotone: a block this says fails holds no passing cell. The clutter is read only when open
    /// ground could pass, and only until some cell could.
    pub fn block_fails(&self, tx: &Transmitter, gain: f32, s_min: usize, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>, width: usize) -> bool {
        if !self.active {
            return false;
        }
        let Some(&need) = self.need_from.get(s_min) else { return false };
        if gain >= need {
            // Some cell could pass on open ground; under uniform clutter none may.
            let Some(clutter) = &tx.clutter else { return false };
            if clutter.any_in_block(rows.clone(), cols.clone(), |loss| gain - loss >= need) {
                return false;
            }
        }
        !self.keep.as_ref().is_some_and(|k| rows.clone().any(|r| k.any_in(r * width + cols.start..r * width + cols.end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::engine::walk_for;
    use crate::coverage::params::CoverageParams;
    use crate::coverage::sweep::{rasterize, sweep, sweep_tx, Scratch};
    use crate::coverage::synthetic::{forested, hilly_dem, prepared_three_sector};

    #[test]
    fn the_cut_leaves_out_only_cells_below_the_floor_and_keeps_the_kept() {
        // A three-sector 1800 MHz site on hills, tree cover (12 dB) on a checkerboard of 10-cell
        // blocks. Against the full sweep: every cell the cut sweep fills holds the same value bit for
        // bit; every cell it leaves out was below the reach floor; the kept cells are all there; and
        // the cut leaves out a good part of the disc.
        let ds = forested(hilly_dem(420, 400, 30.0, 11, 350.0), |c, r| (c / 10 + r / 10) % 2 == 0);
        let params = CoverageParams { max_radius_m: 6000.0, covered_dbm: -95.0, ..Default::default() };
        let floor = params.reach_floor_dbm() as f32;
        let p = prepared_three_sector(&ds, &params, (210, 200), (5.0, -7.0), 30.0, 1800.0);
        let tx = &p.txs[0];
        let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
        let raster = |sc: &Scratch| {
            let mut v = vec![f32::NAN; ds.dem.len()];
            rasterize(tx, &plan, sc, &ds.dem, -400.0, |i, r| v[i] = r);
            v
        };
        let mut full = Scratch::default();
        sweep(&prof, &plan, &mut full);
        let full = raster(&full);
        // Keep every 97th cell of the DEM.
        let kept: Vec<usize> = (0..ds.dem.len()).step_by(97).collect();
        let mut sc = Scratch::default();
        sc.cut.prepare(&CutRule::reach_keeping(ds.dem.len(), &kept), &prof, tx, params.reach_floor_dbm());
        sweep_tx(&prof, &plan, &mut sc, tx, &ds.dem).unwrap();
        let cut = raster(&sc);
        let (mut valid, mut left_out, mut kept_below) = (0, 0, 0);
        for (i, (a, b)) in full.iter().zip(&cut).enumerate() {
            if a.is_nan() {
                assert!(b.is_nan(), "cell {i}");
                continue;
            }
            valid += 1;
            if i % 97 == 0 && *a < floor {
                kept_below += 1;
            }
            if b.is_nan() {
                assert!(*a < floor, "cell {i}: {a} dBm left out");
                assert!(i % 97 != 0, "kept cell {i} left out");
                left_out += 1;
            } else {
                assert_eq!(a.to_bits(), b.to_bits(), "cell {i}");
            }
        }
        assert!(left_out * 4 > valid, "{left_out} of {valid} left out");
        assert!(kept_below > 20, "{kept_below} kept cells below the floor");
        // Off: every cell, as the full sweep.
        sc.cut.prepare(&CutRule::Off, &prof, tx, params.reach_floor_dbm());
        sweep_tx(&prof, &plan, &mut sc, tx, &ds.dem).unwrap();
        assert!(raster(&sc).iter().zip(&full).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn a_mask_holds_exactly_its_cells() {
        let m = CellMask::of(200, &[0, 63, 64, 199]);
        let inside: Vec<usize> = (0..200).filter(|&i| m.contains(i)).collect();
        assert_eq!(inside, vec![0, 63, 64, 199]);
        assert!(!m.contains(1000));
        // Any in a range: every range of the 200 cells against the cell-by-cell answer.
        for a in 0..=200 {
            for b in a..=200 {
                assert_eq!(m.any_in(a..b), (a..b).any(|i| m.contains(i)), "{a}..{b}");
            }
        }
        assert!(m.any_in(150..1000) && !m.any_in(200..1000) && !CellMask::of(0, &[]).any_in(0..100));
    }
}
