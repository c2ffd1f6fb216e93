//! `[coverage.calibration]`: whether drive-test measurements calibrate the model, and how the
//! spatial hold-out is drawn. Every key has a default; unknown keys are errors.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalibrationParams {
    /// Apply the fitted offsets to the rasters, hamlets and indicators. Unset: on when the dataset has
    /// measurements. `false` still fits and reports (the `calibration` table), without applying.
    pub enabled: Option<bool>,
    /// Side of the square blocks (m) the spatial hold-out draws whole.
    pub block_m: f64,
    /// Share of blocks held out to measure the calibrated model's error.
    pub holdout_fraction: f64,
    /// Fitting points closer than this (m) to a held-out block are left out of the fit, so no
    /// fitted point neighbours a held-out one (twice the 50–100 m shadowing correlation distance).
    pub buffer_m: f64,
    /// An operator × band group is applied only with at least this many measurements.
    pub min_points: usize,
    /// A transmitter belongs to a measured band when their frequencies differ by at most this share.
    pub band_tolerance: f64,
    /// Location variability σ (dB) used for location probability where no calibration gives one.
    pub default_sigma_db: f64,
    /// Car-body loss (dB) of `in_vehicle` measurements. Unset: estimated from the data when both
    /// environments are measured, else 8 dB (the middle of the 5–10 dB measured at 0.9–2 GHz).
    pub in_vehicle_loss_db: Option<f64>,
    /// An uncovered hamlet is "challenged" when a measurement within this distance (m) reaches the
    /// covered threshold.
    pub challenge_radius_m: f64,
    /// A site is suspected off air (its points left out of the fit and reported) when the median
    /// residual of the points it best-serves, relative to their operator × band fit, is below this
    /// (dB; see `calibration::fit`).
    pub off_air_median_db: f64,
    /// … over at least this many points.
    pub off_air_min_points: usize,
}

impl Default for CalibrationParams {
    fn default() -> Self {
        Self {
            enabled: None,
            block_m: 2000.0,
            holdout_fraction: 0.25,
            buffer_m: 200.0,
            min_points: 30,
            band_tolerance: 0.1,
            default_sigma_db: 8.0,
            in_vehicle_loss_db: None,
            challenge_radius_m: 500.0,
            off_air_median_db: -12.0,
            off_air_min_points: 10,
        }
    }
}

/// Fallback car-body loss when the data cannot tell it (dB).
pub const DEFAULT_IN_VEHICLE_LOSS_DB: f64 = 8.0;

impl CalibrationParams {
    pub fn validate(&self) -> Result<()> {
        let bad = |k: &str, p: &str| Err(Error::param(format!("coverage.calibration.{k}"), p.to_string()));
        if !(self.block_m.is_finite() && self.block_m > 0.0) {
            return bad("block_m", "must be a positive number of metres");
        }
        if !(self.holdout_fraction > 0.0 && self.holdout_fraction < 1.0) {
            return bad("holdout_fraction", "must be between 0 and 1 (exclusive)");
        }
        if !(self.buffer_m.is_finite() && self.buffer_m >= 0.0) {
            return bad("buffer_m", "must be ≥ 0");
        }
        if self.min_points < 2 {
            return bad("min_points", "must be at least 2");
        }
        if !(self.band_tolerance > 0.0 && self.band_tolerance < 0.5) {
            return bad("band_tolerance", "must be between 0 and 0.5");
        }
        if !(self.default_sigma_db.is_finite() && self.default_sigma_db > 0.0) {
            return bad("default_sigma_db", "must be a positive number of dB");
        }
        if !(self.challenge_radius_m.is_finite() && self.challenge_radius_m > 0.0) {
            return bad("challenge_radius_m", "must be a positive number of metres");
        }
        if !(self.off_air_median_db.is_finite() && self.off_air_median_db < 0.0) {
            return bad("off_air_median_db", "must be a negative number of dB");
        }
        if self.off_air_min_points < 3 {
            return bad("off_air_min_points", "must be at least 3");
        }
        if let Some(v) = self.in_vehicle_loss_db {
            if !(v.is_finite() && (0.0..=40.0).contains(&v)) {
                return bad("in_vehicle_loss_db", "must be between 0 and 40 dB");
            }
        }
        Ok(())
    }

    /// Whether the band `band_mhz` holds the frequency `f_mhz`.
    pub fn same_band(&self, band_mhz: f64, f_mhz: f64) -> bool {
        (f_mhz - band_mhz).abs() <= self.band_tolerance * band_mhz
    }
}

/// What the calibration hands the engine: EIRP offsets per operator × band, and the location
/// variability σ per operator. Not read from `dataset.toml`; filled by the coverage stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied {
    /// (operator, band MHz, offset dB), added to the EIRP of the operator's transmitters in the band.
    pub offsets: Vec<(String, f64, f64)>,
    /// (operator, σ dB) from the calibration; operators not listed use `default_sigma_db`.
    pub sigma_db: Vec<(String, f64)>,
    /// σ (dB) for the best server over all operators (the measurements' pooled σ).
    pub sigma_any_db: Option<f64>,
}
