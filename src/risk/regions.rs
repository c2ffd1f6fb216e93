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

/// Label the 4-connected regions of equal class (the flood fill of [`label_by_key`], keyed by class).
pub fn label(classes: &Grid<u8>) -> Regions {
    let (labels, keys) = label_by_key(classes.width, classes.height, |i| Some(classes.data[i]).filter(|k| *k != CLASS_NODATA));
    let class: Vec<u8> = keys.iter().map(|k| k.unwrap_or(CLASS_NODATA)).collect();
    let mut size = vec![0u32; class.len()];
    for &l in &labels {
        size[l as usize] += 1;
    }
    size[0] = 0;
    Regions { labels, class, size }
}

/// 4-connected components of cells with equal key (`None` = no component): `labels[i]` is the
/// component of cell i (0 = none, components numbered from 1) and `keys[l]` the key of component l
/// (`keys[0]` unused). Used to cut class regions into pieces (by commune, by grid block): cells of one
/// region with different keys end up in different pieces.
pub fn label_by_key<K: Copy + Eq>(w: usize, h: usize, key: impl Fn(usize) -> Option<K>) -> (Vec<u32>, Vec<Option<K>>) {
    let mut labels = vec![0u32; w * h];
    let mut keys: Vec<Option<K>> = vec![None];
    let mut stack: Vec<u32> = Vec::new();
    for s in 0..w * h {
        if labels[s] != 0 {
            continue;
        }
        let Some(k) = key(s) else { continue };
        let l = keys.len() as u32;
        keys.push(Some(k));
        labels[s] = l;
        stack.push(s as u32);
        while let Some(c) = stack.pop() {
            let c = c as usize;
            let (col, row) = (c % w, c / w);
            let mut visit = |j: usize| {
                if labels[j] == 0 && key(j) == Some(k) {
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
    }
    (labels, keys)
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

/// Merge every region smaller than `min_cells` into its largest 4-adjacent region (the rule of
/// `gdal_sieve`). The merging runs on the region adjacency graph with a union-find, smallest regions
/// first, so a speck next to another speck joins whatever that one joined; the grid is labelled once
/// and rewritten once. Regions touching only nodata stay. Returns the number of cells changed.
pub fn sieve(classes: &mut Grid<u8>, min_cells: u32) -> usize {
    let (w, h) = (classes.width, classes.height);
    let reg = label(classes);
    let n = reg.class.len();
    let small = |l: u32| l != 0 && reg.size[l as usize] < min_cells;
    // Adjacent label pairs touching a small region (each pair once per shared cell side).
    let mut pairs: Vec<(u32, u32)> = (0..h)
        .into_par_iter()
        .flat_map_iter(|r| {
            let reg = &reg;
            (0..w).flat_map(move |c| {
                let i = r * w + c;
                let l = reg.labels[i];
                let right = (c + 1 < w).then(|| reg.labels[i + 1]);
                let down = (r + 1 < h).then(|| reg.labels[i + w]);
                [right, down].into_iter().flatten().filter_map(move |m| {
                    (m != l && m != 0 && l != 0 && (small(l) || small(m))).then_some((l.min(m), l.max(m)))
                })
            })
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    // Neighbour lists of the small regions.
    let mut start = vec![0u32; n + 1];
    for &(a, b) in &pairs {
        if small(a) {
            start[a as usize + 1] += 1;
        }
        if small(b) {
            start[b as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut adj = vec![0u32; start[n] as usize];
    for &(a, b) in &pairs {
        if small(a) {
            adj[fill[a as usize] as usize] = b;
            fill[a as usize] += 1;
        }
        if small(b) {
            adj[fill[b as usize] as usize] = a;
            fill[b as usize] += 1;
        }
    }
    drop((pairs, fill));

    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    let mut size = reg.size.clone();
    let mut order: Vec<u32> = (1..n as u32).filter(|l| small(*l)).collect();
    order.sort_by_key(|l| (reg.size[*l as usize], *l));
    for l in order {
        let root = find(&mut parent, l);
        if size[root as usize] >= min_cells {
            continue; // grew by absorbing smaller neighbours
        }
        let mut best: Option<u32> = None;
        for k in start[l as usize]..start[l as usize + 1] {
            let m = find(&mut parent, adj[k as usize]);
            if m != root && best.is_none_or(|b| size[m as usize] > size[b as usize]) {
                best = Some(m);
            }
        }
        if let Some(b) = best {
            parent[root as usize] = b;
            size[b as usize] += size[root as usize];
        }
    }
    let target: Vec<u8> = (0..n as u32).map(|l| reg.class[find(&mut parent, l) as usize]).collect();
    classes
        .data
        .par_iter_mut()
        .zip(reg.labels.par_iter())
        .map(|(k, l)| {
            let t = target[*l as usize];
            if *l != 0 && t != *k {
                *k = t;
                1
            } else {
                0
            }
        })
        .sum()
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
        // The two 3-cells touch only diagonally, and so do the two groups of 1-cells: four regions.
        assert_eq!(r.count(), 4);
        assert_ne!(r.labels[0], r.labels[4]);
        assert_ne!(r.labels[1], r.labels[3]);
        assert_eq!(r.labels[8], 0);
        assert_eq!(r.size[r.labels[1] as usize], 3);
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
        let n = sieve(&mut c, 2);
        assert_eq!(n, 1);
        assert_eq!(c.data[6], 2);
        assert_eq!(c.data[13], 4);
    }

    #[test]
    fn keyed_labels_split_a_region_along_a_key_boundary() {
        // One 4 × 2 region whose key changes between columns 1 and 2: two pieces of 4 cells.
        let key = |i: usize| (i != 3).then_some(((i % 4) / 2) as u8);
        let (labels, keys) = label_by_key(4, 2, key);
        assert_eq!(keys.len(), 3);
        assert_eq!(labels, vec![1, 1, 2, 0, 1, 1, 2, 2]);
        assert_eq!(keys[2], Some(1));
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
