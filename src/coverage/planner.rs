//! The site planner: propose k new sites that bring 4G to the most uncovered people.
//!
//! Candidates come from the terrain: around each of the `max_gap_areas` most populous gap areas (its
//! hamlets' extent plus
//! `search_margin_m`), the DEM is cut into `block_m` blocks and each block's highest cell is a
//! candidate, if it lies in the province within `road_max_m` of a road (to build and power it);
//! per gap area the highest `candidates_per_gap` are kept, at least `min_separation_m` apart. Each
//! candidate is a site of the configured design (by default the dataset's median sector height and
//! RS EIRP at its most common frequency, three sectors), evaluated at the uncovered hamlets with the
//! same engine as the existing network ([`super::points`]).
//!
//! Choice: greedy by people newly covered — pick the candidate adding the most uncovered people,
//! mark them covered, repeat k times (stop early when no candidate adds anyone). This is the classic
//! greedy for maximum coverage, within a factor 1 − 1/e of the optimum (Nemhauser, Wolsey & Fisher
//! 1978), and its first j proposals are its answer for any j ≤ k. After each pick the chosen site is
//! evaluated at every hamlet and the province's indicators are recomputed ("after").

use geo::{Contains, Point};
use rayon::prelude::*;

use super::fiber::RoadGraph;
use super::gaps::GapArea;
use super::hamlets::{status, HamletStatus};
use super::indicators::{aggregate, Indicators};
use super::params::CoverageParams;
use super::points::site_hits;
use super::sites::{prepare_site, PreparedSite};
use super::sweep::Scratch;
use crate::dataset::{CellSite, Dataset, Sector};
use crate::error::Result;

/// One proposed site.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// 1 = first chosen.
    pub rank: u32,
    pub site: CellSite,
    pub ground_m: f32,
    /// The gap area the candidate was found for.
    pub gap_area: u32,
    pub road_distance_m: f64,
    /// Hamlets (indices in `Dataset::hamlets`) this site newly covers, and their people.
    pub hamlets: Vec<usize>,
    pub population: u64,
    /// Province indicators with this and every earlier proposal built.
    pub after: Indicators,
}

