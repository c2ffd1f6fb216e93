//! Landscape evolution: uplift balanced by stream-power fluvial erosion and hillslope diffusion,
//! `∂z/∂t = U − K A^m S + K_d ∇²z`, solved with the implicit O(n) scheme of Braun & Willett 2013
//! ("A very efficient O(n), implicit and parallel method to solve the stream power equation governing
//! fluvial incision and landscape evolution", Geomorphology 180–181: 170–179 — the FastScape method).
//!
//! Each time step: D8 steepest-descent receivers (their §2), the stack order from the base levels
//! upwards (§3: every cell after its receiver), drainage area by one pass down the reversed stack, the
//! stream-power law with n = 1 solved implicitly along the stack (§4, eq. 21: each cell's new height
//! from its receiver's new height, unconditionally stable), then diffusion, implicit too (ADI: one
//! tridiagonal solve per row, then per column, rows in parallel). Fixed cells (the open border, the
//! outlets, imposed channels) are base levels and keep their height. Closed basins (of the initial
//! surface, or left by a diffusion step) are filled Priority-Flood+ε (Barnes, Lehman & Mulla 2014,
//! Algorithm 3) from the fixed cells before the receivers are taken — a lake filled with sediment,
//! which the rivers then cut through — so water always reaches a base level. Cells may carry a basin
//! label: receivers, the fill and the grown start then keep water within its basin (imposed
//! drainage divides), crossing one only where a basin has no base level of its own.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::channels::Frame;
use crate::error::{Error, Result};

/// D8 column offsets (E, NE, N, NW, W, SW, S, SE) and row offsets (rows run southwards).
pub const DC: [isize; 8] = [1, 1, 0, -1, -1, -1, 0, 1];
pub const DR: [isize; 8] = [0, -1, -1, -1, 0, 1, 1, 1];
/// No receiver given: a fixed cell that is a base level.
pub const NONE: u32 = u32::MAX;

/// Model constants (SI units, years).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Erodibility K of the stream-power law (m^(1−2m) / yr).
    pub k: f64,
    /// Drainage-area exponent m (the slope exponent n is 1).
    pub m: f64,
    /// Hillslope diffusivity K_d (m² / yr).
    pub kd: f64,
    /// Time step (yr).
    pub dt: f64,
}

/// The state of an evolving landscape on a square-celled grid.
pub struct Landscape {
    /// The square-celled grid the per-cell vectors are laid on (row-major).
    pub frame: Frame,
    /// Elevation (m).
    pub z: Vec<f64>,
    /// Rock uplift rate (m / yr).
    pub uplift: Vec<f64>,
    /// Fixed cells keep their elevation: base levels and imposed channels.
    pub fixed: Vec<bool>,
    /// Where a fixed cell sends its water ([`NONE`]: it is an outlet).
    pub fixed_receiver: Vec<u32>,
    /// D8 receiver of every cell after the last step (the cell itself for a base level).
    pub receiver: Vec<u32>,
    /// Cells in stack order after the last step: every cell comes after its receiver.
    pub stack: Vec<u32>,
    /// Drainage area (m²) after the last step.
    pub area: Vec<f64>,
    /// Basin label of every cell (0: any). Water does not pass between two different labels while a
    /// path within the cell's own basin exists: imposed drainage divides.
    pub basin: Vec<u16>,
}

/// May water pass between cells of basins `a` and `b`?
#[inline]
fn same_basin(a: u16, b: u16) -> bool {
    a == 0 || b == 0 || a == b
}

/// A key that orders f64 heights as unsigned integers (for the priority queues).
#[inline]
fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

#[inline]
fn nb(i: usize, d: usize, w: usize, h: usize) -> Option<usize> {
    let c = (i % w) as isize + DC[d];
    let r = (i / w) as isize + DR[d];
    (c >= 0 && r >= 0 && (c as usize) < w && (r as usize) < h).then(|| r as usize * w + c as usize)
}

impl Landscape {
    /// A landscape of `z` on `frame` with no uplift and no fixed cell yet.
    pub fn new(frame: Frame, z: Vec<f64>) -> Self {
        let n = frame.width * frame.height;
        assert_eq!(z.len(), n, "elevations do not match the grid");
        Self {
            frame,
            z,
            uplift: vec![0.0; n],
            fixed: vec![false; n],
            fixed_receiver: vec![NONE; n],
            receiver: (0..n as u32).collect(),
            stack: Vec::new(),
            area: vec![0.0; n],
            basin: vec![0; n],
        }
    }

