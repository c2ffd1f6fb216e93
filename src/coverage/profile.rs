//! The walk along one radial: for every sample outwards from the site, the DEM elevation (bilinear),
//! lowered by the earth's curvature ([`crate::radio::earth`]), then the path loss to a receiver standing
//! there — the band model's median loss plus, where terrain rises into the path, diffraction over the
//! vertices of the terrain profile's upper hull ([`crate::radio::hull`]; Bullington by default,
//! [`crate::radio::bullington`], or Deygout, [`crate::radio::deygout`]) — and the depression angle for the antenna
//! pattern. The hull is carried from sample to sample, so each step costs a few operations on it
//! rather than a pass over the profile, and nothing is allocated per sample. The hull holds terrain
//! only (not the antenna), so it is the same whatever the antenna height — which keeps the loss
//! exactly monotone in antenna height.

use crate::radio::bullington::{bullington_edge, horizon_slope, nlos_loss_db, tx_horizon, Edge};
use crate::radio::deygout::{deygout_loss_db, LeftMemo};
use crate::radio::earth::drop_m;
use crate::radio::fastmath;
use crate::radio::hull::{self, Vertex};
use crate::radio::knife_edge::wavelength_m;
use super::params::{CoverageParams, DiffractionMethod};
use crate::radio::{Link, Propagation};
use super::sites::Transmitter;
use super::terrain::RadialTerrain;
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

/// Samples the walk gathers before finishing their loss: the hull-dependent half of each needed
/// sample's diffraction is computed as the hull grows, the rest ([`nlos_loss_db`] and the depression
/// angle) for up to this many samples at once.
const BATCH: usize = 32;

/// Samples whose terrain the walk reads ahead of walking them (see [`Profile::walk_impl`]).
const GATHER: usize = 64;

/// A needed sample waiting for [`Profile::finish`]: its index, receiver and diffraction half.
#[derive(Debug, Clone, Copy)]
struct Pending {
    s: usize,
    rx: Vertex,
    edge: Edge,
}

impl Pending {
    const EMPTY: Pending = Pending { s: 0, rx: Vertex { x: 0.0, z: 0.0, slack: 0.0 }, edge: Edge::Loss(0.0) };
}

/// What a radial carries from sample to sample: the terrain's upper hull and the transmitter's
/// horizon (the point of steepest elevation from the antenna so far — the running maximum of a
/// line-of-sight sweep).
#[derive(Debug, Clone, Default)]
pub struct WalkState {
    pub hull: Vec<Vertex>,
    pub horizon: Option<Vertex>,
    /// The horizon's elevation slope from the antenna ([`horizon_slope`]), computed when the
    /// horizon changes — a few times a radial — rather than at every sample that needs it.
    pub horizon_slope: f32,
}

impl WalkState {
    pub fn copy_from(&mut self, other: &WalkState) {
        self.hull.clone_from(&other.hull);
        self.horizon = other.horizon;
        self.horizon_slope = other.horizon_slope;
    }
}

/// Everything a walk of one transmitter needs, precomputed per sample index.
pub struct Profile<'a> {
    terrain: RadialTerrain<'a>,
    pub step_m: f64,
    /// Last sample index: the radius, shortened to where even the best sector's boresight signal
    /// over the model's median loss falls below [`CoverageParams::reach_floor_dbm`] (diffraction
    /// only adds loss).
    pub n: usize,
    pub z_tx: f32,
    hr: f32,
    eps: f32,
    two_over_lambda: f32,
    diffraction: bool,
    method: DiffractionMethod,
    xs: Vec<f32>,
    drop: Vec<f32>,
    model: Vec<f32>,
    /// The transmitter's model (for ITM, `model` is unused: ITM walks the profile itself).
    pub propagation: Propagation,
    /// Ground elevation at the site (m).
    pub ground_m: f32,
}

