//! 4G cell sites of three operators, placed as operators place them: first the towns, then the
//! largest population clusters not yet served, each site on the spot within 2 km of the cluster (and
//! within 2 km of a road, to build it) that sees the most unserved people — a line-of-sight survey of
//! the surrounding hills, since in this terrain a hamlet behind a spur is lost even 1 km from a mast.
//! Budgets leave some remote hamlets uncovered, as in life. Sectors: three per site at 1800 MHz (LTE
//! band 3), omni or three sectors at 900 MHz (band 8) for rural reach.

use geo::Point;

use super::hamlets::SynthHamlet;
use super::rng::Rng;
use super::terrain::LineIndex;
use crate::dataset::model::Sector;
use crate::grid::Grid;

pub struct SynthSite {
    pub operator: String,
    pub name: String,
    pub pos: Point<f64>,
    pub sectors: Vec<Sector>,
}

struct OperatorPlan {
    key: &'static str,
    label: &'static str,
    /// Sites to place, and the share of people the operator aims to reach (nominal radius).
    budget: usize,
    target_share: f64,
    /// Share of rural sites built on 900 MHz.
    low_band_share: f64,
}

const PLANS: &[OperatorPlan] = &[
    OperatorPlan { key: "viettel", label: "Viettel", budget: 560, target_share: 0.985, low_band_share: 0.35 },
    OperatorPlan { key: "vnpt", label: "VinaPhone", budget: 160, target_share: 0.88, low_band_share: 0.2 },
    OperatorPlan { key: "mobifone", label: "MobiFone", budget: 100, target_share: 0.78, low_band_share: 0.15 },
];

/// LTE reference-signal EIRP per resource element: 40 W (46 dBm) over the band's subcarriers
/// (1200 for 20 MHz at 1800, 600 for 10 MHz at 900) plus 17/15 dBi antenna gain minus 2 dB feeder loss.
fn rs_eirp(freq: f64) -> f64 {
    if freq < 1000.0 {
        46.0 - 10.0 * 600f64.log10() + 15.0 - 2.0
    } else {
        46.0 - 10.0 * 1200f64.log10() + 17.0 - 2.0
    }
}

/// Whether an antenna `h_site` metres above the ground at `a` sees a handset 1.5 m above the ground
/// at `b` over the DEM (straight ray, samples every cell; short enough ranges to ignore curvature).
fn sees(dem: &Grid<f32>, a: Point<f64>, h_site: f64, b: Point<f64>) -> bool {
    let (Some(za), Some(zb)) = (dem.sample_bilinear(a.x(), a.y()), dem.sample_bilinear(b.x(), b.y())) else { return false };
    let (z0, z1) = (za as f64 + h_site, zb as f64 + 1.5);
    let d = (b.x() - a.x()).hypot(b.y() - a.y());
    let n = (d / dem.transform.dx.max(1.0)).ceil() as usize;
    (1..n).all(|i| {
        let t = i as f64 / n as f64;
        let z = dem.sample_bilinear(a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y())).map_or(f64::MAX, |z| z as f64);
        // Clear of 60 % of the first Fresnel zone at 1800 MHz (λ ≈ 0.167 m), where knife-edge loss
        // starts to matter (ν ≈ −0.8).
        let fresnel = (0.167 * t * (1.0 - t) * d).sqrt();
        z + 0.6 * fresnel < z0 + t * (z1 - z0)
    })
}

/// Whether a planned site would serve a hamlet: in sight within the band's nominal reach (in this
/// terrain even a hamlet 1 km away behind a spur gets 20–40 dB of diffraction loss). Only for
/// planning; the coverage engine computes the real footprint.
fn would_serve(dem: &Grid<f32>, site: Point<f64>, height: f64, reach: f64, h: Point<f64>) -> bool {
    let d = (h.x() - site.x()).hypot(h.y() - site.y());
    d < reach && sees(dem, site, height, h)
}

