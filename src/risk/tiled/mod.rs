//! The hydrology by tiles, for builds split across machines: depression filling by Barnes (2016),
//! "Parallel priority-flood depression filling for trillion cell digital elevation models"
//! (Computers & Geosciences 96: 125–137), D8 with flats resolved across tile borders, and flow
//! accumulation by Barnes (2017), "Parallel non-divergent flow accumulation for trillion cell digital
//! elevation models on desktops or clusters" (Environmental Modelling & Software 92: 202–212).
//!
//! Each step has a per-tile phase that reads only its tile and a one-cell halo, a merge that sees only
//! what lies on the tiles' perimeters (a graph of a few values per border cell), and a second per-tile
//! phase that applies the merge. The results equal the one-machine [`super::fill`],
//! [`super::flowdir`] + [`super::flats`] and [`super::accumulation`] bit for bit (every value is an
//! input elevation or an integer count, and each step's answer is unique): the unit tests compare them
//! on known grids and on random ones. [`hydrology`] runs all phases in one process (tiles in parallel);
//! `covermap run-shard` runs the filling's first phase on separate machines ([`fill`]).

pub mod accumulation;
pub mod fill;
pub mod flats;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::grid::Grid;

/// A rectangle of cells of some grid: columns `c0..c0 + w`, rows `r0..r0 + h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub c0: usize,
    pub r0: usize,
    pub w: usize,
    pub h: usize,
}

impl Rect {
    #[inline]
    pub fn contains(&self, c: usize, r: usize) -> bool {
        c >= self.c0 && r >= self.r0 && c < self.c0 + self.w && r < self.r0 + self.h
    }

    /// True for a cell of the rectangle on its outer ring.
    #[inline]
    pub fn on_perimeter(&self, c: usize, r: usize) -> bool {
        c == self.c0 || r == self.r0 || c + 1 == self.c0 + self.w || r + 1 == self.r0 + self.h
    }

    pub fn len(&self) -> usize {
        self.w * self.h
    }

    pub fn is_empty(&self) -> bool {
        self.w == 0 || self.h == 0
    }

    /// Index of grid cell (c, r) in a rect-sized, row-major array.
    #[inline]
    pub fn local(&self, c: usize, r: usize) -> usize {
        (r - self.r0) * self.w + c - self.c0
    }

    /// The perimeter cells (grid coordinates), each once, row-major.
    pub fn perimeter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (self.r0..self.r0 + self.h).flat_map(move |r| {
            let full = r == self.r0 || r + 1 == self.r0 + self.h;
            let cols: Box<dyn Iterator<Item = usize>> = if full || self.w <= 2 {
                Box::new(self.c0..self.c0 + self.w)
            } else {
                Box::new([self.c0, self.c0 + self.w - 1].into_iter())
            };
            cols.map(move |c| (c, r))
        })
    }

    /// This rectangle grown by `halo` cells on every side, clipped to a `width` × `height` grid.
    pub fn grown(&self, halo: usize, width: usize, height: usize) -> Rect {
        let c0 = self.c0.saturating_sub(halo);
        let r0 = self.r0.saturating_sub(halo);
        let c1 = (self.c0 + self.w + halo).min(width);
        let r1 = (self.r0 + self.h + halo).min(height);
        Rect { c0, r0, w: c1 - c0, h: r1 - r0 }
    }
}

/// A grid cut into equal tiles (the last row and column of tiles take the remainder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileLayout {
    pub width: usize,
    pub height: usize,
    pub tile_w: usize,
    pub tile_h: usize,
}

impl TileLayout {
    pub fn new(width: usize, height: usize, tile_w: usize, tile_h: usize) -> Result<Self> {
        if width == 0 || height == 0 || tile_w == 0 || tile_h == 0 {
            return Err(Error::param("tiles", format!("a {width} × {height} grid cannot be cut into {tile_w} × {tile_h} tiles")));
        }
        Ok(Self { width, height, tile_w, tile_h })
    }

