//! Regions of a class raster: a 3 × 3 majority filter, 4-connected labelling of equal-class cells,
//! and a sieve that merges regions smaller than a minimum size into their largest neighbour (the
//! rule of `gdal_sieve`). These turn a noisy per-cell classification into zones worth drawing.

use rayon::prelude::*;

use super::classify::CLASS_NODATA;
use crate::grid::union_find::UnionFind;
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
    label_in(Vec::new(), classes)
}

/// [`label`] into `spare`, a labels buffer of an earlier labelling done with (its memory reused
/// rather than a province-sized grid faulted in again; its contents do not matter).
pub fn label_in(spare: Vec<u32>, classes: &Grid<u8>) -> Regions {
    let (labels, keys, mut size) = label_sized(spare, classes.width, classes.height, |i| Some(classes.data[i]).filter(|k| *k != CLASS_NODATA));
    let class: Vec<u8> = keys.iter().map(|k| k.unwrap_or(CLASS_NODATA)).collect();
    size[0] = 0;
    Regions { labels, class, size }
}

/// 4-connected components of cells with equal key (`None` = no component): `labels[i]` is the
/// component of cell i (0 = none, components numbered from 1) and `keys[l]` the key of component l
/// (`keys[0]` unused). Used to cut class regions into pieces (by commune, by grid block): cells of one
/// region with different keys end up in different pieces. Components are numbered in the row-major
/// order of their first cell, as one flood fill scanning the grid would number them.
pub fn label_by_key<K: Copy + Eq + Send + Sync>(w: usize, h: usize, key: impl Fn(usize) -> Option<K> + Sync) -> (Vec<u32>, Vec<Option<K>>) {
    label_by_key_in(Vec::new(), w, h, key)
}

/// [`label_by_key`] into `spare` (see [`label_in`]).
pub fn label_by_key_in<K: Copy + Eq + Send + Sync>(spare: Vec<u32>, w: usize, h: usize, key: impl Fn(usize) -> Option<K> + Sync) -> (Vec<u32>, Vec<Option<K>>) {
    let (labels, keys, _) = label_sized(spare, w, h, key);
    (labels, keys)
}

/// [`label_by_key`] with each component's size in cells (`sizes[0]` unused).
///
/// In parallel by bands of rows: each band is flood-filled alone (components numbered locally, in
/// the band's scan order, with their first cell and size), the components touching across band
/// borders are joined by a union-find, and every joined component is numbered by its first cell in
/// the whole grid's row-major order — the smallest first cell of its band parts, since a band's scan
/// meets each part's first cell first. That is exactly the numbering of one sequential scan
/// (the tests compare them), so everything downstream (the sieve's order, feature ids) is unchanged.
fn label_sized<K: Copy + Eq + Send + Sync>(spare: Vec<u32>, w: usize, h: usize, key: impl Fn(usize) -> Option<K> + Sync) -> (Vec<u32>, Vec<Option<K>>, Vec<u32>) {
    // Phase 1 writes every cell, so a spare buffer's old labels need no clearing.
    let mut labels = if spare.len() >= w * h {
        let mut l = spare;
        l.truncate(w * h);
        l
    } else {
        vec![0u32; w * h]
    };
    if w == 0 || h == 0 {
        return (labels, vec![None], vec![0]);
    }
    let bands = (rayon::current_num_threads() * 4).clamp(1, h);
    let rows = h.div_ceil(bands);
    // Phase 1: each band alone; (key, first cell, size) per local component.
    let parts: Vec<Vec<(K, u32, u32)>> =
        labels.par_chunks_mut(rows * w).enumerate().map(|(b, band)| flood_band(band, w, b * rows * w, &key)).collect();
    let mut offset = vec![0usize; parts.len() + 1];
    for (b, p) in parts.iter().enumerate() {
        offset[b + 1] = offset[b] + p.len();
    }
    let total = offset[parts.len()];
    // Part `g` (global numbering: band after band).
    fn part_of<'a, K>(parts: &'a [Vec<(K, u32, u32)>], offset: &[usize], g: usize) -> &'a (K, u32, u32) {
        let b = offset.partition_point(|o| *o <= g) - 1;
        &parts[b][g - offset[b]]
    }
    let part = |g: usize| part_of(&parts, &offset, g);
    // Phase 2: join the parts touching across each band border (same key, 4-adjacent).
    let mut parent = UnionFind::new(total);
    for b in 1..parts.len() {
        let (above, below) = ((b * rows - 1) * w, b * rows * w);
        for c in 0..w {
            let (la, lb) = (labels[above + c], labels[below + c]);
            if la == 0 || lb == 0 || parts[b - 1][la as usize - 1].0 != parts[b][lb as usize - 1].0 {
                continue;
            }
            parent.union_min((offset[b - 1] + la as usize - 1) as u32, (offset[b] + lb as usize - 1) as u32);
        }
    }
    // Every root's first cell (the smallest of its parts') and size; roots numbered by first cell.
    let mut first = vec![u32::MAX; total];
    let mut size = vec![0u32; total];
    for g in 0..total {
        let r = parent.find(g as u32) as usize;
        let &(_, f, n) = part(g);
        first[r] = first[r].min(f);
        size[r] += n;
    }
    let mut roots: Vec<u32> = (0..total as u32).filter(|g| parent.is_root(*g)).collect();
    roots.sort_unstable_by_key(|r| first[*r as usize]);
    let mut number = vec![0u32; total];
    for (k, r) in roots.iter().enumerate() {
        number[*r as usize] = k as u32 + 1;
    }
    let final_of: Vec<u32> = (0..total as u32).map(|g| number[parent.find(g) as usize]).collect();
    let keys: Vec<Option<K>> = std::iter::once(None).chain(roots.iter().map(|r| Some(part(*r as usize).0))).collect();
    let sizes: Vec<u32> = std::iter::once(0).chain(roots.iter().map(|r| size[*r as usize])).collect();
    // Phase 3: local numbers → final numbers.
    labels.par_chunks_mut(rows * w).enumerate().for_each(|(b, band)| {
        let off = &final_of[offset[b]..offset[b + 1]];
        for l in band.iter_mut().filter(|l| **l != 0) {
            *l = off[*l as usize - 1];
        }
    });
    (labels, keys, sizes)
}