impl<'a> Profile<'a> {
    pub fn new(dem: &'a Grid<f32>, tx: &Transmitter, params: &CoverageParams) -> Self {
        let t = &dem.transform;
        let step = t.dx.min(t.dy);
        let n_max = (tx.radius_m / step).floor() as usize;
        let hm = params.rx_height_m;
        let floor = params.reach_floor_dbm();
        let mut xs = Vec::with_capacity(n_max + 1);
        let mut drop = Vec::with_capacity(n_max + 1);
        let mut model = Vec::with_capacity(n_max + 1);
        xs.push(0.0);
        drop.push(0.0);
        model.push(0.0);
        let mut n = 0;
        let link = Link { f_mhz: tx.f_mhz, hb_m: tx.height_m, hm_m: hm };
        for s in 1..=n_max {
            let x = s as f64 * step;
            let l = tx.propagation.median_loss_db(&link, x / 1000.0);
            // Stop where even boresight over the median loss is below the reach floor (diffraction
            // only adds loss). ITM's loss is not monotone in distance: it runs to the radius.
            if tx.propagation.is_monotone() && (tx.max_eirp_dbm as f64) - l < floor {
                break;
            }
            xs.push(x as f32);
            drop.push(drop_m(x, params.k_factor) as f32);
            model.push(l as f32);
            n = s;
        }
        Self {
            terrain: RadialTerrain::new(dem, tx.x, tx.y),
            step_m: step,
            n,
            z_tx: tx.ground_m + tx.height_m as f32,
            hr: hm as f32,
            eps: params.hull_tolerance_m as f32,
            two_over_lambda: (2.0 / wavelength_m(tx.f_mhz)) as f32,
            diffraction: params.diffraction,
            method: params.diffraction_method,
            xs,
            drop,
            model,
            propagation: tx.propagation,
            ground_m: tx.ground_m,
        }
    }

    /// A fresh state: no terrain seen yet.
    #[inline]
    pub fn start(&self, st: &mut WalkState) {
        st.hull.clear();
        st.horizon = None;
        st.horizon_slope = f32::NAN;
    }

    /// For Deygout: whether the receiver is in line of sight with every hull vertex at ν ≤ −0.78,
    /// shown without scanning the hull. With s_t the elevation slope of the transmitter's horizon
    /// (the steepest vertex) and s_R the receiver's, every vertex j stands at least (s_R − s_t)·x_j
    /// below the line, so ν_j ≤ −(s_R − s_t)·√(2x₀/λ), x₀ the nearest vertex. When that bound is below
    /// −0.78 (with 1 % margin) Deygout returns 0 and its scans are skipped.
    #[inline]
    fn clear(&self, hull: &[Vertex], tx: Vertex, rx: Vertex) -> bool {
        let t = hull[tx_horizon(tx, hull)];
        let st = (t.z - self.z_tx) / t.x;
        let sr = (rx.z - self.z_tx) / rx.x;
        let ds = sr - st;
        ds > 0.0 && ds * ds * hull[0].x * self.two_over_lambda >= 0.6084 * 1.01
    }

    /// Walk samples `from..=to` of the radial at azimuth `az` (radians clockwise from north),
    /// continuing `hull`, writing `out[s]`.
    pub fn walk(&self, az: f64, from: usize, to: usize, st: &mut WalkState, out: &mut [Sample]) {
        self.walk_impl(az, from, to, st, out, None)
    }

    /// Whether [`Self::walk_marked`] may leave samples out: the loss at one sample must not depend on
    /// the losses computed before it — Bullington's is a function of the hull alone; Deygout keeps a
    /// memo from sample to sample, so it computes them all.
    pub fn can_skip_samples(&self) -> bool {
        !(self.diffraction && self.method == DiffractionMethod::Deygout)
    }

    /// [`Self::walk`] writing only the samples whose bit is set in `need`, the radial's row of
    /// [`super::sweep::mark_needed`]'s bitmap (the others are left as they were); the terrain hull
    /// and the horizon are carried through every sample, so a written sample is the one
    /// [`Self::walk`] writes, bit for bit. Only where [`Self::can_skip_samples`].
    pub fn walk_marked(&self, az: f64, from: usize, to: usize, st: &mut WalkState, out: &mut [Sample], need: &[u64]) {
        self.walk_impl(az, from, to, st, out, Some(need))
    }

