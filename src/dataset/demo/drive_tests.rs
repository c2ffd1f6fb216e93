//! Demo drive tests: a scanner driven along the roads records each operator's RSRP every 40 m, about
//! 10,000 samples in all. The "truth" it measures is the coverage engine's own prediction at the
//! point (the dataset's `[coverage]` parameters, best server per operator and band) made to differ
//! from the model the way reality does:
//! - a bias per operator × band (antenna losses, clutter, EIRP as built), from the seed;
//! - log-normal shadowing, spatially correlated along each drive by Gudmundson's (1991) exponential
//!   autocorrelation R(Δd) = σ² exp(−Δd / d_c): an AR(1) process over the 40 m steps, σ in 6–8 dB and
//!   d_c in 50–100 m per operator;
//! - a car-body loss for the drives done with a handset inside the car (`in_vehicle`);
//! - two sites per operator that the model has but that are not on air ("missing" sites): around
//!   them the truth is the best of the remaining sites.
//! Samples are whole dBm (a UE reports RSRP in 1 dB steps) within the reporting range −140…−44 dBm.
//! The scanner records an operator only where its median signal is at least `RECORD_MEDIAN_DBM`
//! (−112 dBm): chosen on the median, not on the draw, so that the reporting floor almost never cuts
//! a sample — a cut on the measured value would bias the residuals upwards. Deterministic from the seed;
//! the truth parameters go to `generated/GENERATED.json`.

use std::path::Path;

use geo::{Coord, Point};
use serde_json::json;

use super::rng::Rng;
use crate::coverage::calibration::predict::{best, tx_hits};
use crate::coverage::sites::prepare_sites;
use crate::coverage::CoverageParams;
use crate::dataset::Dataset;
use crate::error::Result;

/// Samples aimed for.
pub const TARGET_SAMPLES: usize = 10_000;
/// Distance between samples along a drive (m).
pub const STEP_M: f64 = 40.0;
/// Weakest median (truth before shadowing and car loss, dBm) at which an operator is recorded.
pub const RECORD_MEDIAN_DBM: f64 = -112.0;

/// The truth the generator used, for tests and docs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Truth {
    /// (operator, band MHz, bias dB): truth = model + bias (+ shadowing − car loss).
    pub bias_db: Vec<(String, f64, f64)>,
    /// (operator, shadowing σ dB, correlation distance m).
    pub shadowing: Vec<(String, f64, f64)>,
    pub in_vehicle_loss_db: f64,
    /// Site ids of the model that are not on air.
    pub missing_site_ids: Vec<i64>,
    pub samples: usize,
    pub drives: usize,
}