    /// Fix every cell of the grid's border (an open boundary at its present height).
    pub fn fix_border(&mut self) {
        let (w, h) = (self.frame.width, self.frame.height);
        for i in 0..w * h {
            let (c, r) = (i % w, i / w);
            if c == 0 || r == 0 || c + 1 == w || r + 1 == h {
                self.fixed[i] = true;
            }
        }
    }

    fn check(&self) -> Result<()> {
        if !self.fixed.iter().any(|f| *f) {
            return Err(Error::param("terrain", "the landscape has no base level (no fixed cell)"));
        }
        Ok(())
    }

    /// Steepest-descent receivers; fixed cells take their given receiver. Returns the free cells
    /// left without a lower neighbour in their own basin (they go across the divide, if anywhere).
    fn receivers(&mut self) -> usize {
        let (w, h, cell) = (self.frame.width, self.frame.height, self.frame.cell);
        let diag = cell * std::f64::consts::SQRT_2;
        let (z, fixed, frec, basin) = (&self.z, &self.fixed, &self.fixed_receiver, &self.basin);
        self.receiver
            .par_iter_mut()
            .enumerate()
            .map(|(i, out)| {
                if fixed[i] {
                    *out = if frec[i] == NONE { i as u32 } else { frec[i] };
                    return 0;
                }
                // Steepest descent within the cell's basin; across a divide only if nothing is
                // lower on its own side (a cell the fill could only reach from the other side).
                let (mut best, mut other) = ((0.0, i), (0.0, i));
                for d in 0..8 {
                    if let Some(n) = nb(i, d, w, h) {
                        let s = (z[i] - z[n]) / if d & 1 == 1 { diag } else { cell };
                        let b = if same_basin(basin[i], basin[n]) { &mut best } else { &mut other };
                        if s > b.0 {
                            *b = (s, n);
                        }
                    }
                }
                *out = if best.1 != i { best.1 } else { other.1 } as u32;
                usize::from(best.1 == i)
            })
            .sum()
    }

