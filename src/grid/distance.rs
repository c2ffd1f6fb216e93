//! Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance Transforms of
//! Sampled Functions"): distance from every cell to the nearest marked cell, in O(n), rows then
//! columns, each pass rayon-parallel.

use rayon::prelude::*;

use super::Grid;

/// 1-D squared distance transform of `f` (0 at sources, +inf elsewhere) into `d`, with scratch buffers.
fn dt1d(f: &[f32], d: &mut [f32], v: &mut [usize], z: &mut [f32]) {
    let n = f.len();
    let mut k = 0usize;
    let first = match f.iter().position(|x| x.is_finite()) {
        Some(i) => i,
        None => {
            d.iter_mut().for_each(|x| *x = f32::INFINITY);
            return;
        }
    };
    v[0] = first;
    z[0] = f32::NEG_INFINITY;
    z[1] = f32::INFINITY;
    for q in first + 1..n {
        if !f[q].is_finite() {
            continue;
        }
        loop {
            let p = v[k];
            let s = ((f[q] + (q * q) as f32) - (f[p] + (p * p) as f32)) / (2.0 * (q as f32 - p as f32));
            // z[0] = -inf, so this stops at k = 0 at the latest.
            if s <= z[k] {
                k -= 1;
                continue;
            }
            k += 1;
            v[k] = q;
            z[k] = s;
            z[k + 1] = f32::INFINITY;
            break;
        }
    }
    k = 0;
    for (q, out) in d.iter_mut().enumerate() {
        while z[k + 1] < q as f32 {
            k += 1;
        }
        let p = v[k];
        let dq = q as f32 - p as f32;
        *out = dq * dq + f[p];
    }
}

/// Distance (in the grid's units, assuming square cells) from each cell to the nearest cell where
/// `mask` is true; +inf when there is none.
pub fn distance_to(mask: &Grid<u8>) -> Grid<f32> {
    let (w, h) = (mask.width, mask.height);
    let mut g: Vec<f32> = mask.data.iter().map(|&m| if m != 0 { 0.0 } else { f32::INFINITY }).collect();
    // Rows.
    g.par_chunks_mut(w).for_each_init(
        || (vec![0f32; w], vec![0usize; w + 1], vec![0f32; w + 2], vec![0f32; w]),
        |(d, v, z, f), row| {
            f.copy_from_slice(row);
            dt1d(f, d, v, z);
            row.copy_from_slice(d);
        },
    );
    // Columns, in bands of columns so reads stay cache-friendly.
    let band = 64;
    let cols: Vec<(usize, Vec<f32>)> = (0..w.div_ceil(band))
        .into_par_iter()
        .map(|b| {
            let c0 = b * band;
            let c1 = (c0 + band).min(w);
            let mut out = vec![0f32; (c1 - c0) * h];
            let (mut f, mut d, mut v, mut z) = (vec![0f32; h], vec![0f32; h], vec![0usize; h + 1], vec![0f32; h + 2]);
            for c in c0..c1 {
                for r in 0..h {
                    f[r] = g[r * w + c];
                }
                dt1d(&f, &mut d, &mut v, &mut z);
                out[(c - c0) * h..(c - c0 + 1) * h].copy_from_slice(&d);
            }
            (c0, out)
        })
        .collect();
    let cell = mask.transform.dx as f32;
    for (c0, out) in cols {
        let n = out.len() / h;
        for i in 0..n {
            for r in 0..h {
                g[r * w + c0 + i] = out[i * h + r].sqrt() * cell;
            }
        }
    }
    Grid { width: w, height: h, transform: mask.transform, nodata: None, data: g }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn matches_brute_force() {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut m = Grid::new(37, 23, t, 0u8, None);
        for (c, r) in [(3, 4), (30, 2), (15, 20), (36, 22)] {
            m.set(c, r, 1);
        }
        let d = distance_to(&m);
        for r in 0..23 {
            for c in 0..37 {
                let best = [(3, 4), (30, 2), (15, 20), (36, 22)]
                    .iter()
                    .map(|&(a, b): &(i32, i32)| (((a - c as i32).pow(2) + (b - r as i32).pow(2)) as f32).sqrt() * 30.0)
                    .fold(f32::INFINITY, f32::min);
                assert!((d.get(c, r) - best).abs() < 1e-3, "{c},{r}: {} vs {best}", d.get(c, r));
            }
        }
        let empty = Grid::new(5, 5, t, 0u8, None);
        assert!(distance_to(&empty).data.iter().all(|v| v.is_infinite()));
    }
}
