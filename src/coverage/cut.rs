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

use std::f64::consts::{PI, TAU};
use std::ops::Range;
use std::sync::Arc;

use crate::grid::Grid;

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

    /// Whether any cell of the block `rows` × `cols` of a grid `width` cells wide is in the mask.
    pub fn any_in(&self, width: usize, rows: Range<usize>, cols: Range<usize>) -> bool {
        rows.into_iter().any(|r| {
            let (a, b) = (r * width + cols.start, r * width + cols.end);
            (a / 64..b.div_ceil(64)).any(|k| {
                let Some(&w) = self.bits.get(k) else { return false };
                // The word's bits that fall in [a, b).
                let lo = a.saturating_sub(k * 64).min(64);
                let hi = (b - k * 64).min(64);
                let m = if hi - lo == 64 { u64::MAX } else { ((1u64 << (hi - lo)) - 1) << lo };
                w & m != 0
            })
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
    /// Per sample index s: the smallest `need` at s or beyond (what a block's nearest cell bounds).
    need_beyond: Vec<f32>,
    /// The smallest and largest clutter loss of any land-cover class (dB; 0 without land cover).
    clutter_min: f32,
    clutter_max: f32,
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
        self.gain.clear();
        let w = 360.0 / BINS as f32;
        self.gain.extend((0..BINS).map(|b| {
            let (lo, hi) = (b as f32 * w, (b + 1) as f32 * w);
            tx.sectors
                .iter()
                .map(|sec| sec.eirp_dbm - sec.pattern.min_attenuation_between(lo, hi))
                .fold(f32::NEG_INFINITY, f32::max)
        }));
        self.need_beyond.clear();
        self.need_beyond.extend_from_slice(&self.need);
        for s in (0..self.need_beyond.len().saturating_sub(1)).rev() {
            self.need_beyond[s] = self.need_beyond[s].min(self.need_beyond[s + 1]);
        }
        (self.clutter_min, self.clutter_max) = tx.clutter.as_ref().map_or((0.0, 0.0), |k| k.loss_range_db());
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

    /// Whether some cell of the block `rows` × `cols` of `grid` (the DEM the sweep locates cells on)
    /// may pass: `false` only when [`Self::passes`] is certainly false for every cell in it, so the
    /// sweep's readers skip the block without locating its cells one by one (most of the far disc is
    /// left out by the rule). Bounds: a cell's sample index is at least that of the block's nearest
    /// point (less one for rounding), its azimuth bin lies within the bins of the block's corners
    /// (± one), and its clutter loss is at least the smallest in the block — scanned for a single row,
    /// the smallest of any class for a larger block. `step_m` is the sweep's sample step.
    pub fn block_may_pass(&self, tx: &Transmitter, step_m: f64, grid: &Grid<f32>, rows: Range<usize>, cols: Range<usize>) -> bool {
        if !self.active {
            return true;
        }
        let (sx, sy) = (tx.x, tx.y);
        let (x0, y1) = grid.cell_center(cols.start, rows.start);
        let (x1, y0) = grid.cell_center(cols.end - 1, rows.end - 1);
        let dx = sx.clamp(x0, x1) - sx;
        let dy = sy.clamp(y0, y1) - sy;
        let dmin = (dx * dx + dy * dy).sqrt();
        let s_lo = ((dmin / step_m + 0.5) as usize).saturating_sub(1);
        // Next to the site (the block may hold it: no azimuth span) every cell is located.
        if s_lo < 2 || s_lo >= self.need_beyond.len() {
            return true;
        }
        // The corners' azimuths around the block centre's: the block does not hold the site, so its
        // span is below π and the extremes are at corners.
        let az = |x: f64, y: f64| (x - sx).atan2(y - sy);
        let centre = az(0.5 * (x0 + x1), 0.5 * (y0 + y1));
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for (x, y) in [(x0, y0), (x1, y0), (x0, y1), (x1, y1)] {
            let d = (az(x, y) - centre + PI).rem_euclid(TAU) - PI;
            lo = lo.min(d);
            hi = hi.max(d);
        }
        let per_rad = BINS as f64 / TAU;
        let b0 = ((centre + lo) * per_rad).floor() as i64 - 1;
        let b1 = ((centre + hi) * per_rad).floor() as i64 + 1;
        let best = (b0..=b1).map(|b| self.gain[b.rem_euclid(BINS as i64) as usize]).fold(f32::NEG_INFINITY, f32::max);
        let headroom = best - self.need_beyond[s_lo];
        if headroom >= self.clutter_max {
            return true;
        }
        let clutter = match &tx.clutter {
            Some(k) if rows.len() == 1 => k.min_loss_in(rows.start, cols.clone()),
            _ => self.clutter_min,
        };
        headroom >= clutter || self.keep.as_ref().is_some_and(|k| k.any_in(grid.width, rows, cols))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::engine::walk_for;
    use crate::coverage::params::CoverageParams;
    use crate::coverage::sweep::{rasterize, sweep, sweep_tx, Scratch};
    use crate::coverage::synthetic::{empty_dataset, hilly_dem, prepared_three_sector};
    use crate::grid::Grid;

    #[test]
    fn the_cut_leaves_out_only_cells_below_the_floor_and_keeps_the_kept() {
        // A three-sector 1800 MHz site on hills, tree cover (12 dB) on a checkerboard of 10-cell
        // blocks. Against the full sweep: every cell the cut sweep fills holds the same value bit for
        // bit; every cell it leaves out was below the reach floor; the kept cells are all there; and
        // the cut leaves out a good part of the disc.
        let mut ds = empty_dataset(hilly_dem(420, 400, 30.0, 11, 350.0));
        let d = &ds.dem;
        ds.landcover = Some(Arc::new(Grid::from_fn(d.width, d.height, d.transform, Some(0u8), |c, r| if (c / 10 + r / 10) % 2 == 0 { 10 } else { 30 })));
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
        // Blocks of a 20-wide grid against a cell-by-cell scan.
        for (rows, cols) in [(0..1, 0..20), (3..6, 3..4), (3..10, 4..20), (9..10, 19..20), (1..3, 0..3), (6..9, 5..19)] {
            let scan = rows.clone().any(|r| cols.clone().any(|c| m.contains(r * 20 + c)));
            assert_eq!(m.any_in(20, rows.clone(), cols.clone()), scan, "{rows:?} × {cols:?}");
        }
    }

    #[test]
    fn skipping_blocks_leaves_out_no_cell_that_passes() {
        // The located cells with the block test (`for_each_located`) are exactly those a cell-by-cell
        // scan of `passes` lets through, for sites in the middle, near an edge and at a corner, with
        // and without land cover and kept cells; and the block test skips a good part of the blocks.
        let mut ds = empty_dataset(hilly_dem(420, 400, 30.0, 11, 350.0));
        let params = CoverageParams { max_radius_m: 6000.0, covered_dbm: -95.0, ..Default::default() };
        for (landcover, col, row, keep_step) in [(true, 210, 200, 0), (true, 30, 200, 331), (false, 5, 3, 0), (true, 400, 390, 7919), (false, 210, 200, 0)] {
            ds.landcover = landcover.then(|| {
                let d = &ds.dem;
                Arc::new(Grid::from_fn(d.width, d.height, d.transform, Some(0u8), |c, r| if (c / 10 + r / 10) % 2 == 0 { 10 } else { 30 }))
            });
            let p = prepared_three_sector(&ds, &params, (col, row), (5.0, -7.0), 30.0, 1800.0);
            let tx = &p.txs[0];
            let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
            let kept: Vec<usize> = if keep_step == 0 { vec![] } else { (0..ds.dem.len()).step_by(keep_step).collect() };
            let mut cut = ReachCut::default();
            cut.prepare(&CutRule::reach_keeping(ds.dem.len(), &kept), &prof, tx, params.reach_floor_dbm());
            let mut by_blocks = vec![];
            crate::coverage::sweep::for_each_located(tx, &plan, &ds.dem, &cut, |i, _| by_blocks.push(i));
            by_blocks.sort_unstable();
            let mut by_cells = vec![];
            for r in 0..ds.dem.height {
                for c in 0..ds.dem.width {
                    let (cx, cy) = ds.dem.cell_center(c, r);
                    let i = r * ds.dem.width + c;
                    if crate::coverage::sweep::locate(&plan, tx.x, tx.y, cx, cy).is_some_and(|l| cut.passes(tx, i, &l)) {
                        by_cells.push(i);
                    }
                }
            }
            assert_eq!(by_blocks, by_cells, "site at ({col}, {row})");
            if (col, row) == (210, 200) {
                // Row segments of 32 cells the test leaves out, against all.
                let (mut skipped, mut segments) = (0, 0);
                for r in 0..ds.dem.height {
                    for c0 in (0..ds.dem.width).step_by(32) {
                        segments += 1;
                        if !cut.block_may_pass(tx, plan.step_m, &ds.dem, r..r + 1, c0..(c0 + 32).min(ds.dem.width)) {
                            skipped += 1;
                        }
                    }
                }
                assert!(skipped * 16 > segments, "{landcover}: {skipped} of {segments} row segments skipped");
            }
        }
    }
}
