//! Earth curvature with an effective earth radius (standard atmosphere: k = 4/3, ITU-R P.834 / P.452).
//!
//! The engine flattens the earth around the transmitter: a profile point at distance x is lowered by
//! x²/(2ka). Heights measured against the straight Tx–Rx line in that frame then carry exactly the
//! classical bulge d₁d₂/(2ka), while every point keeps one correction independent of where the
//! receiver is — which is what lets a line-of-sight sweep run incrementally along a radial.

/// Mean earth radius (m), as ITU-R P.452/P.1812 use.
pub const EARTH_RADIUS_M: f64 = 6_371_000.0;

/// Standard effective earth radius factor.
pub const K_STANDARD: f64 = 4.0 / 3.0;

/// Earth bulge (m) at a point d₁ and d₂ metres from the ends of a path.
///
/// ```
/// use covermap::radio::earth::{bulge_m, K_STANDARD};
/// // Textbook h = d₁d₂ / (12.74 k) (d in km): mid-path of 30 km with k = 4/3 → 15·15 / 16.99 = 13.25 m.
/// assert!((bulge_m(15_000.0, 15_000.0, K_STANDARD) - 13.25).abs() < 0.01);
/// ```
#[inline]
pub fn bulge_m(d1_m: f64, d2_m: f64, k: f64) -> f64 {
    d1_m * d2_m / (2.0 * k * EARTH_RADIUS_M)
}

/// Drop (m) of the earth's surface below the transmitter's horizontal plane at distance x.
#[inline]
pub fn drop_m(x_m: f64, k: f64) -> f64 {
    x_m * x_m / (2.0 * k * EARTH_RADIUS_M)
}

/// Distance (m) to the radio horizon of an antenna `h_m` above smooth ground: √(2kah).
#[inline]
pub fn horizon_m(h_m: f64, k: f64) -> f64 {
    (2.0 * k * EARTH_RADIUS_M * h_m).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulge_at_30_km() {
        // Textbook form h = d₁d₂ / (12.74 k) (m, with d in km): the midpoint of a 30 km path with
        // k = 4/3 is raised 15·15 / (12.74·4/3) = 13.25 m.
        let b = bulge_m(15_000.0, 15_000.0, K_STANDARD);
        assert!((b - 13.245).abs() < 0.01, "{b}");
    }

    #[test]
    fn flattened_frame_reproduces_the_bulge() {
        // In the frame where each point drops by x²/2ka, a point's height above the chord from 0 to d
        // equals its bulge d₁d₂/2ka (ground at zero everywhere).
        let (d, x) = (30_000.0, 9_000.0);
        let chord = -drop_m(d, K_STANDARD) * x / d;
        let above = -drop_m(x, K_STANDARD) - chord;
        assert!((above - bulge_m(x, d - x, K_STANDARD)).abs() < 1e-9);
    }

    #[test]
    fn radio_horizon() {
        // 4.12 √h km for k = 4/3: a 30 m mast sees 22.6 km of smooth earth.
        let h = horizon_m(30.0, K_STANDARD);
        assert!((h / 1000.0 - 4.12 * 30f64.sqrt()).abs() < 0.1, "{h}");
    }
}
