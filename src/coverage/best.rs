//! Best-server accumulation shared by parallel sweeps: each cell holds the strongest RSRP seen so far
//! in an atomic, updated lock-free by compare-and-swap — sites run in parallel over one grid with no
//! per-site raster. RSRP is stored as order-preserving bits of its `f32` (so integer max = float max);
//! the "any operator" grid packs it with the serving site's index in one `u64`, so value and server
//! change together, and equal values go to the lowest site index whatever the thread order.
//! Zero means "no signal".

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use crate::grid::Grid;

/// Nodata of the RSRP rasters (dBm).
pub const RSRP_NODATA: f32 = -9999.0;
/// Nodata of the serving-site raster.
pub const SITE_NODATA: i32 = -1;

#[inline]
pub fn ordered(v: f32) -> u32 {
    let b = v.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

#[inline]
pub fn unordered(u: u32) -> f32 {
    if u & 0x8000_0000 != 0 {
        f32::from_bits(u & 0x7fff_ffff)
    } else {
        f32::from_bits(!u)
    }
}

/// A best-server cell's (RSRP, site) from its packed word (high half: ordered RSRP; low half:
/// `u32::MAX − site`, so equal RSRP goes to the lower site); `None` for 0, the empty cell.
#[inline]
fn decode(u: u64) -> Option<(f32, u32)> {
    (u != 0).then(|| (unordered((u >> 32) as u32), u32::MAX - (u & 0xffff_ffff) as u32))
}

/// Raise an atomic cell holding `cur` to `new` if `new` is larger, by compare-and-swap (`cas`:
/// `compare_exchange_weak`). Unlike `fetch_max`, a cell that already holds a stronger signal (most
/// updates once a sweep has covered it) is only read, never written, so parallel sites do not
/// contend for its cache line.
#[inline]
fn raise<T: Copy + PartialOrd>(mut cur: T, new: T, mut cas: impl FnMut(T, T) -> Result<T, T>) {
    while new > cur {
        match cas(cur, new) {
            Ok(_) => break,
            Err(x) => cur = x,
        }
    }
}

/// Running maximum RSRP per cell.
pub struct MaxGrid {
    cells: Vec<AtomicU32>,
}

impl MaxGrid {
    pub fn new(len: usize) -> Self {
        Self { cells: crate::grid::filled_with(len, || AtomicU32::new(0)) }
    }

    #[inline]
    pub fn update(&self, i: usize, v: f32) {
        let new = ordered(v);
        let a = &self.cells[i];
        raise(a.load(Relaxed), new, |c, n| a.compare_exchange_weak(c, n, Relaxed, Relaxed));
    }

    /// The RSRP at cell `i`, if any.
    pub fn get(&self, i: usize) -> Option<f32> {
        let u = self.cells[i].load(Relaxed);
        (u != 0).then(|| unordered(u))
    }

    /// Into a raster shaped like `like` (nodata [`RSRP_NODATA`]); reuses the allocation.
    pub fn into_grid(self, like: &Grid<f32>) -> Grid<f32> {
        let data: Vec<f32> =
            self.cells.into_iter().map(|a| { let u = a.into_inner(); if u == 0 { RSRP_NODATA } else { unordered(u) } }).collect();
        Grid { width: like.width, height: like.height, transform: like.transform, nodata: Some(RSRP_NODATA), data }
    }
}

/// Running best server per cell: RSRP and the index of the site providing it.
pub struct BestServerGrid {
    cells: Vec<AtomicU64>,
}

impl BestServerGrid {
    pub fn new(len: usize) -> Self {
        Self { cells: crate::grid::filled_with(len, || AtomicU64::new(0)) }
    }

    #[inline]
    pub fn update(&self, i: usize, v: f32, site: u32) {
        let new = ((ordered(v) as u64) << 32) | (u32::MAX - site) as u64;
        let a = &self.cells[i];
        raise(a.load(Relaxed), new, |c, n| a.compare_exchange_weak(c, n, Relaxed, Relaxed));
    }

    /// RSRP and serving site index at cell `i`, if any.
    pub fn get(&self, i: usize) -> Option<(f32, u32)> {
        decode(self.cells[i].load(Relaxed))
    }

    /// Into the RSRP raster and the serving-site raster (ids mapped by `site_id`), both shaped like `like`.
    pub fn into_grids(self, like: &Grid<f32>, site_id: impl Fn(u32) -> i32 + Sync) -> (Grid<f32>, Grid<i32>) {
        use rayon::prelude::*;
        let cells = self.cells;
        let rsrp: Vec<f32> = cells.par_iter().map(|a| decode(a.load(Relaxed)).map_or(RSRP_NODATA, |(v, _)| v)).collect();
        let site: Vec<i32> = cells.par_iter().map(|a| decode(a.load(Relaxed)).map_or(SITE_NODATA, |(_, s)| site_id(s))).collect();
        drop(cells);
        let g = |data| Grid { width: like.width, height: like.height, transform: like.transform, nodata: Some(RSRP_NODATA), data };
        let s = Grid { width: like.width, height: like.height, transform: like.transform, nodata: Some(SITE_NODATA), data: site };
        (g(rsrp), s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_is_preserved() {
        let vals = [-140.0f32, -110.5, -110.0, -0.0, 0.0, 3.5, -9999.0, f32::NEG_INFINITY];
        for a in vals {
            assert_eq!(unordered(ordered(a)).to_bits(), a.to_bits());
            for b in vals {
                if a < b {
                    assert!(ordered(a) < ordered(b), "{a} {b}");
                }
            }
            assert!(ordered(a) > 0);
        }
    }

    #[test]
    fn best_server_keeps_the_max_and_its_site() {
        let g = BestServerGrid::new(2);
        g.update(0, -100.0, 3);
        g.update(0, -105.0, 1);
        g.update(0, -100.0, 2); // tie → lower index wins
        assert_eq!(g.get(0), Some((-100.0, 2)));
        assert_eq!(g.get(1), None);
        let m = MaxGrid::new(1);
        m.update(0, -120.0);
        m.update(0, -90.0);
        m.update(0, -95.0);
        assert_eq!(m.get(0), Some(-90.0));
    }
}
