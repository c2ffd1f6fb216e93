//! Exact order statistics at both tails of a small array: the k-th largest and the k-th smallest
//! value, as Δh needs them (its 10 % and 90 % deviations, k ≤ 25 of at most 245 values). A sample
//! of the values gives thresholds that each tail very probably exceeds by k values; one branch-free
//! pass copies the two short tails out to select in. When a tail holds fewer than k values
//! the full array is selected instead, so the result is always the exact order statistic.

/// Returns (k-th largest, k-th smallest) of `s` (1 ≤ k ≤ s.len()); reorders `s`. `hint` is an
/// optional guess of the two values (e.g. a neighbouring receiver's, from a nearly identical
/// array) to set the thresholds from instead of sampling.
pub(crate) fn tail_order_statistics_hinted(s: &mut [f64], k: usize, hint: Option<(f64, f64)>) -> (f64, f64) {
    let n = s.len();
    debug_assert!(k >= 1 && k <= n);
    if n >= 64 {
        if let Some((hi, lo)) = hint {
            // A little looser than the guess, so each tail very probably holds k values.
            let margin = 0.02 * (hi - lo).abs() + 1e-9;
            if let Some(r) = partition_select(s, k, hi - margin, lo + margin) {
                return r;
            }
        }
        if let Some((hi_t, lo_t)) = sample_thresholds(s, k) {
            if let Some(r) = partition_select(s, k, hi_t, lo_t) {
                return r;
            }
        }
    }
    full_select(s, k)
}

/// Two selections on the whole array (the second, when it can, on the part the first left after
/// the k-th largest, which holds every value not larger than it).
fn full_select(s: &mut [f64], k: usize) -> (f64, f64) {
    let n = s.len();
    s.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    let hi = s[k - 1];
    if 2 * k <= n {
        // The k-th smallest is the (n − k)-th largest (0-based): index n − 2k of the tail.
        let tail = &mut s[k..];
        let idx = n - 2 * k;
        tail.select_nth_unstable_by(idx, |a, b| b.total_cmp(a));
        (hi, tail[idx])
    } else {
        s.select_nth_unstable_by(k - 1, |a, b| a.total_cmp(b));
        (hi, s[k - 1])
    }
}

/// Thresholds from a sample of 32 values: each tail beyond them should hold about 1.6·k values.
fn sample_thresholds(s: &[f64], k: usize) -> Option<(f64, f64)> {
    let n = s.len();
    const NS: usize = 32;
    let stride = n / NS;
    let mut sample = [0.0f64; NS];
    for (j, v) in sample.iter_mut().enumerate() {
        *v = s[j * stride + stride / 2];
    }
    insertion_sort(&mut sample);
    // Expected tail size above the r-th largest sample ≈ (r + 1)·n/NS: aim at 1.6·k.
    let r = ((1.6 * k as f64 * NS as f64 / n as f64).ceil() as usize).clamp(1, NS / 2 - 1);
    Some((sample[NS - r], sample[r - 1]))
}

/// The largest array the branch-free tail copy handles (Δh's is at most 245).
const MAX_COPY: usize = 256;

/// Copies the values ≥ hi_t and ≤ lo_t into two small buffers in one branch-free pass (each value
/// is written to both and the counts advance by the comparisons), then selects in each tail; None
/// when the thresholds overlap or a tail holds fewer than k values.
fn partition_select(s: &mut [f64], k: usize, hi_t: f64, lo_t: f64) -> Option<(f64, f64)> {
    let n = s.len();
    if !(lo_t < hi_t) || n > MAX_COPY {
        return None;
    }
    let mut upper = [0.0f64; MAX_COPY];
    let mut lower = [0.0f64; MAX_COPY];
    let (mut nu, mut nl) = (0usize, 0usize);
    for &v in s.iter() {
        upper[nu] = v;
        nu += (v >= hi_t) as usize;
        lower[nl] = v;
        nl += (v <= lo_t) as usize;
    }
    if nu < k || nl < k {
        return None;
    }
    Some((kth_largest(&mut upper[..nu], k), kth_smallest(&mut lower[..nl], k)))
}

/// The most values a tail may hold beyond k for [`kth_largest`] / [`kth_smallest`] to keep the
/// excess in a small sorted buffer instead of a general selection.
const SMALL_EXCESS: usize = 8;

/// The k-th largest of `v` (k ≤ len): the (len − k + 1)-th smallest, found by keeping that many
/// smallest values in a sorted buffer when the tail exceeds k by little (as a good threshold
/// leaves it), else by a general selection. Same total order either way (`total_cmp`).
fn kth_largest(v: &mut [f64], k: usize) -> f64 {
    kth_in_order(v, k, |a, b| b.total_cmp(a))
}

/// The k-th smallest of `v`, as [`kth_largest`] mirrored.
fn kth_smallest(v: &mut [f64], k: usize) -> f64 {
    kth_in_order(v, k, |a, b| a.total_cmp(b))
}

