//! D8 directions by tiles, with flats that cross tile borders resolved exactly as on one machine.
//!
//! A cell's raw D8 code reads only its 3 × 3 neighbourhood ([`d8_cell`]), so each tile computes its
//! own with a one-cell halo. A flat (8-connected cells with no lower neighbour, all at one elevation)
//! is resolved by Barnes, Lehman & Mulla's (2014) distances over the *whole* flat
//! ([`crate::risk::flats::resolve_one`]), so cutting it would change its directions. Each tile
//! therefore groups its own flat cells: a group with no flat neighbour outside the tile is a whole
//! flat and is resolved there; the others are handed to the merge ([`TileFlats::open`]), which joins
//! them across borders into whole flats and resolves each once. The open cells are only the flats
//! that touch a tile border — on a filled DEM, the lakes and valley floors crossing it.

use rayon::prelude::*;

use super::{assemble, Rect, TileLayout};
use crate::grid::Grid;
use crate::risk::d8::{distances, neighbour, NOFLOW};
use crate::risk::flats::resolve_one;
use crate::risk::flowdir::d8_cell;

/// A tile's flats: directions for those wholly inside it, and the cells of those that continue
/// into a neighbouring tile (grid indices, for the merge).
#[derive(Debug, Default)]
pub struct TileFlats {
    pub resolved: Vec<(u32, u8)>,
    pub open: Vec<u32>,
}

/// Raw D8 codes (flats left [`NOFLOW`]) of the tile `rect` of `filled`, rect-sized.
pub fn raw_tile(filled: &Grid<f32>, rect: Rect) -> Vec<u8> {
    let dist = distances(filled.transform.dx, filled.transform.dy);
    let mut out = Vec::with_capacity(rect.len());
    for r in rect.r0..rect.r0 + rect.h {
        for c in rect.c0..rect.c0 + rect.w {
            out.push(d8_cell(filled, c, r, &dist));
        }
    }
    out
}

/// Group the tile's [`NOFLOW`] cells of `raw` (raw codes of the whole grid, or a window with a
/// one-cell halo) into flats; resolve the closed ones.
pub fn tile_flats(filled: &Grid<f32>, raw: &Grid<u8>, rect: Rect) -> TileFlats {
    let (w, h) = (raw.width, raw.height);
    let mut seen = vec![false; rect.len()];
    let mut out = TileFlats::default();
    let mut stack = Vec::new();
    for r in rect.r0..rect.r0 + rect.h {
        for c in rect.c0..rect.c0 + rect.w {
            let k = rect.local(c, r);
            if seen[k] || raw.data[r * w + c] != NOFLOW {
                continue;
            }
            seen[k] = true;
            let mut cells = vec![(r * w + c) as u32];
            let mut open = false;
            stack.push(r * w + c);
            while let Some(i) = stack.pop() {
                for d in 0..8 {
                    let Some(n) = neighbour(i % w, i / w, d, w, h) else { continue };
                    if raw.data[n] != NOFLOW {
                        continue;
                    }
                    let (nc, nr) = (n % w, n / w);
                    if !rect.contains(nc, nr) {
                        open = true;
                        continue;
                    }
                    let m = rect.local(nc, nr);
                    if !seen[m] {
                        seen[m] = true;
                        cells.push(n as u32);
                        stack.push(n);
                    }
                }
            }
            cells.sort_unstable();
            if open {
                out.open.extend(cells);
            } else {
                out.resolved.extend(resolve_one(filled, raw, &cells));
            }
        }
    }
    out
}

/// The merge: the open flat cells of every tile grouped into whole flats (8-connected), each
/// resolved once. Returns the directions of those cells.
pub fn resolve_open(filled: &Grid<f32>, raw: &Grid<u8>, open: &[u32]) -> Vec<(u32, u8)> {
    let (w, h) = (raw.width, raw.height);
    let mut pending: std::collections::HashSet<u32> = open.iter().copied().collect();
    let mut flats: Vec<Vec<u32>> = Vec::new();
    let mut sorted: Vec<u32> = open.to_vec();
    sorted.sort_unstable();
    for s in sorted {
        if !pending.remove(&s) {
            continue;
        }
        let mut cells = vec![s];
        let mut stack = vec![s as usize];
        while let Some(i) = stack.pop() {
            for d in 0..8 {
                let Some(n) = neighbour(i % w, i / w, d, w, h) else { continue };
                if pending.remove(&(n as u32)) {
                    cells.push(n as u32);
                    stack.push(n);
                }
            }
        }
        cells.sort_unstable();
        flats.push(cells);
    }
    flats.par_iter().flat_map_iter(|cells| resolve_one(filled, raw, cells)).collect()
}

/// Resolved D8 directions of `filled`, tile by tile, equal to
/// [`crate::risk::flowdir::d8_flow_directions`].
pub fn directions(filled: &Grid<f32>, layout: &TileLayout) -> Grid<u8> {
    let n = layout.count();
    let raw_tiles: Vec<Vec<u8>> = (0..n).into_par_iter().map(|t| raw_tile(filled, layout.rect(t))).collect();
    let raw = assemble(filled, layout, &raw_tiles, NOFLOW, Some(crate::risk::d8::NODATA));
    drop(raw_tiles);
    let per_tile: Vec<TileFlats> = (0..n).into_par_iter().map(|t| tile_flats(filled, &raw, layout.rect(t))).collect();
    let open: Vec<u32> = per_tile.iter().flat_map(|t| t.open.iter().copied()).collect();
    let merged = resolve_open(filled, &raw, &open);
    let mut dirs = raw;
    for (i, d) in per_tile.iter().flat_map(|t| t.resolved.iter()).chain(merged.iter()) {
        dirs.data[*i as usize] = *d;
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::super::tests::grid;
    use super::*;
    use crate::risk::d8::OUTLET;

    #[test]
    fn a_flat_inside_a_tile_is_closed_one_crossing_a_border_is_open() {
        // Two plateaus at 5 in a 12 × 5 surface at 9, both draining through a notch at the south
        // border: one inside the west tile, one across the border between the tiles.
        let mut v = vec![9.0f32; 12 * 5];
        for r in 1..4 {
            for c in [1usize, 2, 5, 6, 7] {
                v[r * 12 + c] = 5.0;
            }
        }
        v[4 * 12 + 1] = 5.0;
        v[4 * 12 + 6] = 5.0;
        let dem = grid(12, 5, v);
        let raw = crate::risk::flowdir::d8_raw(&dem);
        // (The surface at 9 is a flat too; count only the plateau cells at 5.)
        let at5 = |i: u32| dem.data[i as usize] == 5.0;
        let west = tile_flats(&dem, &raw, Rect { c0: 0, r0: 0, w: 6, h: 5 });
        assert_eq!(west.resolved.iter().filter(|x| at5(x.0)).count(), 6);
        assert_eq!(west.open.iter().filter(|i| at5(**i)).count(), 3, "column 5 of the second plateau continues east");
        let east = tile_flats(&dem, &raw, Rect { c0: 6, r0: 0, w: 6, h: 5 });
        assert_eq!(east.resolved.iter().filter(|x| at5(x.0)).count(), 0);
        assert_eq!(east.open.iter().filter(|i| at5(**i)).count(), 6);
        assert_eq!(raw.get(6, 4), OUTLET);
    }
}