    #[inline(always)]
    fn walk_impl(&self, az: f64, from: usize, to: usize, st: &mut WalkState, out: &mut [Sample], need: Option<&[u64]>) {
        let (ux, uy) = self.pixel_step(az);
        let tx = Vertex::new(0.0, self.z_tx);
        let mut memo = LeftMemo::default();
        // Samples whose loss waits for the batch's second half (see `Pending`).
        let mut pending = [Pending::EMPTY; BATCH];
        let mut np = 0;
        // The terrain of up to `GATHER` samples is read first, in a loop of independent reads the
        // core runs ahead on, then walked: read inside the walk, each DEM read waited behind the
        // hull's data-dependent branches (a third of the read's time was the load).
        let mut terrain = [None; GATHER];
        let mut base = from;
        while base <= to {
            let run = &mut terrain[..=to.min(base + GATHER - 1) - base];
            let (xs, drop) = (&self.xs[base..], &self.drop[base..]);
            self.terrain.run(ux, uy, base, run.len(), |k, z| run[k] = z.map(|z| Vertex::new(xs[k], z - drop[k])));
            for (k, &t) in run.iter().enumerate() {
                self.walk_sample(tx, base + k, t, st, out, need, &mut memo, &mut pending, &mut np);
            }
            base += run.len();
        }
        self.finish(tx, &pending[..np], out);
    }

    /// One sample of [`Self::walk_impl`]: its loss's first half queued if needed, then the terrain
    /// point carried into the horizon and the hull.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn walk_sample(
        &self,
        tx: Vertex,
        s: usize,
        terrain: Option<Vertex>,
        st: &mut WalkState,
        out: &mut [Sample],
        need: Option<&[u64]>,
        memo: &mut LeftMemo,
        pending: &mut [Pending; BATCH],
        np: &mut usize,
    ) {
        let Some(p) = terrain else {
            out[s] = Sample::NONE;
            return;
        };
        let (x, zp) = (p.x, p.z);
        // Without `need`, every sample; with it, only those a cell takes (the others carry the
        // terrain on and nothing else).
        if need.is_none_or(|need| super::sweep::is_needed(need, s)) {
            let rx = Vertex::new(x, zp + self.hr);
            let edge = match (self.diffraction, st.horizon) {
                (true, Some(horizon)) => match self.method {
                    DiffractionMethod::Bullington => {
                        bullington_edge(tx, rx, &st.hull, horizon, st.horizon_slope, self.two_over_lambda)
                    }
                    DiffractionMethod::Deygout if self.clear(&st.hull, tx, rx) => Edge::Loss(0.0),
                    DiffractionMethod::Deygout => Edge::Loss(deygout_loss_db(tx, rx, &st.hull, self.two_over_lambda, memo)),
                },
                _ => Edge::Loss(0.0),
            };
            pending[*np] = Pending { s, rx, edge };
            *np += 1;
        }
        if st.horizon.is_none_or(|h| (zp - self.z_tx) * h.x > (h.z - self.z_tx) * x) {
            st.horizon = Some(p);
            st.horizon_slope = horizon_slope(tx, p);
        }
        hull::push(&mut st.hull, p, self.eps);
        if *np == BATCH {
            self.finish(tx, pending, out);
            *np = 0;
        }
    }

    /// The second half of the pending samples' loss ([`nlos_loss_db`] beyond the horizon) and
    /// their depression angles, into `out`. No hull and no branch on the terrain here, so the
    /// samples' division chains overlap.
    #[inline(always)]
    fn finish(&self, tx: Vertex, pending: &[Pending], out: &mut [Sample]) {
        for p in pending {
            let diff = match p.edge {
                Edge::Loss(l) => l,
                Edge::Nlos(n) => nlos_loss_db(tx, p.rx, &n, self.two_over_lambda),
            };
            let dep = fastmath::atan(((self.z_tx - p.rx.z) / p.rx.x) as f64).to_degrees() as f32;
            out[p.s] = Sample { loss_db: self.model[p.s] + diff, dep_deg: dep };
        }
    }

    /// DEM elevation (bilinear) at sample `s` of the radial at azimuth `az` — the walk's positions.
    #[inline]
    pub fn elevation_at(&self, az: f64, s: usize) -> Option<f32> {
        let (ux, uy) = self.pixel_step(az);
        self.elevation_at_step(ux, uy, s)
    }

    /// One sample step of the radial at azimuth `az` in pixels (x, y): what [`Self::walk`] and
    /// [`Self::elevation_at`] advance by. Computed once per radial, so a profile read costs no
    /// sine or cosine per sample.
    #[inline]
    pub fn pixel_step(&self, az: f64) -> (f64, f64) {
        self.terrain.pixel_step(self.step_m, az)
    }

    /// [`Self::elevation_at`] with the radial's [`Self::pixel_step`] precomputed (same value, bit
    /// for bit).
    #[inline(always)]
    pub fn elevation_at_step(&self, ux: f64, uy: f64, s: usize) -> Option<f32> {
        self.terrain.at_step(ux, uy, s)
    }

    /// The terrain point at sample `s` as the walk's hull holds it: distance and elevation lowered by
    /// the earth's curvature; `None` off the DEM or next to nodata.
    #[cfg(test)]
    fn terrain_at_step(&self, ux: f64, uy: f64, s: usize) -> Option<Vertex> {
        let z = self.elevation_at_step(ux, uy, s)?;
        Some(Vertex::new(self.xs[s], z - self.drop[s]))
    }

    /// Depression angle (degrees) from the antenna to a receiver on ground `z` at sample `s`.
    #[inline]
    pub fn depression_deg(&self, s: usize, z: f32) -> f32 {
        let rz = z - self.drop[s] + self.hr;
        fastmath::atan(((self.z_tx - rz) / self.xs[s]) as f64).to_degrees() as f32
    }

    /// The median (terrain-free) loss at sample `s`.
    pub fn model_loss(&self, s: usize) -> f32 {
        self.model[s]
    }
}

