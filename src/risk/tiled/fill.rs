//! Depression filling across tiles (Barnes 2016, "Parallel priority-flood depression filling for
//! trillion cell digital elevation models", Computers & Geosciences 96: 125–137).
//!
//! Phase 1 ([`fill_tile`], one per tile, independent): a Priority-Flood of the tile alone, seeded
//! from its whole perimeter as well as the DEM's own edge cells. Seeds on the DEM's edge (border or
//! next to nodata) carry the label [`OCEAN`]; every other perimeter cell starts a watershed of its own
//! label. The flood leaves each cell locally filled and labelled with the seed it drained to, and
//! records, for every pair of touching watersheds, the lowest level at which they spill into each
//! other (the larger locally filled elevation of the two touching cells).
//!
//! Merge ([`solve`], perimeter data only): the watersheds of all tiles form a graph, joined inside
//! tiles by those spill edges and across tile borders by each pair of touching perimeter cells (at the
//! larger of their elevations — perimeter cells are seeds, so not raised locally). A Priority-Flood on
//! this graph from the ocean gives every watershed the lowest level at which it can drain off the DEM.
//!
//! Phase 2 ([`raise`], one per tile): each cell becomes the larger of its locally filled elevation and
//! its watershed's level. Every output is one of the input elevations, so the result equals the
//! one-machine [`crate::risk::fill::fill_depressions`] bit for bit: both compute, for each cell, the
//! lowest over all paths off the DEM of the highest elevation along the path.

use std::collections::{BinaryHeap, HashMap, VecDeque};

use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use super::{Rect, TileLayout};
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::risk::d8::{self, for_each_neighbour, is_valid, neighbour};
use crate::risk::fill::{is_edge, key, next_cell, RadixHeap};

/// The label of everything that drains off the DEM.
pub const OCEAN: u32 = 0;
/// The label of a cell without data.
pub const NO_LABEL: u32 = u32::MAX;

/// What phase 1 leaves of one tile: rect-sized arrays and the tile's internal spill graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TileFill {
    /// The tile, in the coordinates of the grid it was cut from.
    pub rect: Rect,
    /// Watershed label per cell ([`OCEAN`], 1..=`labels`, or [`NO_LABEL`]).
    pub label: Vec<u32>,
    /// Locally filled elevation per cell (the DEM's nodata where it has none).
    pub filled: Vec<f32>,
    /// Number of labels besides the ocean.
    pub labels: u32,
    /// (label a, label b, spill level) with a < b, one per touching pair, the lowest level.
    pub edges: Vec<(u32, u32, f32)>,
}

/// Phase 1 on the tile `rect` of `dem`. `dem` may be the whole DEM or a window of it, as long as it
/// holds a one-cell halo around `rect` wherever `rect` is not on the DEM's border (so "next to
/// nodata" and "on the border" mean the same as on the whole DEM).
pub fn fill_tile(dem: &Grid<f32>, rect: Rect) -> TileFill {
    let w = dem.width;
    let nd = dem.nodata;
    let n = rect.len();
    let mut filled = vec![nd.unwrap_or(f32::NAN); n];
    let mut label = vec![NO_LABEL; n];
    let mut open = RadixHeap::new();
    let mut labels = 0u32;
    for r in rect.r0..rect.r0 + rect.h {
        for c in rect.c0..rect.c0 + rect.w {
            let v = dem.data[r * w + c];
            let k = rect.local(c, r);
            filled[k] = v;
            if !is_valid(v, nd) {
                continue;
            }
            if is_edge(dem, c, r) {
                label[k] = OCEAN;
            } else if rect.on_perimeter(c, r) {
                labels += 1;
                label[k] = labels;
            } else {
                continue;
            }
            open.push(key(v), k as u32);
        }
    }
    // Priority-Flood over the tile (the improved variant of fill.rs: a FIFO for cells inside pits),
    // in the tile's own coordinates: a neighbour is in the tile exactly when it is one of the
    // rect-sized grid's neighbours, visited in the same order as on the whole grid. Cells off the
    // tile's outer ring need no bounds check (precomputed offsets), which is most of them.
    let (tw, th) = (rect.w, rect.h);
    let offsets = d8::offsets(tw);
    let mut pit: VecDeque<u32> = VecDeque::new();
    while let Some(k) = next_cell(&mut pit, &mut open) {
        let (lc, lr) = (k % tw, k / tw);
        let z = filled[k];
        let lab = label[k];
        macro_rules! visit {
            ($m:expr) => {{
                let m = $m;
                if label[m] == NO_LABEL && is_valid(filled[m], nd) {
                    label[m] = lab;
                    if filled[m] <= z {
                        filled[m] = z;
                        pit.push_back(m as u32);
                    } else {
                        open.push(key(filled[m]), m as u32);
                    }
                }
            }};
        }
        for_each_neighbour(k, lc, lr, tw, th, &offsets, |m| visit!(m));
    }
    // Spill edges: every touching pair of cells with different labels (E, SE, S, SW covers each pair once).
    let mut best: HashMap<(u32, u32), f32> = HashMap::new();
    for k in 0..n {
        if label[k] == NO_LABEL {
            continue;
        }
        let (c, r) = (k % rect.w, k / rect.w);
        for d in [0usize, 5, 6, 7] {
            let Some(m) = neighbour(c, r, d, rect.w, rect.h) else { continue };
            let (a, b) = (label[k], label[m]);
            if b == NO_LABEL || a == b {
                continue;
            }
            let z = filled[k].max(filled[m]);
            let e = best.entry((a.min(b), a.max(b))).or_insert(z);
            if z < *e {
                *e = z;
            }
        }
    }
    let mut edges: Vec<(u32, u32, f32)> = best.into_iter().map(|((a, b), z)| (a, b, z)).collect();
    edges.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    TileFill { rect, label, filled, labels, edges }
}

