//! Calibration of the coverage model against drive-test measurements.
//!
//! Every measurement is compared with the engine's prediction at its location ([`predict`]): the
//! measured operator's best server — within the measured band when the measurement names one. Per
//! operator × band the residuals (measured − predicted, in-vehicle samples corrected by the car-body
//! loss) give an offset and a residual σ ([`fit`], robust to a few gross errors; the points of sites
//! that look off air — consistently far below the fit — are left out and the sites reported). The offsets are
//! applied as EIRP corrections of the operator's transmitters in the band, so the rasters, the hamlet
//! values, the indicators and the planner all see the calibrated model without a second engine; σ
//! feeds the location probability ([`crate::coverage::location`]).
//!
//! Honesty: the reported "after" error is that of offsets fitted without a spatial hold-out (whole
//! 2 km blocks plus a buffer, see [`fit`]), evaluated on the held-out points only — and the "before"
//! figures are on the same points. The applied offsets are then fitted on every point.

pub mod add;
pub mod challenge;
pub mod fit;
pub mod layers;
pub mod params;
pub mod predict;

use std::collections::BTreeMap;

use fit::{assign_roles, me_rmse, robust_mean_sigma, suspect_off_air, vehicle_loss, Role, SuspectSite};
pub use params::{Applied, CalibrationParams, DEFAULT_IN_VEHICLE_LOSS_DB};
use predict::{best, tx_hits, TxHit};

use super::params::CoverageParams;
use super::sites::PreparedSite;
use crate::dataset::{Dataset, MeasureEnv};
use crate::error::Result;

/// One measurement compared with the model.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredPoint {
    /// Index in `Dataset::measurements`.
    pub index: usize,
    /// The operator's best server by the uncalibrated model; `None` where no transmitter of the
    /// operator (in the band) reaches the point above the floor.
    pub predicted: Option<Predicted>,
    /// The prediction after calibration, for the handset's environment (in-vehicle loss included).
    pub calibrated_dbm: Option<f64>,
    pub role: Role,
    /// Its predicted best server is suspected off air ([`fit::suspect_off_air`]): left out of the fit.
    pub suspect_off_air: bool,
}

/// A measurement's predicted best server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// Its RSRP (dBm) by the uncalibrated model.
    pub dbm: f64,
    /// The group's band (MHz): the measured band, else the serving transmitter's frequency.
    pub band_mhz: f64,
    /// `PreparedSite::index` of the server.
    pub site: usize,
    pub distance_m: f64,
}

impl MeasuredPoint {
    pub fn residual_db(&self, measured: f64) -> Option<f64> {
        self.predicted.map(|p| measured - p.dbm)
    }
}

/// The fit of one operator × band.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupFit {
    pub operator: String,
    pub band_mhz: f64,
    /// Measurements with a prediction used in the fit.
    pub n: usize,
    /// Measurements left out because their predicted best server is suspected off air.
    pub n_excluded: usize,
    /// Ids of those sites (of this operator, with points in this band).
    pub suspect_off_air: Vec<i64>,
    pub n_holdout: usize,
    pub offset_db: f64,
    pub sigma_db: f64,
    #[serde(flatten)]
    pub held_out: HeldOutErrors,
    /// Whether the offset is applied to the model (enough points, calibration on).
    pub applied: bool,
}

/// Held-out error of one operator over its bands.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorSummary {
    pub operator: String,
    pub n: usize,
    pub n_holdout: usize,
    pub held_out: HeldOutErrors,
}

/// Errors (measured − model, dB) on held-out points before and after calibration: mean and RMSE,
/// `None` without held-out points.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct HeldOutErrors {
    pub me_before_db: Option<f64>,
    pub rmse_before_db: Option<f64>,
    pub me_after_db: Option<f64>,
    pub rmse_after_db: Option<f64>,
}

impl HeldOutErrors {
    /// From the held-out residuals of the uncalibrated and the calibrated model.
    pub fn of(before: &[f64], after: &[f64]) -> Self {
        let (me_before_db, rmse_before_db) = me_rmse(before).unzip();
        let (me_after_db, rmse_after_db) = me_rmse(after).unzip();
        HeldOutErrors { me_before_db, rmse_before_db, me_after_db, rmse_after_db }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub points: Vec<MeasuredPoint>,
    pub groups: Vec<GroupFit>,
    pub operators: Vec<OperatorSummary>,
    /// The car-body loss used.
    pub in_vehicle_loss: VehicleLoss,
    pub enabled: bool,
    pub applied: Applied,
    /// Sites whose points sit consistently far below the fit (off air during the drives, or badly
    /// modelled), fitted on every point; their points are left out of the offsets.
    pub suspect_off_air: Vec<OffAirSite>,
}

/// A site suspected off air, for the report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OffAirSite {
    pub site_id: i64,
    pub operator: String,
    /// Points it best-serves in the model.
    pub n: usize,
    /// Their median residual relative to their group's fit (dB).
    pub median_db: f64,
}

