//! The calibration as store layers: `measurements` (every drive-test point with the model's
//! prediction before and after calibration, `suspect_off_air` = 1 where its predicted best server is
//! suspected off air and the point was left out of the fit) and `calibration` (one row per operator ×
//! band; `n_excluded` such points and `suspect_off_air` the ids of those sites, comma-separated).

use geo::Geometry;

use super::Calibration;
use crate::coverage::layers::round2 as r2;
use crate::dataset::Dataset;
use crate::store::{FieldType as T, GeomKind, Layer};

pub const MEASUREMENTS: &str = "measurements";
pub const CALIBRATION: &str = "calibration";

/// The fields of the [`MEASUREMENTS`] layer, in the order of each feature's values.
const MEASUREMENTS_FIELDS: &[(&str, T)] = &[
    ("operator", T::Text),
    ("band", T::Real),
    ("measured_dbm", T::Real),
    ("predicted_dbm", T::Real),
    ("calibrated_dbm", T::Real),
    ("residual_db", T::Real),
    ("calibrated_residual_db", T::Real),
    ("holdout", T::Integer),
    ("role", T::Text),
    ("source", T::Text),
    ("environment", T::Text),
    ("time", T::Text),
    ("pci", T::Integer),
    ("site_id", T::Integer),
    ("serving_site_id", T::Integer),
    ("distance_m", T::Real),
    ("suspect_off_air", T::Integer),
];

pub fn measurements_layer(ds: &Dataset, cal: &Calibration) -> Layer {
    let mut l = Layer::new(MEASUREMENTS, GeomKind::Point, &ds.crs, MEASUREMENTS_FIELDS);
    for p in &cal.points {
        let m = &ds.measurements[p.index];
        l.push(
            m.id,
            Some(Geometry::Point(m.pos)),
            vec![
                m.operator.clone().into(),
                p.predicted.map(|x| x.band_mhz).into(),
                m.rsrp_dbm.into(),
                r2(p.predicted.map(|x| x.dbm)),
                r2(p.calibrated_dbm),
                r2(p.residual_db(m.rsrp_dbm)),
                r2(p.calibrated_dbm.map(|c| m.rsrp_dbm - c)),
                (p.role == super::fit::Role::Holdout).into(),
                p.role.as_str().into(),
                if m.added { "added" } else { "dataset" }.into(),
                m.environment.as_str().into(),
                m.time.clone().into(),
                m.pci.into(),
                m.site_id.into(),
                p.predicted.map(|x| ds.sites[x.site].id).into(),
                p.predicted.map(|x| x.distance_m.round()).into(),
                p.suspect_off_air.into(),
            ],
        );
    }
    l
}

/// The fields of the [`CALIBRATION`] layer, in the order of each feature's values.
const CALIBRATION_FIELDS: &[(&str, T)] = &[
    ("operator", T::Text),
    ("band", T::Real),
    ("n", T::Integer),
    ("n_holdout", T::Integer),
    ("offset_db", T::Real),
    ("sigma_db", T::Real),
    ("me_before_db", T::Real),
    ("rmse_before_db", T::Real),
    ("me_after_db", T::Real),
    ("rmse_after_db", T::Real),
    ("applied", T::Integer),
    ("in_vehicle_loss_db", T::Real),
    ("n_excluded", T::Integer),
    ("suspect_off_air", T::Text),
];

pub fn calibration_layer(ds: &Dataset, cal: &Calibration) -> Layer {
    let mut l = Layer::new(CALIBRATION, GeomKind::None, &ds.crs, CALIBRATION_FIELDS);
    for (i, g) in cal.groups.iter().enumerate() {
        l.push(
            i as i64 + 1,
            None,
            vec![
                g.operator.clone().into(),
                g.band_mhz.into(),
                g.n.into(),
                g.n_holdout.into(),
                r2(Some(g.offset_db)),
                r2(Some(g.sigma_db)),
                r2(g.held_out.me_before_db),
                r2(g.held_out.rmse_before_db),
                r2(g.held_out.me_after_db),
                r2(g.held_out.rmse_after_db),
                g.applied.into(),
                r2(Some(cal.in_vehicle_loss.db)),
                g.n_excluded.into(),
                g.suspect_off_air.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",").into(),
            ],
        );
    }
    l
}