/// The merge: every watershed's drainage level, per tile and label (index 0, the ocean, is −∞:
/// nothing drains below the DEM's edge). `tiles[t]` is tile `t` of `layout`, in grid coordinates.
pub fn solve(layout: &TileLayout, tiles: &[TileFill]) -> Result<Vec<Vec<f32>>> {
    if tiles.len() != layout.count() {
        return Err(Error::Invariant(format!("fill merge: {} tiles given, the layout has {}", tiles.len(), layout.count())));
    }
    // Global node ids: 0 is the ocean, then each tile's labels in turn.
    let mut offset = Vec::with_capacity(tiles.len());
    let mut nodes = 1usize;
    for (t, tile) in tiles.iter().enumerate() {
        if tile.rect != layout.rect(t) || tile.label.len() != tile.rect.len() {
            return Err(Error::Invariant(format!("fill merge: tile {t} covers {:?}, the layout expects {:?}", tile.rect, layout.rect(t))));
        }
        offset.push(nodes - 1);
        nodes += tile.labels as usize;
    }
    let id = |t: usize, l: u32| if l == OCEAN { 0 } else { offset[t] + l as usize };
    let mut adj: Vec<Vec<(u32, f32)>> = vec![Vec::new(); nodes];
    let mut link = |a: usize, b: usize, z: f32| {
        adj[a].push((b as u32, z));
        adj[b].push((a as u32, z));
    };
    for (t, tile) in tiles.iter().enumerate() {
        for &(a, b, z) in &tile.edges {
            link(id(t, a), id(t, b), z);
        }
    }
    // Across tile borders: each perimeter cell with its neighbours in tiles of a higher index.
    let (w, h) = (layout.width, layout.height);
    for (t, tile) in tiles.iter().enumerate() {
        let rect = tile.rect;
        for (c, r) in rect.perimeter() {
            let k = rect.local(c, r);
            if tile.label[k] == NO_LABEL {
                continue;
            }
            for d in 0..8 {
                let Some(gi) = neighbour(c, r, d, w, h) else { continue };
                let (nc, nr) = (gi % w, gi / w);
                let u = layout.tile_of(nc, nr);
                if u <= t {
                    continue;
                }
                let other = &tiles[u];
                let m = other.rect.local(nc, nr);
                if other.label[m] == NO_LABEL {
                    continue;
                }
                link(id(t, tile.label[k]), id(u, other.label[m]), tile.filled[k].max(other.filled[m]));
            }
        }
    }
    // Priority-Flood on the graph (Dijkstra with max instead of +): the lowest spill path to the ocean.
    let mut level = vec![f32::INFINITY; nodes];
    level[0] = f32::NEG_INFINITY;
    let mut heap: BinaryHeap<std::cmp::Reverse<(u32, u32)>> = BinaryHeap::new();
    heap.push(std::cmp::Reverse((key(f32::NEG_INFINITY), 0)));
    let mut done = vec![false; nodes];
    while let Some(std::cmp::Reverse((_, a))) = heap.pop() {
        let a = a as usize;
        if done[a] {
            continue;
        }
        done[a] = true;
        for &(b, z) in &adj[a] {
            let cand = level[a].max(z);
            if cand < level[b as usize] {
                level[b as usize] = cand;
                heap.push(std::cmp::Reverse((key(cand), b)));
            }
        }
    }
    // Every watershed touches the DEM's edge through some chain of tiles; one that does not would
    // mean the tiles were cut from different DEMs.
    if let Some(orphan) = done.iter().position(|d| !d) {
        return Err(Error::Invariant(format!("fill merge: watershed {orphan} has no path off the DEM (tiles from different inputs?)")));
    }
    Ok(tiles
        .iter()
        .enumerate()
        .map(|(t, tile)| (0..=tile.labels).map(|l| level[id(t, l)]).collect())
        .collect())
}