    /// About `n` tiles as near to square as the grid allows (`n` = 4 → 2 × 2).
    pub fn for_count(width: usize, height: usize, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::param("shards", "the number of tiles must be at least 1"));
        }
        // The factorisation nx · ny = n whose tiles are closest to square.
        let (nx, ny) = (1..=n)
            .filter(|nx| n % nx == 0)
            .map(|nx| (nx, n / nx))
            .min_by(|a, b| {
                let aspect = |(nx, ny): (usize, usize)| ((width as f64 / nx as f64) / (height as f64 / ny as f64)).ln().abs();
                aspect(*a).total_cmp(&aspect(*b))
            })
            .unwrap_or((1, n));
        Self::new(width, height, width.div_ceil(nx).max(1), height.div_ceil(ny).max(1))
    }

    pub fn cols(&self) -> usize {
        self.width.div_ceil(self.tile_w)
    }

    pub fn rows(&self) -> usize {
        self.height.div_ceil(self.tile_h)
    }

    pub fn count(&self) -> usize {
        self.cols() * self.rows()
    }

    /// Tile `i` (row-major) in grid coordinates.
    pub fn rect(&self, i: usize) -> Rect {
        let (tc, tr) = (i % self.cols(), i / self.cols());
        let (c0, r0) = (tc * self.tile_w, tr * self.tile_h);
        Rect { c0, r0, w: self.tile_w.min(self.width - c0), h: self.tile_h.min(self.height - r0) }
    }

    /// The tile holding grid cell (c, r).
    #[inline]
    pub fn tile_of(&self, c: usize, r: usize) -> usize {
        (r / self.tile_h) * self.cols() + c / self.tile_w
    }
}

/// Copy rect-sized tile arrays into one grid shaped like `like`.
pub fn assemble<T: Copy + PartialEq + Send + Sync, U: Copy + PartialEq + Send + Sync>(
    like: &Grid<U>,
    layout: &TileLayout,
    tiles: &[Vec<T>],
    fill: T,
    nodata: Option<T>,
) -> Grid<T> {
    let mut g = like.like(fill, nodata);
    let w = g.width;
    // Rows in parallel: each output row gathers its pieces from the tiles it crosses.
    g.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        let tr = r / layout.tile_h;
        for tc in 0..layout.cols() {
            let t = tr * layout.cols() + tc;
            let rect = layout.rect(t);
            let src = &tiles[t][(r - rect.r0) * rect.w..(r - rect.r0 + 1) * rect.w];
            row[rect.c0..rect.c0 + rect.w].copy_from_slice(src);
        }
    });
    g
}

/// Filled DEM, resolved D8 directions and flow accumulation of `dem`, computed tile by tile with the
/// merges of Barnes (2016, 2017) — equal to `fill_depressions`, `d8_flow_directions` and
/// `flow_accumulation` on the whole grid.
pub fn hydrology(dem: &Grid<f32>, layout: &TileLayout) -> Result<(Grid<f32>, Grid<u8>, Grid<u32>)> {
    super::d8::check_size(dem.width, dem.height)?;
    if (layout.width, layout.height) != (dem.width, dem.height) {
        return Err(Error::param("tiles", format!("the tile layout is for {} × {} cells, the DEM has {} × {}", layout.width, layout.height, dem.width, dem.height)));
    }
    let filled = fill::fill_in_tiles(dem, layout)?;
    let dirs = flats::directions(&filled, layout);
    let acc = accumulation::accumulate(&dirs, layout)?;
    Ok((filled, dirs, acc))
}

#[cfg(test)]
mod tests {
    use super::super::accumulation::flow_accumulation;
    use super::super::fill::fill_depressions_sequential as fill_depressions;
    use super::super::flowdir::d8_flow_directions;
    use super::super::synthetic::Lcg;
    use super::*;
    use crate::grid::GeoTransform;

    pub(crate) fn grid(w: usize, h: usize, v: Vec<f32>) -> Grid<f32> {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        Grid { width: w, height: h, transform: t, nodata: Some(-9999.0), data: v }
    }

