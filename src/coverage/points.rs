//! Signal at chosen points only — hamlets, planner candidates' targets — without a raster. Each point
//! is evaluated at the centre of the DEM cell holding it, by walking just the radial chain that reaches
//! it ([`super::sweep::eval_cell_chain`]), so the value equals the raster's cell bit for bit. Used for
//! coverage recomputed without some sites (risk) and for evaluating candidate sites (planner).

use rayon::prelude::*;

use super::engine::{model_error, walk_for};
use crate::radio::itm::ItmError;
use super::params::CoverageParams;
use super::sites::PreparedSite;
use super::sweep::{at_receiver, eval_cells, locate, rsrp, Scratch};
use crate::error::Result;
use crate::grid::Grid;

/// The best signal at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSignal {
    /// Best RSRP (dBm) over all sites; NaN when no site reaches the point above the floor.
    pub rsrp: f32,
    /// `PreparedSite::index` of the best server.
    pub site: Option<usize>,
    /// Best RSRP per operator (in the order of the `operators` argument), NaN when none.
    pub per_operator: Vec<f32>,
}

/// [`at_receiver`] for the DEM cell holding the centre (cx, cy).
#[inline]
pub(crate) fn receiver(dem: &Grid<f32>, tx: &super::sites::Transmitter, cx: f64, cy: f64, smp: super::profile::Sample) -> super::profile::Sample {
    match (&tx.clutter, dem.cell_of(cx, cy)) {
        (Some(_), Some((c, r))) => at_receiver(tx, r * dem.width + c, smp),
        _ => smp,
    }
}

/// Each site's hits at the cell centres `cells`: (point index, RSRP) with RSRP ≥ the floor.
pub fn site_hits(
    dem: &Grid<f32>,
    site: &PreparedSite,
    cells: &[(f64, f64)],
    params: &CoverageParams,
    sc: &mut Scratch,
) -> Result<Vec<(u32, f32)>, ItmError> {
    let floor = params.min_rsrp_dbm as f32;
    let mut hits: Vec<(u32, f32)> = Vec::new();
    let (mut at, mut located, mut samples) = (Vec::new(), Vec::new(), Vec::new());
    for tx in &site.txs {
        let Some((prof, plan)) = walk_for(dem, tx, params) else { continue };
        // The cells in the transmitter's reach, then their samples all at once.
        at.clear();
        located.clear();
        for (k, &(cx, cy)) in cells.iter().enumerate() {
            if let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) {
                at.push((k, cx, cy));
                located.push(c);
            }
        }
        eval_cells(&prof, &plan, sc, &located, &mut samples)?;
        for ((&(k, cx, cy), c), &smp) in at.iter().zip(&located).zip(&samples) {
            if smp.loss_db.is_nan() {
                continue;
            }
            let v = rsrp(tx, c, receiver(dem, tx, cx, cy, smp));
            if v >= floor {
                match hits.iter_mut().find(|h| h.0 == k as u32) {
                    Some(h) => h.1 = h.1.max(v),
                    None => hits.push((k as u32, v)),
                }
            }
        }
    }
    Ok(hits)
}

/// A transmitter's hits at the DEM cells `points` (indices) read from its finished sweep (after
/// [`super::sweep::sweep_tx`]): (point index, RSRP) with RSRP ≥ `floor`. The same values as
/// [`site_hits`] at those cells' centres — the swept sample equals the chain walk's bit for bit and
/// the receiver's clutter is that of the same cell — without walking any radial again.
pub(crate) fn swept_hits(
    dem: &Grid<f32>,
    tx: &super::sites::Transmitter,
    plan: &super::radial::RadialPlan,
    sc: &Scratch,
    points: &[usize],
    floor: f32,
) -> Vec<(u32, f32)> {
    let mut hits = Vec::new();
    for (k, &i) in points.iter().enumerate() {
        let (cx, cy) = dem.cell_center(i % dem.width, i / dem.width);
        let Some(c) = locate(plan, tx.x, tx.y, cx, cy) else { continue };
        let smp = super::sweep::swept_sample(plan, sc, &c);
        if smp.loss_db.is_nan() {
            continue;
        }
        let v = rsrp(tx, &c, at_receiver(tx, i, smp));
        if v >= floor {
            hits.push((k as u32, v));
        }
    }
    hits
}

/// Best signal at every cell centre in `cells` from `sites` (rayon over sites); `source` names the
/// dataset in errors.
pub fn signal_at(
    dem: &Grid<f32>,
    sites: &[&PreparedSite],
    operators: &[String],
    cells: &[(f64, f64)],
    params: &CoverageParams,
    source: &str,
) -> Result<Vec<PointSignal>> {
    let hits: Vec<Vec<(u32, f32)>> = sites
        .par_iter()
        .with_max_len(1)
        .map_init(Scratch::default, |sc, s| site_hits(dem, s, cells, params, sc).map_err(|e| model_error(source, s, e)))
        .collect::<Result<_>>()?;
    let mut out = vec![PointSignal { rsrp: f32::NAN, site: None, per_operator: vec![f32::NAN; operators.len()] }; cells.len()];
    for (site, hs) in sites.iter().zip(hits) {
        let op = operators.iter().position(|o| *o == site.operator);
        for (k, v) in hs {
            let p = &mut out[k as usize];
            // Same tie rule as the raster: equal RSRP goes to the lower site index.
            let better = p.rsrp.is_nan() || v > p.rsrp || (v == p.rsrp && Some(site.index) < p.site);
            if better {
                p.rsrp = v;
                p.site = Some(site.index);
            }
            if let Some(o) = op {
                let q = &mut p.per_operator[o];
                if q.is_nan() || v > *q {
                    *q = v;
                }
            }
        }
    }
    Ok(out)
}

