//! Deterministic 2-D gradient noise (Perlin's improved noise with hashed gradients) and its fractal
//! sums, the building blocks of the synthetic relief.

use super::rng::hash2;

#[inline]
fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// 64 unit gradient directions, computed once (sin/cos per lattice point would dominate the cost).
fn directions() -> &'static [(f64, f64); 64] {
    static DIRS: std::sync::OnceLock<[(f64, f64); 64]> = std::sync::OnceLock::new();
    DIRS.get_or_init(|| {
        let mut d = [(0.0, 0.0); 64];
        for (i, v) in d.iter_mut().enumerate() {
            let a = (i as f64 + 0.5) * std::f64::consts::TAU / 64.0;
            *v = (a.cos(), a.sin());
        }
        d
    })
}

#[inline]
fn grad(dirs: &[(f64, f64); 64], seed: u64, ix: i64, iy: i64, dx: f64, dy: f64) -> f64 {
    let (gx, gy) = dirs[(hash2(seed, ix, iy) & 63) as usize];
    gx * dx + gy * dy
}

/// Gradient noise at (x, y) in lattice units; roughly in [-0.7, 0.7], zero on lattice points.
#[inline]
pub fn gradient(seed: u64, x: f64, y: f64) -> f64 {
    let (x0, y0) = (x.floor(), y.floor());
    let (ix, iy) = (x0 as i64, y0 as i64);
    let (fx, fy) = (x - x0, y - y0);
    let (u, v) = (fade(fx), fade(fy));
    let d = directions();
    let n00 = grad(d, seed, ix, iy, fx, fy);
    let n10 = grad(d, seed, ix + 1, iy, fx - 1.0, fy);
    let n01 = grad(d, seed, ix, iy + 1, fx, fy - 1.0);
    let n11 = grad(d, seed, ix + 1, iy + 1, fx - 1.0, fy - 1.0);
    let a = n00 + (n10 - n00) * u;
    let b = n01 + (n11 - n01) * u;
    a + (b - a) * v
}

/// Fractal sum of `octaves` noise layers starting at `wavelength` (same units as x, y), each half the
/// wavelength and `gain` times the amplitude of the previous; normalized to about [-1, 1].
pub fn fbm(seed: u64, x: f64, y: f64, wavelength: f64, octaves: u32, gain: f64) -> f64 {
    let (mut sum, mut amp, mut norm, mut f) = (0.0, 1.0, 0.0, 1.0 / wavelength);
    for o in 0..octaves {
        sum += amp * gradient(seed.wrapping_add(o as u64 * 7919), x * f, y * f);
        norm += amp;
        amp *= gain;
        f *= 2.0;
    }
    sum / norm * 1.6
}

/// Ridged fractal (Musgrave): sharp crests where the noise crosses zero, in about [0, 1].
pub fn ridged(seed: u64, x: f64, y: f64, wavelength: f64, octaves: u32, gain: f64) -> f64 {
    let (mut sum, mut amp, mut norm, mut f, mut weight) = (0.0, 1.0, 0.0, 1.0 / wavelength, 1.0f64);
    for o in 0..octaves {
        let n = gradient(seed.wrapping_add(1000 + o as u64 * 104729), x * f, y * f);
        let r = (1.0 - (n.abs() * 1.5).min(1.0)).powi(2) * weight;
        weight = (r * 1.6).clamp(0.0, 1.0);
        sum += amp * r;
        norm += amp;
        amp *= gain;
        f *= 2.0;
    }
    sum / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_deterministic_bounded_and_zero_on_lattice() {
        assert_eq!(gradient(3, 10.0, -4.0), 0.0);
        let a = gradient(3, 10.37, -4.61);
        assert_eq!(a, gradient(3, 10.37, -4.61));
        assert_ne!(a, gradient(4, 10.37, -4.61));
        let mut lo: f64 = 0.0;
        let mut hi: f64 = 0.0;
        for i in 0..20_000 {
            let v = fbm(1, i as f64 * 0.137, i as f64 * 0.071, 3.0, 6, 0.5);
            lo = lo.min(v);
            hi = hi.max(v);
            let r = ridged(1, i as f64 * 0.137, i as f64 * 0.071, 3.0, 5, 0.5);
            assert!((0.0..=1.0).contains(&r));
        }
        assert!(lo > -1.5 && hi < 1.5 && hi - lo > 0.8, "{lo} {hi}");
    }
}
