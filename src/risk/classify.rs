//! Susceptibility classes: a continuous index in [0, 1] cut into five classes by four fixed breaks
//! (1 very low, 2 low, 3 moderate, 4 high, 5 very high; 0 = nodata). Fixed breaks rather than
//! quantiles, so a rainfall scenario moves cells between classes instead of being normalised away,
//! and two builds' classes mean the same thing.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::grid::Grid;

/// Class value for cells without a class.
pub const CLASS_NODATA: u8 = 0;

/// Human name of class 1–5.
pub fn class_name(c: u8) -> &'static str {
    match c {
        1 => "very low",
        2 => "low",
        3 => "moderate",
        4 => "high",
        5 => "very high",
        _ => "none",
    }
}

/// Check that `breaks` rise strictly inside (0, 1).
pub fn check_breaks(name: &str, b: &[f32; 4]) -> Result<()> {
    let ok = b.iter().all(|v| v.is_finite() && *v > 0.0 && *v < 1.0) && b.windows(2).all(|p| p[0] < p[1]);
    if ok {
        Ok(())
    } else {
        Err(Error::param(name, format!("four rising breaks strictly between 0 and 1 expected, got {b:?}")))
    }
}

/// The class of one index value (NaN → nodata).
#[inline]
pub fn class_of(v: f32, breaks: &[f32; 4]) -> u8 {
    if v.is_nan() {
        CLASS_NODATA
    } else {
        1 + breaks.iter().filter(|b| v >= **b).count() as u8
    }
}

/// Classify an index grid (NaN cells → nodata 0).
pub fn classify(index: &Grid<f32>, breaks: &[f32; 4]) -> Grid<u8> {
    let mut out = index.like(CLASS_NODATA, Some(CLASS_NODATA));
    out.data.par_iter_mut().zip(index.data.par_iter()).for_each(|(o, v)| *o = class_of(*v, breaks));
    out
}

/// Share of the classified cells in each class 1–5.
pub fn class_shares(classes: &Grid<u8>) -> [f64; 5] {
    let counts = classes
        .data
        .par_iter()
        .fold(|| [0u64; 6], |mut a, c| {
            a[(*c as usize).min(5)] += 1;
            a
        })
        .reduce(|| [0u64; 6], |mut a, b| {
            for k in 0..6 {
                a[k] += b[k];
            }
            a
        });
    let total: u64 = counts[1..].iter().sum();
    let mut s = [0.0; 5];
    if total > 0 {
        for k in 0..5 {
            s[k] = counts[k + 1] as f64 / total as f64;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_cut_into_five() {
        let b = [0.2, 0.4, 0.6, 0.8];
        assert_eq!(class_of(0.0, &b), 1);
        assert_eq!(class_of(0.2, &b), 2);
        assert_eq!(class_of(0.79, &b), 4);
        assert_eq!(class_of(1.0, &b), 5);
        assert_eq!(class_of(f32::NAN, &b), CLASS_NODATA);
        assert!(check_breaks("b", &b).is_ok());
        assert!(check_breaks("b", &[0.4, 0.2, 0.6, 0.8]).is_err());
    }
}