/// The 4-connected components of one band of rows (`band`, whose first cell is grid cell `base`),
/// not leaving it; returns (key, first grid cell, size) per component, numbered from 1 in the
/// band's scan order (the order of their first cells).
///
/// Two passes over the rows (Wu, Otoo & Suzuki 2009, "Optimizing two-pass connected-component
/// labeling algorithms", Pattern Analysis and Applications 12: 117–135): each cell takes the
/// provisional label of its west or north neighbour of the same key, or a new one, and labels that
/// meet are joined in a union-find whose root is the smaller label; provisional labels are made in
/// scan order, so a component's root is the label of its first cell, and numbering the roots in
/// order numbers the components as a flood fill scanning the band does ([`flood_fill_band`], the
/// tests' reference) — reading memory in order instead of chasing a stack around the grid.
fn flood_band<K: Copy + Eq>(band: &mut [u32], w: usize, base: usize, key: &impl Fn(usize) -> Option<K>) -> Vec<(K, u32, u32)> {
    let n = band.len();
    // Provisional label p (from 1): its key, first cell, cells, union-find parent.
    let mut prov: Vec<(K, u32, u32)> = Vec::new();
    let mut parent = UnionFind::new(1);
    for i in 0..n {
        let Some(k) = key(base + i) else {
            band[i] = 0;
            continue;
        };
        let west = if i % w > 0 { band[i - 1] } else { 0 };
        let west = if west != 0 && prov[west as usize - 1].0 == k { west } else { 0 };
        let north = if i >= w { band[i - w] } else { 0 };
        let north = if north != 0 && prov[north as usize - 1].0 == k { north } else { 0 };
        let l = match (west, north) {
            (0, 0) => {
                prov.push((k, (base + i) as u32, 0));
                parent.push()
            }
            (a, 0) | (0, a) => a,
            (a, b) => {
                parent.union_min(a, b);
                a
            }
        };
        band[i] = l;
        prov[l as usize - 1].2 += 1;
    }
    // Roots in label order are the components in first-cell order.
    let mut number = vec![0u32; parent.len()];
    let mut comps: Vec<(K, u32, u32)> = Vec::new();
    for p in 1..parent.len() as u32 {
        let r = parent.find(p);
        if r == p {
            comps.push(prov[p as usize - 1]);
            number[p as usize] = comps.len() as u32;
        } else {
            comps[number[r as usize] as usize - 1].2 += prov[p as usize - 1].2;
            number[p as usize] = number[r as usize];
        }
    }
    for l in band.iter_mut().filter(|l| **l != 0) {
        *l = number[*l as usize];
    }
    comps
}