/// The k-th of `v` in `order` (k ≤ len): the (len − k + 1)-th from the other end kept in a sorted
/// buffer when that is short, else `select_nth_unstable_by`.
fn kth_in_order(v: &mut [f64], k: usize, order: impl Fn(&f64, &f64) -> std::cmp::Ordering + Copy) -> f64 {
    let r = v.len() + 1 - k;
    if r <= SMALL_EXCESS {
        // The r values last in `order` come first in the buffer: `x` before `y` when y precedes x.
        rth_extreme(v, r, |x, y| order(&y, &x).is_lt())
    } else {
        v.select_nth_unstable_by(k - 1, order);
        v[k - 1]
    }
}

/// The r-th value of `v` in the order `before` (1 ≤ r ≤ min(len, SMALL_EXCESS)): one pass keeping
/// the first r in a sorted buffer (insertion).
#[inline]
fn rth_extreme(v: &[f64], r: usize, before: impl Fn(f64, f64) -> bool) -> f64 {
    let mut best = [0.0f64; SMALL_EXCESS];
    best[..r].copy_from_slice(&v[..r]);
    insertion_sort_by(&mut best[..r], &before);
    for &x in &v[r..] {
        if before(x, best[r - 1]) {
            let mut j = r - 1;
            while j > 0 && before(x, best[j - 1]) {
                best[j] = best[j - 1];
                j -= 1;
            }
            best[j] = x;
        }
    }
    best[r - 1]
}

fn insertion_sort_by(a: &mut [f64], before: impl Fn(f64, f64) -> bool) {
    for i in 1..a.len() {
        let v = a[i];
        let mut j = i;
        while j > 0 && before(v, a[j - 1]) {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = v;
    }
}

/// Sorts a short array ascending (cheaper than the general sort at this size).
fn insertion_sort(a: &mut [f64]) {
    for i in 1..a.len() {
        let v = a[i];
        let mut j = i;
        while j > 0 && a[j - 1].total_cmp(&v).is_gt() {
            a[j] = a[j - 1];
            j -= 1;
        }
        a[j] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(v: &[f64], k: usize) -> (f64, f64) {
        let mut s = v.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        (s[s.len() - k], s[k - 1])
    }

    #[test]
    fn small_excess_selection_equals_sorting() {
        // The crate's one deterministic generator (SplitMix64): reproducible cases.
        let mut rng = crate::dataset::demo::rng::Rng::from_state(0x0bad_cafe_1234_5678);
        let mut rnd = || rng.f64();
        for len in 1..40usize {
            for k in 1..=len {
                let v: Vec<f64> = (0..len).map(|i| if i % 5 == 0 { 3.0 } else { (rnd() * 20.0).round() - 10.0 }).collect();
                let mut sorted = v.clone();
                sorted.sort_by(|a, b| a.total_cmp(b));
                assert_eq!(kth_largest(&mut v.clone(), k).to_bits(), sorted[len - k].to_bits(), "len={len} k={k}");
                assert_eq!(kth_smallest(&mut v.clone(), k).to_bits(), sorted[k - 1].to_bits(), "len={len} k={k}");
            }
        }
    }

    #[test]
    fn equals_sorting_on_many_arrays() {
        // Deterministic pseudo-random, smooth, monotone and constant arrays of the sizes Δh uses.
        // The crate's one deterministic generator (SplitMix64): reproducible cases.
        let mut rng = crate::dataset::demo::rng::Rng::from_state(0x1234_5678_9abc_def0);
        let mut rnd = || rng.f64();
        for (n, k) in [(35usize, 4usize), (45, 5), (95, 10), (145, 15), (195, 20), (245, 25), (64, 40), (70, 7)] {
            let arrays: Vec<Vec<f64>> = vec![
                (0..n).map(|_| rnd() * 100.0 - 50.0).collect(),
                (0..n).map(|i| (i as f64 * 0.05).sin() * 30.0 + rnd()).collect(),
                (0..n).map(|i| i as f64).collect(),
                (0..n).map(|i| -(i as f64)).collect(),
                vec![7.0; n],
                (0..n).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect(),
                (0..n).map(|i| if i < n / 2 { 0.0 } else { rnd() }).collect(),
            ];
            for a in arrays {
                let expect = naive(&a, k);
                let mut s = a.clone();
                assert_eq!(tail_order_statistics_hinted(&mut s, k, None), expect, "n={n} k={k} {a:?}");
                // Any hint, good or bad, gives the same exact answer.
                for hint in [expect, (expect.0 + 1.0, expect.1 - 1.0), (expect.1, expect.0), (0.0, 0.0)] {
                    let mut s = a.clone();
                    assert_eq!(tail_order_statistics_hinted(&mut s, k, Some(hint)), expect, "n={n} k={k} {hint:?}");
                }
            }
        }
    }
}
