//! Coverage-weighted zonal statistics (exactextract's definitions): every pixel counts with the
//! fraction of it inside the zone, so a parcel's statistics do not depend on how its boundary falls
//! on the pixel grid.
//!
//! - `count` = Σ wᵢ over valid pixels (exactextract `count`), `pixels` = number of valid pixels with wᵢ > 0;
//! - `mean` = Σ wᵢxᵢ / Σ wᵢ; `std` = √(Σ wᵢ(xᵢ − mean)² / Σ wᵢ) (population form, exactextract `stdev`);
//! - quantiles: the weighted percentile method (Wikipedia "Percentile", *the weighted percentile
//!   method*; also exactextract's `WeightedQuantiles`): sort by value, sₖ = (k−1)wₖ + (n−1)Σ_{i<k} wᵢ,
//!   and interpolate linearly at q·(n−1)Σw — with equal weights this is the usual linear (type 7) quantile;
//! - `share_below(t)` = Σ_{xᵢ<t} wᵢ / Σ wᵢ.

use super::coverage::Coverage;

/// Coverage-weighted values of one zone.
#[derive(Debug, Clone, Default)]
pub struct WeightedValues {
    items: Vec<(f32, f64)>,
    sorted: bool,
}

impl WeightedValues {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a value with weight `w` (ignored when w ≤ 0 or the value is not finite).
    #[inline]
    pub fn push(&mut self, x: f32, w: f64) {
        if w > 0.0 && x.is_finite() {
            self.items.push((x, w));
            self.sorted = false;
        }
    }

    /// Gather the values of a raster window (NaN = nodata) under a coverage. `values` is the
    /// window `[cov.col0, +cov.w) × [cov.row0, +cov.h)`, row-major.
    pub fn from_window(values: &[f32], cov: &Coverage) -> Self {
        let mut v = Self::new();
        for (x, w) in values.iter().zip(&cov.frac) {
            v.push(*x, *w);
        }
        v
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn weight(&self) -> f64 {
        self.items.iter().map(|(_, w)| w).sum()
    }

    pub fn mean(&self) -> Option<f64> {
        let sw = self.weight();
        (sw > 0.0).then(|| self.items.iter().map(|(x, w)| *x as f64 * w).sum::<f64>() / sw)
    }

    pub fn std(&self) -> Option<f64> {
        let m = self.mean()?;
        let sw = self.weight();
        Some((self.items.iter().map(|(x, w)| w * (*x as f64 - m).powi(2)).sum::<f64>() / sw).sqrt())
    }

    /// Weighted quantile `q` ∈ [0, 1] (method in the module docs).
    pub fn quantile(&mut self, q: f64) -> Option<f64> {
        if self.items.is_empty() || !(0.0..=1.0).contains(&q) {
            return None;
        }
        self.sort();
        let n = self.items.len();
        if n == 1 {
            return Some(self.items[0].0 as f64);
        }
        let sw = self.weight();
        let target = q * (n as f64 - 1.0) * sw;
        // sₖ for each k (0-based here: s = k·wₖ + (n−1)·Σ_{i<k} wᵢ); monotone in k.
        let mut cum = 0.0;
        let mut prev: Option<(f64, f64)> = None; // (s, x) of the previous element
        for (k, (x, w)) in self.items.iter().enumerate() {
            let s = k as f64 * w + (n as f64 - 1.0) * cum;
            let x = *x as f64;
            if s > target {
                return Some(match prev {
                    None => x,
                    Some((s0, x0)) => x0 + (target - s0) * (x - x0) / (s - s0),
                });
            }
            prev = Some((s, x));
            cum += w;
        }
        prev.map(|(_, x)| x)
    }

    /// Σ weight of values < t over Σ weight.
    pub fn share_below(&self, t: f64) -> Option<f64> {
        self.share(|_| true, |x| (x as f64) < t)
    }

    /// Σ weight of values with `hit` among those `within`, over Σ weight of those `within`.
    pub fn share(&self, within: impl Fn(f32) -> bool, hit: impl Fn(f32) -> bool) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for (x, w) in &self.items {
            if within(*x) {
                den += w;
                if hit(*x) {
                    num += w;
                }
            }
        }
        (den > 0.0).then(|| num / den)
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.items.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.sorted = true;
        }
    }
}

