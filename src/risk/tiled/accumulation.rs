//! Flow accumulation across tiles (Barnes 2017, "Parallel non-divergent flow accumulation for
//! trillion cell digital elevation models on desktops or clusters", Environmental Modelling &
//! Software 92: 202–212), in its three phases.
//!
//! 1. Per tile ([`tile_links`]): accumulation of the tile alone (flow leaving it is dropped), and
//!    for each perimeter cell its local total and its *link* — the next perimeter cell its flow
//!    reaches, in this tile or (when the flow leaves) the neighbouring tile's cell it enters.
//! 2. Merge ([`merge_links`], perimeter cells only): the links form a forest; in topological order
//!    each perimeter cell learns the flow entering its tile upstream of it. A link to another tile
//!    carries the cell's whole total (local + entered); a link inside the tile carries only what
//!    entered, since the local count already includes the rest. The result is, for each cell where
//!    flow enters a tile, the amount that enters there.
//! 3. Per tile ([`accumulate_rect`]): the tile's accumulation again with those amounts added at the
//!    entry cells, which carries them down every path inside the tile.
//!
//! Counts are integers, so the result equals [`crate::risk::accumulation::flow_accumulation`] exactly.

use std::collections::{HashMap, VecDeque};

use rayon::prelude::*;

use super::{assemble, Rect, TileLayout};
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::risk::accumulation::{pass_downstream, receiver, ACC_NODATA};
use crate::risk::d8::{neighbour, opposite, NODATA, NOFLOW};

/// No link: the flow ends in the tile (an outlet of the DEM).
pub const NO_LINK: u32 = u32::MAX;

/// Phase 1's result for one perimeter cell (grid indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerimeterCell {
    pub cell: u32,
    pub local: u32,
    pub link: u32,
}

/// Accumulation of the tile `rect` of `dirs` alone, each cell starting at `init(grid index)` (1 for
/// a plain count). Rect-sized; [`ACC_NODATA`] where `dirs` has no data.
pub fn accumulate_rect(dirs: &Grid<u8>, rect: Rect, init: impl Fn(usize) -> u32) -> Result<Vec<u32>> {
    let (w, h) = (dirs.width, dirs.height);
    let n = rect.len();
    let mut acc = vec![ACC_NODATA; n];
    let mut inflow = vec![0u8; n];
    let mut stack: Vec<u32> = Vec::new();
    for r in rect.r0..rect.r0 + rect.h {
        for c in rect.c0..rect.c0 + rect.w {
            let i = r * w + c;
            let k = rect.local(c, r);
            match dirs.data[i] {
                NODATA => continue,
                NOFLOW => return Err(Error::Invariant("flow accumulation needs resolved flow directions (a flat was left unresolved)".into())),
                _ => {}
            }
            acc[k] = init(i);
            inflow[k] = (0..8u8)
                .filter(|d| {
                    neighbour(c, r, *d as usize, w, h)
                        .is_some_and(|m| rect.contains(m % w, m / w) && dirs.data[m] == opposite(*d))
                })
                .count() as u8;
            if inflow[k] == 0 {
                stack.push(k as u32);
            }
        }
    }
    // Flow leaving the tile is dropped.
    pass_downstream(&mut acc, &mut inflow, stack, |k| {
        let i = (rect.r0 + k / rect.w) * w + rect.c0 + k % rect.w;
        receiver(dirs, i).filter(|m| rect.contains(m % w, m / w)).map(|m| rect.local(m % w, m / w))
    })?;
    Ok(acc)
}

/// Phase 1 for one tile: its perimeter cells' local totals and links.
pub fn tile_links(dirs: &Grid<u8>, rect: Rect) -> Result<Vec<PerimeterCell>> {
    let w = dirs.width;
    let acc = accumulate_rect(dirs, rect, |_| 1)?;
    // The next perimeter cell downstream of each cell, memoised along paths (paths merge, so each
    // interior cell is walked once).
    const UNSET: u32 = u32::MAX - 1;
    let mut next = vec![UNSET; rect.len()];
    let mut path: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (c, r) in rect.perimeter() {
        let i = r * w + c;
        if dirs.data[i] == NODATA {
            continue;
        }
        // Walk from i's receiver until a perimeter cell, a cell outside, an end, or a known cell.
        let mut cur = receiver(dirs, i);
        let link = loop {
            let Some(m) = cur else { break NO_LINK };
            let (mc, mr) = (m % w, m / w);
            if !rect.contains(mc, mr) || rect.on_perimeter(mc, mr) {
                break m as u32;
            }
            let k = rect.local(mc, mr);
            if next[k] != UNSET {
                break next[k];
            }
            path.push(k);
            cur = receiver(dirs, m);
        };
        for k in path.drain(..) {
            next[k] = link;
        }
        out.push(PerimeterCell { cell: i as u32, local: acc[rect.local(c, r)], link });
    }
    Ok(out)
}

