//! The stream network: cells whose contributing area reaches a threshold (O'Callaghan & Mark 1984;
//! Tarboton et al. 1991 discuss the choice). A threshold of a fraction of a square kilometre at 30 m
//! gives the permanent and intermittent channels where flash floods concentrate.

use rayon::prelude::*;

use super::accumulation::ACC_NODATA;
use crate::error::{Error, Result};
use crate::grid::Grid;

/// The accumulation (in cells) that `area_km2` of contributing area represents on this grid, at
/// least 1.
pub fn threshold_cells(acc: &Grid<u32>, area_km2: f64) -> Result<u32> {
    if !(area_km2.is_finite() && area_km2 > 0.0) {
        return Err(Error::param("risk.stream_threshold_km2", format!("must be a positive area, got {area_km2}")));
    }
    let cell = acc.transform.dx * acc.transform.dy;
    Ok(((area_km2 * 1e6 / cell).ceil() as u64).clamp(1, u32::MAX as u64 - 1) as u32)
}

/// One flag per cell: a stream cell.
pub fn stream_mask(acc: &Grid<u32>, threshold: u32) -> Vec<bool> {
    acc.data.par_iter().map(|a| *a != ACC_NODATA && *a >= threshold).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn threshold_converts_area_to_cells() {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let acc = Grid::new(2, 1, t, 1u32, Some(ACC_NODATA));
        // 0.5 km² / 900 m² = 555.6 → 556 cells.
        assert_eq!(threshold_cells(&acc, 0.5).unwrap(), 556);
        assert!(threshold_cells(&acc, 0.0).is_err());
        let mut acc = acc;
        acc.data = vec![556, ACC_NODATA];
        assert_eq!(stream_mask(&acc, 556), vec![true, false]);
    }
}
