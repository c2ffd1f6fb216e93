//! Regions of a class raster: a 3 × 3 majority filter, 4-connected labelling of equal-class cells,
//! and a sieve that merges regions smaller than a minimum size into their largest neighbour (the
//! rule of `gdal_sieve`). These turn a noisy per-cell classification into zones worth drawing.

use rayon::prelude::*;

use super::classify::CLASS_NODATA;
use crate::grid::Grid;

/// 4-connected regions: `labels[i]` is the region of cell i (0 = nodata), regions numbered from 1;
/// `class[l]` and `size[l]` describe region l (index 0 unused).
pub struct Regions {
    pub labels: Vec<u32>,
    pub class: Vec<u8>,
    pub size: Vec<u32>,
}

impl Regions {
    pub fn count(&self) -> usize {
        self.class.len() - 1
    }
}

/// Label the 4-connected regions of equal class (sequential flood fill; each cell is pushed once).
pub fn label(classes: &Grid<u8>) -> Regions {
    let (w, h) = (classes.width, classes.height);
    let mut labels = vec![0u32; w * h];
    let mut class = vec![CLASS_NODATA];
    let mut size = vec![0u32];
    let mut stack: Vec<u32> = Vec::new();
    for s in 0..w * h {
        let k = classes.data[s];
        if k == CLASS_NODATA || labels[s] != 0 {
            continue;
        }
        let l = class.len() as u32;
        class.push(k);
        let mut n = 0u32;
        labels[s] = l;
        stack.push(s as u32);
        while let Some(c) = stack.pop() {
            n += 1;
            let c = c as usize;
            let (col, row) = (c % w, c / w);
            let mut visit = |j: usize| {
                if labels[j] == 0 && classes.data[j] == k {
                    labels[j] = l;
                    stack.push(j as u32);
                }
            };
            if col > 0 {
                visit(c - 1);
            }
            if col + 1 < w {
                visit(c + 1);
            }
            if row > 0 {
                visit(c - w);
            }
            if row + 1 < h {
                visit(c + w);
            }
        }
        size.push(n);
    }
    Regions { labels, class, size }
}

/// 3 × 3 majority (mode) filter: each classified cell takes the most frequent class among its valid
/// neighbourhood; on a tie it keeps its own class. Nodata stays nodata.
pub fn majority(classes: &Grid<u8>) -> Grid<u8> {
    let (w, h) = (classes.width, classes.height);
    let mut out = classes.clone();
    out.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        for (c, o) in row.iter_mut().enumerate() {
            let own = classes.data[r * w + c];
            if own == CLASS_NODATA {
                continue;
            }
            let mut count = [0u8; 8];
            for rr in r.saturating_sub(1)..(r + 2).min(h) {
                for cc in c.saturating_sub(1)..(c + 2).min(w) {
                    let k = classes.data[rr * w + cc] as usize;
                    if k != CLASS_NODATA as usize && k < 8 {
                        count[k] += 1;
                    }
                }
            }
            let mut best = own;
            for k in 1..8u8 {
                if count[k as usize] > count[best as usize] {
                    best = k;
                }
            }
            *o = best;
        }
    });
    out
}

/// Merge every region smaller than `min_cells` into its largest 4-adjacent region, repeating (up
/// to `rounds` times) as merges create new neighbours. Regions touching only nodata stay. Returns
/// the number of cells changed.
pub fn sieve(classes: &mut Grid<u8>, min_cells: u32, rounds: usize) -> usize {
    let (w, h) = (classes.width, classes.height);
    let mut changed_total = 0;
    for _ in 0..rounds {
        let reg = label(classes);
        if !reg.size.iter().skip(1).any(|s| *s < min_cells) {
            break;
        }
        let mut best = vec![0u32; reg.class.len()];
        for i in 0..w * h {
            let l = reg.labels[i] as usize;
            if l == 0 || reg.size[l] >= min_cells {
                continue;
            }
            let (col, row) = (i % w, i / w);
            let mut consider = |j: usize| {
                let m = reg.labels[j];
                if m != 0 && m as usize != l && (best[l] == 0 || reg.size[m as usize] > reg.size[best[l] as usize]) {
                    best[l] = m;
                }
            };
            if col > 0 {
                consider(i - 1);
            }
            if col + 1 < w {
                consider(i + 1);
            }
            if row > 0 {
                consider(i - w);
            }
            if row + 1 < h {
                consider(i + w);
            }
        }
        let changed: usize = classes
            .data
            .par_iter_mut()
            .zip(reg.labels.par_iter())
            .map(|(k, l)| {
                let b = best[*l as usize];
                if *l != 0 && b != 0 {
                    *k = reg.class[b as usize];
                    1
                } else {
                    0
                }
            })
            .sum();
        changed_total += changed;
        if changed == 0 {
            break;
        }
    }
    changed_total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    fn g(w: usize, h: usize, v: &[u8]) -> Grid<u8> {
        Grid { width: w, height: h, transform: GeoTransform { x0: 0.0, y0: 0.0, dx: 1.0, dy: 1.0 }, nodata: Some(0), data: v.to_vec() }
    }

    #[test]
    fn diagonal_cells_are_separate_regions() {
        #[rustfmt::skip]
        let r = label(&g(3, 3, &[
            3, 1, 1,
            1, 3, 1,
            1, 1, 0,
        ]));
        assert_eq!(r.count(), 3);
        assert_ne!(r.labels[0], r.labels[4]);
        assert_eq!(r.labels[8], 0);
        assert_eq!(r.size[r.labels[1] as usize], 5);
    }

    #[test]
    fn sieve_merges_specks_into_largest_neighbour() {
        // A single class-5 cell inside class 2 (largest neighbour) disappears; the 2-cell class-4
        // block survives a 2-cell minimum.
        #[rustfmt::skip]
        let mut c = g(5, 4, &[
            2, 2, 2, 3, 3,
            2, 5, 2, 3, 3,
            2, 2, 2, 4, 4,
            2, 2, 2, 3, 3,
        ]);
        let n = sieve(&mut c, 2, 4);
        assert_eq!(n, 1);
        assert_eq!(c.data[6], 2);
        assert_eq!(c.data[13], 4);
    }

    #[test]
    fn majority_removes_salt_and_pepper() {
        #[rustfmt::skip]
        let m = majority(&g(3, 3, &[
            1, 1, 1,
            1, 5, 1,
            1, 1, 0,
        ]));
        assert_eq!(m.data[4], 1);
        assert_eq!(m.data[8], 0);
    }
}