/// Phase 2: the flow entering each tile at each of its cells, from every tile's perimeter cells.
pub fn merge_links(layout: &TileLayout, tiles: &[Vec<PerimeterCell>]) -> Result<HashMap<u32, u32>> {
    let w = layout.width;
    let tile_of = |i: u32| layout.tile_of(i as usize % w, i as usize / w);
    let cells: Vec<PerimeterCell> = tiles.iter().flatten().copied().collect();
    let index: HashMap<u32, usize> = cells.iter().enumerate().map(|(k, p)| (p.cell, k)).collect();
    let mut pending = vec![0u32; cells.len()];
    for p in &cells {
        if p.link != NO_LINK {
            let Some(&j) = index.get(&p.link) else {
                return Err(Error::Invariant(format!("accumulation merge: cell {} links to {}, which no tile reported", p.cell, p.link)));
            };
            pending[j] += 1;
        }
    }
    // extra[k]: flow that entered cell k's tile upstream of k (not in its local count).
    let mut extra = vec![0u32; cells.len()];
    let mut entering: HashMap<u32, u32> = HashMap::new();
    let mut queue: VecDeque<usize> = (0..cells.len()).filter(|k| pending[*k] == 0).collect();
    let mut done = 0;
    while let Some(k) = queue.pop_front() {
        done += 1;
        let p = cells[k];
        if p.link == NO_LINK {
            continue;
        }
        let j = index[&p.link];
        if tile_of(p.cell) == tile_of(p.link) {
            extra[j] += extra[k];
        } else {
            let total = p.local + extra[k];
            extra[j] += total;
            *entering.entry(p.link).or_insert(0) += total;
        }
        pending[j] -= 1;
        if pending[j] == 0 {
            queue.push_back(j);
        }
    }
    if done != cells.len() {
        return Err(Error::Invariant("flow directions contain a cycle across tiles".into()));
    }
    Ok(entering)
}

/// Flow accumulation of `dirs`, tile by tile, equal to
/// [`crate::risk::accumulation::flow_accumulation`].
pub fn accumulate(dirs: &Grid<u8>, layout: &TileLayout) -> Result<Grid<u32>> {
    let n = layout.count();
    let links: Vec<Vec<PerimeterCell>> = (0..n).into_par_iter().map(|t| tile_links(dirs, layout.rect(t))).collect::<Result<_>>()?;
    let entering = merge_links(layout, &links)?;
    drop(links);
    let tiles: Vec<Vec<u32>> = (0..n)
        .into_par_iter()
        .map(|t| accumulate_rect(dirs, layout.rect(t), |i| 1 + entering.get(&(i as u32)).copied().unwrap_or(0)))
        .collect::<Result<_>>()?;
    Ok(assemble(dirs, layout, &tiles, ACC_NODATA, Some(ACC_NODATA)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;
    use crate::risk::d8::OUTLET;

    #[test]
    fn a_row_flowing_east_through_three_tiles() {
        // 9 × 1 row draining east, cut into three 3-cell tiles: phase 1 counts 1, 2, 3 in each tile;
        // the links chain the tiles; phase 3 gives 1..=9, the one-machine answer.
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut dirs = Grid::new(9, 1, t, 0u8, Some(NODATA));
        dirs.data[8] = OUTLET;
        let layout = TileLayout::new(9, 1, 3, 1).unwrap();
        let links: Vec<_> = (0..3).map(|k| tile_links(&dirs, layout.rect(k)).unwrap()).collect();
        assert_eq!(links[0], vec![
            PerimeterCell { cell: 0, local: 1, link: 1 },
            PerimeterCell { cell: 1, local: 2, link: 2 },
            PerimeterCell { cell: 2, local: 3, link: 3 },
        ]);
        assert_eq!(links[2][2], PerimeterCell { cell: 8, local: 3, link: NO_LINK });
        let entering = merge_links(&layout, &links).unwrap();
        assert_eq!(entering.get(&3), Some(&3));
        assert_eq!(entering.get(&6), Some(&6));
        let acc = accumulate(&dirs, &layout).unwrap();
        assert_eq!(acc.data, (1..=9).collect::<Vec<u32>>());
    }
}
