//! Pit removal by carving (Soille 2004, "Optimal removal of spurious pits in grid digital elevation
//! models", Water Resources Research 40: W12509): a Priority-Flood from the grid's edge (Barnes,
//! Lehman & Mulla 2014) that, on reaching a cell not higher than the one it came from, lowers the path
//! it came along instead of raising the cell — so the detail added to the evolved terrain keeps its
//! ridges and its channels, and every cell gets a strictly descending path to the edge (no pit, no
//! flat: a plain depression fill afterwards raises nothing).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::fastscape::{DC, DR};
use crate::grid::Grid;

/// The smallest drop carved between consecutive cells (m): several f32 steps at 3,000 m.
pub const DROP: f32 = 2e-3;

#[inline]
fn key(v: f32) -> u32 {
    let b = v.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

/// Carve every pit of `dem` (all cells valid) to drain to the grid's edge. Returns the number of
/// cells lowered.
pub fn carve_pits(dem: &mut Grid<f32>) -> usize {
    let (w, h) = (dem.width, dem.height);
    let n = w * h;
    let z = &mut dem.data;
    const ROOT: u32 = u32::MAX;
    let mut parent = vec![ROOT; n];
    let mut closed = vec![false; n];
    let mut open: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
    for i in 0..n {
        let (c, r) = (i % w, i / w);
        if c == 0 || r == 0 || c + 1 == w || r + 1 == h {
            closed[i] = true;
            open.push(Reverse((key(z[i]), i as u32)));
        }
    }
    let mut lowered = vec![false; n];
    let mut count = 0;
    while let Some(Reverse((_, c))) = open.pop() {
        let c = c as usize;
        let (col, row) = (c % w, c / w);
        for d in 0..8 {
            let (dc, dr) = (DC[d], DR[d]);
            let (nc, nr) = (col as isize + dc, row as isize + dr);
            if nc < 0 || nr < 0 || nc as usize >= w || nr as usize >= h {
                continue;
            }
            let nb = nr as usize * w + nc as usize;
            if closed[nb] {
                continue;
            }
            closed[nb] = true;
            parent[nb] = c as u32;
            // Walk back towards the edge, lowering until each cell is below the one upstream of it.
            let mut need = z[nb] - DROP;
            let mut p = c;
            while z[p] > need {
                z[p] = need;
                if !lowered[p] {
                    lowered[p] = true;
                    count += 1;
                }
                need = z[p] - DROP;
                match parent[p] {
                    ROOT => break,
                    q => p = q as usize,
                }
            }
            open.push(Reverse((key(z[nb]), nb as u32)));
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::super::fastscape::{DC, DR};
    use crate::grid::GeoTransform;
    use crate::risk::fill::fill_depressions;

    #[test]
    fn pit_is_carved_not_filled() {
        // The bowl of Barnes et al. (2014) Fig. 1 style: a pit (1) inside a rim whose lowest point is 5,
        // next to the eastern edge. Carving keeps the pit's floor and cuts the rim instead.
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        #[rustfmt::skip]
        let v = vec![
            9., 9., 9., 9., 9.,
            9., 6., 7., 6., 9.,
            9., 2., 1., 5., 5.,
            9., 6., 7., 6., 9.,
            9., 9., 9., 9., 9.,
        ];
        let mut g = Grid { width: 5, height: 5, transform: t, nodata: None, data: v.clone() };
        let n = carve_pits(&mut g);
        assert_eq!(g.get(2, 2), 1.0, "the pit floor stays");
        assert!(g.get(3, 2) < 1.0 && g.get(4, 2) < g.get(3, 2), "the rim is cut: {:?}", g.data);
        assert!(n >= 2);
        // Nothing is left for a depression fill to raise.
        assert_eq!(fill_depressions(&g).unwrap().data, g.data);
        // Only lowered, never raised.
        assert!(g.data.iter().zip(&v).all(|(a, b)| a <= b));
    }

    #[test]
    fn noisy_surface_drains_after_carving() {
        let t = GeoTransform { x0: 0.0, y0: 0.0, dx: 30.0, dy: 30.0 };
        let mut rng = crate::dataset::demo::rng::Rng::new(3);
        let (w, h) = (60, 45);
        let data: Vec<f32> = (0..w * h).map(|i| 100.0 + (i % w) as f32 * 0.5 + 20.0 * rng.f64() as f32).collect();
        let mut g = Grid { width: w, height: h, transform: t, nodata: None, data };
        carve_pits(&mut g);
        assert_eq!(fill_depressions(&g).unwrap().data, g.data);
        for r in 1..h - 1 {
            for c in 1..w - 1 {
                let z = g.get(c, r);
                let lower = (0..8).any(|d| {
                    let (nc, nr) = ((c as isize + DC[d]) as usize, (r as isize + DR[d]) as usize);
                    g.get(nc, nr) < z
                });
                assert!(lower, "cell {c},{r} has no lower neighbour");
            }
        }
    }
}
