//! The DEM as a transmitter's radials read it: the bilinear elevation at a fractional pixel, with the
//! grid's border clamping and `None` off the grid or next to nodata ([`RadialTerrain::at_step`]), and
//! the heights of a run of samples along one radial read together ([`RadialTerrain::run`]) — in a
//! loop of independent reads the core runs ahead on, without bounds or clamps where the run lies in
//! the DEM's interior. The walk ([`super::profile`]) and ITM's profile ([`super::itm_walk`]) read the
//! terrain only through here, so every reader takes the same value at a sample, bit for bit.

use crate::grid::Grid;

/// A DEM seen from one transmitter: positions are the site's pixel plus `s` pixel steps.
pub struct RadialTerrain<'a> {
    dem: &'a [f32],
    w: usize,
    h: usize,
    nodata: f32,
    px0: f64,
    py0: f64,
    inv_dx: f64,
    inv_dy: f64,
}

impl<'a> RadialTerrain<'a> {
    /// The DEM `dem` read from the point (x, y) in its CRS.
    pub fn new(dem: &'a Grid<f32>, x: f64, y: f64) -> Self {
        let (px0, py0) = dem.world_to_pixel(x, y);
        Self {
            dem: &dem.data,
            w: dem.width,
            h: dem.height,
            nodata: dem.nodata.unwrap_or(f32::NAN),
            px0,
            py0,
            inv_dx: 1.0 / dem.transform.dx,
            inv_dy: 1.0 / dem.transform.dy,
        }
    }

    /// One step of `step_m` metres along azimuth `az` (radians clockwise from north) in pixels
    /// (x, y). Computed once per radial, so a read costs no sine or cosine per sample.
    #[inline]
    pub fn pixel_step(&self, step_m: f64, az: f64) -> (f64, f64) {
        (step_m * az.sin() * self.inv_dx, -step_m * az.cos() * self.inv_dy)
    }

    /// The pixel position of sample `s` of the radial whose step is (ux, uy).
    #[inline(always)]
    fn at(&self, ux: f64, uy: f64, s: usize) -> (f64, f64) {
        (self.px0 + s as f64 * ux, self.py0 + s as f64 * uy)
    }

    /// The elevation at sample `s` of the radial whose step is (ux, uy).
    #[inline(always)]
    pub fn at_step(&self, ux: f64, uy: f64, s: usize) -> Option<f32> {
        let (px, py) = self.at(ux, uy, s);
        self.elevation(px, py)
    }

    /// The elevations of samples `from..from + len` of the radial whose step is (ux, uy), each
    /// [`Self::at_step`]'s value, handed to `put(k, elevation of sample from + k)` in order. The
    /// sample positions move monotonically along the radial (rounding is monotone), so when both
    /// ends of the run are in the interior every sample between is, and the run is read without
    /// bounds or clamps.
    #[inline(always)]
    pub fn run(&self, ux: f64, uy: f64, from: usize, len: usize, mut put: impl FnMut(usize, Option<f32>)) {
        let Some(last) = len.checked_sub(1) else { return };
        let ((xa, ya), (xb, yb)) = (self.at(ux, uy, from), self.at(ux, uy, from + last));
        if self.interior(xa, ya) && self.interior(xb, yb) {
            for k in 0..len {
                let (px, py) = self.at(ux, uy, from + k);
                put(k, self.elevation_interior(px, py));
            }
        } else {
            for k in 0..len {
                put(k, self.at_step(ux, uy, from + k));
            }
        }
    }

    /// Bilinear elevation at fractional pixel (px, py) with the grid's border clamping; `None` off
    /// the grid or next to nodata.
    #[inline]
    fn elevation(&self, px: f64, py: f64) -> Option<f32> {
        if !(px >= 0.0 && py >= 0.0 && px <= self.w as f64 && py <= self.h as f64) {
            return None;
        }
        let (c0f, r0f, tx, ty) = Self::corner(px, py);
        let wm = self.w as isize - 1;
        let hm = self.h as isize - 1;
        let c0 = (c0f as isize).clamp(0, wm) as usize;
        let c1 = (c0f as isize + 1).clamp(0, wm) as usize;
        let r0 = (r0f as isize).clamp(0, hm) as usize;
        let r1 = (r0f as isize + 1).clamp(0, hm) as usize;
        let a = self.dem[r0 * self.w + c0];
        let b = self.dem[r0 * self.w + c1];
        let c = self.dem[r1 * self.w + c0];
        let d = self.dem[r1 * self.w + c1];
        self.bilinear([a, b, c, d], tx, ty)
    }

    /// [`Self::elevation`] where the point is known to lie in the interior, `0.5 ≤ px ≤ w − 1` and
    /// `0.5 ≤ py ≤ h − 1` ([`Self::interior`]): there no neighbour is clamped, so the same four
    /// cells are read without the bounds and clamps — the same value, bit for bit.
    #[inline(always)]
    fn elevation_interior(&self, px: f64, py: f64) -> Option<f32> {
        let (c0f, r0f, tx, ty) = Self::corner(px, py);
        let i = r0f as usize * self.w + c0f as usize;
        let (top, bot) = (&self.dem[i..i + 2], &self.dem[i + self.w..i + self.w + 2]);
        self.bilinear([top[0], top[1], bot[0], bot[1]], tx, ty)
    }

