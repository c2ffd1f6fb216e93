//! D8 flow accumulation: for every cell, the number of cells (itself included) whose flow passes
//! through it — so a ridge cell holds 1 and an outlet holds its whole catchment, and the outlets
//! together hold every valid cell of the DEM (conservation).
//!
//! The pattern is WhiteboxTools' `d8_flow_accum`: count each cell's inflowing neighbours in parallel,
//! then run a stack from the cells with none, passing each cell's total downstream and releasing the
//! receiver once all its donors are done. Memory: the `u32` result, one `u8` counter per cell and
//! the stack.

use rayon::prelude::*;

use super::d8::{neighbour, opposite, NODATA, NOFLOW, OUTLET};
use crate::error::{Error, Result};
use crate::grid::Grid;

/// Nodata value of accumulation grids.
pub const ACC_NODATA: u32 = u32::MAX;

/// Index of the cell `dirs` sends cell `i` to, if any.
#[inline]
pub fn receiver(dirs: &Grid<u8>, i: usize) -> Option<usize> {
    let d = dirs.data[i];
    if d < 8 {
        neighbour(i % dirs.width, i / dirs.width, d as usize, dirs.width, dirs.height)
    } else {
        None
    }
}

/// Number of cells draining through each cell (inclusive), from resolved D8 directions.
pub fn flow_accumulation(dirs: &Grid<u8>) -> Result<Grid<u32>> {
    let (w, h) = (dirs.width, dirs.height);
    if dirs.data.par_iter().any(|d| *d == NOFLOW) {
        return Err(Error::Invariant("flow accumulation needs resolved flow directions (a flat was left unresolved)".into()));
    }
    // Inflow counts, each cell looking at its eight neighbours (no write conflicts).
    let mut inflow: Vec<u8> = (0..w * h)
        .into_par_iter()
        .map(|i| {
            if dirs.data[i] == NODATA {
                return 0;
            }
            (0..8u8)
                .filter(|d| {
                    neighbour(i % w, i / w, *d as usize, w, h).is_some_and(|n| dirs.data[n] == opposite(*d))
                })
                .count() as u8
        })
        .collect();
    let mut acc: Vec<u32> = dirs.data.par_iter().map(|d| if *d == NODATA { ACC_NODATA } else { 1 }).collect();
    let stack: Vec<u32> = (0..w * h)
        .into_par_iter()
        .filter(|i| dirs.data[*i] != NODATA && inflow[*i] == 0)
        .map(|i| i as u32)
        .collect();
    pass_downstream(&mut acc, &mut inflow, stack, |c| receiver(dirs, c))?;
    Ok(Grid { width: w, height: h, transform: dirs.transform, nodata: Some(ACC_NODATA), data: acc })
}

/// The donors-first pass shared by the whole-grid and the tiled accumulation: from the cells in
/// `stack` (all donors done), add each cell's total to its `receiver`'s, releasing the receiver once
/// its pending `inflow` reaches zero. Indices are those of `acc`.
pub fn pass_downstream(acc: &mut [u32], inflow: &mut [u8], mut stack: Vec<u32>, receiver: impl Fn(usize) -> Option<usize>) -> Result<()> {
    while let Some(c) = stack.pop() {
        let c = c as usize;
        if let Some(n) = receiver(c) {
            acc[n] += acc[c];
            inflow[n] -= 1;
            if inflow[n] == 0 {
                stack.push(n as u32);
            }
        }
    }
    // A cycle would leave cells with pending inflow; resolved D8 on a filled DEM has none.
    if inflow.par_iter().any(|k| *k != 0) {
        return Err(Error::Invariant("flow directions contain a cycle".into()));
    }
    Ok(())
}

/// Sum of accumulation over the outlets — equals the number of valid cells when flow is conserved.
pub fn outlet_total(dirs: &Grid<u8>, acc: &Grid<u32>) -> u64 {
    dirs.data.par_iter().zip(acc.data.par_iter()).filter(|(d, _)| **d == OUTLET).map(|(_, a)| *a as u64).sum()
}

#[cfg(test)]
mod tests {
    use super::super::fill::fill_depressions;
    use super::super::flowdir::d8_flow_directions;
    use super::*;
    use crate::grid::GeoTransform;

    fn v_valley(w: usize, h: usize) -> Grid<f32> {
        // Valley along the middle column, falling to the south: z = |c − mid| · 10 + (h − r).
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mid = w / 2;
        Grid::from_fn(w, h, t, Some(-9999.0), |c, r| (c as f32 - mid as f32).abs() * 10.0 + (h - r) as f32)
    }

    #[test]
    fn v_valley_collects_its_slopes() {
        // 7 × 6 V: the side cells drain sideways into the thalweg (a 10 m drop across beats 1 m
        // along), the thalweg runs south. Border cells with a lower neighbour drain inwards too, so
        // the thalweg's outlet at the south border gathers all 42 cells. Row r of the thalweg holds
        // its own 7 cells per row above and including r: 7 (r + 1).
        let g = v_valley(7, 6);
        let dirs = d8_flow_directions(&fill_depressions(&g).unwrap()).unwrap();
        let acc = flow_accumulation(&dirs).unwrap();
        for r in 0..6 {
            assert_eq!(acc.get(3, r), 7 * (r as u32 + 1), "row {r}");
            assert_eq!(acc.get(0, r), 1);
        }
        assert_eq!(dirs.get(3, 5), OUTLET);
        assert_eq!(outlet_total(&dirs, &acc), 42);
    }

    #[test]
    fn accumulation_is_conserved_with_nodata_and_pits() {
        let (w, h) = (50, 40);
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut rng = crate::risk::synthetic::Lcg(99);
        let mut g = Grid::new(w, h, t, 0.0f32, Some(-9999.0));
        for i in 0..w * h {
            g.data[i] = (rng.next() % 500) as f32 / 7.0;
            if (rng.0 >> 20) % 37 == 0 {
                g.data[i] = -9999.0;
            }
        }
        let valid = g.data.iter().filter(|v| **v != -9999.0).count() as u64;
        let dirs = d8_flow_directions(&fill_depressions(&g).unwrap()).unwrap();
        let acc = flow_accumulation(&dirs).unwrap();
        assert_eq!(outlet_total(&dirs, &acc), valid);
    }
}