pub fn synthesize(
    hamlets: &[SynthHamlet],
    towns: &[Point<f64>],
    dem: &Grid<f32>,
    roads: &LineIndex,
    seed: u64,
) -> Vec<SynthSite> {
    let total_pop: f64 = hamlets.iter().map(|h| h.population as f64).sum();
    // Hamlets within 3 km of each hamlet, computed once.
    let tree = rstar::RTree::bulk_load(
        hamlets.iter().enumerate().map(|(i, h)| rstar::primitives::GeomWithData::new([h.pos.x(), h.pos.y()], i)).collect(),
    );
    let neighbours: Vec<Vec<usize>> = hamlets
        .iter()
        .map(|h| tree.locate_within_distance([h.pos.x(), h.pos.y()], 3000.0 * 3000.0).map(|g| g.data).collect())
        .collect();
    let mut sites = Vec::new();
    for (k, plan) in PLANS.iter().enumerate() {
        let mut rng = Rng::new(seed).fork(100 + k as u64);
        let mut served = vec![false; hamlets.len()];
        // Clusters tried and found unservable by this operator's rules: not tried again.
        let mut given_up = vec![false; hamlets.len()];
        let mut served_pop = 0.0;
        let mut placed: Vec<Point<f64>> = Vec::new();
        let mut n = 0usize;
        // Seed sites at the towns.
        let mut queue: Vec<Point<f64>> = towns.to_vec();
        while n < plan.budget && served_pop / total_pop < plan.target_share {
            let (anchor, low_band) = if let Some(t) = queue.pop() {
                (t, false)
            } else {
                // The unserved hamlet with the most unserved people within 3 km of it.
                let mut best = (0.0, usize::MAX);
                for i in 0..hamlets.len() {
                    if served[i] || given_up[i] {
                        continue;
                    }
                    let p: f64 = neighbours[i].iter().filter(|j| !served[**j]).map(|j| hamlets[*j].population as f64).sum();
                    if p > best.0 {
                        best = (p, i);
                    }
                }
                if best.1 == usize::MAX {
                    break;
                }
                given_up[best.1] = true;
                (hamlets[best.1].pos, rng.chance(plan.low_band_share))
            };
            let height = [25.0, 30.0, 36.0, 42.0, 45.0][rng.below(5)];
            // Nominal line-of-sight reach used only for planning.
            let reach: f64 = if low_band { 7000.0 } else { 4000.0 };
            let near: Vec<usize> = tree
                .locate_within_distance([anchor.x(), anchor.y()], (reach + 2000.0).powi(2))
                .map(|g| g.data)
                .filter(|i| !served[*i])
                .collect();
            // Of the anchor and 64 points within 2 km of it that a road reaches within 2 km, the one
            // that sees the most unserved people (operators survey the hills around a cluster).
            let mut best: Option<(f64, Point<f64>, Vec<usize>)> = None;
            for c in 0..65 {
                let p = if c == 0 {
                    anchor
                } else {
                    let r = 2000.0 * rng.f64().sqrt();
                    let a = rng.f64() * std::f64::consts::TAU;
                    Point::new(anchor.x() + r * a.cos(), anchor.y() + r * a.sin())
                };
                let road = roads.distance(p);
                if dem.sample_bilinear(p.x(), p.y()).is_none() || road > 2000.0 {
                    continue;
                }
                let gets: Vec<usize> = near.iter().copied().filter(|&i| would_serve(dem, p, height, reach, hamlets[i].pos)).collect();
                let score = gets.iter().map(|&i| hamlets[i].population as f64).sum::<f64>() - 0.2 * road;
                if best.as_ref().is_none_or(|b| score > b.0) {
                    best = Some((score, p, gets));
                }
            }
            let Some((_, pos, gets)) = best else { continue };
            if gets.is_empty() || placed.iter().any(|q| (q.x() - pos.x()).hypot(q.y() - pos.y()) < 700.0) {
                continue;
            }
            for i in gets {
                served[i] = true;
                served_pop += hamlets[i].population as f64;
            }
            let freq = if low_band { 900.0 } else { 1800.0 };
            let omni = low_band && rng.chance(0.3);
            let rot = rng.range(0.0, 120.0).round();
            let sectors: Vec<Sector> = if omni {
                vec![Sector {
                    id: 0,
                    site_id: 0,
                    azimuth_deg: None,
                    height_m: height,
                    mech_tilt_deg: 0.0,
                    elec_tilt_deg: 2.0,
                    h_beamwidth_deg: 360.0,
                    v_beamwidth_deg: 10.0,
                    rs_eirp_dbm: rs_eirp(freq) - 6.0,
                    frequency_mhz: freq,
                }]
            } else {
                (0..3)
                    .map(|s| Sector {
                        id: 0,
                        site_id: 0,
                        azimuth_deg: Some((rot + 120.0 * s as f64) % 360.0),
                        height_m: height,
                        mech_tilt_deg: [0.0, 1.0, 2.0][rng.below(3)],
                        elec_tilt_deg: [2.0, 3.0, 4.0, 6.0][rng.below(4)],
                        h_beamwidth_deg: 65.0,
                        v_beamwidth_deg: if freq < 1000.0 { 10.0 } else { 7.0 },
                        rs_eirp_dbm: rs_eirp(freq),
                        frequency_mhz: freq,
                    })
                    .collect()
            };
            n += 1;
            placed.push(pos);
            sites.push(SynthSite { operator: plan.key.into(), name: format!("{} SLA{:03}", plan.label, n), pos, sectors });
        }
    }
    sites
}

