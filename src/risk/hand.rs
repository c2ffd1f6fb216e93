//! Height Above the Nearest Drainage (Rennó et al. 2008, "HAND, a new terrain descriptor using
//! SRTM-DEM", Remote Sensing of Environment 112: 3469–3481; Nobre et al. 2011, J. Hydrology 404):
//! each cell's height above the stream cell its D8 flow path first reaches.
//!
//! Heights are taken from the *original* DEM (the drainage cell's and the cell's own), not the
//! filled one, so a closed hollow beside a river reads as low ground that floods; negative values
//! (a pit below its drainage) are clamped to 0. Cells whose path leaves the DEM without meeting a
//! stream are measured from the outlet cell where the path ends, which is their local drainage.
//!
//! Every non-stream cell belongs to exactly one drainage cell's upstream tree, so the trees are
//! walked in parallel (one upstream depth-first search per drainage cell); each cell is written by
//! one search only.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::accumulation::ACC_NODATA;
use super::d8::{is_valid, neighbour, opposite, OUTLET};
use crate::grid::Grid;

/// Nodata value of HAND grids.
pub const HAND_NODATA: f32 = -9999.0;

/// HAND (m) from the DEM, resolved flow directions and the stream mask.
pub fn height_above_drainage(dem: &Grid<f32>, dirs: &Grid<u8>, streams: &[bool]) -> Grid<f32> {
    walk(dem, dirs, streams, None).0
}

/// HAND (m) and, for every cell, the flow accumulation (cells) of the drainage cell it is measured
/// from — the size of the stream that would flood it.
pub fn hand_and_drainage_area(dem: &Grid<f32>, dirs: &Grid<u8>, streams: &[bool], acc: &Grid<u32>) -> (Grid<f32>, Grid<u32>) {
    let (h, a) = walk(dem, dirs, streams, Some(acc));
    (h, a.unwrap_or_else(|| acc.like(ACC_NODATA, Some(ACC_NODATA))))
}

fn walk(dem: &Grid<f32>, dirs: &Grid<u8>, streams: &[bool], acc: Option<&Grid<u32>>) -> (Grid<f32>, Option<Grid<u32>>) {
    let (w, h) = (dem.width, dem.height);
    let out: Vec<AtomicU32> = (0..w * h).into_par_iter().map(|_| AtomicU32::new(HAND_NODATA.to_bits())).collect();
    let area: Option<Vec<AtomicU32>> = acc.map(|_| (0..w * h).into_par_iter().map(|_| AtomicU32::new(ACC_NODATA)).collect());
    let drains: Vec<u32> = (0..w * h)
        .into_par_iter()
        .filter(|i| is_valid(dem.data[*i], dem.nodata) && (streams[*i] || dirs.data[*i] == OUTLET))
        .map(|i| i as u32)
        .collect();
    drains.par_iter().for_each_init(Vec::new, |stack, &d| {
        let d = d as usize;
        let base = dem.data[d];
        let drain_acc = acc.map_or(ACC_NODATA, |a| a.data[d]);
        let put_area = |i: usize| {
            if let Some(a) = &area {
                a[i].store(drain_acc, Ordering::Relaxed);
            }
        };
        out[d].store(0f32.to_bits(), Ordering::Relaxed);
        put_area(d);
        stack.push(d);
        while let Some(c) = stack.pop() {
            let (col, row) = (c % w, c / w);
            for k in 0..8 {
                let Some(n) = neighbour(col, row, k, w, h) else { continue };
                // n drains into c, and is not itself a drainage cell (those start their own tree).
                if dirs.data[n] == opposite(k as u8) && !streams[n] {
                    let v = (dem.data[n] - base).max(0.0);
                    out[n].store(v.to_bits(), Ordering::Relaxed);
                    put_area(n);
                    stack.push(n);
                }
            }
        }
    });
    let data: Vec<f32> = out.into_iter().map(|a| f32::from_bits(a.into_inner())).collect();
    let hand = Grid { width: w, height: h, transform: dem.transform, nodata: Some(HAND_NODATA), data };
    let area = area.map(|a| Grid {
        width: w,
        height: h,
        transform: dem.transform,
        nodata: Some(ACC_NODATA),
        data: a.into_iter().map(|x| x.into_inner()).collect(),
    });
    (hand, area)
}

#[cfg(test)]
mod tests {
    use super::super::accumulation::flow_accumulation;
    use super::super::fill::fill_depressions;
    use super::super::flowdir::d8_flow_directions;
    use super::super::streams::stream_mask;
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn hand_is_height_above_the_thalweg() {
        // V valley z = 10 |c − 3| + (6 − r): side cells drain straight across to the thalweg of the
        // same row, so HAND = 10 |c − 3| exactly (the definition of Rennó et al. 2008).
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let g = Grid::from_fn(7, 6, t, Some(-9999.0), |c, r| (c as f32 - 3.0).abs() * 10.0 + (6 - r) as f32);
        let dirs = d8_flow_directions(&fill_depressions(&g).unwrap()).unwrap();
        let acc = flow_accumulation(&dirs).unwrap();
        let streams = stream_mask(&acc, 7);
        let (hand, area) = hand_and_drainage_area(&g, &dirs, &streams, &acc);
        for r in 0..6 {
            for c in 0..7 {
                assert_eq!(hand.get(c, r), (c as f32 - 3.0).abs() * 10.0, "{c},{r}");
                // Measured from the thalweg cell of the same row, which gathers 7 (r + 1) cells.
                assert_eq!(area.get(c, r), 7 * (r as u32 + 1));
            }
        }
        assert_eq!(height_above_drainage(&g, &dirs, &streams).data, hand.data);
    }
}
