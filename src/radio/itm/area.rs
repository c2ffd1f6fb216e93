//! Area mode (the reference's `ITM_AREA_TLS` / `ITM_AREA_CR`): no profile, the terrain described
//! by Δh alone and the terminals by their siting criteria; effective heights, horizon distances
//! and angles from the empirical formulas of the Algorithm Eqs. 3.2–3.4 (Hufford, Longley &
//! Kissick, NTIA Report 82-100).

use super::errors::ItmError;
use super::inputs::{cr_error, ItmParams, Prepared, SitingCriteria};
use super::p2p::{finish, refractivity_and_curvature, ItmResult};
use super::terrain::PathGeometry;

/// Effective height, horizon distance and horizon angle of one terminal in area mode.
fn area_terminal(siting: SitingCriteria, h_m: f64, gamma_e: f64, delta_h_m: f64) -> (f64, f64, f64) {
    let h_e = match siting {
        SitingCriteria::Random => h_m,
        SitingCriteria::Careful | SitingCriteria::VeryCareful => {
            let mut b = if siting == SitingCriteria::Careful { 4.0 } else { 9.0 };
            if h_m < 5.0 {
                b *= (0.1 * std::f64::consts::PI * h_m).sin();
            }
            // Eq. 3.2.
            h_m + (1.0 + b) * (-(2.0 * h_m / delta_h_m.max(1e-3)).min(20.0)).exp()
        }
    };
    let d_ls = (2.0 * h_e / gamma_e).sqrt();
    // Eqs. 3.3, 3.4 (H₃ = 5 m).
    let d_hzn = d_ls * (-0.07 * (delta_h_m / h_e.max(5.0)).sqrt()).exp();
    let theta = (0.65 * delta_h_m * (d_ls / d_hzn - 1.0) - 2.0 * h_e) / d_ls;
    (h_e, d_hzn, theta)
}

/// Basic transmission loss in area mode with time / location / situation variability.
/// `d_km` is the path length, `delta_h_m` the terrain irregularity of the area (90 m for average
/// rolling terrain).
pub fn area_loss_db(
    params: &ItmParams,
    d_km: f64,
    delta_h_m: f64,
    tx_siting: SitingCriteria,
    rx_siting: SitingCriteria,
) -> Result<ItmResult, ItmError> {
    let p = Prepared::new(params)?;
    if !(d_km > 0.0) || !d_km.is_finite() {
        return Err(ItmError::PathDistance("area-mode distance must be positive"));
    }
    if !(delta_h_m >= 0.0) || !delta_h_m.is_finite() {
        return Err(ItmError::DeltaH(delta_h_m));
    }
    // Area mode scales nothing by the terrain height: N_s = N_0.
    let (n_s, gamma_e) = refractivity_and_curvature(p.n_0, 0.0);
    let tx = area_terminal(tx_siting, p.h_m[0], gamma_e, delta_h_m);
    let rx = area_terminal(rx_siting, p.h_m[1], gamma_e, delta_h_m);
    let g = PathGeometry {
        d_m: d_km * 1000.0,
        theta_hzn: [tx.2, rx.2],
        d_hzn_m: [tx.1, rx.1],
        h_e_m: [tx.0, rx.0],
        delta_h_m,
    };
    finish(&p, &g, n_s, gamma_e, false)
}

