//! Factor ratings: a factor value (slope in degrees, a distance in metres, rainfall in mm…) mapped
//! to a rating in [0, 1] by a piecewise-linear curve through stated breakpoints — the continuous
//! form of the class tables of weighted-overlay susceptibility studies, which avoids artificial
//! jumps at class limits.

/// A piecewise-linear rating curve through `(value, rating)` points with increasing values; below the
/// first point it keeps the first rating, above the last the last.
#[derive(Debug, Clone, Copy)]
pub struct Curve(pub &'static [(f32, f32)]);

impl Curve {
    #[inline]
    pub fn rate(&self, x: f32) -> f32 {
        let p = self.0;
        if x.is_nan() || p.is_empty() {
            return 0.0;
        }
        if x <= p[0].0 {
            return p[0].1;
        }
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if x <= x1 {
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            }
        }
        p[p.len() - 1].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_and_clamps() {
        let c = Curve(&[(0.0, 0.0), (10.0, 1.0), (20.0, 0.5)]);
        assert_eq!(c.rate(-5.0), 0.0);
        assert_eq!(c.rate(5.0), 0.5);
        assert_eq!(c.rate(15.0), 0.75);
        assert_eq!(c.rate(f32::INFINITY), 0.5);
        assert_eq!(c.rate(f32::NAN), 0.0);
    }
}
