//! Factor weights by the Analytic Hierarchy Process (Saaty 1980, "The Analytic Hierarchy Process";
//! Saaty 1977, J. Math. Psychology 15: 234–281): the weights are the principal eigenvector of a
//! reciprocal pairwise-comparison matrix, and the judgements are acceptable when the consistency
//! ratio CR = CI / RI stays below 0.1, with CI = (λmax − n)/(n − 1) and Saaty's random index RI.
//!
//! The susceptibility models state their comparison matrices in code and derive the weights here,
//! so a reader can check both the judgements and their consistency.

/// Saaty's random consistency index for n = 1…10.
const RANDOM_INDEX: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];

/// Weights (summing to 1) and consistency ratio of an n × n pairwise-comparison matrix, where
/// `m[i][j]` says how much more factor i matters than factor j (so `m[j][i] = 1 / m[i][j]`).
pub fn ahp_weights<const N: usize>(m: &[[f64; N]; N]) -> ([f64; N], f64) {
    // Power iteration converges to the principal (Perron) eigenvector of a positive matrix.
    let mut w = [1.0 / N as f64; N];
    for _ in 0..200 {
        let mut next = [0.0; N];
        for i in 0..N {
            next[i] = (0..N).map(|j| m[i][j] * w[j]).sum();
        }
        let s: f64 = next.iter().sum();
        next.iter_mut().for_each(|v| *v /= s);
        let delta: f64 = next.iter().zip(&w).map(|(a, b)| (a - b).abs()).sum();
        w = next;
        if delta < 1e-14 {
            break;
        }
    }
    let lambda: f64 = (0..N).map(|i| (0..N).map(|j| m[i][j] * w[j]).sum::<f64>() / w[i]).sum::<f64>() / N as f64;
    let ri = RANDOM_INDEX.get(N.saturating_sub(1)).copied().unwrap_or(1.49);
    let cr = if N < 3 || ri == 0.0 { 0.0 } else { ((lambda - N as f64) / (N as f64 - 1.0)) / ri };
    (w, cr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consistent_matrix_gives_exact_weights() {
        // A perfectly consistent matrix m[i][j] = w_i / w_j returns w and CR = 0.
        let w = [0.5, 0.3, 0.2];
        let m = [[1.0, 5.0 / 3.0, 2.5], [0.6, 1.0, 1.5], [0.4, 2.0 / 3.0, 1.0]];
        let (got, cr) = ahp_weights(&m);
        for (a, b) in got.iter().zip(&w) {
            assert!((a - b).abs() < 1e-9);
        }
        assert!(cr.abs() < 1e-9);
    }

    #[test]
    fn saaty_textbook_example() {
        // Saaty (1980)'s 3-criteria example [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]]: weights
        // 0.637, 0.258, 0.105; λmax = 3.039, CR = 0.033.
        let m = [[1.0, 3.0, 5.0], [1.0 / 3.0, 1.0, 3.0], [0.2, 1.0 / 3.0, 1.0]];
        let (w, cr) = ahp_weights(&m);
        assert!((w[0] - 0.637).abs() < 1e-3 && (w[1] - 0.258).abs() < 1e-3 && (w[2] - 0.105).abs() < 1e-3, "{w:?}");
        assert!((cr - 0.033).abs() < 2e-3, "{cr}");
    }

    #[test]
    fn the_hazard_models_judgements_are_consistent() {
        // Saaty's rule: a CR of 0.1 or more means the judgements contradict each other too much.
        let (_, flood) = ahp_weights(&crate::risk::flood::JUDGEMENTS);
        let (_, landslide) = ahp_weights(&crate::risk::landslide::JUDGEMENTS);
        assert!(flood < 0.1 && landslide < 0.1, "consistency ratios: flood {flood}, landslide {landslide}");
    }
}