/// The statistics reported per zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZonalStats {
    /// Σ coverage of valid pixels (exactextract `count`).
    pub count: f64,
    /// Valid pixels touching the zone.
    pub pixels: usize,
    /// Area of the zone with valid pixels ÷ area of the zone (0–1).
    pub covered_fraction: f64,
    pub mean: f64,
    pub std: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl ZonalStats {
    /// Statistics of `values`; `cell_area` and `zone_area` in the same units. `None` when no valid pixel.
    pub fn compute(values: &mut WeightedValues, cell_area: f64, zone_area: f64) -> Option<Self> {
        let count = values.weight();
        if count <= 0.0 {
            return None;
        }
        Some(Self {
            count,
            pixels: values.len(),
            covered_fraction: if zone_area > 0.0 { (count * cell_area / zone_area).min(1.0) } else { 0.0 },
            mean: values.mean()?,
            std: values.std()?,
            p10: values.quantile(0.1)?,
            p50: values.quantile(0.5)?,
            p90: values.quantile(0.9)?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::coverage::coverage_fractions;
    use super::*;
    use crate::grid::GeoTransform;
    use geo::{polygon, MultiPolygon};

    /// 4×4 raster of 1 m cells, values v(c, r) = c + 4r, top-left corner (0, 4); the square
    /// [0.5, 2.5]² covers rows 1–3 × columns 0–2 with weights ¼ ½ ¼ / ½ 1 ½ / ¼ ½ ¼ (coverage tests).
    pub(crate) fn setup(nodata_at: Option<(usize, usize)>) -> (Vec<f32>, Coverage) {
        let t = GeoTransform { x0: 0.0, y0: 4.0, dx: 1.0, dy: 1.0 };
        let sq = polygon![(x: 0.5, y: 0.5), (x: 2.5, y: 0.5), (x: 2.5, y: 2.5), (x: 0.5, y: 2.5), (x: 0.5, y: 0.5)];
        let cov = coverage_fractions(&MultiPolygon(vec![sq]), &t, 4, 4).unwrap();
        let mut vals = Vec::new();
        for r in cov.row0..cov.row0 + cov.h {
            for c in cov.col0..cov.col0 + cov.w {
                vals.push(if Some((c, r)) == nodata_at { f32::NAN } else { (c + 4 * r) as f32 });
            }
        }
        (vals, cov)
    }

    #[test]
    fn hand_computed_with_partial_edge_pixels() {
        let (vals, cov) = setup(None);
        let mut wv = WeightedValues::from_window(&vals, &cov);
        let s = ZonalStats::compute(&mut wv, 1.0, 4.0).unwrap();
        // By hand: Σw = 4; Σwx = (1 + 2.5 + 1.5) + (4 + 9 + 5) + (3 + 6.5 + 3.5) = 36 → mean 9;
        // Σw(x−9)² = 16.5 + 1 + 16.5 = 34 → std √8.5.
        assert_eq!(s.pixels, 9);
        assert!((s.count - 4.0).abs() < 1e-12);
        assert!((s.covered_fraction - 1.0).abs() < 1e-12);
        assert!((s.mean - 9.0).abs() < 1e-12);
        assert!((s.std - 8.5f64.sqrt()).abs() < 1e-12);
        // Weighted percentile method: sorted (x, w) = (4,¼)(5,½)(6,¼)(8,½)(9,1)(10,½)(12,¼)(13,½)(14,¼),
        // s = 0, 2.5, 6.5, 9.5, 16, 22.5, 25.5, 29.5, 32 and q·(n−1)Σw = 32q:
        // p50 → 16 = s₅ → 9; p10 → 3.2 → 5 + (3.2−2.5)/4 = 5.175; p90 → 28.8 → 12 + (28.8−25.5)/4 = 12.825.
        assert!((s.p50 - 9.0).abs() < 1e-12);
        assert!((s.p10 - 5.175).abs() < 1e-12);
        assert!((s.p90 - 12.825).abs() < 1e-12);
        // Values below 6.5: 4, 5, 6 with weight ¼ + ½ + ¼ = 1 of 4.
        assert!((wv.share_below(6.5).unwrap() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn nodata_pixel_reduces_coverage() {
        // Pixel (2, 3) (value 14, weight ¼) is nodata: Σw = 3.75, Σwx = 36 − 3.5 = 32.5.
        let (vals, cov) = setup(Some((2, 3)));
        let mut wv = WeightedValues::from_window(&vals, &cov);
        let s = ZonalStats::compute(&mut wv, 1.0, 4.0).unwrap();
        assert_eq!(s.pixels, 8);
        assert!((s.covered_fraction - 3.75 / 4.0).abs() < 1e-12);
        assert!((s.mean - 32.5 / 3.75).abs() < 1e-12);
    }

    #[test]
    fn equal_weights_reduce_to_linear_quantiles() {
        // numpy.percentile([1, 2, 3, 4, 10], [10, 50, 90]) (linear, type 7) = 1.4, 3.0, 7.6.
        let mut wv = WeightedValues::new();
        for x in [4.0, 1.0, 10.0, 3.0, 2.0] {
            wv.push(x, 0.7);
        }
        assert!((wv.quantile(0.1).unwrap() - 1.4).abs() < 1e-6);
        assert!((wv.quantile(0.5).unwrap() - 3.0).abs() < 1e-6);
        assert!((wv.quantile(0.9).unwrap() - 7.6).abs() < 1e-6);
        assert_eq!(wv.quantile(1.0), Some(10.0));
        assert_eq!(wv.quantile(0.0), Some(1.0));
    }

    #[test]
    fn empty_zone_has_no_statistics() {
        let mut wv = WeightedValues::new();
        wv.push(f32::NAN, 1.0);
        wv.push(0.5, 0.0);
        assert!(ZonalStats::compute(&mut wv, 1.0, 1.0).is_none());
        assert_eq!(wv.share_below(1.0), None);
    }
}