/// Points every `step` m along a polyline from distance `start` for at most `len` m.
fn walk(line: &[Coord<f64>], start: f64, len: f64, step: f64) -> Vec<Point<f64>> {
    let mut out = Vec::new();
    let mut next = start;
    let mut acc = 0.0;
    for w in line.windows(2) {
        let seg = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
        while next <= acc + seg && next <= start + len {
            let t = if seg > 0.0 { (next - acc) / seg } else { 0.0 };
            out.push(Point::new(w[0].x + t * (w[1].x - w[0].x), w[0].y + t * (w[1].y - w[0].y)));
            next += step;
        }
        acc += seg;
    }
    out
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Generate the drive tests for the (already written) dataset `ds` and write them as CSV with
/// `lon,lat` to `path`. Returns the truth.
pub fn generate(ds: &Dataset, params: &CoverageParams, seed: u64, path: &Path) -> Result<Truth> {
    let mut rng = Rng::new(seed).fork(0xD217_E7E5);
    let operators = ds.operators();
    let sites = prepare_sites(ds, params)?;
    let mut bands: Vec<f64> = sites.iter().flat_map(|s| s.txs.iter().map(|t| t.f_mhz)).collect();
    bands.sort_by(f64::total_cmp);
    bands.dedup();

    // Truth parameters.
    let mut bias = Vec::new();
    for op in &operators {
        let base = rng.range(-5.0, 5.0);
        for b in &bands {
            bias.push((op.clone(), *b, round1(base + rng.range(-2.0, 2.0))));
        }
    }
    let shadowing: Vec<(String, f64, f64)> =
        operators.iter().map(|op| (op.clone(), round1(rng.range(6.0, 8.0)), rng.range(50.0, 100.0).round())).collect();
    let car_loss = round1(rng.range(6.0, 9.0));

    // Drives: pieces of 3–10 km of roads at least 2 km long, until the positions are enough for the
    // target (about three operators' samples per position where all reach).
    let roads: Vec<(usize, f64)> = ds
        .roads
        .iter()
        .enumerate()
        .map(|(i, r)| (i, r.geom.0.windows(2).map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y)).sum::<f64>()))
        .filter(|(_, l)| *l >= 2000.0)
        .collect();
    let mut drives: Vec<(Vec<Point<f64>>, bool)> = Vec::new();
    let mut positions = 0usize;
    let want_positions = TARGET_SAMPLES / 2;
    while positions < want_positions && !roads.is_empty() {
        let (ri, len) = roads[rng.below(roads.len())];
        let drive_len = rng.range(3000.0, 10_000.0).min(len);
        let start = rng.range(0.0, (len - drive_len).max(0.0));
        let pts: Vec<Point<f64>> = walk(&ds.roads[ri].geom.0, start, drive_len, STEP_M).into_iter().filter(|p| ds.dem.cell_of(p.x(), p.y()).is_some()).collect();
        positions += pts.len();
        drives.push((pts, rng.chance(0.6)));
    }
    let all: Vec<(f64, f64)> = drives.iter().flat_map(|(p, _)| p.iter().map(|q| (q.x(), q.y()))).collect();

    // Missing sites: two per operator among those within 2 km of a drive, so their shadow is seen.
    let mut missing = Vec::new();
    for op in &operators {
        let near: Vec<usize> = sites
            .iter()
            .filter(|s| &s.operator == op && all.iter().any(|(x, y)| (x - s.x).hypot(y - s.y) < 2000.0))
            .map(|s| s.index)
            .collect();
        let mut near = near;
        for _ in 0..2.min(near.len()) {
            missing.push(near.remove(rng.below(near.len())));
        }
    }

    let refs: Vec<&crate::coverage::sites::PreparedSite> = sites.iter().collect();
    let hits = tx_hits(&ds.dem, &refs, &all, params, &ds.name, |_, s| !missing.contains(&s.index))?;
    let to_ll = crate::crs::Transformer::new(&ds.crs, "EPSG:4326")?;
    let mut rows = vec![["lon", "lat", "operator", "rsrp_dbm", "time", "band", "pci", "site_id", "environment"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut k = 0usize;
    for (d, (pts, in_vehicle)) in drives.iter().enumerate() {
        let mut shadow: Vec<f64> = shadowing.iter().map(|(_, s, _)| s * rng.normal()).collect();
        let day = 2 + d % 20;
        let mut secs = 7 * 3600 + rng.below(4 * 3600);
        for p in pts {
            let h = &hits[k];
            k += 1;
            secs += 4; // 40 m at 36 km/h
            for (o, op) in operators.iter().enumerate() {
                let (sigma, dc) = (shadowing[o].1, shadowing[o].2);
                let rho = (-STEP_M / dc).exp();
                shadow[o] = rho * shadow[o] + sigma * (1.0 - rho * rho).sqrt() * rng.normal();
                let b = |f: f64| bias.iter().find(|x| &x.0 == op && x.1 == f).map_or(0.0, |x| x.2);
                let Some((serving, truth)) = best(h, |x| &ds.sites[x.site].operator == op, |x| b(x.f_mhz)) else { continue };
                if truth < RECORD_MEDIAN_DBM {
                    continue;
                }
                let measured = (truth + shadow[o] - if *in_vehicle { car_loss } else { 0.0 }).round();
                if measured < -140.0 {
                    continue;
                }
                let (lon, lat) = to_ll.convert(p.x(), p.y())?;
                let site = &ds.sites[serving.site];
                rows.push(vec![
                    format!("{lon:.6}"),
                    format!("{lat:.6}"),
                    op.clone(),
                    format!("{}", measured.min(-44.0)),
                    format!("2026-11-{day:02}T{:02}:{:02}:{:02}+07:00", (secs / 3600) % 24, (secs / 60) % 60, secs % 60),
                    format!("{}", serving.f_mhz),
                    format!("{}", (site.id * 3 + 1) % 504),
                    site.id.to_string(),
                    if *in_vehicle { "in_vehicle".into() } else { "outdoor".into() },
                ]);
            }
        }
    }
    let samples = rows.len() - 1;
    super::output::write_csv(path, &rows)?;
    Ok(Truth {
        bias_db: bias,
        shadowing,
        in_vehicle_loss_db: car_loss,
        missing_site_ids: missing.iter().map(|i| ds.sites[*i].id).collect(),
        samples,
        drives: drives.len(),
    })
}

impl Truth {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "bias_db": self.bias_db.iter().map(|(o, b, v)| json!({"operator": o, "band": b, "bias_db": v})).collect::<Vec<_>>(),
            "shadowing": self.shadowing.iter().map(|(o, s, d)| json!({"operator": o, "sigma_db": s, "correlation_m": d})).collect::<Vec<_>>(),
            "in_vehicle_loss_db": self.in_vehicle_loss_db,
            "missing_site_ids": self.missing_site_ids,
            "samples": self.samples,
            "drives": self.drives,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_steps_along_a_polyline() {
        let line = [Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 0.0 }, Coord { x: 100.0, y: 100.0 }];
        let p = walk(&line, 20.0, 150.0, 40.0);
        let xy: Vec<(f64, f64)> = p.iter().map(|p| (p.x(), p.y())).collect();
        // 20 m in, then every 40 m up to 170 m: round the corner, and not past the requested length.
        assert_eq!(xy, vec![(20.0, 0.0), (60.0, 0.0), (100.0, 0.0), (100.0, 40.0)]);
    }
}
