//! The N strongest servers of every DEM cell, kept while sites are swept in parallel.
//!
//! Memory: each server is one `u32` — its RSRP quantized to 0.01 dB in the high half (so integer
//! order is RSRP order) and its sector's index among the operator's sectors in the low half (stored as
//! `0xFFFF − index`, so equal RSRP goes to the lower index whatever the thread order); 0 is an empty
//! slot. N = 4 is 16 bytes a cell, 610 MB for the 38 M cells of the Sơn La DEM, and one operator's
//! band is held at a time. A cell's list is sorted strongest first and changed under one of 4,096
//! striped locks; a value no stronger than a full list's weakest is rejected before locking, which is
//! most of them once the strong sites are in.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

use super::sinr::{dbm_to_mw, sinr_db_of_mw};

const STRIPES: usize = 4096;
/// RSRP offset and step of the quantization: −200 dBm … +455 dBm in 0.01 dB.
const OFFSET_DB: f32 = 200.0;
const STEP_DB: f32 = 0.01;

/// Pack a server: RSRP (dBm) and sector index (< 65,535).
#[inline]
pub fn pack(rsrp_dbm: f32, sector: u16) -> u32 {
    let q = round_half_away((rsrp_dbm + OFFSET_DB) / STEP_DB).clamp(1.0, 65_535.0) as u32;
    (q << 16) | (0xFFFF - sector as u32)
}

/// `x.round()` (half away from zero) without libm: without SSE4.1 in the baseline `f32::round` is a
/// call to `roundf`, once per sector and cell of the sweep. For 0 < x < 2²³ the truncation
/// `x as u32` is exact and so is `x − trunc(x)` (x's fractional bits), so comparing that with ½
/// rounds exactly as `roundf` does; anything else goes to `roundf`.
#[inline(always)]
fn round_half_away(x: f32) -> f32 {
    if x > 0.0 && x < 8_388_608.0 {
        let t = x as u32 as f32;
        if x - t >= 0.5 {
            t + 1.0
        } else {
            t
        }
    } else {
        x.round()
    }
}

/// (RSRP dBm, sector index) of a packed server; `None` for an empty slot.
#[inline]
pub fn unpack(e: u32) -> Option<(f32, u16)> {
    (e != 0).then(|| ((e >> 16) as f32 * STEP_DB - OFFSET_DB, (0xFFFF - (e & 0xFFFF)) as u16))
}

/// The linear power (mW, [`dbm_to_mw`]) of every RSRP quantum, indexed by `e >> 16` of a packed
/// entry `e`.
fn quantum_mw() -> &'static [f64] {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    TABLE.get_or_init(|| (0..=0xFFFFu32).map(|q| unpack((q << 16) | 1).map_or(0.0, |(v, _)| dbm_to_mw(v as f64))).collect())
}

/// SINR (dB) of a cell served by its list's first entry and interfered by the rest, at `load`
/// with noise power `noise_mw` per RE: [`super::sinr::sinr_db`] of the entries' RSRP with each power looked up
/// (`quantum_mw`) instead of one `powf` an entry, once per cell and carrier of the province — the
/// same bits, since every entry's RSRP is one of the 65,536 quanta. NaN for an empty list.
#[inline]
pub fn list_sinr_db(list: &[u32], load: f64, noise_mw: f64) -> f64 {
    let mw = quantum_mw();
    let s = if list[0] == 0 { f64::NAN } else { mw[(list[0] >> 16) as usize] };
    let i: f64 = list[1..].iter().filter(|&&e| e != 0).map(|&e| mw[(e >> 16) as usize]).sum();
    sinr_db_of_mw(s, i, load, noise_mw)
}

/// RSRP as the sweep stores it (quantized), for comparing with a list's entries.
#[inline]
pub fn quantized(rsrp_dbm: f32) -> u32 {
    pack(rsrp_dbm, 0) >> 16
}

