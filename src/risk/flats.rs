//! Drainage over flats (Barnes, Lehman & Mulla 2014, "An efficient assignment of drainage direction
//! over flat surfaces in raster digital elevation models", Computers & Geosciences 62: 128–135).
//!
//! A flat is a connected set of cells with no lower neighbour (here: 8-connected [`NOFLOW`] cells,
//! which necessarily share one elevation). Its *low edges* are the neighbouring cells of the same
//! elevation that do drain; its *high edges* are flat cells next to higher ground. Two breadth-first
//! distances are combined into an integer "mask": the distance from the low edges (doubled) plus the
//! distance to higher ground counted downward from the flat's maximum. Each flat cell then drains to
//! its neighbour with the lowest mask. The towards-term falls by 2 per step and the away-term changes
//! by at most 1, so every flat cell has a strictly lower neighbour and all of them reach a low edge;
//! the away-term pulls the flow off the flat's higher shores so it does not hug them.
//!
//! Flats are independent, so they are found once (a sequential flood over the flat cells only) and
//! resolved in parallel, each with local arrays indexed through its bounding box (or a hash map for
//! long thin flats) — memory grows with the flat cells, not with the grid. A flat with no low edge (only possible on a DEM that was
//! not depression-filled) gets one terminal cell ([`OUTLET`]) and drains to it. A flat of one cell
//! (most of them on a filled DEM: a one-cell pit raised to its spill level) is resolved during the
//! grouping, with the same result and no per-flat arrays (issue 15: D8 + flats was the slowest step).

use std::collections::VecDeque;

use rayon::prelude::*;

use super::d8::{is_diagonal, neighbour, NODATA, NOFLOW, OUTLET};
use crate::grid::Grid;

/// Give every [`NOFLOW`] cell of `dirs` a direction (0–7, or [`OUTLET`] for the sink of a flat
/// without outlet). `filled` is the DEM the directions were computed on.
pub fn resolve_flats(filled: &Grid<f32>, dirs: &mut Grid<u8>) {
    let (w, h) = (dirs.width, dirs.height);
    let flat_cells: Vec<u32> = dirs
        .data
        .par_iter()
        .enumerate()
        .filter_map(|(i, d)| (*d == NOFLOW).then_some(i as u32))
        .collect();
    if flat_cells.is_empty() {
        return;
    }

    // Group into 8-connected flats (sequential flood over the flat cells only).
    let mut seen = vec![0u64; (w * h).div_ceil(64)];
    let mut flats: Vec<Vec<u32>> = Vec::new();
    let mut stack = Vec::new();
    let mut single: Vec<u32> = Vec::new();
    for &s in &flat_cells {
        let s = s as usize;
        if seen[s >> 6] & (1 << (s & 63)) != 0 {
            continue;
        }
        seen[s >> 6] |= 1 << (s & 63);
        // Most flats of a filled DEM are one cell (a filled one-cell pit, level with its spill
        // cell): kept apart and resolved without the per-flat arrays.
        if !(0..8).any(|d| neighbour(s % w, s / w, d, w, h).is_some_and(|n| dirs.data[n] == NOFLOW)) {
            single.push(s as u32);
            continue;
        }
        let mut cells = vec![s as u32];
        stack.push(s);
        while let Some(c) = stack.pop() {
            for d in 0..8 {
                if let Some(n) = neighbour(c % w, c / w, d, w, h) {
                    if dirs.data[n] == NOFLOW && seen[n >> 6] & (1 << (n & 63)) == 0 {
                        seen[n >> 6] |= 1 << (n & 63);
                        cells.push(n as u32);
                        stack.push(n);
                    }
                }
            }
        }
        cells.sort_unstable();
        flats.push(cells);
    }
    drop(seen);

    let dirs_ro = &*dirs;
    let updates: Vec<Vec<(u32, u8)>> = flats.par_iter().map(|cells| resolve_one(filled, dirs_ro, cells)).collect();
    let single: Vec<(u32, u8)> = single.par_iter().map(|&c| (c, single_cell(filled, dirs_ro, c as usize))).collect();
    for u in updates.into_iter().chain(std::iter::once(single)) {
        for (i, d) in u {
            dirs.data[i as usize] = d;
        }
    }
}