    /// An initial surface grown outwards from the `sources` (fixed cells such as the imposed
    /// channels) by a Priority-Flood whose every step climbs `gradient` × (0.5 + `jitter(cell)`) per
    /// metre (jitter in [0, 1)): every free cell starts higher than the neighbour it was reached
    /// from, so it drains towards its nearest source along a branching path and no closed basin is
    /// left for the ε-fill (a flat start would drain along the fill's order: straight channels).
    /// Other fixed cells are not entered; free cells not reached keep their height.
    pub fn grow_from(&mut self, sources: &[bool], gradient: f64, factor: impl Fn(usize) -> f64) {
        let cell = self.frame.cell;
        let seeds = sources.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i);
        self.flood_from(seeds, |zc, _, d, n| {
            let len = if d & 1 == 1 { cell * std::f64::consts::SQRT_2 } else { cell };
            zc + len * gradient * factor(n)
        });
    }

    /// Priority-Flood+ε from the fixed cells: every free cell ends up higher than a neighbour on a
    /// path to a fixed cell.
    fn fill_pits(&mut self) {
        let eps = 1e-4 * self.frame.cell;
        let seeds: Vec<usize> = (0..self.fixed.len()).filter(|&i| self.fixed[i]).collect();
        self.flood_from(seeds.into_iter(), |zc, zn, _, _| zn.max(zc + eps));
    }

    /// The one Priority-Flood of the landscape: from `seeds`, lowest first (ties by index), each
    /// cell not yet reached (nor fixed) gets `rise(z of the cell it was reached from, its own z,
    /// direction, index)` and joins the queue. The flood does not cross basin divides; cells only
    /// reachable across one (a basin without a base level of its own) are flooded after, from the
    /// cells next to them.
    fn flood_from(&mut self, seeds: impl Iterator<Item = usize>, rise: impl Fn(f64, f64, usize, usize) -> f64) {
        let (w, h) = (self.frame.width, self.frame.height);
        let mut closed = self.fixed.clone();
        let mut reached = vec![false; closed.len()];
        let mut open: BinaryHeap<Reverse<(u64, u32)>> = seeds
            .map(|i| {
                reached[i] = true;
                Reverse((order_key(self.z[i]), i as u32))
            })
            .collect();
        for constrained in [true, false] {
            if !constrained {
                // Seeds for the rest: reached cells next to a cell not reached.
                let rest: Vec<usize> = (0..w * h)
                    .filter(|&i| reached[i] && (0..8).filter_map(|d| nb(i, d, w, h)).any(|n| !closed[n]))
                    .collect();
                open.extend(rest.into_iter().map(|i| Reverse((order_key(self.z[i]), i as u32))));
            }
            while let Some(Reverse((_, c))) = open.pop() {
                let c = c as usize;
                for d in 0..8 {
                    let Some(n) = nb(c, d, w, h) else { continue };
                    if closed[n] || (constrained && !same_basin(self.basin[c], self.basin[n])) {
                        continue;
                    }
                    closed[n] = true;
                    reached[n] = true;
                    self.z[n] = rise(self.z[c], self.z[n], d, n);
                    open.push(Reverse((order_key(self.z[n]), n as u32)));
                }
            }
            if !self.basin.iter().any(|b| *b != 0) {
                break;
            }
        }
    }

    /// Stack order (Braun & Willett §3): from each base level, its donors depth-first.
    fn build_stack(&mut self) {
        let n = self.frame.width * self.frame.height;
        let mut ndon = vec![0u32; n + 1];
        for (i, r) in self.receiver.iter().enumerate() {
            if *r as usize != i {
                ndon[*r as usize + 1] += 1;
            }
        }
        for i in 0..n {
            ndon[i + 1] += ndon[i];
        }
        let start = ndon.clone();
        let mut fillp = ndon;
        let mut donors = vec![0u32; n];
        for (i, r) in self.receiver.iter().enumerate() {
            let r = *r as usize;
            if r != i {
                donors[fillp[r] as usize] = i as u32;
                fillp[r] += 1;
            }
        }
        self.stack.clear();
        let mut todo: Vec<u32> = Vec::new();
        for b in 0..n {
            if self.receiver[b] as usize != b {
                continue;
            }
            todo.push(b as u32);
            while let Some(c) = todo.pop() {
                self.stack.push(c);
                let c = c as usize;
                todo.extend_from_slice(&donors[start[c] as usize..start[c + 1] as usize]);
            }
        }
        debug_assert_eq!(self.stack.len(), n, "receivers form a cycle");
    }

    fn accumulate(&mut self) {
        let a = self.frame.cell * self.frame.cell;
        self.area.iter_mut().for_each(|v| *v = a);
        for &i in self.stack.iter().rev() {
            let r = self.receiver[i as usize] as usize;
            if r != i as usize {
                self.area[r] += self.area[i as usize];
            }
        }
    }

    /// Receivers (pits filled), stack and drainage area for the present surface.
    pub fn route(&mut self) -> Result<()> {
        self.route_with(true)
    }

    /// As [`Self::route`]; without `fill`, a pit is its own base level.
    fn route_with(&mut self, fill: bool) -> Result<()> {
        self.check()?;
        if self.receivers() > 0 && fill {
            self.fill_pits();
            self.receivers();
        }
        self.build_stack();
        if self.stack.len() != self.z.len() {
            return Err(Error::Invariant("terrain: the imposed channel receivers form a cycle".into()));
        }
        self.accumulate();
        Ok(())
    }

    /// One time step: uplift, implicit stream power along the stack, implicit diffusion.
    pub fn step(&mut self, p: &Params) -> Result<()> {
        self.route_with(true)?;
        let (w, h, cell) = (self.frame.width, self.frame.height, self.frame.cell);
        let diag = cell * std::f64::consts::SQRT_2;
        for &i in &self.stack {
            let i = i as usize;
            if self.fixed[i] {
                continue;
            }
            let r = self.receiver[i] as usize;
            let up = self.z[i] + self.uplift[i] * p.dt;
            if r == i {
                self.z[i] = up;
                continue;
            }
            let d = if (i % w) != (r % w) && (i / w) != (r / w) { diag } else { cell };
            let f = p.k * p.dt * self.area[i].powf(p.m) / d;
            self.z[i] = (up + f * self.z[r]) / (1.0 + f);
        }
        if p.kd > 0.0 {
            let a = p.kd * p.dt / (2.0 * cell * cell);
            adi_half(&mut self.z, &self.fixed, w, h, a);
            let mut zt = transpose(&self.z, w, h);
            let ft = transpose(&self.fixed, w, h);
            adi_half(&mut zt, &ft, h, w, a);
            self.z = transpose(&zt, h, w);
        }
        Ok(())
    }

    /// For every cell, the elevation of the base level its water reaches (after [`Self::route`]).
    pub fn base_level(&self) -> Vec<f64> {
        let mut b = vec![0.0; self.z.len()];
        for &i in &self.stack {
            let i = i as usize;
            let r = self.receiver[i] as usize;
            b[i] = if r == i { self.z[i] } else { b[r] };
        }
        b
    }

    /// Number of free cells without a strictly lower neighbour (0 after [`Self::route`] fills them).
    pub fn pits(&self) -> usize {
        let (w, h) = (self.frame.width, self.frame.height);
        (0..w * h)
            .into_par_iter()
            .filter(|&i| !self.fixed[i] && (0..8).filter_map(|d| nb(i, d, w, h)).all(|n| self.z[n] >= self.z[i]))
            .count()
    }
}

