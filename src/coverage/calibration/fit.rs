//! The statistics of calibration, free of the engine: the spatial hold-out, the robust offset and σ
//! of a group's residuals, the car-body loss, and error figures.
//!
//! Hold-out: the area is cut into square blocks (2 km); a share of the occupied blocks (chosen by a
//! hash of the block, so the split is stable) is held out whole. Shadowing is correlated over
//! 50–100 m (Gudmundson 1991), so a held-out point next to a fitted one would make the reported error
//! look better than it is; fitted points within `buffer_m` of a held-out block are therefore left
//! out of the fit (role `buffer`), and no fitted point is ever within `buffer_m` of a held-out one.
//!
//! Offset and σ: the mean and standard deviation of the residuals (measured − predicted) after
//! iterated 3σ clipping, so a few gross errors (a site in the model that is not on air) do not drag
//! the offset. Iterated 3σ clipping of Gaussian data settles where it cuts at ±2.95σ and keeps a
//! standard deviation of 0.9848σ (the truncated-normal variance 1 − 2kφ(k)/(2Φ(k) − 1) at its fixed
//! point), so σ is divided by that consistency factor.

/// What a measurement is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Fit,
    Holdout,
    /// Too close to a held-out block to be fitted without leaking into it; not used at all.
    Buffer,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Holdout => "holdout",
            Role::Buffer => "buffer",
        }
    }
}

fn block_of(x: f64, y: f64, block: f64) -> (i64, i64) {
    ((x / block).floor() as i64, (y / block).floor() as i64)
}

fn block_hash(b: (i64, i64)) -> u64 {
    crate::dataset::demo::rng::hash2(0x5EED_CA11_B4A7_10C5, b.0, b.1)
}

/// Each point's role. At least one occupied block is held out when there are two or more.
pub fn assign_roles(points: &[(f64, f64)], block_m: f64, holdout_fraction: f64, buffer_m: f64) -> Vec<Role> {
    let mut blocks: Vec<(i64, i64)> = points.iter().map(|(x, y)| block_of(*x, *y, block_m)).collect();
    blocks.sort();
    blocks.dedup();
    blocks.sort_by_key(|b| (block_hash(*b), *b));
    let k = if blocks.len() < 2 { 0 } else { ((blocks.len() as f64 * holdout_fraction).round() as usize).clamp(1, blocks.len() - 1) };
    let held: std::collections::HashSet<(i64, i64)> = blocks[..k].iter().copied().collect();
    points
        .iter()
        .map(|&(x, y)| {
            let b = block_of(x, y, block_m);
            if held.contains(&b) {
                return Role::Holdout;
            }
            // Distance to each neighbouring held-out block (blocks further away are ≥ block_m off).
            let reach = (buffer_m / block_m).ceil() as i64;
            for dy in -reach..=reach {
                for dx in -reach..=reach {
                    let n = (b.0 + dx, b.1 + dy);
                    if (dx, dy) == (0, 0) || !held.contains(&n) {
                        continue;
                    }
                    let (x0, y0) = (n.0 as f64 * block_m, n.1 as f64 * block_m);
                    let ddx = (x0 - x).max(0.0).max(x - (x0 + block_m));
                    let ddy = (y0 - y).max(0.0).max(y - (y0 + block_m));
                    if ddx.hypot(ddy) < buffer_m {
                        return Role::Buffer;
                    }
                }
            }
            Role::Fit
        })
        .collect()
}

/// Consistency factor of the iterated-3σ-clipped standard deviation for Gaussian data (see above).
pub const CLIPPED_SD_FACTOR: f64 = 0.9848;

/// Mean and standard deviation (consistent for Gaussian data) after iterated 3σ clipping; the count kept.
pub fn robust_mean_sigma(values: &[f64]) -> Option<(f64, f64, usize)> {
    if values.is_empty() {
        return None;
    }
    let mut keep: Vec<f64> = values.to_vec();
    let (mut mean, mut sd) = mean_sd(&keep);
    for _ in 0..20 {
        let next: Vec<f64> = values.iter().copied().filter(|v| (v - mean).abs() <= 3.0 * sd.max(1e-9)).collect();
        if next.len() == keep.len() || next.len() < 2 {
            break;
        }
        keep = next;
        (mean, sd) = mean_sd(&keep);
    }
    Some((mean, sd / CLIPPED_SD_FACTOR, keep.len()))
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, var.sqrt())
}

/// Mean error and RMS error of `errors`; `None` when empty.
pub fn me_rmse(errors: &[f64]) -> Option<(f64, f64)> {
    if errors.is_empty() {
        return None;
    }
    let n = errors.len() as f64;
    Some((errors.iter().sum::<f64>() / n, (errors.iter().map(|e| e * e).sum::<f64>() / n).sqrt()))
}

