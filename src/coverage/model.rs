//! The median path loss of a band's model at a distance: the empirical models are floored by free
//! space, because below their 1 km validity limit Hata's formulas fall under the physical minimum.
//! Terrain diffraction is added on top by the radial walk ([`super::profile`]).

use super::cost231::cost231_hata_db;
use super::fspl::free_space_loss_db;
use super::hata::{okumura_hata_db, Environment};
use super::params::ModelKind;

/// Median loss (dB) of `model` at `d_km` for a base antenna `hb_m` and handset `hm_m` above ground.
pub fn median_loss_db(model: ModelKind, env: Environment, f_mhz: f64, hb_m: f64, hm_m: f64, d_km: f64) -> f64 {
    let fs = free_space_loss_db(f_mhz, d_km);
    match model {
        ModelKind::FreeSpace => fs,
        ModelKind::Hata => okumura_hata_db(f_mhz, hb_m, hm_m, d_km, env).max(fs),
        ModelKind::Cost231 => cost231_hata_db(f_mhz, hb_m, hm_m, d_km, env).max(fs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_floor_applies_only_at_short_range() {
        let f = 1800.0;
        let near = median_loss_db(ModelKind::Cost231, Environment::Open, f, 30.0, 1.5, 0.05);
        assert_eq!(near, free_space_loss_db(f, 0.05));
        let far = median_loss_db(ModelKind::Cost231, Environment::Open, f, 30.0, 1.5, 5.0);
        assert_eq!(far, cost231_hata_db(f, 30.0, 1.5, 5.0, Environment::Open));
        // Monotone in distance, which the walk relies on to stop a radial early.
        let mut last = 0.0;
        for i in 1..2000 {
            let l = median_loss_db(ModelKind::Hata, Environment::Open, 900.0, 30.0, 1.5, i as f64 * 0.015);
            assert!(l >= last);
            last = l;
        }
    }
}
