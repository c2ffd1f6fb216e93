//! Downlink throughput from SINR: the truncated-Shannon fit of LTE of 3GPP TR 36.942 Annex A.2,
//!
//!   Thr(SINR) = 0                          SINR < SINR_min
//!             = α · log2(1 + SINR)         SINR_min ≤ SINR < SINR_max
//!             = Thr_max                    SINR ≥ SINR_max
//!
//! in bps/Hz, with α = 0.6 (implementation losses), SINR_min = −10 dB and Thr_max = 4.4 bps/Hz
//! (SINR_max is where the middle branch reaches Thr_max, 19.9 dB). A user's rate is
//!
//!   Mbps = (1 − load) · layers · N_RB · 0.18 MHz · Thr(SINR)
//!
//! — the spectral efficiency over the channel's occupied bandwidth (N_RB resource blocks of 180 kHz),
//! times the MIMO rank, shared by load: a cell whose resources are `load` busy with other users leaves
//! the remaining fraction to a new one. The peak is (1 − load) · layers · N_RB · 0.18 · Thr_max, e.g.
//! 79.2 Mbps for 20 MHz 2×2 at 50 % load.

use super::params::{QualityBand, QualityParams};

/// TR 36.942 A.2 spectral efficiency (bps/Hz per layer) at `sinr_db`.
pub fn spectral_efficiency(sinr_db: f64, q: &QualityParams) -> f64 {
    if !(sinr_db >= q.sinr_min_db) {
        return 0.0;
    }
    let s = q.alpha * (1.0 + 10f64.powf(sinr_db / 10.0)).log2();
    s.min(q.max_spectral_efficiency)
}

/// The largest rate (Mbps) a user gets in `band` at the configured load.
pub fn peak_mbps(band: &QualityBand, q: &QualityParams) -> f64 {
    (1.0 - q.load) * band.mimo_layers as f64 * band.resource_blocks() as f64 * 0.18 * q.max_spectral_efficiency
}

/// Downlink rate (Mbps) at `sinr_db` in `band`.
pub fn dl_mbps(sinr_db: f64, band: &QualityBand, q: &QualityParams) -> f64 {
    (1.0 - q.load) * band.mimo_layers as f64 * band.resource_blocks() as f64 * 0.18 * spectral_efficiency(sinr_db, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr36942_annex_a_values() {
        let q = QualityParams::default();
        // Below SINR_min: nothing; at 0 dB: 0.6·log2(2) = 0.6; at 30 dB: capped at 4.4.
        assert_eq!(spectral_efficiency(-10.5, &q), 0.0);
        assert!((spectral_efficiency(0.0, &q) - 0.6).abs() < 1e-12);
        assert_eq!(spectral_efficiency(30.0, &q), 4.4);
        // At −10 dB: 0.6·log2(1.1) = 0.0825.
        assert!((spectral_efficiency(-10.0, &q) - 0.6 * 1.1f64.log2()).abs() < 1e-12);
        assert_eq!(spectral_efficiency(f64::NAN, &q), 0.0);
    }

    #[test]
    fn monotone_in_sinr_and_capped_at_the_band_peak() {
        let q = QualityParams::default();
        for band in &q.bands {
            let peak = peak_mbps(band, &q);
            let mut last = 0.0;
            for k in -400..=600 {
                let v = dl_mbps(k as f64 / 10.0, band, &q);
                assert!(v >= last, "not monotone at {} dB", k as f64 / 10.0);
                assert!(v <= peak + 1e-9);
                last = v;
            }
            assert!((last - peak).abs() < 1e-9, "high SINR reaches the peak");
        }
        // 20 MHz, 2 layers, 50 % load: 0.5·2·100·0.18·4.4 = 79.2 Mbps.
        assert!((peak_mbps(&q.bands[1], &q) - 79.2).abs() < 1e-9);
    }
}
