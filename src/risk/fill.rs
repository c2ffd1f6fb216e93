//! Depression filling by Priority-Flood (Barnes, Lehman & Mulla 2014, "Priority-Flood: An optimal
//! depression-filling and watershed-labeling algorithm for digital elevation models", Computers &
//! Geosciences 62: 117–127), in its improved form (their Algorithm 2) that sends cells inside a
//! depression through a plain FIFO queue and only the rest through the priority queue.
//!
//! The flood starts from every cell that can drain out of the DEM — the grid border and every cell
//! next to nodata — and grows inwards lowest-first; a cell reached from a higher one is raised to
//! that level. The result has no pits: every valid cell has a non-ascending path to an edge. Filled
//! depressions become exactly flat; [`super::flats`] then gives them drainage directions, so no
//! epsilon gradient is added to the elevations (an f32 epsilon would be lost at 2,000 m).
//!
//! The priority queue is a monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990) on the
//! order-preserving bits of the elevation: Priority-Flood only ever pushes cells higher than the one
//! it pops, which is exactly the monotone case, and a radix heap there moves each entry between at
//! most 32 buckets instead of sifting through a binary heap. Memory: the filled copy, one bit per
//! cell for "already queued", and the queues. The flood itself is sequential (its order is the
//! algorithm); the seeding scans are parallel.
//!
//! On a large DEM [`fill_depressions`] instead floods tiles of 256 × 256 cells in parallel
//! and joins them along their borders (Barnes 2016, [`super::tiled::fill`], the code the sharded
//! build runs): the filled DEM is the same bit for bit — every output is the lowest over all paths
//! off the DEM of the highest elevation on the path, one of the input values — and
//! [`fill_depressions_sequential`] stays the reference the tests compare it with. Besides the
//! threads, the tiles halve the CPU time: a tile's flood state stays in cache.

use std::collections::VecDeque;

use rayon::prelude::*;

use super::d8::{self, check_size, for_each_neighbour, is_valid, neighbour};
use crate::error::Result;
use crate::grid::Grid;