#[cfg(test)]
mod tests {
    use crate::radio::earth::{bulge_m, drop_m, K_STANDARD};
    use crate::radio::fspl::free_space_loss_db;
    use crate::radio::knife_edge::{fresnel_nu, j_db, wavelength_m};
    use super::super::params::{BandConfig, ModelKind};
    use super::super::sites::prepare_site;
    use super::super::synthetic::{empty_dataset, flat_dem, omni_site};
    use super::*;
    use crate::dataset::Dataset;

    fn free_space_params() -> CoverageParams {
        CoverageParams {
            bands: vec![BandConfig {
                min_mhz: 100.0,
                max_mhz: 3000.0,
                model: ModelKind::FreeSpace,
                environment: crate::radio::hata::Environment::Open,
                max_radius_m: None,
            }],
            max_radius_m: 40_000.0,
            min_rsrp_dbm: -400.0,
            reach_margin_db: 1000.0,
            ..Default::default()
        }
    }

    /// A 10 m-cell DEM one row band tall, site at the centre of cell (10, 2), radial due east.
    fn walk_east(ds: &Dataset, params: &CoverageParams, height_m: f64, f_mhz: f64) -> (Vec<Sample>, usize) {
        let (x, y) = ds.dem.cell_center(10, 2);
        let site = omni_site(1, "t", x, y, height_m, f_mhz);
        let p = prepare_site(ds, 0, &site, params).unwrap();
        let prof = Profile::new(&ds.dem, &p.txs[0], params);
        let mut st = WalkState::default();
        prof.start(&mut st);
        let mut out = vec![Sample::NONE; prof.n + 1];
        prof.walk(std::f64::consts::FRAC_PI_2, 1, prof.n, &mut st, &mut out);
        (out, prof.n)
    }

    /// The walk before the batching of the loss's second half: one sample at a time,
    /// [`bullington_loss_db`] whole. The reference [`Profile::walk`] and [`Profile::walk_marked`] must
    /// equal bit for bit.
    fn walk_before(prof: &Profile, az: f64, from: usize, to: usize, st: &mut WalkState, out: &mut [Sample], need: Option<&[u64]>) {
        use crate::radio::bullington::bullington_loss_db;
        let (ux, uy) = prof.pixel_step(az);
        let tx = Vertex::new(0.0, prof.z_tx);
        let mut memo = LeftMemo::default();
        for s in from..=to {
            let Some(p) = prof.terrain_at_step(ux, uy, s) else {
                out[s] = Sample::NONE;
                continue;
            };
            let (x, zp) = (p.x, p.z);
            if let Some(need) = need {
                if !super::super::sweep::is_needed(need, s) {
                    if st.horizon.is_none_or(|h| (zp - prof.z_tx) * h.x > (h.z - prof.z_tx) * x) {
                        st.horizon = Some(p);
                    }
                    hull::push(&mut st.hull, p, prof.eps);
                    continue;
                }
            }
            let rx = Vertex::new(x, zp + prof.hr);
            let diff = match (prof.diffraction, st.horizon) {
                (true, Some(horizon)) => match prof.method {
                    DiffractionMethod::Bullington => bullington_loss_db(tx, rx, &st.hull, horizon, prof.two_over_lambda),
                    DiffractionMethod::Deygout if prof.clear(&st.hull, tx, rx) => 0.0,
                    DiffractionMethod::Deygout => deygout_loss_db(tx, rx, &st.hull, prof.two_over_lambda, &mut memo),
                },
                _ => 0.0,
            };
            let dep = fastmath::atan(((prof.z_tx - rx.z) / x) as f64).to_degrees() as f32;
            out[s] = Sample { loss_db: prof.model[s] + diff, dep_deg: dep };
            if st.horizon.is_none_or(|h| (zp - prof.z_tx) * h.x > (h.z - prof.z_tx) * x) {
                st.horizon = Some(p);
            }
            hull::push(&mut st.hull, p, prof.eps);
        }
    }

