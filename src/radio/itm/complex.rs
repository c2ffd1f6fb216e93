//! The few complex-number operations ITM needs (ground impedance and the two-ray reflection
//! coefficient), kept here rather than pulling in a crate for five functions.

use std::ops::{Add, Div, Mul, Sub};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    #[inline]
    pub const fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }

    /// |z|², without the square root.
    #[inline]
    pub fn norm_sqr(self) -> f64 {
        self.re * self.re + self.im * self.im
    }

    #[inline]
    pub fn abs(self) -> f64 {
        self.re.hypot(self.im)
    }

    /// Principal square root (non-negative real part), as C++'s `std::sqrt(std::complex)`.
    pub fn sqrt(self) -> Self {
        if self.re == 0.0 && self.im == 0.0 {
            return Complex::new(0.0, self.im);
        }
        let r = self.abs();
        if self.re >= 0.0 {
            let t = (0.5 * (r + self.re)).sqrt();
            Complex::new(t, self.im / (2.0 * t))
        } else {
            let t = (0.5 * (r - self.re)).sqrt();
            Complex::new(self.im.abs() / (2.0 * t), t.copysign(self.im))
        }
    }
}

impl Add for Complex {
    type Output = Complex;
    #[inline]
    fn add(self, o: Complex) -> Complex {
        Complex::new(self.re + o.re, self.im + o.im)
    }
}

impl Sub for Complex {
    type Output = Complex;
    #[inline]
    fn sub(self, o: Complex) -> Complex {
        Complex::new(self.re - o.re, self.im - o.im)
    }
}

impl Mul for Complex {
    type Output = Complex;
    #[inline]
    fn mul(self, o: Complex) -> Complex {
        Complex::new(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)
    }
}

impl Mul<f64> for Complex {
    type Output = Complex;
    #[inline]
    fn mul(self, k: f64) -> Complex {
        Complex::new(self.re * k, self.im * k)
    }
}

impl Div for Complex {
    type Output = Complex;
    #[inline]
    fn div(self, o: Complex) -> Complex {
        let d = o.norm_sqr();
        Complex::new((self.re * o.re + self.im * o.im) / d, (self.im * o.re - self.re * o.im) / d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqrt_is_principal_root() {
        // sqrt(-4) = 2i; sqrt(3 + 4i) = 2 + i; sqrt(3 - 4i) = 2 - i (textbook identities).
        let s = Complex::new(-4.0, 0.0).sqrt();
        assert!((s.re).abs() < 1e-15 && (s.im - 2.0).abs() < 1e-15);
        let s = Complex::new(3.0, 4.0).sqrt();
        assert!((s.re - 2.0).abs() < 1e-15 && (s.im - 1.0).abs() < 1e-15);
        let s = Complex::new(3.0, -4.0).sqrt();
        assert!((s.re - 2.0).abs() < 1e-15 && (s.im + 1.0).abs() < 1e-15);
        let s = Complex::new(-3.0, -4.0).sqrt();
        assert!((s.re - 1.0).abs() < 1e-15 && (s.im + 2.0).abs() < 1e-15);
    }

    #[test]
    fn division_inverts_multiplication() {
        let a = Complex::new(1.5, -2.0);
        let b = Complex::new(-0.3, 4.0);
        let c = (a * b) / b;
        assert!((c.re - a.re).abs() < 1e-14 && (c.im - a.im).abs() < 1e-14);
    }
}