/// Flood-fill the 4-connected components of one band of rows, as [`flood_band`] numbers them (the
/// reference its tests compare with).
#[cfg(test)]
fn flood_fill_band<K: Copy + Eq>(band: &mut [u32], w: usize, base: usize, key: &impl Fn(usize) -> Option<K>) -> Vec<(K, u32, u32)> {
    let n = band.len();
    let mut comps = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    for s in 0..n {
        if band[s] != 0 {
            continue;
        }
        let Some(k) = key(base + s) else { continue };
        let l = comps.len() as u32 + 1;
        band[s] = l;
        stack.push(s as u32);
        let mut size = 0u32;
        while let Some(c) = stack.pop() {
            size += 1;
            let c = c as usize;
            let col = c % w;
            let mut visit = |j: usize| {
                if band[j] == 0 && key(base + j) == Some(k) {
                    band[j] = l;
                    stack.push(j as u32);
                }
            };
            if col > 0 {
                visit(c - 1);
            }
            if col + 1 < w {
                visit(c + 1);
            }
            if c >= w {
                visit(c - w);
            }
            if c + w < n {
                visit(c + w);
            }
        }
        comps.push((k, (base + s) as u32, size));
    }
    comps
}

/// One flood fill scanning the whole grid: the reference [`label_by_key`] must equal.
#[cfg(test)]
fn label_by_key_sequential<K: Copy + Eq>(w: usize, h: usize, key: impl Fn(usize) -> Option<K>) -> (Vec<u32>, Vec<Option<K>>) {
    let mut labels = vec![0u32; w * h];
    let keys = flood_fill_band(&mut labels, w, 0, &key);
    let _ = h;
    (labels, std::iter::once(None).chain(keys.into_iter().map(|k| Some(k.0))).collect())
}