    #[test]
    fn walks_leaving_the_dem_are_unchanged() {
        // Radials from a site by the DEM's corner run off it mid-run (the gathered run then takes
        // the clamped read, `super::super::terrain`): every sample must equal the sample-by-sample
        // reference.
        let mut dem = super::super::synthetic::hilly_dem(97, 83, 30.0, 5, 400.0);
        dem.nodata = Some(-9999.0);
        dem.set(40, 40, -9999.0);
        let ds = empty_dataset(dem);
        let params = CoverageParams { max_radius_m: 4000.0, ..Default::default() };
        let (x, y) = ds.dem.cell_center(3, 79);
        let site = super::super::synthetic::three_sector_site(1, "t", x, y, 30.0, 1800.0);
        let p = prepare_site(&ds, 0, &site, &params).unwrap();
        let prof = Profile::new(&ds.dem, &p.txs[0], &params);
        let mut cells = 0;
        for r in 0..48 {
            let az = r as f64 * std::f64::consts::TAU / 48.0 + 0.003;
            let (mut a, mut b) = (WalkState::default(), WalkState::default());
            let mut oa = vec![Sample { loss_db: 7.0, dep_deg: 7.0 }; prof.n + 1];
            let mut ob = oa.clone();
            prof.walk(az, 1, prof.n, &mut a, &mut oa);
            walk_before(&prof, az, 1, prof.n, &mut b, &mut ob, None);
            for (s, (x, y)) in oa.iter().zip(&ob).enumerate() {
                assert_eq!((x.loss_db.to_bits(), x.dep_deg.to_bits()), (y.loss_db.to_bits(), y.dep_deg.to_bits()), "radial {r} sample {s}");
                cells += (!x.loss_db.is_nan()) as usize;
            }
        }
        assert!(cells > 1000 && prof.n > 100, "{cells} {}", prof.n);
    }