/// The car-body loss (dB) from groups measured in both environments: per group the difference of
/// the outdoor and in-vehicle mean residuals, weighted by n_o·n_v/(n_o + n_v) (the inverse variance
/// of a difference of means). `groups` yields (outdoor residuals, in-vehicle residuals).
pub fn vehicle_loss(groups: &[(Vec<f64>, Vec<f64>)], min_points: usize) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for (o, v) in groups {
        if o.len() < min_points || v.len() < min_points {
            continue;
        }
        let (mo, _, _) = robust_mean_sigma(o)?;
        let (mv, _, _) = robust_mean_sigma(v)?;
        let w = (o.len() * v.len()) as f64 / (o.len() + v.len()) as f64;
        num += w * (mo - mv);
        den += w;
    }
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::demo::rng::Rng;

    #[test]
    fn fit_recovers_a_known_offset_and_sigma() {
        // 5000 residuals N(+4.5, 7²) plus 3 % gross errors (−30 dB: a site not on air): the clipped
        // mean and σ come back within about 4 standard errors (σ/√n ≈ 0.1 dB; σ's SE ≈ 0.07 dB; this
        // draw's clean sample itself has SD 6.80).
        let mut rng = Rng::new(42);
        let mut v: Vec<f64> = (0..5000).map(|_| 4.5 + 7.0 * rng.normal()).collect();
        for x in v.iter_mut().take(150) {
            *x = -30.0 + rng.normal();
        }
        let (m, s, n) = robust_mean_sigma(&v).unwrap();
        assert!((m - 4.5).abs() < 0.35, "offset {m}");
        assert!((s - 7.0).abs() < 0.3, "sigma {s}");
        assert!(n < 4900 && n > 4750, "kept {n}");
        // Without gross errors nothing is lost to clipping beyond the Gaussian tails (0.27 %).
        let w: Vec<f64> = (0..5000).map(|_| -3.0 + 6.0 * rng.normal()).collect();
        let (m, s, n) = robust_mean_sigma(&w).unwrap();
        assert!((m + 3.0).abs() < 0.3 && (s - 6.0).abs() < 0.25 && n > 4950, "{m} {s} {n}");
    }

    #[test]
    fn me_and_rmse_by_hand() {
        let (me, rmse) = me_rmse(&[1.0, -1.0, 3.0, 5.0]).unwrap();
        assert_eq!(me, 2.0);
        assert!((rmse - 9.0f64.sqrt()).abs() < 1e-12);
        assert!(me_rmse(&[]).is_none());
    }

    #[test]
    fn holdout_never_puts_neighbours_in_both_sets() {
        // A dense random scatter over 20 × 20 km: every fitted point is at least buffer_m from every
        // held-out point, and both sets are populated.
        let mut rng = Rng::new(7);
        let pts: Vec<(f64, f64)> = (0..4000).map(|_| (rng.range(0.0, 20_000.0), rng.range(0.0, 20_000.0))).collect();
        let roles = assign_roles(&pts, 2000.0, 0.25, 200.0);
        let fit: Vec<&(f64, f64)> = pts.iter().zip(&roles).filter(|(_, r)| **r == Role::Fit).map(|(p, _)| p).collect();
        let held: Vec<&(f64, f64)> = pts.iter().zip(&roles).filter(|(_, r)| **r == Role::Holdout).map(|(p, _)| p).collect();
        assert!(fit.len() > 2000 && held.len() > 600, "{} fit, {} held out", fit.len(), held.len());
        let min = fit.iter().flat_map(|a| held.iter().map(move |b| (a.0 - b.0).hypot(a.1 - b.1))).fold(f64::INFINITY, f64::min);
        assert!(min >= 200.0, "closest fit/hold-out pair {min} m");
        // Whole blocks: every point of a held-out block is held out.
        for (p, r) in pts.iter().zip(&roles) {
            let same_block_held = pts.iter().zip(&roles).any(|(q, s)| *s == Role::Holdout && block_of(q.0, q.1, 2000.0) == block_of(p.0, p.1, 2000.0));
            assert_eq!(same_block_held, *r == Role::Holdout);
        }
        // One block only: nothing can be held out honestly.
        assert!(assign_roles(&[(10.0, 10.0), (20.0, 20.0)], 2000.0, 0.25, 200.0).iter().all(|r| *r == Role::Fit));
    }

    #[test]
    fn vehicle_loss_from_paired_groups() {
        let mut rng = Rng::new(3);
        let g = |off: f64, rng: &mut Rng| -> (Vec<f64>, Vec<f64>) {
            ((0..800).map(|_| off + 6.0 * rng.normal()).collect(), (0..800).map(|_| off - 7.5 + 6.0 * rng.normal()).collect())
        };
        let groups = vec![g(3.0, &mut rng), g(-2.0, &mut rng)];
        let l = vehicle_loss(&groups, 30).unwrap();
        assert!((l - 7.5).abs() < 0.6, "{l}");
        assert!(vehicle_loss(&[(vec![1.0; 10], vec![])], 30).is_none());
    }
}