fn transpose<T: Copy + Send + Sync + Default>(v: &[T], w: usize, h: usize) -> Vec<T> {
    let mut out = vec![T::default(); w * h];
    out.par_chunks_mut(h).enumerate().for_each(|(c, col)| {
        for (r, o) in col.iter_mut().enumerate() {
            *o = v[r * w + c];
        }
    });
    out
}

/// One ADI half step: implicit along rows (width `w`), explicit across them; fixed cells are
/// Dirichlet, the grid edge has no flux.
fn adi_half(z: &mut [f64], fixed: &[bool], w: usize, h: usize, a: f64) {
    let old = z.to_vec();
    z.par_chunks_mut(w).enumerate().for_each_init(
        || (vec![0.0; w], vec![0.0; w], vec![0.0; w], vec![0.0; w]),
        |(lo, di, up, rhs), (r, row)| {
            for c in 0..w {
                let i = r * w + c;
                if fixed[i] {
                    (lo[c], di[c], up[c], rhs[c]) = (0.0, 1.0, 0.0, old[i]);
                    continue;
                }
                // Explicit part across rows.
                let mut e = old[i];
                if r > 0 {
                    e += a * (old[i - w] - old[i]);
                }
                if r + 1 < h {
                    e += a * (old[i + w] - old[i]);
                }
                let (l, u) = (if c > 0 { a } else { 0.0 }, if c + 1 < w { a } else { 0.0 });
                (lo[c], di[c], up[c], rhs[c]) = (-l, 1.0 + l + u, -u, e);
            }
            // Thomas algorithm (the matrix is diagonally dominant).
            for c in 1..w {
                let m = lo[c] / di[c - 1];
                di[c] -= m * up[c - 1];
                rhs[c] -= m * rhs[c - 1];
            }
            row[w - 1] = rhs[w - 1] / di[w - 1];
            for c in (0..w - 1).rev() {
                row[c] = (rhs[c] - up[c] * row[c + 1]) / di[c];
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::demo::rng::Rng;

    /// A `width` × `height` frame of `cell`-metre cells (its placement plays no part here).
    fn at_origin(width: usize, height: usize, cell: f64) -> Frame {
        Frame { x0: 0.0, y0: 0.0, cell, width, height }
    }

    /// A closed 48 × 40 box with one outlet in the middle of its southern edge, uplifted uniformly
    /// from white noise.
    fn run(seed: u64, kd: f64) -> Landscape {
        let (w, h) = (48, 40);
        let mut rng = Rng::new(seed);
        let z: Vec<f64> = (0..w * h).map(|_| 10.0 + rng.f64()).collect();
        let mut l = Landscape::new(at_origin(w, h, 100.0), z);
        let outlet = (h - 1) * w + w / 2;
        l.fixed[outlet] = true;
        l.z[outlet] = 0.0;
        l.uplift.iter_mut().for_each(|u| *u = 1e-3);
        let p = Params { k: 2e-5, m: 0.45, kd, dt: 1e4 };
        for _ in 0..400 {
            l.step(&p).unwrap();
        }
        l.route().unwrap();
        l
    }

    #[test]
    fn box_drains_to_its_outlet_without_pits_and_reaches_steady_state() {
        // Without diffusion, which feeds the channels from their sides and so steepens them.
        let l = run(5, 0.0);
        let outlet = (l.frame.height - 1) * l.frame.width + l.frame.width / 2;
        // Every cell's water reaches the one outlet (the border is closed): the outlet gathers the box.
        let total = (l.frame.width * l.frame.height) as f64 * l.frame.cell * l.frame.cell;
        assert!((l.area[outlet] - total).abs() < 1e-6, "{} of {total}", l.area[outlet]);
        assert_eq!(l.pits(), 0);
        // Steady state of n = 1 stream power: S = (U/K) A^−m along every channel (Braun & Willett
        // eq. 4 with dz/dt = 0) on the channels (A ≥ 50 cells).
        let mut checked = 0;
        for i in 0..l.z.len() {
            let r = l.receiver[i] as usize;
            if r == i || l.area[i] < 50.0 * 1e4 {
                continue;
            }
            let d = if (i % l.frame.width) != (r % l.frame.width) && (i / l.frame.width) != (r / l.frame.width) { 100.0 * 2f64.sqrt() } else { 100.0 };
            let s = (l.z[i] - l.z[r]) / d;
            let expect = 1e-3 / 2e-5 * l.area[i].powf(-0.45);
            assert!((s / expect - 1.0).abs() < 0.05, "slope {s} vs {expect} at A = {}", l.area[i]);
            checked += 1;
        }
        assert!(checked > 20, "{checked}");
    }

    #[test]
    fn same_seed_same_landscape() {
        let (a, b, c) = (run(1, 0.01), run(1, 0.01), run(2, 0.01));
        assert_eq!(a.z, b.z);
        assert_ne!(a.z, c.z);
    }

    #[test]
    fn imposed_channel_carries_the_water() {
        // A fixed channel down column 10 into an outlet at the southern edge: every cell west of it and
        // east of it drains into the channel, and the channel passes everything to the outlet.
        let (w, h) = (21, 16);
        let mut rng = Rng::new(9);
        let z: Vec<f64> = (0..w * h).map(|_| 50.0 + rng.f64()).collect();
        let mut l = Landscape::new(at_origin(w, h, 50.0), z);
        for r in 0..h {
            let i = r * w + 10;
            l.fixed[i] = true;
            l.z[i] = (h - 1 - r) as f64;
            l.fixed_receiver[i] = if r + 1 < h { (i + w) as u32 } else { NONE };
        }
        l.uplift.iter_mut().for_each(|u| *u = 5e-4);
        let p = Params { k: 1e-5, m: 0.5, kd: 0.0, dt: 2e4 };
        for _ in 0..40 {
            l.step(&p).unwrap();
        }
        l.route().unwrap();
        let outlet = (h - 1) * w + 10;
        assert!((l.area[outlet] - (w * h) as f64 * 2500.0).abs() < 1e-6);
        assert_eq!(l.pits(), 0);
    }

    #[test]
    fn grown_start_drains_to_the_channels_without_fill_and_keeps_draining() {
        // A 40 × 30 grid whose border is a high divide, with two imposed channels: one down column 12
        // to an outlet on the southern edge, a tributary along row 8 joining it from the east. The
        // grown start has no pit (nothing for the ε-fill to flatten) and every cell's water reaches
        // the one outlet; after erosion with uniform uplift it still does, still without pits.
        let (w, h) = (40, 30);
        let mut l = walled_box(w, h);
        let mut sources = vec![false; w * h];
        for r in 0..h {
            let i = r * w + 12;
            (l.fixed[i], l.z[i], sources[i]) = (true, (h - 1 - r) as f64, true);
            l.fixed_receiver[i] = if r + 1 < h { (i + w) as u32 } else { NONE };
        }
        for c in 13..w - 1 {
            let i = 8 * w + c;
            (l.fixed[i], l.z[i], sources[i]) = (true, 21.0 + (c - 12) as f64 * 0.1, true);
            l.fixed_receiver[i] = (i - 1) as u32;
        }
        let mut rng = Rng::new(4);
        let jitter: Vec<f64> = (0..w * h).map(|_| 1.0 + 0.3 * (rng.f64() - 0.5)).collect();
        l.grow_from(&sources, 0.05, |i| jitter[i]);
        assert_eq!(l.pits(), 0, "the grown start has pits");
        let outlet = (h - 1) * w + 12;
        // Every cell but the divide's own (border cells not on a channel, each its own base level).
        let divide = (0..w * h).filter(|&i| l.fixed[i] && l.fixed_receiver[i] == NONE && i != outlet).count();
        let total = (w * h - divide) as f64 * 1e4;
        l.route_with(false).unwrap();
        assert!((l.area[outlet] - total).abs() < 1e-6, "{} of {total} reach the outlet", l.area[outlet]);
        l.uplift.iter_mut().for_each(|u| *u = 1e-3);
        let p = Params { k: 2e-5, m: 0.5, kd: 0.0, dt: 1e4 };
        for _ in 0..100 {
            l.step(&p).unwrap();
        }
        l.route().unwrap();
        assert!((l.area[outlet] - total).abs() < 1e-6, "{} of {total} reach the outlet after erosion", l.area[outlet]);
        assert_eq!(l.pits(), 0);
        // Every free cell drains to a channel cell, not across the divide.
        for i in 0..w * h {
            if !l.fixed[i] {
                let r = l.receiver[i] as usize;
                assert!(l.z[r] < l.z[i], "cell {i} does not drain downhill");
            }
        }
    }

    /// A `w` × `h` landscape of 100 m cells whose border is fixed as a high (10 km) divide.
    fn walled_box(w: usize, h: usize) -> Landscape {
        let mut l = Landscape::new(at_origin(w, h, 100.0), vec![0.0; w * h]);
        l.fix_border();
        for i in 0..w * h {
            if l.fixed[i] {
                l.z[i] = 1e4;
            }
        }
        l
    }

    /// Where each free cell's water ends (the base level its receivers lead to).
    fn outlet_of(l: &Landscape, mut i: usize) -> usize {
        while l.receiver[i] as usize != i {
            i = l.receiver[i] as usize;
        }
        i
    }

    /// A 40 × 30 box whose border is a high divide, with two outlets on its southern edge (columns
    /// 10 and 30), grown and eroded under uniform uplift; with `divide`, columns 0–24 are basin 1
    /// and 25–39 basin 2, a divide east of the midway line.
    fn two_outlets(divide: bool) -> Landscape {
        let (w, h) = (40, 30);
        let mut l = walled_box(w, h);
        if divide {
            for i in 0..w * h {
                l.basin[i] = if i % w < 25 { 1 } else { 2 };
            }
        }
        let mut sources = vec![false; w * h];
        for c in [10, 30] {
            let i = (h - 1) * w + c;
            (l.z[i], sources[i]) = (0.0, true);
        }
        l.grow_from(&sources, 0.05, |i| 0.5 + cell_uniform(7, i));
        l.uplift.iter_mut().for_each(|u| *u = 1e-3);
        let p = Params { k: 2e-5, m: 0.5, kd: 0.01, dt: 1e4 };
        for _ in 0..100 {
            l.step(&p).unwrap();
        }
        l.route().unwrap();
        l
    }

    fn cell_uniform(seed: u64, i: usize) -> f64 {
        Rng::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).f64()
    }

    #[test]
    fn water_stays_in_its_basin() {
        let (w, h) = (40, 30);
        let (west, east) = ((h - 1) * w + 10, (h - 1) * w + 30);
        // Without the divide, part of columns 20–24 drains to the nearer eastern outlet: the
        // basin labels are what keeps it west.
        let interior = || (0..w * h).filter(|i| (i % w) > 0 && (i % w) + 1 < w && i / w > 0 && i / w + 1 < h);
        let open = two_outlets(false);
        let crossing = interior().filter(|i| (20..25).contains(&(i % w)) && outlet_of(&open, *i) == east).count();
        assert!(crossing > 0, "the test needs cells the divide moves");
        let l = two_outlets(true);
        for i in interior() {
            let want = if i % w < 25 { west } else { east };
            assert_eq!(outlet_of(&l, i), want, "cell {i} (column {}) leaves its basin", i % w);
        }
        assert_eq!(l.pits(), 0);
    }

    #[test]
    fn no_base_level_is_an_error() {
        let mut l = Landscape::new(at_origin(3, 3, 10.0), vec![0.0; 9]);
        assert!(l.step(&Params { k: 1e-5, m: 0.5, kd: 0.0, dt: 1.0 }).is_err());
    }
}
