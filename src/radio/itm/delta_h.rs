//! The terrain irregularity parameter Δh (Longley & Rice ERL 79-ITS 67 Eq. 3; Hufford's `dlthx`):
//! the profile between two distances is resampled to 10·p − 5 equally spaced points (p = 10 % of
//! them, 4 ≤ p ≤ 25), a straight line is fitted, and the interdecile range of the deviations from
//! it is scaled to an infinitely long path.
//!
//! Two resamplers give the same samples: [`delta_h`] steps along the profile exactly as the
//! reference does (positions accumulated sample by sample), [`delta_h_direct`] computes each
//! position directly (cheaper; differs only by rounding, and the samples are continuous in the
//! position, so Δh differs by ~1e-12 m).

use super::select::tail_order_statistics_hinted;
use super::terrain::{finish_fit, lsq_fit, Elevation};

/// Largest number of points Δh resamples a profile to (10·25 − 5).
pub(crate) const DELTA_H_MAX_POINTS: usize = 245;

/// The resampling window: sample count, 10 % count, first position (in points) and step.
struct Window {
    n: usize,
    p10: usize,
    x_start: f64,
    step: f64,
}

fn window(xi: f64, d_start: f64, d_end: f64) -> Option<Window> {
    let x_start = d_start / xi;
    let x_end = d_end / xi;
    if x_end - x_start < 2.0 {
        return None;
    }
    let p10 = ((0.1 * (x_end - x_start + 8.0)) as i64).clamp(4, 25) as usize;
    let n = 10 * p10 - 5;
    Some(Window { n, p10, x_start, step: (x_end - x_start) / (n - 1) as f64 })
}

/// From the resampled heights to Δh, in the reference's order of operations: line fit,
/// deviations (the line accumulated sample by sample), interdecile range, scaling.
fn from_samples(s: &mut [f64], p10: usize, d_start: f64, d_end: f64) -> f64 {
    let np_s = (s.len() - 1) as f64;
    let (mut fit, fit_end) = lsq_fit(&*s, 1.0, 0.0, np_s);
    let fit_step = (fit_end - fit) / np_s;
    for sj in s.iter_mut() {
        *sj -= fit;
        fit += fit_step;
    }
    // q10: the p10-th largest deviation; q90: the (n − p10 + 1)-th largest = the p10-th smallest.
    let (q10, q90) = tail_order_statistics_hinted(s, p10, None);
    (q10 - q90) / (1.0 - 0.8 * (-(d_end - d_start) / 50e3).exp())
}

/// `lsq_fit` over all of `s` (unit spacing), with four partial sums for instruction-level
/// parallelism: the sums [`delta_h_direct`] accumulates while resampling (kept as the check of
/// its order of summation).
#[cfg(test)]
fn sample_fit(s: &[f64]) -> (f64, f64) {
    let l = (s.len() - 1) as f64;
    let centre = 0.5 * l;
    let (mut a, mut b) = ([0.0f64; 4], [0.0f64; 4]);
    let chunks = s.chunks_exact(4);
    let rest = chunks.remainder();
    for (q, c) in chunks.enumerate() {
        let base = (4 * q) as f64 - centre;
        for k in 0..4 {
            a[k] += c[k];
            b[k] += c[k] * (base + k as f64);
        }
    }
    let base = (s.len() - rest.len()) as f64 - centre;
    for (k, v) in rest.iter().enumerate() {
        a[k] += v;
        b[k] += v * (base + k as f64);
    }
    let (first, last) = (s[0], s[s.len() - 1]);
    // Trapezoid weights: half the end points.
    let sum_y = (a[0] + a[1]) + (a[2] + a[3]) - 0.5 * (first + last);
    let scaled = (b[0] + b[1]) + (b[2] + b[3]) - 0.5 * (first * -centre + last * centre);
    finish_fit(sum_y, scaled, l, centre, l)
}

/// Δh between two distances along the profile, resampling in the reference's order of
/// operations. `buf` must hold at least [`DELTA_H_MAX_POINTS`] values.
pub(crate) fn delta_h<T: Elevation>(z: &[T], xi: f64, d_start: f64, d_end: f64, buf: &mut [f64]) -> f64 {
    let Some(w) = window(xi, d_start, d_end) else {
        return 0.0;
    };
    let np = z.len() - 1;
    let s = &mut buf[..w.n];
    let mut x = w.x_start;
    let mut i = x as usize;
    x -= (i + 1) as f64;
    for sj in s.iter_mut() {
        // The reference steps one point at a time (x −= 1 while x > 0 and i + 1 < np). Taking
        // all m steps at once gives the same x: the intermediate differences are exact (x < 2^52,
        // a multiple of its ulp), so one rounding of x − m equals the last step's rounding.
        if x > 0.0 && i + 1 < np {
            let t = x as i64;
            let wanted = if (t as f64) < x { t + 1 } else { t };
            let m = wanted.min((np - 1 - i) as i64);
            x -= m as f64;
            i += m as usize;
        }
        let i1 = (i + 1).min(np);
        let (za, zb): (f64, f64) = (z[i1].into(), z[i1 - 1].into());
        *sj = za + (za - zb) * x;
        x += w.step;
    }
    from_samples(s, w.p10, d_start, d_end)
}