    #[test]
    fn batched_walk_equals_the_sample_by_sample_walk() {
        // A hilly DEM with a nodata hole, a site near its middle: 64 radials walked in three
        // segments each (as the radial doubling splits them), by Bullington, Deygout and without
        // diffraction, every sample and with a random half of them needed — every sample written
        // has the reference walk's bits, the hull and horizon too, and the others are untouched.
        use crate::radio::hull::Vertex as V;
        let mut dem = super::super::synthetic::hilly_dem(400, 380, 30.0, 9, 600.0);
        dem.nodata = Some(-9999.0);
        for r in 250..262 {
            for c in 90..120 {
                dem.set(c, r, -9999.0);
            }
        }
        let ds = empty_dataset(dem);
        let mut rng = crate::dataset::demo::rng::Rng::new(7);
        let mut written = 0;
        for (k, (diffraction, method)) in
            [(true, DiffractionMethod::Bullington), (true, DiffractionMethod::Deygout), (false, DiffractionMethod::Bullington)].into_iter().enumerate()
        {
            let params = CoverageParams { max_radius_m: 5500.0, diffraction, diffraction_method: method, ..Default::default() };
            let (x, y) = ds.dem.cell_center(200 + k * 7, 190 - k * 5);
            let site = super::super::synthetic::three_sector_site(1, "t", x + 3.0, y - 11.0, 20.0 + 15.0 * k as f64, 1800.0);
            let p = prepare_site(&ds, 0, &site, &params).unwrap();
            let prof = Profile::new(&ds.dem, &p.txs[0], &params);
            assert!(prof.n > 150, "{}", prof.n);
            for r in 0..64 {
                let az = r as f64 * std::f64::consts::TAU / 64.0 + 0.01;
                let need: Vec<u64> = (0..prof.n.div_ceil(64) + 1).map(|_| rng.next_u64()).collect();
                for marked in [false, true] {
                    if marked && !prof.can_skip_samples() {
                        continue;
                    }
                    let (mut a, mut b) = (WalkState::default(), WalkState::default());
                    let mut oa = vec![Sample { loss_db: 7.0, dep_deg: 7.0 }; prof.n + 1];
                    let mut ob = oa.clone();
                    let cuts = [1, prof.n / 5, prof.n / 2, prof.n];
                    for w in cuts.windows(2) {
                        let (from, to) = (if w[0] == 1 { 1 } else { w[0] + 1 }, w[1]);
                        if marked {
                            prof.walk_marked(az, from, to, &mut a, &mut oa, &need);
                            walk_before(&prof, az, from, to, &mut b, &mut ob, Some(&need));
                        } else {
                            prof.walk(az, from, to, &mut a, &mut oa);
                            walk_before(&prof, az, from, to, &mut b, &mut ob, None);
                        }
                    }
                    for (s, (x, y)) in oa.iter().zip(&ob).enumerate() {
                        assert_eq!((x.loss_db.to_bits(), x.dep_deg.to_bits()), (y.loss_db.to_bits(), y.dep_deg.to_bits()), "{method:?} {diffraction} radial {r} sample {s}");
                        written += (x.loss_db != 7.0) as usize;
                    }
                    let bits = |h: &[V]| h.iter().map(|v| (v.x.to_bits(), v.z.to_bits(), v.slack.to_bits())).collect::<Vec<_>>();
                    assert_eq!(bits(&a.hull), bits(&b.hull));
                    assert_eq!(a.horizon.map(|h| (h.x.to_bits(), h.z.to_bits())), b.horizon.map(|h| (h.x.to_bits(), h.z.to_bits())));
                }
            }
        }
        assert!(written > 40_000, "{written}");
    }

    #[test]
    fn radials_stop_where_line_of_sight_falls_below_the_reach_floor() {
        // COST-231 Hata (open), 1800 MHz, 45 m mast: the boresight line-of-sight signal EIRP − L(d)
        // reaches covered − margin = −113 dBm at d where L = EIRP + 113; the walk must end at the
        // last 100 m step before it, and with a huge margin run on to max_radius_m.
        let ds = empty_dataset(flat_dem(500, 3, 100.0, 100.0));
        let params = CoverageParams { max_radius_m: 40_000.0, ..Default::default() };
        let (x, y) = ds.dem.cell_center(1, 1);
        let site = omni_site(1, "t", x, y, 45.0, 1800.0);
        let p = prepare_site(&ds, 0, &site, &params).unwrap();
        let tx = &p.txs[0];
        let limit = tx.max_eirp_dbm as f64 - params.reach_floor_dbm();
        let prof = Profile::new(&ds.dem, tx, &params);
        let cost231 = Propagation::Hata(crate::radio::Hata::cost231(crate::radio::Environment::Open));
        let loss = |s: usize| cost231.median_loss_db(&Link { f_mhz: 1800.0, hb_m: 45.0, hm_m: 1.5 }, s as f64 * 0.1);
        assert!(loss(prof.n) <= limit && loss(prof.n + 1) > limit, "n = {}", prof.n);
        assert!((120..200).contains(&prof.n), "reach {} m", prof.n * 100);
        let wide = CoverageParams { reach_margin_db: 1000.0, ..params };
        assert_eq!(Profile::new(&ds.dem, tx, &wide).n, 400);
    }

