//! Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance transforms of
//! sampled functions", Theory of Computing 8: 415–428): the distance in metres from every cell
//! centre to the nearest feature cell centre (streams, roads, the demo's rivers). Cells may be
//! rectangular (`dx ≠ dy`).
//!
//! Two separable passes: down and up each column (done row by row over column strips, so memory is
//! read in order) giving the vertical distance to the nearest feature in the column, then along
//! each row the lower envelope of parabolas. Both passes are parallel. Without any feature cell the
//! distance is `+∞` everywhere (a dataset without roads has no road influence).

use rayon::prelude::*;

use crate::grid::{GeoTransform, Grid};

/// Distance (m) from each cell to the nearest cell where `feature` is true.
///
/// ```
/// use covermap::grid::{distance::distance_to, GeoTransform};
/// // One feature cell in the corner of a 4 × 3 grid of 30 m × 40 m cells: the cell three columns
/// // and two rows away is √(90² + 80²) = 120.4 m from it.
/// let t = GeoTransform { x0: 0.0, y0: 120.0, dx: 30.0, dy: 40.0 };
/// let mut f = vec![false; 12];
/// f[0] = true;
/// let d = distance_to(&f, 4, 3, t);
/// assert_eq!(d.get(0, 0), 0.0);
/// assert!((d.get(3, 2) - (90f32.hypot(80.0))).abs() < 1e-3);
/// assert_eq!(d.get(1, 0), 30.0);
/// ```
pub fn distance_to(feature: &[bool], width: usize, height: usize, transform: GeoTransform) -> Grid<f32> {
    let (dx, dy) = (transform.dx, transform.dy);
    // Pass 1: vertical distance in cells to the nearest feature of the column (+∞ when none),
    // swept down then up, row after row; each row is split across threads (in place, no copy).
    let mut g: Vec<f32> = feature.par_iter().map(|f| if *f { 0.0 } else { f32::INFINITY }).collect();
    const CHUNK: usize = 2048;
    for r in 1..height {
        let (above, rest) = g.split_at_mut(r * width);
        let prev = &above[(r - 1) * width..];
        rest[..width].par_chunks_mut(CHUNK).zip(prev.par_chunks(CHUNK)).for_each(|(cur, prev)| {
            for (c, p) in cur.iter_mut().zip(prev) {
                *c = c.min(p + 1.0);
            }
        });
    }
    for r in (0..height.saturating_sub(1)).rev() {
        let (head, below) = g.split_at_mut((r + 1) * width);
        let cur = &mut head[r * width..];
        cur.par_chunks_mut(CHUNK).zip(below[..width].par_chunks(CHUNK)).for_each(|(cur, next)| {
            for (c, n) in cur.iter_mut().zip(next) {
                *c = c.min(n + 1.0);
            }
        });
    }

    // Pass 2: per row, the lower envelope of parabolas f(q) + (x − q)², in metres.
    g.par_chunks_mut(width).for_each_init(
        || (vec![0f64; width], vec![0usize; width], vec![0f64; width + 1]),
        |(f, v, z), row| {
            for (fi, gi) in f.iter_mut().zip(row.iter()) {
                *fi = if gi.is_finite() { (*gi as f64 * dy).powi(2) } else { f64::INFINITY };
            }
            edt_1d(f, dx, v, z, row);
        },
    );
    Grid { width, height, transform, nodata: None, data: g }
}

/// 1-D squared distance transform of `f` (samples `dx` apart), writing √ of the result to `out`.
fn edt_1d(f: &[f64], dx: f64, v: &mut [usize], z: &mut [f64], out: &mut [f32]) {
    let n = f.len();
    let pos = |q: usize| q as f64 * dx;
    // Finite samples only take part in the envelope.
    let mut k: isize = -1;
    for q in 0..n {
        if !f[q].is_finite() {
            continue;
        }
        loop {
            if k < 0 {
                k = 0;
                v[0] = q;
                z[0] = f64::NEG_INFINITY;
                z[1] = f64::INFINITY;
                break;
            }
            let p = v[k as usize];
            let s = ((f[q] + pos(q).powi(2)) - (f[p] + pos(p).powi(2))) / (2.0 * (pos(q) - pos(p)));
            if s <= z[k as usize] {
                k -= 1;
                continue;
            }
            k += 1;
            v[k as usize] = q;
            z[k as usize] = s;
            z[k as usize + 1] = f64::INFINITY;
            break;
        }
    }
    if k < 0 {
        out.iter_mut().for_each(|o| *o = f32::INFINITY);
        return;
    }
    let mut j = 0usize;
    for (q, o) in out.iter_mut().enumerate() {
        while z[j + 1] < pos(q) {
            j += 1;
        }
        let p = v[j];
        *o = ((pos(q) - pos(p)).powi(2) + f[p]).sqrt() as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force() {
        let (w, h) = (23, 17);
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 20.0 };
        let mut feat = vec![false; w * h];
        for &(c, r) in &[(3usize, 4usize), (20, 1), (11, 15), (12, 15)] {
            feat[r * w + c] = true;
        }
        let d = distance_to(&feat, w, h, t);
        for r in 0..h {
            for c in 0..w {
                let best = feat
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| **f)
                    .map(|(i, _)| {
                        let (fc, fr) = ((i % w) as f64, (i / w) as f64);
                        (((c as f64 - fc) * 30.0).powi(2) + ((r as f64 - fr) * 20.0).powi(2)).sqrt()
                    })
                    .fold(f64::MAX, f64::min);
                assert!((d.get(c, r) as f64 - best).abs() < 1e-3, "{c},{r}: {} vs {best}", d.get(c, r));
            }
        }
    }

    #[test]
    fn no_feature_is_infinitely_far() {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let d = distance_to(&[false; 6], 3, 2, t);
        assert!(d.data.iter().all(|v| v.is_infinite()));
    }
}