/// Area mode with confidence / reliability variability (the reference's `ITM_AREA_CR`).
pub fn area_cr_loss_db(
    params: &ItmParams,
    d_km: f64,
    delta_h_m: f64,
    tx_siting: SitingCriteria,
    rx_siting: SitingCriteria,
    confidence_pct: f64,
    reliability_pct: f64,
) -> Result<ItmResult, ItmError> {
    let params = params.with_confidence_reliability(confidence_pct, reliability_pct);
    area_loss_db(&params, d_km, delta_h_m, tx_siting, rx_siting).map_err(cr_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radio::itm::PropMode;

    /// Reference values: NTIA/itm `area.csv` (results to 0.1 dB) and the driver examples
    /// `cmd_examples/o_areatls.txt`, `o_areacr.txt` (ITM v1.5 output, 0.1 dB).
    #[test]
    fn ntia_area_examples() {
        // h_tx, h_rx, Δh, mdvar, d_km, tx_site, rx_site, ε, σ, N_0, f, pol, climate, time, loc, sit, A
        let cases: [(f64, f64, f64, i32, f64, i32, i32, f64, f64, f64, f64, i32, i32, f64, f64, f64, f64); 6] = [
            (10.0, 1.0, 0.0, 0, 16.0, 0, 0, 15.0, 0.008, 301.0, 230.0, 0, 5, 87.0, 50.0, 50.0, 152.5),
            (3.0, 1.5, 10.0, 1, 10.0, 1, 0, 15.0, 0.008, 301.0, 450.0, 0, 5, 40.0, 28.0, 25.0, 133.0),
            (15.0, 3.0, 5.0, 2, 100.0, 2, 1, 15.0, 0.008, 301.0, 980.0, 1, 4, 92.0, 53.0, 97.0, 224.1),
            (3.0, 5.0, 20.0, 3, 75.0, 0, 1, 15.0, 0.008, 301.0, 3100.0, 1, 2, 50.0, 80.0, 43.0, 205.1),
            (1.5, 10.0, 45.0, 0, 25.0, 1, 2, 15.0, 0.008, 301.0, 8900.0, 1, 1, 70.0, 99.0, 26.0, 156.0),
            (15.0, 3.0, 20.0, 1, 10.0, 0, 0, 15.0, 0.005, 301.0, 3500.0, 1, 5, 50.0, 50.0, 50.0, 134.5),
        ];
        for (i, c) in cases.iter().enumerate() {
            let p = ItmParams::from_codes(c.0, c.1, c.12, c.9, c.10, c.11, c.7, c.8, c.3, c.13, c.14, c.15).unwrap();
            let tx = SitingCriteria::from_code(c.5, false).unwrap();
            let rx = SitingCriteria::from_code(c.6, true).unwrap();
            let r = area_loss_db(&p, c.4, c.2, tx, rx).unwrap();
            assert!((r.loss_db - c.16).abs() <= 0.05 + 1e-9, "case {i}: {} vs {}", r.loss_db, c.16);
        }
        // o_areatls.txt intermediate values: A_ref 11.2 dB, line of sight, d_hzn 14722 / 6206 m.
        let p = ItmParams::from_codes(15.0, 3.0, 5, 301.0, 3500.0, 1, 15.0, 0.005, 1, 50.0, 50.0, 50.0).unwrap();
        let r = area_loss_db(&p, 10.0, 20.0, SitingCriteria::Random, SitingCriteria::Random).unwrap();
        assert_eq!(r.mode, PropMode::LineOfSight);
        assert!((r.a_ref_db - 11.2).abs() < 0.05);
        assert!((r.geometry.d_hzn_m[0] - 14722.0).abs() < 0.5 && (r.geometry.d_hzn_m[1] - 6206.0).abs() < 0.5);
        // o_areacr.txt: 3 m / 3 m, 10 km, Δh 0, 10 GHz, broadcast, confidence 50, reliability 90 → 147.0 dB.
        let p = ItmParams::from_codes(3.0, 3.0, 5, 301.0, 10000.0, 1, 15.0, 0.005, 3, 50.0, 50.0, 50.0).unwrap();
        let r = area_cr_loss_db(&p, 10.0, 0.0, SitingCriteria::Random, SitingCriteria::Random, 50.0, 90.0).unwrap();
        assert!((r.loss_db - 147.0).abs() <= 0.05, "{}", r.loss_db);
    }

    #[test]
    fn area_input_errors() {
        let p = ItmParams::from_codes(10.0, 2.0, 5, 301.0, 900.0, 0, 15.0, 0.005, 1, 50.0, 50.0, 50.0).unwrap();
        let e = area_loss_db(&p, 0.0, 90.0, SitingCriteria::Random, SitingCriteria::Random).unwrap_err();
        assert_eq!(e.code(), 1017);
        let e = area_loss_db(&p, 10.0, -1.0, SitingCriteria::Random, SitingCriteria::Random).unwrap_err();
        assert_eq!(e.code(), 1018);
        assert_eq!(SitingCriteria::from_code(3, false).unwrap_err().code(), 1019);
        assert_eq!(SitingCriteria::from_code(-1, true).unwrap_err().code(), 1020);
        let e = area_cr_loss_db(&p, 10.0, 90.0, SitingCriteria::Random, SitingCriteria::Random, 0.0, 50.0).unwrap_err();
        assert_eq!(e.code(), 1006);
        let e = area_cr_loss_db(&p, 10.0, 90.0, SitingCriteria::Random, SitingCriteria::Random, 50.0, 100.0).unwrap_err();
        assert_eq!(e.code(), 1007);
    }
}