/// The integer nearest to 0 ≤ v < 2^51: adding 2^52 leaves it in the significand's low bits
/// (cheaper than Rust's saturating float-to-int conversion in this hot loop).
#[inline]
fn nearest_integer(v: f64) -> i64 {
    debug_assert!((0.0..2251799813685248.0).contains(&v));
    ((v + 4503599627370496.0).to_bits() & ((1u64 << 52) - 1)) as i64
}

/// Δh with each sample position computed directly (position j = x_start + j·step), and the
/// selection thresholds guessed from `hint` (the previous receiver's decile values, updated). The
/// least-squares sums are accumulated while resampling, in [`sample_fit`]'s order (so the same
/// bits, one pass fewer).
pub(crate) fn delta_h_direct(
    z: &[f64],
    xi: f64,
    d_start: f64,
    d_end: f64,
    buf: &mut [f64],
    hint: &mut Option<(f64, f64)>,
) -> f64 {
    let Some(w) = window(xi, d_start, d_end) else {
        return 0.0;
    };
    let np = z.len() - 1;
    let z = &z[..=np];
    let s = &mut buf[..w.n];
    // The sample at position P lies on the segment ending at i1 = ⌈P⌉, clamped as the reference's
    // stepping is: never before its start point, never past the profile's last segment.
    let i1_min = w.x_start as usize + 1;
    let sample = |j: usize| {
        let pos = w.x_start + j as f64 * w.step;
        let t = nearest_integer(pos);
        let ceil = if (t as f64) < pos { t + 1 } else { t };
        let i1 = (ceil.max(i1_min as i64) as usize).min(np);
        let x = pos - i1 as f64;
        let (za, zb) = (z[i1], z[i1 - 1]);
        za + (za - zb) * x
    };
    let l = (w.n - 1) as f64;
    let centre = 0.5 * l;
    let (mut a, mut b) = ([0.0f64; 4], [0.0f64; 4]);
    let mut chunks = s.chunks_exact_mut(4);
    let mut j0 = 0usize;
    for c in &mut chunks {
        let base = j0 as f64 - centre;
        for k in 0..4 {
            let v = sample(j0 + k);
            c[k] = v;
            a[k] += v;
            b[k] += v * (base + k as f64);
        }
        j0 += 4;
    }
    let base = j0 as f64 - centre;
    for (k, c) in chunks.into_remainder().iter_mut().enumerate() {
        let v = sample(j0 + k);
        *c = v;
        a[k] += v;
        b[k] += v * (base + k as f64);
    }
    let (first, last) = (s[0], s[w.n - 1]);
    let sum_y = (a[0] + a[1]) + (a[2] + a[3]) - 0.5 * (first + last);
    let scaled = (b[0] + b[1]) + (b[2] + b[3]) - 0.5 * (first * -centre + last * centre);
    let fit = finish_fit(sum_y, scaled, l, centre, l);
    deviations_to_delta_h(s, w.p10, d_start, d_end, fit, hint)
}

