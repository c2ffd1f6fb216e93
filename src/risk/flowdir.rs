//! D8 flow directions (O'Callaghan & Mark 1984): each cell drains to the neighbour with the steepest
//! downward drop (drop / distance, so diagonals are judged over √2 cells), one byte per cell with
//! the codes of [`super::d8`].
//!
//! On a depression-filled DEM ([`super::fill`]) a cell with no lower neighbour is either an *edge*
//! cell (on the grid border or next to nodata), which becomes an [`OUTLET`] draining off the DEM, or
//! part of a flat, which [`super::flats`] resolves. An edge cell that does have a lower neighbour
//! drains to it like any other cell, so valleys crossing the border keep their side slopes.
//! Ties between equal drops go to the first direction counter-clockwise from east, so the result is
//! deterministic. Rows are processed in parallel.

use rayon::prelude::*;

use super::d8::{distances, is_valid, neighbour, NODATA, NOFLOW, OUTLET};
use super::fill::is_edge;
use super::flats::resolve_flats;
use crate::error::Result;
use crate::grid::Grid;

/// The raw direction of one cell of `filled` (neighbour distances `dist` from [`distances`]): a
/// steepest-descent code, [`OUTLET`], [`NOFLOW`] or [`NODATA`]. Reads only the cell's 3 × 3
/// neighbourhood, so a tile with a one-cell halo computes exactly what the whole grid does.
#[inline]
pub fn d8_cell(filled: &Grid<f32>, c: usize, r: usize, dist: &[f64; 8]) -> u8 {
    let (w, h) = (filled.width, filled.height);
    let nd = filled.nodata;
    let z = filled.data[r * w + c];
    if !is_valid(z, nd) {
        return NODATA;
    }
    let mut best = NOFLOW;
    let mut best_drop = 0.0f64;
    for d in 0..8 {
        if let Some(n) = neighbour(c, r, d, w, h) {
            let zn = filled.data[n];
            if is_valid(zn, nd) && zn < z {
                let drop = (z - zn) as f64 / dist[d];
                if drop > best_drop {
                    best_drop = drop;
                    best = d as u8;
                }
            }
        }
    }
    if best == NOFLOW && is_edge(filled, c, r) {
        best = OUTLET;
    }
    best
}

/// Steepest-descent directions of `filled`, with flats left as [`NOFLOW`].
pub fn d8_raw(filled: &Grid<f32>) -> Grid<u8> {
    let w = filled.width;
    let dist = distances(filled.transform.dx, filled.transform.dy);
    let mut dirs = filled.like(NODATA, Some(NODATA));
    dirs.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        for (c, out) in row.iter_mut().enumerate() {
            *out = d8_cell(filled, c, r, &dist);
        }
    });
    dirs
}

/// D8 flow directions of a depression-filled DEM with every flat resolved: each valid cell ends up
/// with a direction 0–7 or [`OUTLET`].
pub fn d8_flow_directions(filled: &Grid<f32>) -> Result<Grid<u8>> {
    super::d8::check_size(filled.width, filled.height)?;
    let mut dirs = d8_raw(filled);
    resolve_flats(filled, &mut dirs);
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn steepest_neighbour_wins_and_border_drains_out() {
        // Heights fall to the east; the east border cells have no lower neighbour: outlets.
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 10.0, dy: 10.0 };
        let g = Grid::from_fn(4, 3, t, Some(-9999.0), |c, r| (10 - 3 * c) as f32 + r as f32 * 0.1);
        let d = d8_flow_directions(&g).unwrap();
        // Interior cell (1, 1): east drop 3/10 = 0.3, south-east drop 3.1/14.14 = 0.219 → east.
        assert_eq!(d.get(1, 1), 0);
        assert_eq!(d.get(3, 0), OUTLET);
        // (3, 1) can still drop north (0.1 lower), so it drains inwards along the border.
        assert_eq!(d.get(3, 1), 2);
    }
}