/// An RSRP (dBm) below which every server packs below `e`, whatever its sector: `e`'s quantum less
/// one. `pack`'s f32 sum and quotient are within 10⁻² of a quantum of (v + 200)/0.01 here, and so is
/// this bound of (q − 1)·0.01 − 200, so any v under it rounds to a quantum below `e`'s. −∞ for an
/// empty slot and the lowest quanta (which `pack` clamps). Lets a sweep reject a server against a
/// full list's weakest entry without packing it (a division).
#[inline]
pub fn packs_below_dbm(e: u32) -> f32 {
    let q = e >> 16;
    if q < 2 {
        f32::NEG_INFINITY
    } else {
        (q - 1) as f32 * STEP_DB - OFFSET_DB
    }
}

/// Insert packed server `e` into `list` (strongest first, 0 = empty slot), keeping the `list.len()`
/// strongest: what [`TopNGrid::offer`] does to a cell, on a plain slice. Packed servers of distinct
/// sectors are distinct integers, so the result is the top N of everything ever inserted, whatever
/// the order — which is why shards' lists can be folded into the one-machine list ([`fold`]).
#[inline]
pub fn insert(list: &mut [u32], e: u32) {
    let n = list.len();
    if n == 0 || list[n - 1] >= e {
        return;
    }
    let mut k = n - 1;
    while k > 0 && list[k - 1] < e {
        list[k] = list[k - 1];
        k -= 1;
    }
    list[k] = e;
}

/// Fold a list (of another group of sites; strongest first, 0-terminated) into `list`.
#[inline]
pub fn fold(list: &mut [u32], other: &[u32]) {
    for &e in other.iter().take_while(|e| **e != 0) {
        insert(list, e);
    }
}

pub struct TopNGrid {
    n: usize,
    slots: Vec<AtomicU32>,
    locks: Vec<Mutex<()>>,
}

