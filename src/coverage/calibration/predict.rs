//! The engine's prediction at measurement points: every transmitter's RSRP at the DEM cell centre
//! holding each point, by the same radial walk as the rasters ([`crate::coverage::points`]), so a
//! prediction equals the operator's raster cell. Kept per transmitter (with its frequency) so the
//! calibration can pick the operator's best server within a measured band, and re-evaluate the
//! best server after per-band offsets without another walk.

use rayon::prelude::*;

use crate::coverage::engine::{model_error, walk_for};
use crate::coverage::params::CoverageParams;
use crate::coverage::sites::PreparedSite;
use crate::coverage::sweep::{eval_cells, locate, rsrp, Scratch};
use crate::error::Result;
use crate::grid::Grid;

/// One transmitter's signal at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TxHit {
    /// `PreparedSite::index`.
    pub site: usize,
    pub f_mhz: f64,
    pub rsrp: f32,
    /// Distance from the site (m).
    pub distance_m: f32,
}

/// Every transmitter's hit (RSRP ≥ the floor) at every point, for the sites `wanted(point, site)`
/// accepts (rayon over sites). Points are snapped to their DEM cell centre; off-DEM points get none.
pub fn tx_hits(
    dem: &Grid<f32>,
    sites: &[&PreparedSite],
    points: &[(f64, f64)],
    params: &CoverageParams,
    source: &str,
    wanted: impl Fn(usize, &PreparedSite) -> bool + Sync,
) -> Result<Vec<Vec<TxHit>>> {
    let cells: Vec<Option<(f64, f64)>> = points.iter().map(|(x, y)| dem.cell_of(*x, *y).map(|(c, r)| dem.cell_center(c, r))).collect();
    let floor = params.min_rsrp_dbm as f32;
    let per_site: Vec<Vec<(u32, TxHit)>> = sites
        .par_iter()
        .with_max_len(1)
        .map_init(|| (Scratch::default(), Vec::new(), Vec::new(), Vec::new()), |(sc, at, located, samples), site| -> Result<Vec<(u32, TxHit)>> {
            let mut out = Vec::new();
            for tx in &site.txs {
                let Some((prof, plan)) = walk_for(dem, tx, params) else { continue };
                // The points in the transmitter's reach, then their samples all at once.
                at.clear();
                located.clear();
                for (k, cell) in cells.iter().enumerate() {
                    let Some((cx, cy)) = *cell else { continue };
                    if !wanted(k, site) {
                        continue;
                    }
                    if let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) {
                        at.push((k, cx, cy));
                        located.push(c);
                    }
                }
                eval_cells(&prof, &plan, sc, located, samples).map_err(|e| model_error(source, site, e))?;
                for ((&(k, cx, cy), c), &smp) in at.iter().zip(located.iter()).zip(samples.iter()) {
                    if smp.loss_db.is_nan() {
                        continue;
                    }
                    let v = rsrp(tx, c, crate::coverage::points::receiver(dem, tx, cx, cy, smp));
                    if v >= floor {
                        let d = (cx - tx.x).hypot(cy - tx.y) as f32;
                        out.push((k as u32, TxHit { site: site.index, f_mhz: tx.f_mhz, rsrp: v, distance_m: d }));
                    }
                }
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut hits: Vec<Vec<TxHit>> = vec![Vec::new(); points.len()];
    for s in per_site {
        for (k, h) in s {
            hits[k as usize].push(h);
        }
    }
    // Site order, then frequency: the same best-server tie rule as the rasters (lower site first).
    for h in hits.iter_mut() {
        h.sort_by(|a, b| a.site.cmp(&b.site).then(a.f_mhz.total_cmp(&b.f_mhz)));
    }
    Ok(hits)
}

/// The strongest hit accepted by `keep`, with its value shifted by `shift(hit)` (dB); ties go to the
/// lower site index.
pub fn best(hits: &[TxHit], keep: impl Fn(&TxHit) -> bool, shift: impl Fn(&TxHit) -> f64) -> Option<(TxHit, f64)> {
    let mut b: Option<(TxHit, f64)> = None;
    for h in hits.iter().filter(|h| keep(h)) {
        let v = h.rsrp as f64 + shift(h);
        if b.as_ref().is_none_or(|(_, bv)| v > *bv) {
            b = Some((*h, v));
        }
    }
    b
}
