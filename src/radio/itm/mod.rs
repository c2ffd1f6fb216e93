//! The Longley-Rice Irregular Terrain Model (ITM 1.2.2 / NTIA ITS 1.3), written from Hufford's
//! published algorithm ("The ITS Irregular Terrain Model, version 1.2.2, the Algorithm", 1995),
//! NTIA Report 82-100 (area mode), TN101 and ERL 79-ITS 67, following the order of operations of
//! NTIA's published C++ implementation (version 1.3) so that the results agree to rounding; checked
//! against NTIA's cases to 0.01 dB (`tests/coverage/itm_reference.rs`; in practice within 5e-7 dB of
//! the reference's output, 5e-3 dB of the 2-decimal published examples).
//!
//! - Point-to-point mode from a terrain profile: [`p2p_loss_db`] (time/location/situation, the
//!   reference's `ITM_P2P_TLS`) and [`p2p_cr_loss_db`] (confidence/reliability, `ITM_P2P_CR`).
//! - Area mode: [`area_loss_db`], [`area_cr_loss_db`].
//! - Coverage along radials: [`radial_losses`] (every point of a radial as a receiver) and
//!   [`ItmPath`] (one prepared profile, any receiver on it). These reuse the profile between the
//!   receivers of a radial and allocate nothing per receiver: keep one [`ItmScratch`] per thread.
//! - Settings from a configuration file: [`ItmConfig`] (serde, with the usual defaults).
//!
//! Inputs are validated with the reference's limits: out-of-range values give a typed
//! [`ItmError`] whose [`ItmError::code`] is the reference's return code (e.g. 1009 for 10 MHz,
//! 1000 for a 0.2 m transmitter, 1008 for N_0 outside 250–400), never a panic; near-limit values
//! and geometry the model was not fitted for set the reference's [`Warnings`] bits.
//! A profile of fewer than two points has no path: covermap reports it as 1017 (path distance
//! out of range) where the reference would return NaN.

mod area;
mod attenuation;
pub mod cases;
mod complex;
mod config;
mod delta_h;
mod diffraction;
mod errors;
mod inputs;
mod line_of_sight;
mod p2p;
mod radial;
mod radial_horizons;
mod select;
mod terrain;
mod troposcatter;
mod variability;

pub use area::{area_cr_loss_db, area_loss_db};
pub use attenuation::{free_space_loss_db, PropMode};
pub use config::ItmConfig;
pub use errors::{ItmError, Warnings};
pub use inputs::{
    cr_error, Climate, ItmParams, Mdvar, Polarization, SitingCriteria, VariabilityMode, DEFAULT_RADIAL_DELTA_H_STEP,
    MAX_RADIAL_DELTA_H_STEP,
};
pub use p2p::{p2p_cr_loss_db, p2p_loss_db, ItmResult};
pub use radial::{delta_h_lookahead, radial_losses, ItmPath, ItmScratch};
pub use terrain::{Elevation, PathGeometry};
pub use variability::inverse_ccdf;

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> ItmParams {
        inputs::average_ground(30.0, 1800.0, 12)
    }

    #[test]
    fn bad_profiles_are_errors_not_panics() {
        let mut s = ItmScratch::new();
        let p = params();
        assert_eq!(p2p_loss_db(&[100.0f64], 30.0, &p, &mut s).unwrap_err().code(), 1017);
        assert_eq!(p2p_loss_db::<f64>(&[], 30.0, &p, &mut s).unwrap_err().code(), 1017);
        assert_eq!(p2p_loss_db(&[1.0f32, 2.0], 0.0, &p, &mut s).unwrap_err().code(), 1017);
        assert_eq!(p2p_loss_db(&[1.0f32, f32::NAN, 2.0], 30.0, &p, &mut s).unwrap_err().code(), 1100);
        let mut out = [0.0f32; 3];
        assert_eq!(radial_losses(&[1.0, 2.0], 30.0, &p, &mut out, &mut s).unwrap_err().code(), 1100);
        let mut out = [0.0f32; 1];
        assert_eq!(radial_losses(&[1.0], 30.0, &p, &mut out, &mut s).unwrap_err().code(), 1017);
    }

    #[test]
    fn flat_earth_short_path_is_near_free_space() {
        // 2 km over flat ground, 30 m mast: line of sight; the reference attenuation is small and the
        // mode is line of sight.
        let mut s = ItmScratch::new();
        let z = vec![200.0f32; 101];
        let r = p2p_loss_db(&z, 20.0, &params(), &mut s).unwrap();
        assert_eq!(r.mode, PropMode::LineOfSight);
        assert!((r.a_fs_db - free_space_loss_db(2000.0, 1800.0)).abs() < 1e-12);
        assert!(r.loss_db > r.a_fs_db - 10.0 && r.loss_db < r.a_fs_db + 25.0, "{r:?}");
    }

    #[test]
    fn a_ridge_adds_loss() {
        let mut s = ItmScratch::new();
        let flat = vec![200.0f32; 401];
        let mut ridge = flat.clone();
        for (i, z) in ridge.iter_mut().enumerate().take(260).skip(180) {
            *z = 200.0 + 150.0 * (1.0 - ((i as f32 - 220.0) / 40.0).abs());
        }
        let a = p2p_loss_db(&flat, 30.0, &params(), &mut s).unwrap();
        let b = p2p_loss_db(&ridge, 30.0, &params(), &mut s).unwrap();
        assert!(b.loss_db > a.loss_db + 10.0, "flat {} ridge {}", a.loss_db, b.loss_db);
    }

    #[test]
    fn radial_matches_point_to_point_on_every_prefix() {
        let mut s = ItmScratch::new();
        let z: Vec<f32> = (0..600)
            .map(|i| {
                let x = i as f32;
                500.0 + 120.0 * (x * 0.013).sin() + 45.0 * (x * 0.071).cos() + 8.0 * (x * 0.9).sin()
            })
            .collect();
        let p = params();
        let mut out = vec![0.0f32; z.len()];
        radial_losses(&z, 30.0, &p, &mut out, &mut s).unwrap();
        assert!(out[0].is_nan());
        for k in 1..z.len() {
            let r = p2p_loss_db(&z[..=k], 30.0, &p, &mut s).unwrap();
            assert!((out[k] as f64 - r.loss_db).abs() < 0.01, "k={k}: {} vs {}", out[k], r.loss_db);
        }
    }
}
