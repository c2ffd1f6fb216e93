//! The synthetic terrain of the hydrology benchmarks (issue 15's table, `benches/risk.rs`,
//! `scripts/bench_reference.py`, and the determinism test of every sped-up step): ridges and valleys
//! from a sum of sines plus hash noise, rounded to 0.5 m so that it holds many small pits and exact
//! flats — the cases Priority-Flood, flat resolution and accumulation spend their time on. One
//! definition, so the Rust benches, the golden hashes and the Python side-by-side see the same cells
//! (the script reproduces this formula in f32 with numpy). The unit tests' random grids draw from
//! one generator here too, `Lcg`.

use crate::grid::{GeoTransform, Grid};

/// An `n` × `n` DEM of 30 m cells at (400 000, 2 400 000) (UTM 48N metres), nodata −32768 (none
/// present): z = 800 + 300 sin(x) cos(y) + 120 sin(2.7x + 1.3y) + h/200, x = col/64, y = row/64,
/// h the cell's hash modulo 1000, rounded to the nearest 0.5 m; all in f32.
pub fn bench_dem(n: usize) -> Grid<f32> {
    let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
    let mut g = Grid::new(n, n, t, 0.0f32, Some(-32768.0));
    for r in 0..n {
        for c in 0..n {
            let (x, y) = (c as f32 / 64.0, r as f32 / 64.0);
            let h = ((c as u32).wrapping_mul(73_856_093) ^ (r as u32).wrapping_mul(19_349_663)) % 1000;
            let z = 800.0 + 300.0 * (x.sin() * y.cos()) + 120.0 * (2.7 * x + 1.3 * y).sin() + h as f32 / 200.0;
            g.set(c, r, (z * 2.0).round() / 2.0);
        }
    }
    g
}

/// [`bench_dem`] with holes of nodata (a disc of radius n/10 at (n/3, n/2) and every 997th cell),
/// so the edge-of-nodata paths of the fill and of D8 are exercised too.
pub fn bench_dem_with_holes(n: usize) -> Grid<f32> {
    let mut g = bench_dem(n);
    let (cx, cy, rad) = (n as f64 / 3.0, n as f64 / 2.0, n as f64 / 10.0);
    for r in 0..n {
        for c in 0..n {
            let (dx, dy) = (c as f64 - cx, r as f64 - cy);
            if dx * dx + dy * dy < rad * rad || (r * n + c) % 997 == 0 {
                g.set(c, r, -32768.0);
            }
        }
    }
    g
}

/// The risk unit tests' pseudo-random generator: Knuth's MMIX linear congruential generator
/// (multiplier 6364136223846793005, increment 1442695040888963407, modulo 2⁶⁴), each draw the state's
/// high 31 bits. One definition, so every test's noisy grid is a fixed, reproducible case.
#[cfg(test)]
pub struct Lcg(pub u64);

#[cfg(test)]
impl Lcg {
    /// Advance the state and return its bits 33–63.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_formula() {
        // (0, 0): 800 + 0 + 0 + 0/200 = 800. (64, 0): x = 1, y = 0, h = 64·73856093 mod 2³² mod 1000.
        let g = bench_dem(65);
        assert_eq!(g.get(0, 0), 800.0);
        let h = (64u32.wrapping_mul(73_856_093)) % 1000;
        let z = 800.0 + 300.0 * 1f32.sin() + 120.0 * 2.7f32.sin() + h as f32 / 200.0;
        assert_eq!(g.get(64, 0), (z * 2.0).round() / 2.0);
        let holes = bench_dem_with_holes(65);
        assert_eq!(holes.get(21, 32), -32768.0);
        assert_eq!(holes.get(0, 0), -32768.0);
        assert_eq!(holes.get(64, 64), g.get(64, 64));
    }

    #[test]
    fn lcg_draws_follow_the_mmix_recurrence() {
        // From state 0: s₁ = 1442695040888963407, s₂ = s₁·6364136223846793005 + 1442695040888963407
        // (mod 2⁶⁴) = 1876011003808476466; their high 31 bits (computed in Python's big integers).
        let mut rng = Lcg(0);
        assert_eq!(rng.next(), 167_951_807);
        assert_eq!(rng.next(), 218_396_424);
        assert_eq!(rng.0, 1_876_011_003_808_476_466);
    }
}
