//! Free-space basic transmission loss, ITU-R P.525-4 eq. (4): L_bf = 32.4 + 20 log f + 20 log d
//! (f in MHz, d in km). The reference every other model is checked against, and the floor under the
//! empirical models at short range (an empirical fit may not predict less loss than free space).

/// Free-space loss in dB (ITU-R P.525-4 eq. (4)); `f_mhz > 0`, `d_km > 0`.
///
/// ```
/// use covermap::radio::fspl::free_space_loss_db;
/// // P.525-4 eq. (4): 1 km at 1000 MHz → 32.4 + 60 + 0 = 92.4 dB; each tenfold distance adds 20 dB.
/// assert!((free_space_loss_db(1000.0, 1.0) - 92.4).abs() < 1e-9);
/// assert!((free_space_loss_db(1000.0, 10.0) - 112.4).abs() < 1e-9);
/// ```
#[inline]
pub fn free_space_loss_db(f_mhz: f64, d_km: f64) -> f64 {
    32.4 + 20.0 * f_mhz.log10() + 20.0 * d_km.log10()
}

/// ITU-R P.525 free space as a [`PathLoss`](super::PathLoss) model (any frequency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FreeSpace;

impl super::PathLoss for FreeSpace {
    fn loss_db(&self, link: &super::Link, d_km: f64) -> f64 {
        free_space_loss_db(link.f_mhz, d_km)
    }
    fn range_mhz(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p525_reference_values() {
        // P.525-4 eq. (4) evaluated by hand: 1 km at 1000 MHz → 32.4 + 60 + 0 = 92.4 dB.
        assert!((free_space_loss_db(1000.0, 1.0) - 92.4).abs() < 1e-9);
        // 10 km at 1800 MHz → 32.4 + 65.105 + 20 = 117.505 dB.
        assert!((free_space_loss_db(1800.0, 10.0) - 117.505).abs() < 1e-3);
    }

    #[test]
    fn agrees_with_friis() {
        // Friis: L = 20 log10(4π d / λ); P.525's 32.4 rounds 32.45, so they agree within 0.05 dB.
        let (f, d) = (900.0, 3.0);
        let lambda = 299.792458 / f;
        let friis = 20.0 * (4.0 * std::f64::consts::PI * d * 1000.0 / lambda).log10();
        assert!((free_space_loss_db(f, d) - friis).abs() < 0.05, "{friis}");
    }

    #[test]
    fn six_db_per_octave_of_distance() {
        let a = free_space_loss_db(1800.0, 2.0) - free_space_loss_db(1800.0, 1.0);
        assert!((a - 6.0206).abs() < 1e-3);
    }
}