/// Deviations from the fitted line (each from its own terms, no running sum), their interdecile
/// range (thresholds from `hint`, updated) and the scaling of [`from_samples`].
fn deviations_to_delta_h(s: &mut [f64], p10: usize, d_start: f64, d_end: f64, (fit, fit_end): (f64, f64), hint: &mut Option<(f64, f64)>) -> f64 {
    let np_s = (s.len() - 1) as f64;
    let fit_step = (fit_end - fit) / np_s;
    for (j, sj) in s.iter_mut().enumerate() {
        *sj -= fit + j as f64 * fit_step;
    }
    let q = tail_order_statistics_hinted(s, p10, *hint);
    *hint = Some(q);
    (q.0 - q.1) / (1.0 - 0.8 * (-(d_end - d_start) / 50e3).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_ramp_terrain_have_no_irregularity() {
        let mut buf = [0.0; DELTA_H_MAX_POINTS];
        let flat = vec![250.0f32; 1001];
        assert_eq!(delta_h(&flat, 30.0, 0.0, 30000.0, &mut buf), 0.0);
        let ramp: Vec<f64> = (0..=1000).map(|i| 0.5 * i as f64).collect();
        assert!(delta_h(&ramp, 30.0, 0.0, 30000.0, &mut buf).abs() < 1e-9);
    }

    #[test]
    fn square_wave_interdecile_range() {
        // ±10 m blocks, mirror-symmetric about the path centre so the fitted line is level: the
        // 10 % and 90 % deviations are +10 − mean and −10 − mean, Δh_d = 20 m, and
        // Δh = 20 / (1 − 0.8 e^{−d/50 km}) (ERL 79-ITS 67 Eq. 3).
        let z: Vec<f64> = (0..=2000i64)
            .map(|i| if ((i - 1000).abs() / 100) % 2 == 0 { 10.0 } else { -10.0 })
            .collect();
        let mut buf = [0.0; DELTA_H_MAX_POINTS];
        let d = 2000.0 * 10.0;
        let dh = delta_h(&z, 10.0, 0.0, d, &mut buf);
        let expect = 20.0 / (1.0 - 0.8 * (-d / 50e3f64).exp());
        assert!((dh - expect).abs() < 1e-9, "{dh} vs {expect}");
    }

    #[test]
    fn nearest_integer_rounds() {
        assert_eq!(nearest_integer(0.0), 0);
        assert_eq!(nearest_integer(2.4), 2);
        assert_eq!(nearest_integer(2.6), 3);
        assert_eq!(nearest_integer(1000.0), 1000);
        assert_eq!(nearest_integer(123456.75), 123457);
    }

    #[test]
    fn independent_fit_equals_the_reference_fit() {
        for n in [35usize, 36, 37, 38, 245] {
            let s: Vec<f64> = (0..n).map(|i| 50.0 + (i as f64 * 0.3).sin() * 20.0 + i as f64 * 0.7).collect();
            let a = lsq_fit(&s, 1.0, 0.0, (n - 1) as f64);
            let b = sample_fit(&s);
            assert!((a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9, "n={n}: {a:?} {b:?}");
        }
    }

    #[test]
    fn fused_resampling_and_fit_equal_the_separate_passes_bit_for_bit() {
        // The previous form of the direct Δh: resample, then sample_fit, then the deviations.
        fn separate(z: &[f64], xi: f64, d0: f64, d1: f64, buf: &mut [f64]) -> f64 {
            let w = window(xi, d0, d1).unwrap();
            let np = z.len() - 1;
            let s = &mut buf[..w.n];
            let i1_min = w.x_start as usize + 1;
            for (j, sj) in s.iter_mut().enumerate() {
                let pos = w.x_start + j as f64 * w.step;
                let t = nearest_integer(pos);
                let ceil = if (t as f64) < pos { t + 1 } else { t };
                let i1 = (ceil.max(i1_min as i64) as usize).min(np);
                *sj = z[i1] + (z[i1] - z[i1 - 1]) * (pos - i1 as f64);
            }
            let (fit, fit_end) = sample_fit(s);
            let step = (fit_end - fit) / (s.len() - 1) as f64;
            for (j, sj) in s.iter_mut().enumerate() {
                *sj -= fit + j as f64 * step;
            }
            let (q10, q90) = tail_order_statistics_hinted(s, w.p10, None);
            (q10 - q90) / (1.0 - 0.8 * (-(d1 - d0) / 50e3).exp())
        }
        let z: Vec<f64> = (0..1200).map(|i| 700.0 + 300.0 * (i as f64 * 0.009).sin() + 41.0 * (i as f64 * 0.23).cos() + (i % 13) as f64).collect();
        let (mut a, mut b) = ([0.0; DELTA_H_MAX_POINTS], [0.0; DELTA_H_MAX_POINTS]);
        let mut hint = None;
        for np in (3..1200).step_by(7) {
            for &(d0, cut) in &[(0.0, 0.0), (450.0, 22.5), (37.3, 3.1)] {
                let d1 = np as f64 * 28.9 - cut;
                if d1 - d0 < 2.0 * 28.9 {
                    continue;
                }
                let want = separate(&z[..=np], 28.9, d0, d1, &mut a);
                let got = delta_h_direct(&z[..=np], 28.9, d0, d1, &mut b, &mut hint);
                assert_eq!(got.to_bits(), want.to_bits(), "np={np} d0={d0}");
            }
        }
    }

    #[test]
    fn direct_resampling_equals_the_reference_stepping() {
        // Irregular terrain, windows with fractional ends: both resamplers give the same Δh.
        let z = super::super::terrain::wavy_profile(900, 400.0, [(150.0, 0.013), (35.0, 0.11), (9.0, 1.7)]);
        let mut a = [0.0; DELTA_H_MAX_POINTS];
        let mut b = [0.0; DELTA_H_MAX_POINTS];
        let mut hint = None;
        for &(np, d0, d1) in &[(899usize, 450.0, 26_947.5), (300, 37.3, 8_911.0), (60, 0.0, 1_795.0), (899, 3_000.0, 3_100.0)] {
            let exact = delta_h(&z[..=np], 29.9, d0, d1, &mut a);
            let direct = delta_h_direct(&z[..=np], 29.9, d0, d1, &mut b, &mut hint);
            assert!((exact - direct).abs() < 1e-9 * exact.abs().max(1.0), "np={np}: {exact} vs {direct}");
        }
    }
}