impl TopNGrid {
    pub fn new(cells: usize, n: usize) -> Self {
        assert!(n >= 1);
        Self {
            n,
            // Zeroed on every core: the province's grid is 600 MB.
            slots: crate::grid::filled_with(cells * n, || AtomicU32::new(0)),
            locks: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Empty every list (as [`Self::new`] leaves them), keeping the memory.
    pub fn clear(&mut self) {
        self.slots.par_iter_mut().for_each(|a| *a.get_mut() = 0);
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// The number of cells.
    pub fn cells(&self) -> usize {
        self.slots.len() / self.n
    }

    /// Cell `i`'s weakest kept server (0 while the list is not full). Entries only grow, so a value
    /// read during a sweep is a lower bound of every later one.
    #[inline]
    pub fn weakest(&self, i: usize) -> u32 {
        self.slots[i * self.n + self.n - 1].load(Relaxed)
    }

    /// Offer a packed server to cell `i`'s list (each sector at most once per cell).
    #[inline]
    pub fn offer(&self, i: usize, e: u32) {
        self.offer_all(i, &[e]);
    }

    /// Offer packed servers (distinct sectors) to cell `i`'s list: the list [`Self::offer`] of each
    /// in turn leaves — a list is the top N of everything inserted, whatever the order ([`insert`])
    /// — under one lock instead of one per server.
    #[inline]
    pub fn offer_all(&self, i: usize, es: &[u32]) {
        // Entries only grow, so a stale read of the weakest is conservative.
        let weakest = self.weakest(i);
        if es.iter().all(|&e| e <= weakest) {
            return;
        }
        self.offer_locked(i, es);
    }

    /// [`Self::offer_all`] past its lock-free rejection (kept out of line: the rejection is most offers).
    #[inline(never)]
    fn offer_locked(&self, i: usize, es: &[u32]) {
        let list = &self.slots[i * self.n..(i + 1) * self.n];
        let _g = self.locks[(i >> 4) % STRIPES].lock().unwrap_or_else(|p| p.into_inner());
        for &e in es {
            let mut k = self.n - 1;
            if list[k].load(Relaxed) >= e {
                continue;
            }
            while k > 0 && list[k - 1].load(Relaxed) < e {
                list[k].store(list[k - 1].load(Relaxed), Relaxed);
                k -= 1;
            }
            list[k].store(e, Relaxed);
        }
    }

    /// Cell `i`'s packed list, strongest first (empty slots are 0, at the end). Read after the sweep.
    #[inline]
    pub fn list(&self, i: usize, out: &mut [u32]) {
        for (o, a) in out.iter_mut().zip(&self.slots[i * self.n..(i + 1) * self.n]) {
            *o = a.load(Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (SplitMix64), so the test needs no crate.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn folding_groups_top_n_in_any_order_is_the_top_n_of_all() {
        // Sectors split among 1–6 groups (shards); each keeps its own top N (as a shard's TopNGrid
        // would); the groups' lists folded in a shuffled order must be the top N of all sectors
        // offered to one grid — including ties in RSRP (0.25 dB steps over a narrow range), which
        // go to the lower sector index either way.
        let mut st = 17u64;
        for case in 0..400 {
            let n = 1 + (next(&mut st) % 6) as usize;
            let groups = 1 + (next(&mut st) % 6) as usize;
            let sectors = (next(&mut st) % 40) as u16;
            let all = TopNGrid::new(1, n);
            let mut lists = vec![vec![0u32; n]; groups];
            for s in 0..sectors {
                let e = pack(-110.0 + (next(&mut st) % 12) as f32 * 0.25, s);
                all.offer(0, e);
                insert(&mut lists[(next(&mut st) % groups as u64) as usize], e);
            }
            // Shuffle the order of the groups (Fisher–Yates).
            for i in (1..groups).rev() {
                lists.swap(i, (next(&mut st) % (i as u64 + 1)) as usize);
            }
            let mut folded = vec![0u32; n];
            for l in &lists {
                fold(&mut folded, l);
            }
            let mut want = vec![0u32; n];
            all.list(0, &mut want);
            assert_eq!(folded, want, "case {case}: n {n}, {groups} groups, {sectors} sectors");
            // And the plain sort of everything, strongest first.
            let mut every: Vec<u32> = lists.iter().flatten().copied().filter(|e| *e != 0).collect();
            every.sort_unstable_by(|a, b| b.cmp(a));
            assert_eq!(&folded[..every.len().min(n)], &every[..every.len().min(n)]);
        }
    }

    #[test]
    fn the_looked_up_sinr_is_sinr_db_of_the_entries_bit_for_bit() {
        // Lists of 1–4 servers from −140 to −40 dBm (a few empty slots), two loads and noises:
        // the table's SINR against `sinr_db` of the unpacked RSRP, and NaN for an empty list.
        use super::super::sinr::sinr_db;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for k in 0..20_000 {
            let n = 1 + (next() % 4) as usize;
            let mut list: Vec<u32> = (0..n).map(|s| pack(-140.0 + (next() % 10_000) as f32 / 100.0, s as u16)).collect();
            list.sort_unstable_by(|a, b| b.cmp(a));
            list.resize(4, 0);
            let (load, noise_dbm) = if k % 2 == 0 { (0.5, -122.78) } else { (1.0, -125.0) };
            let v: Vec<f64> = list.iter().filter_map(|&e| unpack(e)).map(|(v, _)| v as f64).collect();
            let want = sinr_db(v[0], v[1..].iter().copied(), load, noise_dbm);
            let got = list_sinr_db(&list, load, dbm_to_mw(noise_dbm));
            assert_eq!(got.to_bits(), want.to_bits(), "{list:?}");
        }
        assert!(list_sinr_db(&[0, 0, 0, 0], 0.5, 1e-12).is_nan());
    }

    #[test]
    fn pack_rounds_as_roundf() {
        // The libm-free rounding equals f32::round on every quantized RSRP from −200 to +455 dBm in
        // steps of 1/4096 dB, at the halves and their neighbours, and on the edge cases.
        let mut x = -200.0f32;
        while x < 455.0 {
            let q = (x + OFFSET_DB) / STEP_DB;
            assert_eq!(round_half_away(q).to_bits(), q.round().to_bits(), "{x}: {q}");
            x += 1.0 / 4096.0;
        }
        for k in 0..70_000u32 {
            let h = k as f32 + 0.5;
            for v in [h, f32::from_bits(h.to_bits() - 1), f32::from_bits(h.to_bits() + 1), k as f32] {
                assert_eq!(round_half_away(v).to_bits(), v.round().to_bits(), "{v}");
            }
        }
        for v in [0.0, -0.0, -0.5, -1.5, 0.49999997, 8_388_607.5, 8_388_608.0, 1e10, -1e10, f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(round_half_away(v).to_bits(), v.round().to_bits(), "{v}");
        }
        assert!(round_half_away(f32::NAN).is_nan());
    }

    #[test]
    fn below_the_bound_packs_below_the_entry() {
        // For entries over the whole quantized range (and both ends of the sector field), the
        // largest f32 under the bound, and a spread of values below it, pack below the entry.
        let mut st = 5u64;
        for q in (1..65_536u32).step_by(7).chain([1, 2, 3, 65_534, 65_535]) {
            for low in [0u32, 0xFFFF] {
                let e = (q << 16) | low;
                let lim = packs_below_dbm(e);
                if q < 2 {
                    assert_eq!(lim, f32::NEG_INFINITY);
                    continue;
                }
                let top = f32::from_bits(if lim > 0.0 { lim.to_bits() - 1 } else { lim.to_bits() + 1 });
                assert!(top < lim);
                for v in [top, lim - 0.004, lim - 0.0051, lim - 0.01, lim - (next(&mut st) % 10_000) as f32 * 0.013] {
                    for sector in [0u16, 0xFFFE] {
                        assert!(pack(v, sector) < e, "q {q}: {v} packs to {:#x} ≥ {e:#x}", pack(v, sector));
                    }
                }
                // One quantum up is not below: the bound is not needlessly low.
                assert!(pack(lim + STEP_DB, 0) >> 16 >= q - 1);
            }
        }
    }

    #[test]
    fn offering_together_equals_offering_one_by_one() {
        // Random groups of 1–8 servers per offer (ties in RSRP among them), N = 1–5: the list after
        // offer_all is the list after inserting each in turn (`insert`, the single offer's rule).
        let mut st = 99u64;
        for case in 0..2000 {
            let n = 1 + (next(&mut st) % 5) as usize;
            let all = TopNGrid::new(1, n);
            let mut a = vec![0u32; n];
            let mut sector = 0u16;
            for _ in 0..(next(&mut st) % 6) {
                let m = 1 + (next(&mut st) % 8) as usize;
                let es: Vec<u32> = (0..m)
                    .map(|_| {
                        sector += 1;
                        pack(-120.0 + (next(&mut st) % 16) as f32 * 0.5, sector)
                    })
                    .collect();
                for &e in &es {
                    insert(&mut a, e);
                }
                all.offer_all(0, &es);
            }
            let mut b = vec![0u32; n];
            all.list(0, &mut b);
            assert_eq!(a, b, "case {case}");
        }
    }

    #[test]
    fn keeps_the_n_strongest_in_order_under_parallel_offers() {
        let g = TopNGrid::new(3, 4);
        // 200 sectors with distinct RSRP offered in a scrambled order from many threads.
        (0..200u16).into_par_iter().for_each(|s| {
            let k = (s as u32 * 7919) % 200;
            g.offer(1, pack(-140.0 + k as f32 * 0.25, s));
        });
        let mut out = [0u32; 4];
        g.list(1, &mut out);
        let got: Vec<f32> = out.iter().map(|e| unpack(*e).unwrap().0).collect();
        let want = [-140.0 + 199.0 * 0.25, -140.0 + 198.0 * 0.25, -140.0 + 197.0 * 0.25, -140.0 + 196.0 * 0.25];
        for (a, b) in got.iter().zip(want) {
            assert!((a - b).abs() < 0.006, "{got:?}");
        }
        g.list(0, &mut out);
        assert_eq!(out, [0; 4]);
        assert_eq!(unpack(pack(-97.123, 1234)), Some(((((-97.123f32 + 200.0) / 0.01).round()) * 0.01 - 200.0, 1234)));
        // Equal RSRP: the lower sector index first.
        g.offer(2, pack(-90.0, 9));
        g.offer(2, pack(-90.0, 3));
        g.list(2, &mut out);
        assert_eq!(unpack(out[0]).unwrap().1, 3);
        assert_eq!(unpack(out[1]).unwrap().1, 9);
    }
}