    /// The tiled result against the one-machine functions, bit for bit.
    pub(crate) fn check_equal(dem: &Grid<f32>, layout: &TileLayout) -> (Grid<f32>, Grid<u8>, Grid<u32>) {
        let f1 = fill_depressions(dem).unwrap();
        let d1 = d8_flow_directions(&f1).unwrap();
        let a1 = flow_accumulation(&d1).unwrap();
        let (f2, d2, a2) = hydrology(dem, layout).unwrap();
        for i in 0..dem.len() {
            let (c, r) = (i % dem.width, i / dem.width);
            assert_eq!(f1.data[i].to_bits(), f2.data[i].to_bits(), "filled at ({c}, {r}), {layout:?}");
        }
        for i in 0..dem.len() {
            let (c, r) = (i % dem.width, i / dem.width);
            assert_eq!(d1.data[i], d2.data[i], "direction at ({c}, {r}), {layout:?}");
        }
        assert_eq!(a1.data, a2.data, "accumulation, {layout:?}");
        (f2, d2, a2)
    }

    #[test]
    fn layout_covers_the_grid_once() {
        let l = TileLayout::new(10, 7, 3, 4).unwrap();
        assert_eq!((l.cols(), l.rows(), l.count()), (4, 2, 8));
        let mut seen = vec![0; 70];
        for t in 0..l.count() {
            let rect = l.rect(t);
            for r in rect.r0..rect.r0 + rect.h {
                for c in rect.c0..rect.c0 + rect.w {
                    seen[r * 10 + c] += 1;
                    assert_eq!(l.tile_of(c, r), t);
                }
            }
            let per: Vec<_> = rect.perimeter().collect();
            let expect = if rect.w <= 2 || rect.h <= 2 { rect.len() } else { 2 * (rect.w + rect.h) - 4 };
            assert_eq!(per.len(), expect, "{rect:?}");
            assert!(per.iter().all(|(c, r)| rect.on_perimeter(*c, *r)));
        }
        assert!(seen.iter().all(|k| *k == 1));
        assert_eq!(TileLayout::for_count(6600, 5700, 4).unwrap().count(), 4);
        assert_eq!(TileLayout::for_count(1000, 100, 4).unwrap().rows(), 1);
    }

    #[test]
    fn bowl_spanning_four_tiles_fills_to_its_rim() {
        // A 10 × 10 surface at 50 m with a bowl of 4 × 4 cells at 10 m centred on the corner shared by
        // four 5 × 5 tiles, ringed at 30 m except one notch at 20 m: the bowl fills to 20 exactly as
        // Priority-Flood on the whole grid does (Barnes 2016, Fig. 2's depression over tile corners).
        let mut v = vec![50.0f32; 100];
        for r in 2..8 {
            for c in 2..8 {
                v[r * 10 + c] = if (3..7).contains(&r) && (3..7).contains(&c) { 10.0 } else { 30.0 };
            }
        }
        v[2 * 10 + 4] = 20.0; // the notch, on the northern ring
        for r in 0..2 {
            v[r * 10 + 4] = 15.0 - r as f32; // a channel from the notch to the northern border
        }
        let dem = grid(10, 10, v);
        let (f, _, a) = check_equal(&dem, &TileLayout::new(10, 10, 5, 5).unwrap());
        for r in 3..7 {
            for c in 3..7 {
                assert_eq!(f.get(c, r), 20.0);
            }
        }
        assert_eq!(f.get(4, 2), 20.0);
        assert_eq!(f.get(2, 2), 30.0);
        // The bowl's 16 cells, the notch and its 2 channel cells pass through the border cell (4, 0)
        // together with the cells of the surface draining into them; at least the 19 of the path.
        assert!(a.get(4, 0) >= 19);
    }

    #[test]
    fn depression_spanning_two_tiles() {
        // A trough across the border between two 6-wide tiles, draining west over a 12 m sill.
        let mut v = vec![40.0f32; 12 * 5];
        for c in 1..11 {
            v[2 * 12 + c] = 5.0 + (c % 3) as f32;
        }
        v[2 * 12] = 12.0;
        let dem = grid(12, 5, v);
        let (f, d, _) = check_equal(&dem, &TileLayout::new(12, 5, 6, 5).unwrap());
        for c in 1..11 {
            assert_eq!(f.get(c, 2), 12.0, "col {c}");
        }
        assert_eq!(d.get(0, 2), crate::risk::d8::OUTLET);
    }