impl Calibration {
    /// The build's line per operator.
    pub fn summary_lines(&self) -> Vec<String> {
        let f = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.1}"));
        self.operators
            .iter()
            .map(|o| {
                format!(
                    "calibration {}: n = {} ({} held out), held-out RMSE {} → {} dB{}",
                    o.operator,
                    o.n,
                    o.n_holdout,
                    f(o.held_out.rmse_before_db),
                    f(o.held_out.rmse_after_db),
                    if self.enabled { "" } else { " (not applied: [coverage.calibration] enabled = false)" }
                )
            })
            .collect()
    }

    /// The build's line on sites suspected off air.
    pub fn off_air_line(&self) -> String {
        if self.suspect_off_air.is_empty() {
            return "calibration: no site suspected off air".into();
        }
        let list: Vec<String> =
            self.suspect_off_air.iter().map(|s| format!("{} site {} ({} points, median {:.1} dB)", s.operator, s.site_id, s.n, s.median_db)).collect();
        format!("calibration: suspected off air, their points left out of the offsets: {}", list.join(", "))
    }
}

fn band_key(b: f64) -> i64 {
    b.round() as i64
}

/// The group (operator, band) offsets fitted on `use_point` points; vehicle loss too; the sites
/// suspected off air among those points, whose points the offsets leave out.
struct Fitted {
    offsets: BTreeMap<(String, i64), (f64, f64, usize)>,
    vehicle: VehicleLoss,
    suspects: Vec<SuspectSite>,
}

/// The car-body loss (dB) and whether it was estimated from the data (else given by
/// `in_vehicle_loss_db` or [`DEFAULT_IN_VEHICLE_LOSS_DB`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VehicleLoss {
    pub db: f64,
    pub estimated: bool,
}

impl VehicleLoss {
    /// The loss a sample takes: the car body's in a vehicle, none outdoors.
    fn of(&self, m: &crate::dataset::Measurement) -> f64 {
        if m.environment == MeasureEnv::InVehicle {
            self.db
        } else {
            0.0
        }
    }
}

/// Fit, then find the sites whose points sit far below that fit and fit again without them, until no
/// new site is found (at most three rounds: leaving a tail out raises the offset a little, which can
/// uncover a second site just past the rule).
fn fit_groups(ds: &Dataset, pts: &[MeasuredPoint], cp: &CalibrationParams, use_point: impl Fn(&MeasuredPoint) -> bool) -> Fitted {
    let mut out: Vec<usize> = Vec::new();
    let mut fitted = fit_groups_once(ds, pts, cp, &use_point, &out);
    for _ in 0..3 {
        let rel = relative_residuals(ds, pts, &fitted, &use_point);
        let new: Vec<usize> =
            suspect_off_air(&rel, cp.off_air_min_points, cp.off_air_median_db).into_iter().map(|s| s.site).filter(|s| !out.contains(s)).collect();
        if new.is_empty() {
            break;
        }
        out.extend(new);
        fitted = fit_groups_once(ds, pts, cp, &use_point, &out);
    }
    // Reported: each left-out site's points relative to the final fit.
    let rel: Vec<(usize, f64)> = relative_residuals(ds, pts, &fitted, &use_point).into_iter().filter(|(s, _)| out.contains(s)).collect();
    fitted.suspects = suspect_off_air(&rel, 1, f64::INFINITY);
    fitted
}

/// (predicted best server, residual − its group's offset, car-body loss corrected) of the `use_point`
/// points of a fitted group.
fn relative_residuals(ds: &Dataset, pts: &[MeasuredPoint], fitted: &Fitted, use_point: impl Fn(&MeasuredPoint) -> bool) -> Vec<(usize, f64)> {
    pts.iter()
        .filter(|p| use_point(p))
        .filter_map(|p| {
            let Predicted { dbm: pred, band_mhz: b, site, .. } = p.predicted?;
            let m = &ds.measurements[p.index];
            let off = fitted.offsets.get(&(m.operator.clone(), band_key(b)))?.0;
            Some((site, m.rsrp_dbm - pred + fitted.vehicle.of(m) - off))
        })
        .collect()
}

