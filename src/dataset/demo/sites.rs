//! 4G cell sites of three operators, placed as operators place them: first the towns, then the
//! largest population clusters not yet served, each site on the highest ground near the cluster
//! (a ridge overlooking the valley) and near a road for access. Budgets leave some remote hamlets
//! uncovered, as in life. Sectors: three per site at 1800 MHz (LTE band 3), omni or three sectors at
//! 900 MHz (band 8) for rural reach.

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
    OperatorPlan { key: "viettel", label: "Viettel", budget: 230, target_share: 0.96, low_band_share: 0.35 },
    OperatorPlan { key: "vnpt", label: "VinaPhone", budget: 120, target_share: 0.85, low_band_share: 0.2 },
    OperatorPlan { key: "mobifone", label: "MobiFone", budget: 85, target_share: 0.75, low_band_share: 0.15 },
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
                    if served[i] {
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
                (hamlets[best.1].pos, rng.chance(plan.low_band_share))
            };
            // Highest ground within 1.5 km that is within 2 km of a road (reachable for building).
            let mut pos = anchor;
            let mut best_z = f64::MIN;
            for _ in 0..48 {
                let r = 1500.0 * rng.f64().sqrt();
                let a = rng.f64() * std::f64::consts::TAU;
                let p = Point::new(anchor.x() + r * a.cos(), anchor.y() + r * a.sin());
                let Some(z) = dem.sample_bilinear(p.x(), p.y()) else { continue };
                let score = z as f64 - 0.05 * roads.distance(p);
                if score > best_z && roads.distance(p) < 2000.0 {
                    best_z = score;
                    pos = p;
                }
            }
            if placed.iter().any(|q| (q.x() - pos.x()).hypot(q.y() - pos.y()) < 700.0) {
                // Too close to a site of the same operator: mark the cluster served and move on.
                for (i, h) in hamlets.iter().enumerate() {
                    if !served[i] && (h.pos.x() - anchor.x()).hypot(h.pos.y() - anchor.y()) < 1500.0 {
                        served[i] = true;
                        served_pop += h.population as f64;
                    }
                }
                continue;
            }
            let freq = if low_band { 900.0 } else { 1800.0 };
            // Nominal reach used only for planning (the coverage engine computes the real footprint).
            let reach = if low_band { 6500.0 } else { 4000.0 };
            for (i, h) in hamlets.iter().enumerate() {
                if !served[i] && (h.pos.x() - pos.x()).hypot(h.pos.y() - pos.y()) < reach {
                    served[i] = true;
                    served_pop += h.population as f64;
                }
            }
            let omni = low_band && rng.chance(0.3);
            let height = [25.0, 30.0, 36.0, 42.0, 45.0][rng.below(5)];
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