    /// The column and row of the cell centre up and left of the fractional pixel (px, py ≥ 0),
    /// and the point's fractions towards the next ones: the bilinear read's corner.
    #[inline(always)]
    fn corner(px: f64, py: f64) -> (f64, f64, f32, f32) {
        let fx = px - 0.5;
        let fy = py - 0.5;
        // Truncation of a positive number is its floor (fx, fy ≥ −0.5 here), without a libm call.
        let c0f = ((fx + 1.0) as isize - 1) as f64;
        let r0f = ((fy + 1.0) as isize - 1) as f64;
        (c0f, r0f, (fx - c0f) as f32, (fy - r0f) as f32)
    }

    /// Whether the point (px, py) lies where [`Self::elevation_interior`] applies.
    #[inline(always)]
    fn interior(&self, px: f64, py: f64) -> bool {
        px >= 0.5 && py >= 0.5 && px <= self.w as f64 - 1.0 && py <= self.h as f64 - 1.0
    }

    /// The bilinear interpolation of the four cells around a point (top left, top right, bottom
    /// left, bottom right) at fractions (tx, ty); `None` if one is nodata.
    #[inline(always)]
    fn bilinear(&self, [a, b, c, d]: [f32; 4], tx: f32, ty: f32) -> Option<f32> {
        let nd = self.nodata;
        if a == nd || b == nd || c == nd || d == nd || a.is_nan() || b.is_nan() || c.is_nan() || d.is_nan() {
            return None;
        }
        let top = a + (b - a) * tx;
        let bot = c + (d - c) * tx;
        Some(top + (bot - top) * ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interior_read_is_the_clamped_read() {
        // `elevation_interior` must give `elevation`'s bits wherever `interior` holds: at the
        // interior's edges, just inside them, on cell centres and borders, and near integers where
        // fx + 1 rounds up; points just outside it must be refused. And a run read together must
        // give each sample's own read, inside the DEM, across its edge and beyond it.
        let mut dem = super::super::synthetic::hilly_dem(97, 83, 30.0, 5, 400.0);
        dem.nodata = Some(-9999.0);
        dem.set(40, 40, -9999.0);
        let (x, y) = dem.cell_center(3, 79);
        let terrain = RadialTerrain::new(&dem, x, y);
        let (w, h) = (terrain.w as f64, terrain.h as f64);
        let mut rng = crate::dataset::demo::rng::Rng::new(11);
        let mut pts = vec![(0.5, 0.5), (w - 1.0, h - 1.0), (0.5, h - 1.0), (w - 1.0, 0.5), (39.5, 40.5), (40.5, 40.5)];
        // Points beyond the interior, where only `elevation` applies: `interior` must refuse them.
        pts.extend([(w - 0.5, 10.0), (10.0, h - 0.5), ((w - 1.0).next_up(), 3.0), (0.25, 3.0), (3.0, 0.0), (w - 0.5, h - 0.5), (w, h)]);
        for k in 1..40 {
            let v = k as f64;
            pts.extend([(v, v), (v.next_down(), v.next_up()), (v + 0.5, (v + 0.5).next_down()), (v - 1e-15, 1.0 - 1e-16)]);
        }
        for _ in 0..20_000 {
            pts.push((rng.range(0.5, w - 1.0), rng.range(0.5, h - 1.0)));
        }
        let mut inside = 0;
        for (px, py) in pts {
            if terrain.interior(px, py) {
                inside += 1;
                assert_eq!(terrain.elevation_interior(px, py).map(f32::to_bits), terrain.elevation(px, py).map(f32::to_bits), "({px}, {py})");
            }
        }
        assert!(inside > 20_000, "{inside}");
        let (mut interior_runs, mut edge_runs) = (0, 0);
        for r in 0..48 {
            let (ux, uy) = terrain.pixel_step(30.0, r as f64 * std::f64::consts::TAU / 48.0 + 0.003);
            for from in (1..140).step_by(23) {
                let mut got = [None; 37];
                terrain.run(ux, uy, from, got.len(), |k, z| got[k] = z);
                let want: Vec<Option<u32>> = (from..from + got.len()).map(|s| terrain.at_step(ux, uy, s).map(f32::to_bits)).collect();
                assert_eq!(got.iter().map(|z| z.map(f32::to_bits)).collect::<Vec<_>>(), want, "radial {r} from {from}");
                let ((xa, ya), (xb, yb)) = (terrain.at(ux, uy, from), terrain.at(ux, uy, from + got.len() - 1));
                if terrain.interior(xa, ya) && terrain.interior(xb, yb) {
                    interior_runs += 1;
                } else if got.iter().any(Option::is_some) {
                    edge_runs += 1;
                }
            }
        }
        assert!(interior_runs > 20 && edge_runs > 20, "{interior_runs} interior, {edge_runs} at the edge");
    }
}