/// The direction [`resolve_one`] gives a flat of the one cell `c`: it has no flat neighbour, so
/// every low edge has mask 2 and the cell a higher one; the first cardinal low edge counter-
/// clockwise from east wins, else the first diagonal one; without a low edge it is the flat's
/// terminal cell ([`OUTLET`]).
fn single_cell(filled: &Grid<f32>, dirs: &Grid<u8>, c: usize) -> u8 {
    let (w, h) = (dirs.width, dirs.height);
    let z = filled.data[c];
    let mut diagonal = None;
    for d in 0..8 {
        let Some(m) = neighbour(c % w, c / w, d, w, h) else { continue };
        let dm = dirs.data[m];
        if dm != NODATA && dm != NOFLOW && filled.data[m] == z {
            if !is_diagonal(d) {
                return d as u8;
            }
            diagonal = diagonal.or(Some(d as u8));
        }
    }
    diagonal.unwrap_or(OUTLET)
}

/// Directions for one flat (`cells` sorted): the whole connected set of [`NOFLOW`] cells, so a
/// flat split across tiles and put back together gets the same directions as on one machine.
pub fn resolve_one(filled: &Grid<f32>, dirs: &Grid<u8>, cells: &[u32]) -> Vec<(u32, u8)> {
    let (w, h) = (dirs.width, dirs.height);
    let n = cells.len();
    if n == 1 {
        return vec![(cells[0], single_cell(filled, dirs, cells[0] as usize))];
    }
    let index = LocalIndex::new(cells, w);
    let local = |i: usize| index.get(i);
    let z = filled.data[cells[0] as usize];

    // Low edges (draining cells of the same elevation) and high edges (flat cells below a neighbour).
    let mut low: Vec<u32> = Vec::new();
    let mut high: Vec<usize> = Vec::new();
    for (k, &c) in cells.iter().enumerate() {
        let c = c as usize;
        let mut is_high = false;
        for d in 0..8 {
            let Some(m) = neighbour(c % w, c / w, d, w, h) else { continue };
            let dm = dirs.data[m];
            if dm == NODATA {
                continue;
            }
            let zm = filled.data[m];
            if dm != NOFLOW && zm == z {
                low.push(m as u32);
            } else if zm > z {
                is_high = true;
            }
        }
        if is_high {
            high.push(k);
        }
    }
    low.sort_unstable();
    low.dedup();

    let mut out = Vec::with_capacity(n);
    // Without an outlet the flat keeps one terminal cell, and the rest drains to it.
    let mut sink: Option<usize> = None;
    if low.is_empty() {
        sink = Some(0);
        out.push((cells[0], OUTLET));
    }

    // Distance (in steps) from the higher ground, 1 at the high edges; 0 = not reached.
    let mut away = vec![0u32; n];
    let mut q: VecDeque<usize> = VecDeque::new();
    for &k in &high {
        away[k] = 1;
        q.push_back(k);
    }
    let mut flat_height = 0;
    while let Some(k) = q.pop_front() {
        flat_height = flat_height.max(away[k]);
        let c = cells[k] as usize;
        for d in 0..8 {
            if let Some(m) = neighbour(c % w, c / w, d, w, h).and_then(local) {
                if away[m] == 0 {
                    away[m] = away[k] + 1;
                    q.push_back(m);
                }
            }
        }
    }

    // Distance from the low edges (the low edges are step 1, outside the flat) combined with the
    // away-term into the mask; low edges have mask 2.
    let mut mask = vec![0u32; n];
    let mut q: VecDeque<(usize, u32)> = VecDeque::new();
    let seed_steps = |c: usize, q: &mut VecDeque<(usize, u32)>, mask: &mut [u32]| {
        for d in 0..8 {
            if let Some(m) = neighbour(c % w, c / w, d, w, h).and_then(local) {
                if mask[m] == 0 {
                    mask[m] = u32::MAX; // queued
                    q.push_back((m, 2));
                }
            }
        }
    };
    if let Some(s) = sink {
        mask[s] = 2;
        seed_steps(cells[s] as usize, &mut q, &mut mask);
    }
    for &l in &low {
        seed_steps(l as usize, &mut q, &mut mask);
    }
    while let Some((k, t)) = q.pop_front() {
        let away_term = if away[k] > 0 { flat_height - away[k] } else { 0 };
        mask[k] = 2 * t + away_term;
        let c = cells[k] as usize;
        for d in 0..8 {
            if let Some(m) = neighbour(c % w, c / w, d, w, h).and_then(local) {
                if mask[m] == 0 {
                    mask[m] = u32::MAX;
                    q.push_back((m, t + 1));
                }
            }
        }
    }

    // Each cell drains to its lowest-mask neighbour in the flat or on a low edge (mask 2); on ties a
    // cardinal neighbour beats a diagonal one so the paths stay straight.
    for k in 0..n {
        if Some(k) == sink {
            continue;
        }
        let c = cells[k] as usize;
        let mut best: Option<(u32, bool, u8)> = None;
        for d in 0..8 {
            let Some(m) = neighbour(c % w, c / w, d, w, h) else { continue };
            let mm = match local(m) {
                Some(j) => mask[j],
                None if low.binary_search(&(m as u32)).is_ok() => 2,
                None => continue,
            };
            if mm >= mask[k] {
                continue;
            }
            let cand = (mm, is_diagonal(d), d as u8);
            if best.is_none_or(|b| (cand.0, cand.1) < (b.0, b.1)) {
                best = Some(cand);
            }
        }
        // The mask always has a lower neighbour (see the module docs); a missing one would be a bug
        // in the construction, and the cell then terminates rather than looping.
        out.push((c as u32, best.map_or(OUTLET, |b| b.2)));
    }
    out
}

