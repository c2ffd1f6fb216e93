//! Warning reach (layer `warning_gaps`): where a cell-broadcast warning would not arrive.
//!
//! Three kinds of feature, all points:
//! * `hamlet_no_signal` — a hamlet at high risk (its higher class ≥ `high_class`) whose best 4G RSRP
//!   is below the covered threshold: a warning sent over the network does not reach it today;
//! * `site_at_risk` — a cell site standing on a high-risk cell whose loss alone would leave some
//!   currently covered hamlets uncovered (coverage recomputed without it), with those hamlets and
//!   their people; at-risk sites whose loss uncovers nobody are listed too, with 0;
//! * `hamlet_cut_off` — a hamlet covered today that loses coverage when every at-risk site fails at
//!   once (the disaster scenario), with its people.
//!
//! Coverage comes from the coverage stage as one RSRP per hamlet (dataset order) and a function that
//! recomputes it without a set of sites; this module does not know how coverage is computed.

use super::classify::CLASS_NODATA;
use super::hamlets::{sample, HamletRisk};
use crate::dataset::{Dataset, Hamlet};
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::{FieldType, GeomKind, Layer, Value};

pub const LAYER: &str = "warning_gaps";

/// Per-hamlet RSRP without the given site ids (same order as `ds.hamlets`).
pub type Recompute<'a> = dyn Fn(&[i64]) -> Result<Vec<f32>> + Sync + 'a;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarningSummary {
    pub hamlets_no_signal: usize,
    pub people_no_signal: u64,
    pub sites_at_risk: usize,
    pub sites_that_cut_off: usize,
    pub hamlets_cut_off: usize,
    pub people_cut_off: u64,
}

/// Class of each site's cell for (landslide, flood), `CLASS_NODATA` off the grid.
pub fn site_classes(ds: &Dataset, landslide: &Grid<u8>, flood: &Grid<u8>) -> Vec<(u8, u8)> {
    ds.sites
        .iter()
        .map(|s| (sample(landslide, s.pos).unwrap_or(CLASS_NODATA), sample(flood, s.pos).unwrap_or(CLASS_NODATA)))
        .collect()
}

fn hazard_name(ls: u8, fl: u8, high: u8) -> &'static str {
    match (ls >= high, fl >= high) {
        (true, true) => "both",
        (true, false) => "landslide",
        _ => "flash_flood",
    }
}

/// The fields of the [`LAYER`] layer, in the order of each feature's values.
const FIELDS: &[(&str, FieldType)] = &[
    ("kind", FieldType::Text),
    ("hamlet_id", FieldType::Integer),
    ("site_id", FieldType::Integer),
    ("name", FieldType::Text),
    ("operator", FieldType::Text),
    ("commune_code", FieldType::Text),
    ("hazard", FieldType::Text),
    ("class", FieldType::Integer),
    ("rsrp_dbm", FieldType::Real),
    ("rsrp_without_dbm", FieldType::Real),
    ("hamlets_affected", FieldType::Integer),
    ("people_affected", FieldType::Integer),
];

/// Build the `warning_gaps` layer.
pub fn warning_gaps(
    ds: &Dataset,
    hamlets: &HamletRisk,
    sites: &[(u8, u8)],
    rsrp: &[f32],
    covered_dbm: f32,
    high: u8,
    recompute: &Recompute<'_>,
) -> Result<(Layer, WarningSummary)> {
    if rsrp.len() != ds.hamlets.len() {
        return Err(Error::Invariant(format!("coverage gives {} hamlet RSRP values for {} hamlets", rsrp.len(), ds.hamlets.len())));
    }
    let covered = |v: f32| v.is_finite() && v >= covered_dbm;
    let mut l = Layer::new(LAYER, GeomKind::Point, &ds.crs, FIELDS);
    let mut sum = WarningSummary::default();
    let mut id = 0i64;
    let rsrp_val = |v: f32| if v.is_finite() { Value::from(v) } else { Value::Null };

    for (i, (h, row)) in ds.hamlets.iter().zip(&hamlets.rows).enumerate() {
        if row.max_class() >= high && !covered(rsrp[i]) {
            id += 1;
            sum.hamlets_no_signal += 1;
            sum.people_no_signal += h.population as u64;
            let hazard = hazard_name(row.landslide_class, row.flood_class, high).into();
            let class = (row.max_class() as i64).into();
            l.push(id, Some(h.pos.into()), hamlet_values("hamlet_no_signal", h, hazard, class, rsrp_val(rsrp[i]), Value::Null));
        }
    }

    let at_risk: Vec<usize> = (0..ds.sites.len()).filter(|s| sites[*s].0.max(sites[*s].1) >= high).collect();
    sum.sites_at_risk = at_risk.len();
    for &s in &at_risk {
        let site = &ds.sites[s];
        let without = recompute(&[site.id])?;
        if without.len() != rsrp.len() {
            return Err(Error::Invariant(format!("coverage without site {} gives {} values for {} hamlets", site.id, without.len(), rsrp.len())));
        }
        let lost: Vec<usize> = (0..rsrp.len()).filter(|i| covered(rsrp[*i]) && !covered(without[*i])).collect();
        let people: u64 = lost.iter().map(|i| ds.hamlets[*i].population as u64).sum();
        if !lost.is_empty() {
            sum.sites_that_cut_off += 1;
        }
        let (ls, fl) = sites[s];
        id += 1;
        l.push(
            id,
            Some(site.pos.into()),
            vec![
                "site_at_risk".into(),
                Value::Null,
                site.id.into(),
                site.name.as_str().into(),
                site.operator.as_str().into(),
                Value::Null,
                hazard_name(ls, fl, high).into(),
                (ls.max(fl) as i64).into(),
                Value::Null,
                Value::Null,
                lost.len().into(),
                Value::Int(people as i64),
            ],
        );
    }

    if !at_risk.is_empty() {
        let ids: Vec<i64> = at_risk.iter().map(|s| ds.sites[*s].id).collect();
        let without = recompute(&ids)?;
        if without.len() != rsrp.len() {
            return Err(Error::Invariant(format!("coverage without the at-risk sites gives {} values for {} hamlets", without.len(), rsrp.len())));
        }
        for (i, h) in ds.hamlets.iter().enumerate() {
            if covered(rsrp[i]) && !covered(without[i]) {
                let row = &hamlets.rows[i];
                id += 1;
                sum.hamlets_cut_off += 1;
                sum.people_cut_off += h.population as u64;
                let class = if row.max_class() == CLASS_NODATA { Value::Null } else { Value::Int(row.max_class() as i64) };
                let values = hamlet_values("hamlet_cut_off", h, Value::Null, class, rsrp_val(rsrp[i]), rsrp_val(without[i]));
                l.push(id, Some(h.pos.into()), values);
            }
        }
    }
    Ok((l, sum))
}

/// A hamlet's row of the warning layer (`kind`, its id, name and commune; one hamlet and its people
/// affected), in the layer's field order.
fn hamlet_values(kind: &str, h: &Hamlet, hazard: Value, class: Value, rsrp: Value, rsrp_without: Value) -> Vec<Value> {
    vec![
        kind.into(),
        h.id.into(),
        Value::Null,
        h.name.as_str().into(),
        Value::Null,
        h.commune_code.as_str().into(),
        hazard,
        class,
        rsrp,
        rsrp_without,
        1i64.into(),
        (h.population as i64).into(),
    ]
}