struct Candidate {
    x: f64,
    y: f64,
    z: f32,
    area: u32,
    road_m: f64,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

/// The design of a proposed site: explicit parameters, else the dataset's medians.
fn design(ds: &Dataset, params: &CoverageParams) -> (f64, f64, f64) {
    let p = &params.planner;
    let freq = p.frequency_mhz.unwrap_or_else(|| {
        let mut counts: Vec<(i64, usize)> = Vec::new();
        for (_, s) in ds.sectors() {
            let k = s.frequency_mhz.round() as i64;
            match counts.iter_mut().find(|c| c.0 == k) {
                Some(c) => c.1 += 1,
                None => counts.push((k, 1)),
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts.first().map_or(1800.0, |c| c.0 as f64)
    });
    let height = p.height_m.unwrap_or_else(|| median(ds.sectors().map(|(_, s)| s.height_m).collect()).unwrap_or(30.0));
    let eirp = p.rs_eirp_dbm.unwrap_or_else(|| {
        median(ds.sectors().filter(|(_, s)| (s.frequency_mhz - freq).abs() < 1.0).map(|(_, s)| s.rs_eirp_dbm).collect()).unwrap_or(30.0)
    });
    (height, freq, eirp)
}

fn candidate_site(ds: &Dataset, params: &CoverageParams, id: i64, x: f64, y: f64) -> CellSite {
    let p = &params.planner;
    let (height, freq, eirp) = design(ds, params);
    let sector = |k: usize, az: Option<f64>| Sector {
        id: id * 10 + k as i64,
        site_id: id,
        azimuth_deg: az,
        height_m: height,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: p.elec_tilt_deg,
        h_beamwidth_deg: p.h_beamwidth_deg,
        v_beamwidth_deg: p.v_beamwidth_deg,
        rs_eirp_dbm: eirp,
        frequency_mhz: freq,
    };
    let sectors = if p.sectors == 0 {
        vec![sector(0, None)]
    } else {
        (0..p.sectors).map(|k| sector(k, Some(360.0 * k as f64 / p.sectors as f64))).collect()
    };
    CellSite {
        id,
        operator: p.operator.clone(),
        name: format!("proposed {}", id),
        pos: Point::new(x, y),
        ground_m: ds.dem.sample_bilinear(x, y).unwrap_or(f32::NAN),
        sectors,
    }
}

fn candidates(ds: &Dataset, params: &CoverageParams, areas: &[GapArea], roads: &RoadGraph) -> Vec<Candidate> {
    let p = &params.planner;
    let dem = &ds.dem;
    let t = dem.transform;
    let block = ((p.block_m / t.dx).round() as usize).max(1);
    let per_area: Vec<Vec<Candidate>> = areas[..areas.len().min(p.max_gap_areas)]
        .par_iter()
        .map(|a| {
            let xs = a.hamlets.iter().map(|h| ds.hamlets[*h].pos.x());
            let ys = a.hamlets.iter().map(|h| ds.hamlets[*h].pos.y());
            let (x0, x1) = (xs.clone().fold(f64::INFINITY, f64::min), xs.fold(f64::NEG_INFINITY, f64::max));
            let (y0, y1) = (ys.clone().fold(f64::INFINITY, f64::min), ys.fold(f64::NEG_INFINITY, f64::max));
            let m = p.search_margin_m;
            let c0 = (((x0 - m - t.x0) / t.dx).floor().max(0.0)) as usize;
            let c1 = ((((x1 + m - t.x0) / t.dx).ceil()).max(0.0) as usize).min(dem.width);
            let r0 = (((t.y0 - (y1 + m)) / t.dy).floor().max(0.0)) as usize;
            let r1 = ((((t.y0 - (y0 - m)) / t.dy).ceil()).max(0.0) as usize).min(dem.height);
            let mut found: Vec<Candidate> = Vec::new();
            for br in (r0..r1).step_by(block) {
                for bc in (c0..c1).step_by(block) {
                    let mut best: Option<(usize, usize, f32)> = None;
                    for r in br..(br + block).min(r1) {
                        for c in bc..(bc + block).min(c1) {
                            if let Some(z) = dem.value(c as isize, r as isize) {
                                if !z.is_nan() && best.is_none_or(|b| z > b.2) {
                                    best = Some((c, r, z));
                                }
                            }
                        }
                    }
                    let Some((c, r, z)) = best else { continue };
                    let (x, y) = dem.cell_center(c, r);
                    if !ds.province.contains(&Point::new(x, y)) {
                        continue;
                    }
                    let Some(s) = roads.snap(x, y) else { continue };
                    if s.drop_m <= p.road_max_m {
                        found.push(Candidate { x, y, z, area: a.id, road_m: s.drop_m });
                    }
                }
            }
            found.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.x.total_cmp(&b.x)).then(a.y.total_cmp(&b.y)));
            let mut kept: Vec<Candidate> = Vec::new();
            for c in found {
                if kept.len() >= p.candidates_per_gap {
                    break;
                }
                if kept.iter().all(|k| (k.x - c.x).hypot(k.y - c.y) >= p.min_separation_m) {
                    kept.push(c);
                }
            }
            kept
        })
        .collect();
    per_area.into_iter().flatten().collect()
}

/// Propose up to `params.planner.k` sites for the uncovered hamlets of `statuses`.
pub fn plan(
    ds: &Dataset,
    params: &CoverageParams,
    statuses: &[HamletStatus],
    cells: &[(f64, f64)],
    areas: &[GapArea],
    roads: &RoadGraph,
    commune_fiber: &[bool],
) -> Result<Vec<Proposal>> {
    let k = params.planner.k;
    if k == 0 || areas.is_empty() {
        return Ok(Vec::new());
    }
    let cands = candidates(ds, params, areas, roads);
    let base_id = ds.sites.iter().map(|s| s.id).max().unwrap_or(0).max(0) + 1;
    let uncovered: Vec<usize> = statuses.iter().filter(|s| !s.covered).map(|s| s.hamlet).collect();
    let ucells: Vec<(f64, f64)> = uncovered.iter().map(|h| cells[*h]).collect();
    let covered_at = params.covered_dbm as f32;
    // Each candidate's newly covered hamlets (positions in `uncovered`).
    let prepared: Vec<PreparedSite> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| prepare_site(ds, ds.sites.len() + i, &candidate_site(ds, params, base_id + i as i64, c.x, c.y), params))
        .collect::<Result<_>>()?;
    let gains: Vec<Vec<u32>> = prepared
        .par_iter()
        .with_max_len(1)
        .map_init(Scratch::default, |sc, s| {
            site_hits(&ds.dem, s, &ucells, params, sc).into_iter().filter(|(_, v)| *v >= covered_at).map(|(k, _)| k).collect()
        })
        .collect();
    let mut taken = vec![false; uncovered.len()];
    let mut chosen = vec![false; cands.len()];
    let mut after: Vec<HamletStatus> = statuses.to_vec();
    let all: Vec<usize> = (0..statuses.len()).collect();
    let communes: Vec<usize> = (0..ds.communes.len()).collect();
    let n_ops = statuses.first().map_or(0, |s| s.per_operator.len());
    let mut out = Vec::new();
    let mut sc = Scratch::default();
    for rank in 1..=k as u32 {
        let pop = |g: &Vec<u32>| -> u64 {
            g.iter().filter(|k| !taken[**k as usize]).map(|k| ds.hamlets[uncovered[*k as usize]].population as u64).sum()
        };
        let best = (0..cands.len()).filter(|i| !chosen[*i]).map(|i| (pop(&gains[i]), i)).max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((gain, i)) = best else { break };
        if gain == 0 {
            break;
        }
        chosen[i] = true;
        let mut hamlets: Vec<usize> = gains[i].iter().filter(|k| !taken[**k as usize]).map(|k| uncovered[*k as usize]).collect();
        for k in &gains[i] {
            taken[*k as usize] = true;
        }
        hamlets.sort_by(|a, b| ds.hamlets[*b].population.cmp(&ds.hamlets[*a].population).then(a.cmp(b)));
        // The site's signal at every hamlet, for the indicators after.
        for (h, v) in site_hits(&ds.dem, &prepared[i], cells, params, &mut sc) {
            let s = &after[h as usize];
            if s.rsrp_dbm.is_nan() || v > s.rsrp_dbm {
                after[h as usize] =
                    status(h as usize, v, Some(prepared[i].index), s.per_operator.clone(), s.fiber_distance_m, params);
            }
        }
        let mut ind = aggregate(ds, &after, &all, &communes, commune_fiber, n_ops, params);
        ind.level = "province".into();
        ind.code = ds.name.clone();
        ind.name = super::indicators::province_name(ds);
        let c = &cands[i];
        let mut site = candidate_site(ds, params, base_id + i as i64, c.x, c.y);
        site.ground_m = c.z;
        out.push(Proposal {
            rank,
            site,
            ground_m: c.z,
            gap_area: c.area,
            road_distance_m: c.road_m,
            population: hamlets.iter().map(|h| ds.hamlets[*h].population as u64).sum(),
            hamlets,
            after: ind,
        });
    }
    Ok(out)
}