/// Phase 2: the tile's final filled elevations (rect-sized), from its phase-1 state and its labels'
/// drainage levels.
pub fn raise(tile: &TileFill, level: &[f32], nodata: Option<f32>) -> Vec<f32> {
    tile.label.iter().zip(&tile.filled).map(|(&l, &z)| raised(l, z, level, nodata)).collect()
}

/// One cell of phase 2: its locally filled elevation, or its watershed's level when higher.
#[inline]
fn raised(l: u32, z: f32, level: &[f32], nodata: Option<f32>) -> f32 {
    if l == NO_LABEL {
        nodata.unwrap_or(z)
    } else if level[l as usize] > z {
        level[l as usize]
    } else {
        z
    }
}

/// [`raise`] in the phase-1 arrays themselves (the labels are dropped): no second copy of the tile.
fn raise_owned(tile: TileFill, level: &[f32], nodata: Option<f32>) -> Vec<f32> {
    let TileFill { label, mut filled, .. } = tile;
    for (z, &l) in filled.iter_mut().zip(&label) {
        *z = raised(l, *z, level, nodata);
    }
    filled
}

/// The whole of `dem` filled on this machine, its tiles (`layout`) flooded in parallel: phase 1 on
/// every tile at once (rayon), the merge, phase 2 in place, and the tiles copied into one grid.
/// Equal to [`crate::risk::fill::fill_depressions_sequential`] bit for bit (see the module
/// documentation); memory about 8 bytes a cell (the locally filled elevations and the labels) on
/// top of the DEM.
pub fn fill_in_tiles(dem: &Grid<f32>, layout: &TileLayout) -> Result<Grid<f32>> {
    if (layout.width, layout.height) != (dem.width, dem.height) {
        return Err(Error::param("tiles", format!("the tile layout is for {} × {} cells, the DEM has {} × {}", layout.width, layout.height, dem.width, dem.height)));
    }
    let tiles: Vec<TileFill> = (0..layout.count()).into_par_iter().map(|t| fill_tile(dem, layout.rect(t))).collect();
    let levels = solve(layout, &tiles)?;
    let raised: Vec<Vec<f32>> = tiles.into_par_iter().zip(levels.into_par_iter()).map(|(t, l)| raise_owned(t, &l, dem.nodata)).collect();
    Ok(super::assemble(dem, layout, &raised, 0.0, dem.nodata))
}

#[cfg(test)]
mod tests {
    use super::super::tests::grid;
    use super::*;

    #[test]
    fn phase_one_labels_perimeter_watersheds_and_their_spill() {
        // One 4 × 3 tile on the west of a 8 × 3 DEM: its west column is the DEM's border (ocean); its
        // east column is tile perimeter (own labels). The interior cell (1..=2, 1) sits in a pit at 1
        // that drains west over 6 or east over 4: locally it fills to 4 (the lower rim) with the
        // label of the eastern seed it reached.
        #[rustfmt::skip]
        let dem = grid(8, 3, vec![
            9., 9., 9., 9., 9., 9., 9., 9.,
            6., 1., 1., 4., 3., 2., 1., 0.,
            9., 9., 9., 9., 9., 9., 9., 9.,
        ]);
        let rect = Rect { c0: 0, r0: 0, w: 4, h: 3 };
        let t = fill_tile(&dem, rect);
        assert_eq!(t.label[rect.local(0, 1)], OCEAN);
        let east = t.label[rect.local(3, 1)];
        assert_ne!(east, OCEAN);
        assert_eq!(t.label[rect.local(1, 1)], east);
        assert_eq!(t.filled[rect.local(1, 1)], 4.0);
        assert_eq!(t.filled[rect.local(2, 1)], 4.0);
        // The eastern watershed spills into the ocean at 6 through the pit (inside this tile).
        assert!(t.edges.iter().any(|e| (e.0, e.1, e.2) == (OCEAN, east, 6.0)));
    }
}