/// Every site's RSRP at a fixed set of points, computed once so that "the best signal without these
/// sites" is a cheap max over the remaining sites' hits instead of a new propagation run per question
/// (the risk stage asks it once per at-risk site, over a hundred times on the demo data).
#[derive(Debug, Clone)]
pub struct SiteHitTable {
    points: usize,
    /// (site id, that site's hits), in site order.
    sites: Vec<(i64, Vec<(u32, f32)>)>,
}

impl SiteHitTable {
    /// Evaluates every site at `cells` (rayon over sites).
    pub fn new(dem: &Grid<f32>, sites: &[PreparedSite], cells: &[(f64, f64)], params: &CoverageParams, source: &str) -> Result<Self> {
        let hits: Vec<Vec<(u32, f32)>> = sites
            .par_iter()
            .with_max_len(1)
            .map_init(Scratch::default, |sc, s| site_hits(dem, s, cells, params, sc).map_err(|e| model_error(source, s, e)))
            .collect::<Result<_>>()?;
        Ok(Self { points: cells.len(), sites: sites.iter().zip(hits).map(|(s, h)| (s.id, h)).collect() })
    }

    /// The table from hits collected during the coverage sweep ([`swept_hits`]): `(site's
    /// `PreparedSite::index`, hits of one of its transmitters)` in any order; a point hit by several
    /// transmitters of a site keeps the strongest, as [`site_hits`] does. Equals
    /// [`SiteHitTable::new`] on the same sites and points; `None` when a hit names no site of `sites`.
    pub fn from_hits(sites: &[PreparedSite], points: usize, hits: super::quality::pass::SiteHits) -> Option<Self> {
        let pos: std::collections::HashMap<usize, usize> = sites.iter().enumerate().map(|(p, s)| (s.index, p)).collect();
        let mut per: Vec<Vec<(u32, f32)>> = vec![Vec::new(); sites.len()];
        for (s, hs) in hits {
            let mine = &mut per[*pos.get(&s)?];
            if mine.is_empty() {
                *mine = hs;
                continue;
            }
            for (k, v) in hs {
                match mine.iter_mut().find(|h| h.0 == k) {
                    Some(h) => h.1 = h.1.max(v),
                    None => mine.push((k, v)),
                }
            }
        }
        Some(Self { points, sites: sites.iter().zip(per).map(|(s, h)| (s.id, h)).collect() })
    }

    /// Best RSRP (dBm) at every point with the sites `excluded_site_ids` out of service; NaN where no
    /// remaining site reaches the point. Same value as [`signal_at`] over the remaining sites.
    pub fn rsrp_without(&self, excluded_site_ids: &[i64]) -> Vec<f32> {
        let mut out = vec![f32::NAN; self.points];
        for (id, hits) in &self.sites {
            if excluded_site_ids.contains(id) {
                continue;
            }
            for &(k, v) in hits {
                let p = &mut out[k as usize];
                if p.is_nan() || v > *p {
                    *p = v;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::hamlets::hamlet_cells;
    use crate::coverage::sites::prepare_sites;
    use crate::coverage::synthetic::mini_province;

    #[test]
    fn hits_read_from_the_sweep_equal_the_chain_walk_table() {
        // The coverage stage keeps every site's signal at the hamlets from its own sweep instead of
        // walking each site's radial chains again (the risk stage's warning reach): the table must be
        // the chain walk's exactly — with a land cover, so the receivers' clutter is in — for every
        // site taken out in turn.
        let mut ds = mini_province(9);
        let classes = [10u8, 20, 30, 40, 50, 60];
        ds.landcover = Some(std::sync::Arc::new(ds.dem.map(Some(0u8), |z| classes[(z.abs() as usize / 7) % classes.len()])));
        let params = CoverageParams { max_radius_m: 9000.0, ..Default::default() };
        let mut sink = crate::store::MemorySink::default();
        let out = crate::coverage::stage::run(&ds, &params, &mut sink).unwrap();
        let swept = out.hamlet_hits.expect("the local sweep keeps the hamlet hits");
        let sites = prepare_sites(&ds, &out.params).unwrap();
        let cells = hamlet_cells(&ds).unwrap();
        let walked = SiteHitTable::new(&ds.dem, &sites, &cells, &out.params, &ds.name).unwrap();
        let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<_>>();
        let mut reached = 0;
        for excluded in std::iter::once(vec![]).chain(ds.sites.iter().map(|s| vec![s.id])) {
            let (a, b) = (swept.rsrp_without(&excluded), walked.rsrp_without(&excluded));
            reached += a.iter().filter(|v| v.is_finite()).count();
            assert_eq!(bits(a), bits(b), "without {excluded:?}");
        }
        assert!(reached > 300, "{reached}");
        // With nothing excluded it is the hamlets' raster value, as before.
        let all = swept.rsrp_without(&[]);
        for h in &out.hamlets {
            assert_eq!(all[h.hamlet].to_bits(), h.rsrp_dbm.to_bits(), "hamlet {}", h.hamlet);
        }
    }
}
