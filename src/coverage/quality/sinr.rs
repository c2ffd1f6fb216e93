//! Downlink SINR of a cell from its N strongest servers.
//!
//! All powers are per resource element (RE), as RSRP is (3GPP TS 36.214 §5.1.1: the power of one
//! reference-signal RE). The thermal noise of the channel, N = −174 dBm/Hz + 10·log10(B) + NF
//! (kT at 290 K over the channel bandwidth B, plus the receiver noise figure), is spread over the
//! channel's 12·N_RB subcarriers: N_RE = N − 10·log10(12·N_RB) — for a 20 MHz channel (100 RB) and
//! NF = 9 dB, −174 + 73.0 + 9 − 30.8 = −122.8 dBm per RE. An interfering cell's RE power is its RSRP
//! (data REs at the reference-signal power) times the load, the fraction of its REs carrying
//! traffic. With S the serving cell's RSRP and I_k the other co-channel cells' of the same operator,
//!
//!   SINR = S / (load · Σ I_k + N_RE)         (linear powers, mW)
//!
//! Only the cells the sweep kept (the N strongest) interfere; the rest are weaker than the N-th.

/// Thermal noise per resource element (dBm) of a channel of `bandwidth_mhz` with `resource_blocks`
/// and a receiver noise figure.
pub fn noise_per_re_dbm(bandwidth_mhz: f64, resource_blocks: u32, noise_figure_db: f64) -> f64 {
    -174.0 + 10.0 * (bandwidth_mhz * 1e6).log10() + noise_figure_db - 10.0 * (12.0 * resource_blocks as f64).log10()
}

#[inline]
pub fn dbm_to_mw(dbm: f64) -> f64 {
    10f64.powf(dbm / 10.0)
}

/// SINR (dB) of a serving cell at `serving_dbm` against co-channel interferers at `interferers_dbm`
/// (RSRP, dBm) at cell `load`, with noise `noise_dbm` per RE.
pub fn sinr_db(serving_dbm: f64, interferers_dbm: impl IntoIterator<Item = f64>, load: f64, noise_dbm: f64) -> f64 {
    let i: f64 = interferers_dbm.into_iter().map(dbm_to_mw).sum();
    sinr_db_of_mw(dbm_to_mw(serving_dbm), i, load, dbm_to_mw(noise_dbm))
}

/// [`sinr_db`] from linear powers (mW): the serving cell's, the interferers' sum and the noise.
#[inline]
pub fn sinr_db_of_mw(serving_mw: f64, interference_mw: f64, load: f64, noise_mw: f64) -> f64 {
    10.0 * (serving_mw / (load * interference_mw + noise_mw)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_per_re_by_hand() {
        // 20 MHz: 10·log10(2e7) = 73.0103, 12·100 RE → 30.7918; −174 + 73.0103 + 9 − 30.7918.
        let n = noise_per_re_dbm(20.0, 100, 9.0);
        assert!((n - (-122.7815)).abs() < 1e-3, "{n}");
        // The per-RE noise hardly depends on the bandwidth (the ratio B / 12·N_RB is 16.7–20 kHz).
        let n10 = noise_per_re_dbm(10.0, 50, 9.0);
        assert!((n - n10).abs() < 1e-9);
    }

    #[test]
    fn one_equal_interferer_at_full_load_is_zero_db_minus_noise() {
        let noise = noise_per_re_dbm(20.0, 100, 9.0);
        let s = sinr_db(-80.0, [-80.0], 1.0, noise);
        // S/(S + N) with N 42.8 dB below S: 0 dB less 10·log10(1 + 10^−4.28) ≈ 2.3e-4 dB.
        assert!(s < 0.0 && s > -0.001, "{s}");
        // Noise-limited: no interferer, SINR = S − N.
        assert!((sinr_db(-100.0, [], 0.5, noise) - (-100.0 - noise)).abs() < 1e-9);
    }

    #[test]
    fn more_load_never_raises_sinr() {
        let noise = noise_per_re_dbm(10.0, 50, 9.0);
        for s in [-120.0, -100.0, -70.0] {
            let mut last = f64::INFINITY;
            for k in 0..=20 {
                let v = sinr_db(s, [-95.0, -101.0, -118.0], k as f64 / 20.0, noise);
                assert!(v <= last, "load {} raised SINR", k as f64 / 20.0);
                last = v;
            }
        }
    }
}
