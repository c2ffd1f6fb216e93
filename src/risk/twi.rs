//! Topographic Wetness Index (Beven & Kirkby 1979): `TWI = ln(a / tan β)`, with `a` the specific
//! catchment area (contributing area per unit contour width: accumulation × cell area / cell width)
//! and β the local slope.
//!
//! Flat cells would divide by zero; `tan β` is floored at [`MIN_TAN_SLOPE`] (0.001 ≈ 0.06°), the
//! usual guard (e.g. SAGA's and TauDEM's) — so the wettest valley floors read about ln(a·1000).

use super::accumulation::ACC_NODATA;
use super::slope::SLOPE_NODATA;

/// Smallest `tan β` used, so flats get a large but finite index.
pub const MIN_TAN_SLOPE: f64 = 0.001;

/// TWI of one cell from its accumulation (cells), slope (degrees) and the grid's cell size;
/// `None` where either input is nodata.
#[inline]
pub fn twi(acc: u32, slope_deg: f32, dx: f64, dy: f64) -> Option<f32> {
    if acc == ACC_NODATA || slope_deg == SLOPE_NODATA || !slope_deg.is_finite() {
        return None;
    }
    let width = (dx * dy).sqrt();
    let a = acc as f64 * dx * dy / width;
    let tan_b = (slope_deg as f64).to_radians().tan().max(MIN_TAN_SLOPE);
    Some((a / tan_b).ln() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twi_reference_values() {
        // One 30 m cell on a 45° slope: a = 30 m, tan β = 1 → ln 30 = 3.4012.
        assert!((twi(1, 45.0, 30.0, 30.0).unwrap() - 30f32.ln()).abs() < 1e-4);
        // 1,000 cells on 5°: ln(30,000 / tan 5°) = ln(342,903) = 12.7452.
        assert!((twi(1000, 5.0, 30.0, 30.0).unwrap() - 12.7452).abs() < 1e-3);
        // A flat uses the floor: ln(30 / 0.001) = 10.309.
        assert!((twi(1, 0.0, 30.0, 30.0).unwrap() - 10.309).abs() < 1e-3);
        assert_eq!(twi(5, SLOPE_NODATA, 30.0, 30.0), None);
    }
}