    #[test]
    fn flats_spanning_two_and_four_tiles_drain_as_on_one_machine() {
        // The flat of flats.rs' test (a plateau ringed higher, one gap at the east border) made
        // larger and cut by tile borders in both directions.
        let (w, h) = (17, 13);
        let mut v = vec![20.0f32; w * h];
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                v[r * w + c] = 10.0;
            }
        }
        v[6 * w + w - 1] = 10.0;
        let dem = grid(w, h, v);
        for layout in [TileLayout::new(w, h, 9, 13), TileLayout::new(w, h, 8, 6), TileLayout::new(w, h, 3, 2)] {
            let (_, d, a) = check_equal(&dem, &layout.unwrap());
            assert_eq!(d.get(w - 1, 6), crate::risk::d8::OUTLET);
            // The flat's 165 cells and the outlet: everything inside the ring ends in the gap.
            assert!(a.get(w - 1, 6) >= 166);
        }
    }

    #[test]
    fn river_crossing_every_tile_accumulates_the_whole_grid() {
        // A serpentine valley visiting every tile of a 3 × 3 layout: rows alternate direction, each
        // row falls along its length and drops to the next row at its end; the last row exits at the
        // south-east corner. Everything drains into it, so the outlet holds all 24 × 24 cells.
        let (w, h) = (24, 24);
        let mut v = vec![0.0f32; w * h];
        let mut z = 10_000.0f32;
        for r in 0..h {
            for k in 0..w {
                let c = if r % 2 == 0 { k } else { w - 1 - k };
                v[r * w + c] = z;
                z -= 1.0;
            }
        }
        let dem = grid(w, h, v);
        let (_, _, a) = check_equal(&dem, &TileLayout::new(w, h, 8, 8).unwrap());
        assert_eq!(a.get(0, h - 1).max(a.get(w - 1, h - 1)), (w * h) as u32);
    }

    #[test]
    fn random_grids_equal_the_one_machine_result() {
        // Rough surfaces with nodata holes, quantized so that plateaus and filled lakes (flats) cross
        // tile borders, cut into tiles of every shape including one-cell strips.
        let mut rng = Lcg(20161);
        for case in 0..40 {
            let w = 5 + (rng.next() % 40) as usize;
            let h = 5 + (rng.next() % 40) as usize;
            let levels = 2 + rng.next() % 30;
            let holes = rng.next() % 4;
            let v: Vec<f32> = (0..w * h)
                .map(|_| {
                    if holes > 0 && rng.next() % (60 / holes) == 0 {
                        -9999.0
                    } else {
                        (rng.next() % levels) as f32 * 0.5 + 100.0
                    }
                })
                .collect();
            let dem = grid(w, h, v);
            let tw = 1 + (rng.next() as usize % w);
            let th = 1 + (rng.next() as usize % h);
            let layout = TileLayout::new(w, h, tw, th).unwrap();
            let _ = case;
            check_equal(&dem, &layout);
        }
    }

    #[test]
    fn smooth_random_terrain_with_valleys_equals_the_one_machine_result() {
        // Larger, smoother surfaces (sums of ridges) where rivers run long distances across tiles.
        let mut rng = Lcg(2017);
        for _ in 0..6 {
            let (w, h) = (60 + (rng.next() % 60) as usize, 50 + (rng.next() % 60) as usize);
            let (a, b, p) = ((rng.next() % 100) as f32 / 50.0, (rng.next() % 100) as f32 / 40.0, (rng.next() % 7) as f32);
            let v: Vec<f32> = (0..w * h)
                .map(|i| {
                    let (x, y) = ((i % w) as f32, (i / w) as f32);
                    let z = 200.0 + 30.0 * (x * 0.13 * a + p).sin() + 25.0 * (y * 0.11 * b).cos() + 0.3 * x + (rng.next() % 3) as f32;
                    z.round()
                })
                .collect();
            let dem = grid(w, h, v);
            let layout = TileLayout::for_count(w, h, 2 + (rng.next() % 8) as usize).unwrap();
            check_equal(&dem, &layout);
        }
    }
}
