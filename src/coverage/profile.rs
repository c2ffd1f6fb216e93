//! The walk along one radial: for every sample outwards from the site, the DEM elevation (bilinear),
//! lowered by the earth's curvature ([`super::earth`]), then the path loss to a receiver standing
//! there — the band model's median loss plus, where terrain rises into the path, Deygout diffraction
//! over the vertices of the profile's upper hull ([`super::hull`], [`super::deygout`]) — and the
//! depression angle for the antenna pattern. The hull is carried from sample to sample, so each step
//! costs the few hull vertices rather than the whole profile, and nothing is allocated per sample.

use super::deygout::deygout_loss_db;
use super::earth::drop_m;
use super::hull::{self, Vertex};
use super::knife_edge::wavelength_m;
use super::model::median_loss_db;
use super::params::CoverageParams;
use super::sites::Transmitter;
use crate::grid::Grid;

/// One radial sample: path loss (dB, NaN where no value: off the DEM or on nodata) and the
/// depression angle (degrees below the horizontal) from the antenna to the receiver.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Sample {
    pub loss_db: f32,
    pub dep_deg: f32,
}

impl Sample {
    pub const NONE: Sample = Sample { loss_db: f32::NAN, dep_deg: 0.0 };
}

/// Everything a walk of one transmitter needs, precomputed per sample index.
pub struct Profile<'a> {
    dem: &'a [f32],
    w: usize,
    h: usize,
    nodata: f32,
    px0: f64,
    py0: f64,
    inv_dx: f64,
    inv_dy: f64,
    pub step_m: f64,
    /// Last sample index: the radius, shortened to where even the best sector's boresight signal
    /// over the model's median loss falls below the RSRP floor (diffraction only adds loss).
    pub n: usize,
    pub z_tx: f32,
    hr: f32,
    eps: f32,
    two_over_lambda: f32,
    diffraction: bool,
    xs: Vec<f32>,
    drop: Vec<f32>,
    model: Vec<f32>,
}

impl<'a> Profile<'a> {
    pub fn new(dem: &'a Grid<f32>, tx: &Transmitter, params: &CoverageParams) -> Self {
        let t = &dem.transform;
        let step = t.dx.min(t.dy);
        let n_max = (tx.radius_m / step).floor() as usize;
        let hm = params.rx_height_m;
        let floor = params.min_rsrp_dbm;
        let mut xs = Vec::with_capacity(n_max + 1);
        let mut drop = Vec::with_capacity(n_max + 1);
        let mut model = Vec::with_capacity(n_max + 1);
        xs.push(0.0);
        drop.push(0.0);
        model.push(0.0);
        let mut n = 0;
        for s in 1..=n_max {
            let x = s as f64 * step;
            let l = median_loss_db(tx.model, tx.env, tx.f_mhz, tx.height_m, hm, x / 1000.0);
            if (tx.max_eirp_dbm as f64) - l < floor {
                break;
            }
            xs.push(x as f32);
            drop.push(drop_m(x, params.k_factor) as f32);
            model.push(l as f32);
            n = s;
        }
        let (px0, py0) = dem.world_to_pixel(tx.x, tx.y);
        Self {
            dem: &dem.data,
            w: dem.width,
            h: dem.height,
            nodata: dem.nodata.unwrap_or(f32::NAN),
            px0,
            py0,
            inv_dx: 1.0 / t.dx,
            inv_dy: 1.0 / t.dy,
            step_m: step,
            n,
            z_tx: tx.ground_m + tx.height_m as f32,
            hr: hm as f32,
            eps: params.hull_tolerance_m as f32,
            two_over_lambda: (2.0 / wavelength_m(tx.f_mhz)) as f32,
            diffraction: params.diffraction,
            xs,
            drop,
            model,
        }
    }

    /// A fresh hull holding only the antenna.
    #[inline]
    pub fn start(&self, hull: &mut Vec<Vertex>) {
        hull.clear();
        hull.push(Vertex::new(0.0, self.z_tx));
    }

    /// Bilinear elevation at fractional pixel (px, py) with the grid's border clamping; `None` off
    /// the grid or next to nodata.
    #[inline]
    fn elevation(&self, px: f64, py: f64) -> Option<f32> {
        if !(px >= 0.0 && py >= 0.0 && px <= self.w as f64 && py <= self.h as f64) {
            return None;
        }
        let fx = px - 0.5;
        let fy = py - 0.5;
        let c0f = fx.floor();
        let r0f = fy.floor();
        let tx = (fx - c0f) as f32;
        let ty = (fy - r0f) as f32;
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
        let nd = self.nodata;
        if a == nd || b == nd || c == nd || d == nd || a.is_nan() || b.is_nan() || c.is_nan() || d.is_nan() {
            return None;
        }
        let top = a + (b - a) * tx;
        let bot = c + (d - c) * tx;
        Some(top + (bot - top) * ty)
    }

    /// Walk samples `from..=to` of the radial at azimuth `az` (radians clockwise from north),
    /// continuing `hull`, writing `out[s]`.
    pub fn walk(&self, az: f64, from: usize, to: usize, hull: &mut Vec<Vertex>, out: &mut [Sample]) {
        let ux = self.step_m * az.sin() * self.inv_dx;
        let uy = -self.step_m * az.cos() * self.inv_dy;
        let tx = Vertex::new(0.0, self.z_tx);
        for s in from..=to {
            let px = self.px0 + s as f64 * ux;
            let py = self.py0 + s as f64 * uy;
            let Some(z) = self.elevation(px, py) else {
                out[s] = Sample::NONE;
                continue;
            };
            let x = self.xs[s];
            let zp = z - self.drop[s];
            let rx = Vertex::new(x, zp + self.hr);
            let diff = if self.diffraction && hull.len() > 1 {
                deygout_loss_db(tx, rx, &hull[1..], self.two_over_lambda)
            } else {
                0.0
            };
            out[s] = Sample { loss_db: self.model[s] + diff, dep_deg: ((self.z_tx - rx.z) / x).atan().to_degrees() };
            hull::push(hull, Vertex::new(x, zp), self.eps);
        }
    }

    /// The median (terrain-free) loss at sample `s`.
    pub fn model_loss(&self, s: usize) -> f32 {
        self.model[s]
    }
}
