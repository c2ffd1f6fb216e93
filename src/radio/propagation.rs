//! The propagation models behind one interface, the way geo puts `Euclidean` and `Haversine` behind
//! one `Distance` trait: each median model is a type implementing [`PathLoss`] in its own file
//! ([`FreeSpace`] in [`super::fspl`], [`Hata`] in [`super::hata`]: Okumura-Hata, or COST-231 Hata
//! with the form of [`super::cost231`]),
//! and a transmitter carries one [`Propagation`] — the enum of the models a band may use, ITM with its
//! parameters. The empirical models are floored by free space, because below their 1 km validity
//! limit Hata's formulas fall under the physical minimum; the coverage walk adds the knife-edge
//! diffraction over the terrain on top. ITM takes the terrain profile itself and replaces both.
//!
//! A new median model is one file (a type with `impl PathLoss`) plus one variant here.

use super::fspl::FreeSpace;
use super::hata::Hata;
use super::itm::ItmParams;

/// What a median model needs of a link besides the distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Carrier frequency, MHz.
    pub f_mhz: f64,
    /// Base-station antenna height above ground, m.
    pub hb_m: f64,
    /// Mobile (receiver) antenna height above ground, m.
    pub hm_m: f64,
}

/// A median path-loss model: the basic transmission loss over smooth terrain at a distance.
pub trait PathLoss {
    /// Median loss (dB) of `link` at `d_km`, evaluated as published (the caller checks validity).
    fn loss_db(&self, link: &Link, d_km: f64) -> f64;
    /// The frequency range (MHz) in which the model is defined.
    fn range_mhz(&self) -> (f64, f64);
}

/// The propagation model of a transmitter (from its band's `model` and `environment`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Propagation {
    FreeSpace(FreeSpace),
    /// Okumura-Hata or COST-231 Hata (the form is the model's data).
    Hata(Hata),
    /// Longley-Rice on the terrain profile ([`super::itm`]): replaces the median model and the
    /// knife-edge diffraction together.
    Itm(ItmParams),
}

impl Propagation {
    /// The median model, `None` for ITM (a terrain-profile model).
    pub fn median_model(&self) -> Option<&dyn PathLoss> {
        match self {
            Propagation::FreeSpace(m) => Some(m),
            Propagation::Hata(m) => Some(m),
            Propagation::Itm(_) => None,
        }
    }

    /// Median loss (dB) at `d_km`, floored by free space. For ITM, which needs the terrain, this is
    /// its free-space floor.
    pub fn median_loss_db(&self, link: &Link, d_km: f64) -> f64 {
        let fs = FreeSpace.loss_db(link, d_km);
        match self.median_model() {
            Some(m) => m.loss_db(link, d_km).max(fs),
            None => fs,
        }
    }

    /// Whether the median loss only grows with distance (so a radial may stop where even boresight
    /// falls below the reach floor). ITM's loss is not monotone: it runs to the radius.
    pub fn is_monotone(&self) -> bool {
        !matches!(self, Propagation::Itm(_))
    }
}

#[cfg(test)]
mod tests {
    use super::super::cost231::COST231_HATA;
    use super::super::fspl::free_space_loss_db;
    use super::super::hata::Environment;
    use super::*;

    fn link(f_mhz: f64) -> Link {
        Link { f_mhz, hb_m: 30.0, hm_m: 1.5 }
    }

    #[test]
    fn free_space_floor_applies_only_at_short_range() {
        let f = 1800.0;
        let near = Propagation::Hata(Hata::cost231(Environment::Open)).median_loss_db(&link(f), 0.05);
        assert_eq!(near, free_space_loss_db(f, 0.05));
        let far = Propagation::Hata(Hata::cost231(Environment::Open)).median_loss_db(&link(f), 5.0);
        assert_eq!(far, COST231_HATA.loss_db(f, 30.0, 1.5, 5.0, Environment::Open));
        // Monotone in distance, which the walk relies on to stop a radial early.
        let mut last = 0.0;
        for i in 1..2000 {
            let l = Propagation::Hata(Hata::okumura(Environment::Open)).median_loss_db(&link(900.0), i as f64 * 0.015);
            assert!(l >= last);
            last = l;
        }
    }
}