/// Order-preserving map of an f32 onto u32 (for finite values): a < b ⇔ key(a) < key(b).
#[inline]
pub(crate) fn key(v: f32) -> u32 {
    let b = v.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// True when (c, r) may drain off the DEM: on the border or next to a cell without data.
#[inline]
pub fn is_edge(dem: &Grid<f32>, c: usize, r: usize) -> bool {
    let (w, h) = (dem.width, dem.height);
    if c == 0 || r == 0 || c + 1 == w || r + 1 == h {
        return true;
    }
    (0..8).any(|d| neighbour(c, r, d, w, h).is_some_and(|n| !is_valid(dem.data[n], dem.nodata)))
}

/// Below this many cells the sequential flood is used (the tiles' merge is not worth it).
pub const PARALLEL_MIN_CELLS: usize = 1 << 18;

/// Side (cells) of the parallel fill's tiles: a 256 × 256 tile's flood state (8 bytes a cell,
/// 512 KB) stays in the core's L2 cache instead of missing to memory at every neighbour. On the
/// province's DEM (38 M cells, the shared 2-core machine, `cargo run --release --example
/// fill_tiles`) about 600 tiles of this size took 2.7 s of CPU against 5.3–6.0 s for the
/// one-sequence flood, 4.7–5.0 s for 16 tiles and 7.1 s for 4, every result equal; 256 to 1,024
/// tiles were within 0.2 s of each other, 4,096 (the merge's graph growing) 3.8 s.
const TILE_SIDE: usize = 256;

/// Fill every depression of `dem`. Nodata cells stay nodata; the result has the DEM's nodata value.
/// Large DEMs are flooded by tiles in parallel ([`super::tiled::fill::fill_in_tiles`]), others by
/// [`fill_depressions_sequential`]; both give the same bits.
///
/// ```
/// use covermap::grid::{GeoTransform, Grid};
/// use covermap::risk::fill::fill_depressions;
/// // A 5 × 5 bowl: rim at 10 m with a notch at 7 m, inner cells at 2–4 m. The pit fills to the
/// // notch (7 m), the spill level; the rim stays as it was.
/// let t = GeoTransform { x0: 0.0, y0: 50.0, dx: 10.0, dy: 10.0 };
/// let mut dem = Grid::new(5, 5, t, 10.0f32, Some(-9999.0));
/// for (c, r, z) in [(1, 1, 4.0), (2, 1, 3.0), (3, 1, 4.0), (1, 2, 3.0), (2, 2, 2.0), (3, 2, 3.0), (1, 3, 4.0), (2, 3, 3.0), (3, 3, 4.0)] {
///     dem.set(c, r, z);
/// }
/// dem.set(4, 2, 7.0);
/// let filled = fill_depressions(&dem).unwrap();
/// assert_eq!(filled.get(2, 2), 7.0);
/// assert_eq!(filled.get(1, 1), 7.0);
/// assert_eq!(filled.get(4, 2), 7.0);
/// assert_eq!(filled.get(0, 0), 10.0);
/// ```
pub fn fill_depressions(dem: &Grid<f32>) -> Result<Grid<f32>> {
    check_size(dem.width, dem.height)?;
    if dem.len() < PARALLEL_MIN_CELLS {
        return fill_depressions_sequential(dem);
    }
    // Tiles even on one thread: the tiles' flood is cache-resident, the whole grid's is not.
    let layout = super::tiled::TileLayout::new(dem.width, dem.height, TILE_SIDE, TILE_SIDE)?;
    super::tiled::fill::fill_in_tiles(dem, &layout)
}

/// The improved Priority-Flood of the whole DEM in one sequence (Barnes et al. 2014, Algorithm 2).
pub fn fill_depressions_sequential(dem: &Grid<f32>) -> Result<Grid<f32>> {
    check_size(dem.width, dem.height)?;
    let (w, h) = (dem.width, dem.height);
    let nd = dem.nodata;
    let mut filled = dem.clone();

    // Seeds: edge cells, found in parallel by rows.
    let seeds: Vec<(u32, u32)> = (0..h)
        .into_par_iter()
        .flat_map_iter(|r| {
            let dem = &dem;
            (0..w).filter_map(move |c| {
                let v = dem.data[r * w + c];
                (is_valid(v, nd) && is_edge(dem, c, r)).then(|| (key(v), (r * w + c) as u32))
            })
        })
        .collect();
    let mut closed = vec![0u64; (w * h).div_ceil(64)];
    let mark = |closed: &mut [u64], i: usize| closed[i >> 6] |= 1 << (i & 63);
    let is_marked = |closed: &[u64], i: usize| closed[i >> 6] & (1 << (i & 63)) != 0;
    for s in &seeds {
        mark(&mut closed, s.1 as usize);
    }
    // Invalid cells never enter the flood.
    for (i, v) in dem.data.iter().enumerate() {
        if !is_valid(*v, nd) {
            mark(&mut closed, i);
        }
    }
    let mut open = RadixHeap::new();
    for (k, i) in seeds {
        open.push(k, i);
    }
    let mut pit: VecDeque<u32> = VecDeque::new();
    let offsets = d8::offsets(w);

    while let Some(c) = next_cell(&mut pit, &mut open) {
        let z = filled.data[c];
        let (col, row) = (c % w, c / w);
        macro_rules! visit {
            ($n:expr) => {{
                let n = $n;
                if !is_marked(&closed, n) {
                    mark(&mut closed, n);
                    let zn = filled.data[n];
                    if zn <= z {
                        filled.data[n] = z;
                        pit.push_back(n as u32);
                    } else {
                        open.push(key(zn), n as u32);
                    }
                }
            }};
        }
        // Interior cells (all but the border, which are seeds) need no bounds checks.
        for_each_neighbour(c, col, row, w, h, &offsets, |n| visit!(n));
    }
    Ok(filled)
}

/// The next cell of the improved Priority-Flood (Barnes et al. 2014, Algorithm 2): a cell raised
/// inside a pit first (FIFO: all at the pit's spill height), else the lowest of the open boundary.
pub(crate) fn next_cell(pit: &mut VecDeque<u32>, open: &mut RadixHeap) -> Option<usize> {
    pit.pop_front().or_else(|| open.pop()).map(|c| c as usize)
}

/// Monotone radix heap of (key, cell) pairs: pops in non-decreasing key order, provided no key
/// pushed is below the last key popped.
pub(crate) struct RadixHeap {
    last: u32,
    len: usize,
    buckets: Vec<Vec<(u32, u32)>>,
}

impl RadixHeap {
    pub(crate) fn new() -> Self {
        Self { last: 0, len: 0, buckets: (0..33).map(|_| Vec::new()).collect() }
    }

    #[inline]
    fn bucket(k: u32, last: u32) -> usize {
        32 - (k ^ last).leading_zeros() as usize
    }

    #[inline]
    pub(crate) fn push(&mut self, k: u32, v: u32) {
        debug_assert!(k >= self.last);
        self.buckets[Self::bucket(k, self.last)].push((k, v));
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..33).find(|i| !self.buckets[*i].is_empty())?;
            let moved = std::mem::take(&mut self.buckets[i]);
            self.last = moved.iter().map(|e| e.0).min()?;
            for e in &moved {
                self.buckets[Self::bucket(e.0, self.last)].push(*e);
            }
            // Keep the allocation for the next time this bucket fills.
            let mut moved = moved;
            moved.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = moved;
            }
        }
        self.len -= 1;
        self.buckets[0].pop().map(|e| e.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    pub(crate) fn grid(w: usize, h: usize, v: &[f32]) -> Grid<f32> {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        Grid { width: w, height: h, transform: t, nodata: Some(-9999.0), data: v.to_vec() }
    }

    #[test]
    fn radix_heap_pops_in_order() {
        let mut h = RadixHeap::new();
        for (i, z) in [5.0f32, -3.0, 100.5, 7.25, 7.25, 0.0].iter().enumerate() {
            h.push(key(*z), i as u32);
        }
        let mut out = Vec::new();
        while let Some(i) = h.pop() {
            out.push(i);
            if i == 1 {
                h.push(key(4.0), 9); // monotone: above the last popped (−3)
            }
        }
        assert_eq!(out, vec![1, 5, 9, 0, 4, 3, 2]);
    }

    #[test]
    fn key_orders_floats() {
        let v = [-1000.5f32, -1.0, -0.0, 0.0, 1e-6, 3.0, 2500.25];
        for p in v.windows(2) {
            assert!(key(p[0]) <= key(p[1]), "{p:?}");
        }
    }

    #[test]
    fn pit_is_filled_to_its_spill_point() {
        // Barnes et al. (2014) Fig. 1-style bowl: a 2-cell pit (1, 2) inside a rim whose lowest
        // point is 5 (the spill to the border at the east); the pit fills to 5, nothing else moves.
        #[rustfmt::skip]
        let g = grid(5, 5, &[
            9., 9., 9., 9., 9.,
            9., 6., 7., 6., 9.,
            9., 2., 1., 5., 5.,
            9., 6., 7., 6., 9.,
            9., 9., 9., 9., 9.,
        ]);
        let f = fill_depressions(&g).unwrap();
        assert_eq!(f.get(1, 2), 5.0);
        assert_eq!(f.get(2, 2), 5.0);
        assert_eq!(f.get(3, 2), 5.0);
        assert_eq!(f.get(1, 1), 6.0);
        assert_eq!(f.get(2, 1), 7.0);
        assert_eq!(f.get(4, 2), 5.0);
    }

    #[test]
    fn nodata_is_an_outlet() {
        // A pit next to a nodata hole drains into the hole: nothing is raised.
        #[rustfmt::skip]
        let g = grid(4, 4, &[
            9., 9., 9., 9.,
            9., 1., -9999., 9.,
            9., 3., 4., 9.,
            9., 9., 9., 9.,
        ]);
        let f = fill_depressions(&g).unwrap();
        assert_eq!(f.data, g.data);
    }

    #[test]
    fn parallel_fill_equals_the_sequential_flood() {
        // The benches' terrain (many pits and exact flats) with nodata holes, above the parallel
        // threshold, and the same cut into tiles of several shapes: the same bits every time.
        let dem = crate::risk::synthetic::bench_dem_with_holes(700);
        assert!(dem.len() >= PARALLEL_MIN_CELLS);
        let want = fill_depressions_sequential(&dem).unwrap();
        let raised = want.data.iter().zip(&dem.data).filter(|(a, b)| a != b).count();
        assert!(raised > 5_000, "the terrain has depressions to fill ({raised} cells raised)");
        let same = |g: &Grid<f32>| g.data.iter().zip(&want.data).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same(&fill_depressions(&dem).unwrap()));
        for n in [2, 7, 16, 40, 300] {
            let layout = crate::risk::tiled::TileLayout::for_count(dem.width, dem.height, n).unwrap();
            assert!(same(&crate::risk::tiled::fill::fill_in_tiles(&dem, &layout).unwrap()), "{n} tiles");
        }
    }

    #[test]
    fn filled_dem_has_no_interior_pit() {
        // Pseudo-random surface: after filling, every interior cell has a neighbour not higher.
        let (w, h) = (40, 30);
        let mut rng = crate::risk::synthetic::Lcg(12345);
        let v: Vec<f32> = (0..w * h).map(|_| (rng.next() % 1000) as f32 / 10.0).collect();
        let f = fill_depressions(&grid(w, h, &v)).unwrap();
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                let z = f.get(c, r);
                assert!(z >= v[r * w + c]);
                let lowest = (0..8).map(|d| f.data[neighbour(c, r, d, w, h).unwrap()]).fold(f32::MAX, f32::min);
                assert!(lowest <= z, "pit at {c},{r}");
            }
        }
    }
}