/// 3 × 3 majority (mode) filter: each classified cell takes the most frequent class among its valid
/// neighbourhood; on a tie it keeps its own class. Nodata stays nodata.
pub fn majority(classes: &Grid<u8>) -> Grid<u8> {
    let (w, h) = (classes.width, classes.height);
    let mut out = classes.clone();
    out.data.par_chunks_mut(w).enumerate().for_each(|(r, row)| {
        let d = &classes.data;
        for (c, o) in row.iter_mut().enumerate() {
            let own = d[r * w + c];
            if own == CLASS_NODATA {
                continue;
            }
            let mut count = [0u8; 8];
            let mut add = |k: u8| {
                if k != CLASS_NODATA && k < 8 {
                    count[k as usize] += 1;
                }
            };
            if r > 0 && c > 0 && r + 1 < h && c + 1 < w {
                // Interior: the nine cells by direct index (the same cells, the same counts).
                for rr in [r - 1, r, r + 1] {
                    let b = rr * w + c;
                    add(d[b - 1]);
                    add(d[b]);
                    add(d[b + 1]);
                }
            } else {
                for rr in r.saturating_sub(1)..(r + 2).min(h) {
                    for cc in c.saturating_sub(1)..(c + 2).min(w) {
                        add(d[rr * w + cc]);
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

/// [`majority`] with bounds-checked window loops everywhere (the reference its test compares with).
#[cfg(test)]
fn majority_reference(classes: &Grid<u8>) -> Grid<u8> {
    let (w, h) = (classes.width, classes.height);
    let mut out = classes.clone();
    for r in 0..h {
        for c in 0..w {
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
            out.data[r * w + c] = best;
        }
    }
    out
}

/// Merge every region smaller than `min_cells` into its largest 4-adjacent region (the rule of
/// `gdal_sieve`). The merging runs on the region adjacency graph with a union-find, smallest regions
/// first, so a speck next to another speck joins whatever that one joined; the grid is labelled once
/// and rewritten once. Regions touching only nodata stay. Returns the number of cells changed.
pub fn sieve(classes: &mut Grid<u8>, min_cells: u32) -> usize {
    sieve_in(Vec::new(), classes, min_cells).0
}

/// [`sieve`] labelling into `spare` (see [`label_in`]); returns the cells changed and the labels
/// buffer, for the next labelling.
pub fn sieve_in(spare: Vec<u32>, classes: &mut Grid<u8>, min_cells: u32) -> (usize, Vec<u32>) {
    let (w, h) = (classes.width, classes.height);
    let reg = label_in(spare, classes);
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

    let mut parent = UnionFind::new(n);
    let mut size = reg.size.clone();
    let mut order: Vec<u32> = (1..n as u32).filter(|l| small(*l)).collect();
    order.sort_by_key(|l| (reg.size[*l as usize], *l));
    for l in order {
        let root = parent.find(l);
        if size[root as usize] >= min_cells {
            continue; // grew by absorbing smaller neighbours
        }
        let mut best: Option<u32> = None;
        for k in start[l as usize]..start[l as usize + 1] {
            let m = parent.find(adj[k as usize]);
            if m != root && best.is_none_or(|b| size[m as usize] > size[b as usize]) {
                best = Some(m);
            }
        }
        if let Some(b) = best {
            parent.attach(root, b);
            size[b as usize] += size[root as usize];
        }
    }
    let target: Vec<u8> = (0..n as u32).map(|l| reg.class[parent.find(l) as usize]).collect();
    let changed = classes
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
        .sum();
    (changed, reg.labels)
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
    fn parallel_labels_equal_one_sequential_scan() {
        // Noisy class grids (many small regions, long snakes crossing every band border, nodata),
        // and the zones' two-part keys: the same numbering, keys and sizes as one flood fill.
        let mut rng = crate::risk::synthetic::Lcg(7);
        let mut rnd = || rng.next() as u32;
        for (w, h, classes) in [(1, 1, 2), (7, 1, 2), (1, 9, 3), (37, 29, 2), (64, 200, 3), (301, 157, 6), (500, 400, 2)] {
            let v: Vec<u8> = (0..w * h).map(|i| if (i / w + i % 7) % 13 == 0 { 1 } else { (rnd() % classes) as u8 }).collect();
            let grid = g(w, h, &v);
            let want = label_by_key_sequential(w, h, |i| Some(v[i]).filter(|k| *k != CLASS_NODATA));
            let r = label(&grid);
            assert_eq!(r.labels, want.0, "{w} × {h}");
            let class: Vec<u8> = want.1.iter().map(|k| k.unwrap_or(CLASS_NODATA)).collect();
            assert_eq!(r.class, class);
            let mut size = vec![0u32; class.len()];
            want.0.iter().filter(|l| **l != 0).for_each(|l| size[*l as usize] += 1);
            assert_eq!(r.size, size);
            let key = |i: usize| (v[i] != CLASS_NODATA).then(|| (r.labels[i], ((i / w) / 5 * 3 + (i % w) / 5) as u32));
            assert_eq!(label_by_key(w, h, key), label_by_key_sequential(w, h, key), "{w} × {h} keyed");
            // Into a spare buffer holding old labels (longer than the grid): the same labelling.
            let mut dirty = || (0..w * h + 17).map(|_| rnd() | 1).collect::<Vec<u32>>();
            let r2 = label_in(dirty(), &grid);
            assert_eq!((&r2.labels, &r2.class, &r2.size), (&r.labels, &r.class, &r.size), "{w} × {h} into a spare");
            assert_eq!(label_by_key_in(dirty(), w, h, key), label_by_key_sequential(w, h, key), "{w} × {h} keyed into a spare");
            let (mut a, mut b) = (grid.clone(), grid.clone());
            let (changed, spare) = sieve_in(dirty(), &mut a, 4);
            assert_eq!((changed, &a.data), (sieve(&mut b, 4), &b.data), "{w} × {h} sieved into a spare");
            assert_eq!(spare.len(), w * h);
        }
    }

    #[test]
    fn majority_equals_the_windowed_reference() {
        let mut rng = crate::risk::synthetic::Lcg(3);
        for (w, h) in [(1, 1), (2, 5), (9, 1), (40, 33)] {
            let v: Vec<u8> = (0..w * h).map(|_| (rng.next() % 7) as u8).collect();
            let grid = g(w, h, &v);
            assert_eq!(majority(&grid).data, majority_reference(&grid).data, "{w} × {h}");
        }
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