    #[test]
    fn flat_earth_in_the_clear_has_no_diffraction() {
        // 30 m mast over flat ground: the loss is the model's exactly wherever every profile point
        // clears the Tx–Rx line by more than 0.55 of the first Fresnel radius (ν < −0.78). With the
        // 1.5 m handset that holds to about 2.5 km at 1800 MHz (further out the receiver's own
        // foreground grazes its Fresnel zone, which the model rightly charges); with a 10 m receiver
        // it holds past 5 km.
        let ds = empty_dataset(flat_dem(600, 5, 10.0, 100.0));
        let mut params = free_space_params();
        for (hr, range) in [(1.5, 250), (10.0, 500)] {
            params.rx_height_m = hr;
            let (out, n) = walk_east(&ds, &params, 30.0, 1800.0);
            assert!(n >= 500);
            for (s, smp) in out.iter().enumerate().take(range + 1).skip(1) {
                let d = s as f64 * 10.0;
                let fs = free_space_loss_db(1800.0, d / 1000.0) as f32;
                assert!((smp.loss_db - fs).abs() < 1e-3, "hr {hr}, s = {s}: {} vs {fs}", smp.loss_db);
            }
        }
        // The 1.5 m receiver at 4.2 km: ground 90 m before it clears the line by 2.09 m, 0.54 of the
        // 3.84 m Fresnel radius → ν = −0.77 and a 0.07 dB loss.
        params.rx_height_m = 1.5;
        let (out, _) = walk_east(&ds, &params, 30.0, 1800.0);
        let excess = out[422].loss_db - free_space_loss_db(1800.0, 4.22) as f32;
        assert!(excess > 0.0 && excess < 0.2, "{excess}");
    }

    #[test]
    fn single_knife_edge_ridge() {
        // Rappaport Example 4.7 on a DEM: antenna 50 m above flat ground at 0 m, a one-cell ridge
        // 75 m high 1 km out, receiver ground raised to 48.5 m at 2 km (so the receiver is at 50 m),
        // λ = 1/3 m (899.4 MHz). The ridge stands 25 m above the line of sight plus the earth bulge,
        // so the loss is free space + J(ν ≈ 2.74) ≈ 21.7 dB (textbook).
        let mut dem = flat_dem(400, 5, 10.0, 0.0);
        for r in 0..5 {
            dem.set(110, r, 75.0);
            dem.set(210, r, 48.5);
        }
        let ds = empty_dataset(dem);
        let f = 299.792458 * 3.0;
        let lambda = wavelength_m(f);
        let h = 25.0 + bulge_m(1000.0, 1000.0, K_STANDARD);
        let ridge = 75.0 - drop_m(1000.0, K_STANDARD);
        let line = (50.0 + (50.0 - drop_m(2000.0, K_STANDARD))) / 2.0;
        assert!((ridge - line - h).abs() < 1e-6);
        let expect = free_space_loss_db(f, 2.0) + j_db(fresnel_nu(h, 1000.0, 1000.0, lambda));
        for method in [DiffractionMethod::Bullington, DiffractionMethod::Deygout] {
            let params = CoverageParams { diffraction_method: method, ..free_space_params() };
            let (out, _) = walk_east(&ds, &params, 50.0, f);
            let got = out[200].loss_db as f64;
            assert!((got - expect).abs() < 0.01, "{method:?}: {got} vs {expect}");
            let diff = got - free_space_loss_db(f, 2.0);
            assert!((diff - 21.7).abs() < 0.3, "{diff}");
            // Before the ridge: no diffraction.
            assert!((out[90].loss_db as f64 - free_space_loss_db(f, 0.9)).abs() < 1e-3);
        }
    }

    #[test]
    fn earth_bulge_hides_the_far_receiver() {
        // A 10 m mast over flat ground: the smooth-earth radio horizon for a 1.5 m receiver is
        // 4.12 (√10 + √1.5) = 18.1 km. At 30 km the earth's bulge blocks the path (ν > 0, J > 6 dB);
        // at 3 km it does not.
        let ds = empty_dataset(flat_dem(3100, 5, 10.0, 0.0));
        let params = free_space_params();
        let (out, n) = walk_east(&ds, &params, 10.0, 1800.0);
        assert!(n >= 3000);
        let excess = |s: usize| out[s].loss_db as f64 - free_space_loss_db(1800.0, s as f64 / 100.0);
        assert!(excess(300).abs() < 1e-3, "{}", excess(300));
        assert!(excess(3000) > 6.0, "{}", excess(3000));
        // Loss grows monotonically past the horizon.
        assert!(excess(3000) > excess(2500) && excess(2500) > excess(2000));
    }
}
