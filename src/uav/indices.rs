//! Vegetation indices from surface reflectance (each band 0–1):
//!
//! | index | formula | source |
//! |-------|---------|--------|
//! | NDVI  | (NIR − Red) / (NIR + Red) | Rouse et al. 1974, *Monitoring vegetation systems in the Great Plains with ERTS* |
//! | NDRE  | (NIR − RedEdge) / (NIR + RedEdge) | Barnes et al. 2000, *Coincident detection of crop water stress, nitrogen status and canopy density* |
//! | GNDVI | (NIR − Green) / (NIR + Green) | Gitelson, Kaufman & Merzlyak 1996, *Remote Sens. Environ.* 58:289 |
//! | SAVI  | (1 + L)(NIR − Red) / (NIR + Red + L), L = 0.5 | Huete 1988, *Remote Sens. Environ.* 25:295 |
//!
//! A pixel whose denominator is zero (or whose reflectances are not finite) has no index value
//! (the raster's nodata), never a division artefact.

use serde::{Deserialize, Serialize};

use super::camera::Band;

/// Nodata value of every index and change raster (outside the −1…1 range of the indices).
pub const INDEX_NODATA: f32 = -9999.0;

/// SAVI's soil brightness correction factor L (Huete 1988: 0.5 suits intermediate vegetation cover).
pub const SAVI_L: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VegetationIndex {
    Ndvi,
    Ndre,
    Gndvi,
    Savi,
}

impl VegetationIndex {
    pub const ALL: [VegetationIndex; 4] =
        [VegetationIndex::Ndvi, VegetationIndex::Ndre, VegetationIndex::Gndvi, VegetationIndex::Savi];

    /// File stem and API name: `ndvi`, `ndre`, `gndvi`, `savi`.
    pub fn name(self) -> &'static str {
        match self {
            VegetationIndex::Ndvi => "ndvi",
            VegetationIndex::Ndre => "ndre",
            VegetationIndex::Gndvi => "gndvi",
            VegetationIndex::Savi => "savi",
        }
    }

    /// The bands the formula reads.
    pub fn bands(self) -> &'static [Band] {
        match self {
            VegetationIndex::Ndvi | VegetationIndex::Savi => &[Band::Red, Band::Nir],
            VegetationIndex::Ndre => &[Band::RedEdge, Band::Nir],
            VegetationIndex::Gndvi => &[Band::Green, Band::Nir],
        }
    }

    /// The index of one pixel from its reflectances, indexed by [`Band::slot`].
    #[inline]
    pub fn compute(self, r: &[f32; 5]) -> Option<f32> {
        let nir = r[Band::Nir.slot()];
        let v = match self {
            VegetationIndex::Ndvi => normalized_difference(nir, r[Band::Red.slot()]),
            VegetationIndex::Ndre => normalized_difference(nir, r[Band::RedEdge.slot()]),
            VegetationIndex::Gndvi => normalized_difference(nir, r[Band::Green.slot()]),
            VegetationIndex::Savi => savi(nir, r[Band::Red.slot()]),
        }?;
        v.is_finite().then_some(v)
    }
}

/// (a − b) / (a + b), `None` when a + b = 0.
#[inline]
pub fn normalized_difference(a: f32, b: f32) -> Option<f32> {
    let s = a + b;
    if s == 0.0 || !s.is_finite() {
        None
    } else {
        Some((a - b) / s)
    }
}

/// Soil-adjusted vegetation index with L = [`SAVI_L`].
#[inline]
pub fn savi(nir: f32, red: f32) -> Option<f32> {
    let d = nir + red + SAVI_L;
    if d == 0.0 || !d.is_finite() {
        None
    } else {
        Some((1.0 + SAVI_L) * (nir - red) / d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refl(blue: f32, green: f32, red: f32, re: f32, nir: f32) -> [f32; 5] {
        [blue, green, red, re, nir]
    }

    #[test]
    fn formulas_on_known_reflectances() {
        // A healthy leaf canopy: Blue 0.04, Green 0.08, Red 0.05, RedEdge 0.25, NIR 0.45.
        // Hand-computed from the published formulas (module table):
        //   NDVI  = 0.40/0.50 = 0.8
        //   NDRE  = 0.20/0.70 = 0.285714…
        //   GNDVI = 0.37/0.53 = 0.698113…
        //   SAVI  = 1.5·0.40/1.00 = 0.6
        let r = refl(0.04, 0.08, 0.05, 0.25, 0.45);
        let close = |a: Option<f32>, b: f64| (a.unwrap() as f64 - b).abs() < 1e-6;
        assert!(close(VegetationIndex::Ndvi.compute(&r), 0.8));
        assert!(close(VegetationIndex::Ndre.compute(&r), 0.2 / 0.7));
        assert!(close(VegetationIndex::Gndvi.compute(&r), 0.37 / 0.53));
        assert!(close(VegetationIndex::Savi.compute(&r), 0.6));
        // Bare dry soil (Red 0.25, NIR 0.30): NDVI = 0.05/0.55 = 0.0909…, SAVI = 1.5·0.05/1.05 = 0.0714…
        let s = refl(0.12, 0.18, 0.25, 0.28, 0.30);
        assert!(close(VegetationIndex::Ndvi.compute(&s), 0.05 / 0.55));
        assert!(close(VegetationIndex::Savi.compute(&s), 0.075 / 1.05));
    }

    #[test]
    fn savi_with_equal_reflectance_is_zero_and_bounded() {
        // Huete 1988: SAVI is 0 where NIR = Red and tends to NDVI·(1+L)/(1+L/(NIR+Red)).
        assert_eq!(savi(0.3, 0.3), Some(0.0));
        assert!(savi(1.0, 0.0).unwrap() <= 1.0 + 1e-6);
    }

    #[test]
    fn zero_denominator_has_no_value() {
        let dark = refl(0.0, 0.0, 0.0, 0.0, 0.0);
        assert_eq!(VegetationIndex::Ndvi.compute(&dark), None);
        assert_eq!(VegetationIndex::Ndre.compute(&dark), None);
        // SAVI's L keeps the denominator positive for non-negative reflectance.
        assert_eq!(VegetationIndex::Savi.compute(&dark), Some(0.0));
        let nan = refl(0.1, 0.1, f32::NAN, 0.1, 0.4);
        assert_eq!(VegetationIndex::Ndvi.compute(&nan), None);
    }
}