/// Flat-local index of a grid cell: a dense array over the flat's bounding box when that box is
/// not much larger than the flat, else a hash map (long, thin flats along valleys).
enum LocalIndex {
    Dense { c0: usize, r0: usize, bw: usize, bh: usize, w: usize, map: Vec<u32> },
    Sparse(std::collections::HashMap<u32, u32>),
}

impl LocalIndex {
    fn new(cells: &[u32], w: usize) -> Self {
        let (mut c0, mut c1, mut r0, mut r1) = (usize::MAX, 0, usize::MAX, 0);
        for &i in cells {
            let (c, r) = (i as usize % w, i as usize / w);
            c0 = c0.min(c);
            c1 = c1.max(c);
            r0 = r0.min(r);
            r1 = r1.max(r);
        }
        let (bw, bh) = (c1 - c0 + 1, r1 - r0 + 1);
        if bw * bh <= 16 * cells.len() + 4096 {
            let mut map = vec![u32::MAX; bw * bh];
            for (k, &i) in cells.iter().enumerate() {
                let (c, r) = (i as usize % w, i as usize / w);
                map[(r - r0) * bw + c - c0] = k as u32;
            }
            LocalIndex::Dense { c0, r0, bw, bh, w, map }
        } else {
            LocalIndex::Sparse(cells.iter().enumerate().map(|(k, &i)| (i, k as u32)).collect())
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            LocalIndex::Dense { c0, r0, bw, bh, w, map } => {
                let (c, r) = (i % w, i / w);
                if c < *c0 || r < *r0 || c - c0 >= *bw || r - r0 >= *bh {
                    return None;
                }
                let k = map[(r - r0) * bw + c - c0];
                (k != u32::MAX).then_some(k as usize)
            }
            LocalIndex::Sparse(m) => m.get(&(i as u32)).map(|k| *k as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::flowdir::d8_flow_directions;
    use super::*;
    use crate::grid::GeoTransform;

    fn follow(dirs: &Grid<u8>, mut c: usize) -> (usize, usize) {
        let w = dirs.width;
        let mut steps = 0;
        loop {
            let d = dirs.data[c];
            if d == OUTLET {
                return (c, steps);
            }
            assert!(d < 8, "cell {c} has code {d}");
            c = neighbour(c % w, c / w, d as usize, w, dirs.height).unwrap();
            steps += 1;
            assert!(steps < dirs.data.len(), "cycle");
        }
    }

    #[test]
    fn flat_drains_everywhere_through_its_outlet() {
        // A 7 × 7 plateau at 10 m with a rim at 20 m and one gap (row 3, east border at 10 m):
        // every flat cell must reach that gap, and the paths must not hug the rim.
        let (w, h) = (9, 7);
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(w, h, t, 20.0f32, Some(-9999.0));
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                g.set(c, r, 10.0);
            }
        }
        g.set(w - 1, 3, 10.0);
        let dirs = d8_flow_directions(&g).unwrap();
        let gap = 3 * w + w - 1;
        assert_eq!(dirs.data[gap], OUTLET);
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                let (end, _) = follow(&dirs, r * w + c);
                assert_eq!(end, gap, "cell {c},{r}");
            }
        }
        // The cell next to the gap drains straight into it.
        assert_eq!(dirs.get(w - 2, 3), 0);
    }

    #[test]
    fn flat_without_outlet_gets_one_sink() {
        // Not filled: a 3-cell flat pit; one cell becomes terminal, the others drain to it.
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(5, 3, t, 9.0f32, None);
        for c in 1..4 {
            g.set(c, 1, 1.0);
        }
        let dirs = d8_flow_directions(&g).unwrap();
        let sinks: Vec<usize> = (1..4).filter(|c| dirs.get(*c, 1) == OUTLET).collect();
        assert_eq!(sinks.len(), 1);
        for c in 1..4 {
            assert_eq!(follow(&dirs, 5 + c).0, 5 + sinks[0]);
        }
    }
}
