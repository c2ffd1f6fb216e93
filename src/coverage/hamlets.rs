//! Each hamlet's 4G and fiber status: its RSRP is the value of the `rsrp_any` cell holding it (the
//! best server over all operators), covered when that is at least the covered threshold; the number
//! of operators covering it counts the operators whose own best RSRP there reaches the threshold.

use super::params::CoverageParams;
use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// One hamlet's status. RSRP values are NaN where no site reaches the hamlet above the floor.
#[derive(Debug, Clone, PartialEq)]
pub struct HamletStatus {
    /// Index in `Dataset::hamlets`.
    pub hamlet: usize,
    pub rsrp_dbm: f32,
    pub covered: bool,
    pub good: bool,
    /// Index in `Dataset::sites` of the serving (best) site.
    pub serving_site: Option<usize>,
    /// Best RSRP per operator (order of `Dataset::operators()`).
    pub per_operator: Vec<f32>,
    /// Operators whose best RSRP reaches the covered threshold.
    pub operators: u32,
    pub fiber_distance_m: Option<f64>,
    pub fiber_ready: bool,
    /// P(RSRP ≥ the covered threshold) over the locations around the hamlet, under log-normal
    /// shadowing with the calibration's σ ([`super::location`]).
    pub p_covered: f64,
    /// Covered at 90 % location probability.
    pub covered_p90: bool,
}

/// The DEM cell centre holding each hamlet (where its signal is read); a hamlet off the DEM is an error.
pub fn hamlet_cells(ds: &Dataset) -> Result<Vec<(f64, f64)>> {
    ds.hamlets
        .iter()
        .map(|h| {
            ds.dem.cell_of(h.pos.x(), h.pos.y()).map(|(c, r)| ds.dem.cell_center(c, r)).ok_or_else(|| {
                Error::feature(
                    &ds.name,
                    "hamlets",
                    format!("{} ({})", h.id, h.name),
                    format!("position ({:.1}, {:.1}) is outside the DEM", h.pos.x(), h.pos.y()),
                )
            })
        })
        .collect()
}

/// The DEM cell index holding each hamlet ([`hamlet_cells`]).
pub fn hamlet_cell_indices(ds: &Dataset) -> Result<Vec<usize>> {
    Ok(cell_indices(&ds.dem, &hamlet_cells(ds)?))
}

/// The index of the DEM cell holding each of `centres` (cell centres, so always inside).
pub fn cell_indices(dem: &crate::grid::Grid<f32>, centres: &[(f64, f64)]) -> Vec<usize> {
    centres.iter().filter_map(|&(x, y)| dem.cell_of(x, y)).map(|(c, r)| r * dem.width + c).collect()
}

/// Status of hamlet `i` from its signals and fiber distance.
pub fn status(
    i: usize,
    rsrp: f32,
    serving_site: Option<usize>,
    per_operator: Vec<f32>,
    fiber_distance_m: Option<f64>,
    params: &CoverageParams,
) -> HamletStatus {
    let covered_at = params.covered_dbm as f32;
    let p_covered = super::location::p_at_least(rsrp as f64, params.covered_dbm, params.sigma_db(None));
    HamletStatus {
        p_covered,
        covered_p90: p_covered >= 0.9,
        hamlet: i,
        rsrp_dbm: rsrp,
        covered: rsrp >= covered_at,
        good: rsrp >= params.good_dbm as f32,
        serving_site: if rsrp.is_nan() { None } else { serving_site },
        operators: per_operator.iter().filter(|v| **v >= covered_at).count() as u32,
        per_operator,
        fiber_distance_m,
        fiber_ready: fiber_distance_m.is_some_and(|d| d <= params.fiber_drop_m),
    }
}