/// One fit of the groups on the `use_point` points, leaving out those best served by a site in `out`.
fn fit_groups_once(ds: &Dataset, pts: &[MeasuredPoint], cp: &CalibrationParams, use_point: impl Fn(&MeasuredPoint) -> bool, out: &[usize]) -> Fitted {
    let mut by_group: BTreeMap<(String, i64), (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for p in pts.iter().filter(|p| use_point(p) && !p.predicted.is_some_and(|x| out.contains(&x.site))) {
        let Some(Predicted { dbm: pred, band_mhz: b, .. }) = p.predicted else { continue };
        let m = &ds.measurements[p.index];
        let e = by_group.entry((m.operator.clone(), band_key(b))).or_default();
        match m.environment {
            MeasureEnv::Outdoor => e.0.push(m.rsrp_dbm - pred),
            MeasureEnv::InVehicle => e.1.push(m.rsrp_dbm - pred),
        }
    }
    let groups: Vec<(Vec<f64>, Vec<f64>)> = by_group.values().cloned().collect();
    let vehicle = match cp.in_vehicle_loss_db {
        Some(db) => VehicleLoss { db, estimated: false },
        None => match vehicle_loss(&groups, cp.min_points) {
            Some(db) => VehicleLoss { db, estimated: true },
            None => VehicleLoss { db: DEFAULT_IN_VEHICLE_LOSS_DB, estimated: false },
        },
    };
    let offsets = by_group
        .into_iter()
        .filter_map(|(k, (o, v))| {
            let all: Vec<f64> = o.iter().copied().chain(v.iter().map(|r| r + vehicle.db)).collect();
            robust_mean_sigma(&all).map(|(m, s, _)| (k, (m, s, all.len())))
        })
        .collect();
    Fitted { offsets, vehicle, suspects: Vec::new() }
}

/// Compare the dataset's measurements with the model (sites prepared without calibration) and fit.
/// `None` when the dataset has no measurements.
pub fn calibrate(ds: &Dataset, params: &CoverageParams, sites: &[PreparedSite]) -> Result<Option<Calibration>> {
    let cp = &params.calibration;
    cp.validate()?;
    if ds.measurements.is_empty() {
        return Ok(None);
    }
    let enabled = cp.enabled.unwrap_or(true);
    let ms = &ds.measurements;
    let xy: Vec<(f64, f64)> = ms.iter().map(|m| (m.pos.x(), m.pos.y())).collect();
    let refs: Vec<&PreparedSite> = sites.iter().collect();
    let hits = tx_hits(&ds.dem, &refs, &xy, params, &ds.name, |k, s| s.operator == ms[k].operator)?;
    let roles = assign_roles(&xy, cp.block_m, cp.holdout_fraction, cp.buffer_m);
    let in_band = |m: &crate::dataset::Measurement, h: &TxHit| m.band_mhz.is_none_or(|b| cp.same_band(b, h.f_mhz));
    let mut pts: Vec<MeasuredPoint> = ms
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let b = best(&hits[i], |h| in_band(m, h), |_| 0.0);
            MeasuredPoint {
                index: i,
                predicted: b.map(|(h, v)| Predicted {
                    dbm: v,
                    band_mhz: m.band_mhz.unwrap_or(h.f_mhz),
                    site: h.site,
                    distance_m: h.distance_m as f64,
                }),
                calibrated_dbm: None,
                role: roles[i],
                suspect_off_air: false,
            }
        })
        .collect();

    let all = fit_groups(ds, &pts, cp, |_| true);
    // The train-only fit judges sites on its own points: the hold-out stays unseen.
    let train = fit_groups(ds, &pts, cp, |p| p.role == Role::Fit);
    for p in pts.iter_mut() {
        p.suspect_off_air = p.predicted.is_some_and(|x| all.suspects.iter().any(|s| s.site == x.site));
    }

    // Per group: the table row, with held-out errors of the train-only fit.
    let mut groups = Vec::new();
    let mut op_err: BTreeMap<String, (usize, usize, Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for ((op, band), (offset, sigma, n)) in &all.offsets {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for p in pts.iter().filter(|p| p.role == Role::Holdout) {
            let m = &ms[p.index];
            let Some(Predicted { dbm: pred, band_mhz: b, .. }) = p.predicted else { continue };
            if &m.operator != op || band_key(b) != *band {
                continue;
            }
            before.push(m.rsrp_dbm - pred);
            // A group with no fitted points predicts as the uncalibrated model (offset 0).
            let off = train.offsets.get(&(op.clone(), *band)).map_or(0.0, |o| o.0);
            after.push(m.rsrp_dbm - (pred + off - train.vehicle.of(m)));
        }
        let e = op_err.entry(op.clone()).or_default();
        e.0 += n;
        e.1 += before.len();
        e.2.extend(&before);
        e.3.extend(&after);
        let excluded: Vec<&MeasuredPoint> = pts
            .iter()
            .filter(|p| p.suspect_off_air && ms[p.index].operator == *op && p.predicted.is_some_and(|x| band_key(x.band_mhz) == *band))
            .collect();
        let mut suspect_ids: Vec<i64> = excluded.iter().filter_map(|p| p.predicted).map(|x| ds.sites[x.site].id).collect();
        suspect_ids.sort();
        suspect_ids.dedup();
        groups.push(GroupFit {
            operator: op.clone(),
            band_mhz: *band as f64,
            n: *n,
            n_excluded: excluded.len(),
            suspect_off_air: suspect_ids,
            n_holdout: before.len(),
            offset_db: *offset,
            sigma_db: *sigma,
            held_out: HeldOutErrors::of(&before, &after),
            applied: enabled && *n >= cp.min_points,
        });
    }
    let operators = op_err
        .into_iter()
        .map(|(op, (n, nh, b, a))| OperatorSummary {
            operator: op,
            n,
            n_holdout: nh,
            held_out: HeldOutErrors::of(&b, &a),
        })
        .collect();

    // What the engine gets: offsets of applied groups, σ pooled per operator and overall.
    let mut applied = Applied::default();
    let (mut ss_all, mut n_all) = (0.0, 0usize);
    let mut per_op: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.applied) {
        applied.offsets.push((g.operator.clone(), g.band_mhz, g.offset_db));
        let e = per_op.entry(g.operator.as_str()).or_default();
        e.0 += g.sigma_db.powi(2) * g.n as f64;
        e.1 += g.n;
        ss_all += g.sigma_db.powi(2) * g.n as f64;
        n_all += g.n;
    }
    applied.sigma_db = per_op.into_iter().map(|(op, (ss, n))| (op.to_string(), (ss / n as f64).sqrt())).collect();
    applied.sigma_any_db = (n_all > 0).then(|| (ss_all / n_all as f64).sqrt());

    // Calibrated value at each point: the best server again, each transmitter shifted by its band's
    // applied offset, then the car body's loss for in-vehicle samples.
    for p in pts.iter_mut() {
        let m = &ms[p.index];
        let shift = |h: &TxHit| offset_for(&applied, cp, &m.operator, h.f_mhz);
        p.calibrated_dbm = best(&hits[p.index], |h| in_band(m, h), shift).map(|(_, v)| v - all.vehicle.of(m));
    }
    Ok(Some(Calibration {
        points: pts,
        groups,
        operators,
        in_vehicle_loss: all.vehicle,
        enabled,
        applied,
        suspect_off_air: all
            .suspects
            .iter()
            .map(|s| OffAirSite { site_id: ds.sites[s.site].id, operator: ds.sites[s.site].operator.clone(), n: s.n, median_db: s.median_db })
            .collect(),
    }))
}

/// The applied EIRP offset (dB) of `operator`'s transmitters at `f_mhz` (0 when none).
pub fn offset_for(applied: &Applied, cp: &CalibrationParams, operator: &str, f_mhz: f64) -> f64 {
    applied
        .offsets
        .iter()
        .filter(|(op, b, _)| op == operator && cp.same_band(*b, f_mhz))
        .min_by(|a, b| (a.1 - f_mhz).abs().total_cmp(&(b.1 - f_mhz).abs()))
        .map_or(0.0, |o| o.2)
}

/// `params` with the dataset's calibration applied — what every sweep of the dataset must use (the
/// build's own, and each shard's) — and the calibration itself.
pub fn apply(ds: &Dataset, params: &CoverageParams) -> Result<(CoverageParams, Option<Calibration>)> {
    let raw = super::sites::prepare_sites(ds, params)?;
    let cal = calibrate(ds, params, &raw)?;
    let p = match &cal {
        Some(c) => CoverageParams { applied: c.applied.clone(), ..params.clone() },
        None => params.clone(),
    };
    Ok((p, cal))
}
