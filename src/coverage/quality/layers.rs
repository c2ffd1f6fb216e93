//! Network-quality fields added to the coverage layers: per hamlet its SINR, downlink rate, serving
//! sector and runner-up server (`hamlet_coverage`), and per area the speed tiers — hamlets and
//! people with at least each tier's downlink rate, per operator and from any operator (the indicator
//! layers, so `/api/indicators` and the dashboard serve them as stored).
//!
//! Environments: `covered_in_vehicle` / `covered_indoor` per hamlet and `hamlets_4g_in_vehicle`,
//! `hamlets_4g_indoor` (with people and shares) per area: the hamlet's RSRP less
//! `[coverage] in_vehicle_loss_db` / `indoor_loss_db` reaches `covered_dbm` (outdoor is `hamlets_4g`).
//!
//! A hamlet's `sinr_db` and `dl_mbps` are those of the operator of its serving (strongest) site, as its
//! `rsrp_dbm` is; `runner_up_*` is that operator's next strongest sector. "Any operator" reaches a tier
//! where at least one operator's rate does.

use super::params::QualityParams;
use super::pass::PointQuality;
use crate::coverage::hamlets::HamletStatus;
use crate::coverage::indicators::{hamlet_communes, Reach};
use crate::coverage::layers::{operator_key, reach_fields, reach_values, rsrp_value as real};
use crate::coverage::params::CoverageParams;
use crate::dataset::Dataset;
use crate::store::{fields_then, Field, FieldType as T, Layer, Value};

fn append(layer: &mut Layer, fields: &[(String, T)], rows: Vec<Vec<Value>>) {
    debug_assert_eq!(rows.len(), layer.features.len());
    layer.fields.extend(fields.iter().map(|(n, t)| Field { name: n.clone(), ty: *t }));
    for (f, r) in layer.features.iter_mut().zip(rows) {
        f.values.extend(r);
    }
}

/// The fixed fields added to `hamlet_coverage`, in the order of [`extend_hamlets`]' values; then
/// each operator's SINR and rate.
const HAMLET_FIELDS: &[(&str, T)] = &[
    ("sinr_db", T::Real),
    ("dl_mbps", T::Real),
    ("serving_sector_id", T::Integer),
    ("runner_up_site_id", T::Integer),
    ("runner_up_sector_id", T::Integer),
    ("runner_up_rsrp_dbm", T::Real),
    ("covered_in_vehicle", T::Integer),
    ("covered_indoor", T::Integer),
];

/// `quality[o][h]`: operator `o`'s quality at hamlet `h`.
pub fn extend_hamlets(
    layer: &mut Layer,
    ds: &Dataset,
    statuses: &[HamletStatus],
    operators: &[String],
    quality: &[Vec<PointQuality>],
    params: &CoverageParams,
) {
    let per_operator = operators.iter().flat_map(|op| {
        let k = operator_key(op);
        [(format!("sinr_{k}_db"), T::Real), (format!("dl_mbps_{k}"), T::Real)]
    });
    let fields = fields_then(HAMLET_FIELDS, per_operator);
    let rows = statuses
        .iter()
        .enumerate()
        .map(|(h, s)| {
            let op = s.serving_site.and_then(|i| operators.iter().position(|o| *o == ds.sites[i].operator));
            let pq = op.map(|o| &quality[o][h]);
            let mut v = vec![
                real(pq.map_or(f32::NAN, |p| p.sinr_db)),
                real(pq.map_or(f32::NAN, |p| p.dl_mbps)),
                pq.and_then(|p| p.serving).map(|x| x.sector.sector_id).into(),
                pq.and_then(|p| p.runner_up).map(|x| ds.sites[x.sector.site].id).into(),
                pq.and_then(|p| p.runner_up).map(|x| x.sector.sector_id).into(),
                real(pq.and_then(|p| p.runner_up).map_or(f32::NAN, |x| x.rsrp_dbm)),
                covered_with(s, params.in_vehicle_loss_db, params).into(),
                covered_with(s, params.indoor_loss_db, params).into(),
            ];
            for q in quality {
                v.push(real(q[h].sinr_db));
                v.push(real(q[h].dl_mbps));
            }
            v
        })
        .collect();
    append(layer, &fields, rows);
}

/// Whether a hamlet is covered with `margin_db` of extra loss (NaN RSRP: not covered).
fn covered_with(s: &HamletStatus, margin_db: f64, params: &CoverageParams) -> bool {
    s.rsrp_dbm as f64 - margin_db >= params.covered_dbm
}

/// Hamlets and people covered in a vehicle and indoors in one area.
fn environment_values(ds: &Dataset, members: &[usize], statuses: &[HamletStatus], params: &CoverageParams) -> Vec<Value> {
    let area = Reach::of(ds, members);
    let mut v = Vec::new();
    for margin in [params.in_vehicle_loss_db, params.indoor_loss_db] {
        let hs: Vec<usize> = members.iter().copied().filter(|h| covered_with(&statuses[*h], margin, params)).collect();
        v.extend(reach_values(&Reach::of(ds, &hs), &area));
    }
    v
}

/// Hamlets and people reaching each speed tier in one area.
fn tier_values(ds: &Dataset, members: &[usize], quality: &[Vec<PointQuality>], q: &QualityParams) -> Vec<Value> {
    let area = Reach::of(ds, members);
    let mut v = Vec::new();
    for &t in &q.tiers_mbps {
        let reach = |o: Option<usize>, h: usize| match o {
            Some(o) => quality[o][h].dl_mbps as f64 >= t,
            None => quality.iter().any(|qo| qo[h].dl_mbps as f64 >= t),
        };
        for o in std::iter::once(None).chain((0..quality.len()).map(Some)) {
            let hs: Vec<usize> = members.iter().copied().filter(|h| reach(o, *h)).collect();
            v.extend(reach_values(&Reach::of(ds, &hs), &area));
        }
    }
    v
}

/// Add the environment and speed-tier fields to the `commune_indicators`, `district_indicators` and
/// `province_indicators` layers (features in `Dataset` order, as `indicator_layers` makes them).
pub fn extend_indicators(
    layers: &mut [Layer],
    ds: &Dataset,
    operators: &[String],
    statuses: &[HamletStatus],
    quality: &[Vec<PointQuality>],
    params: &CoverageParams,
) {
    let q = &params.quality;
    let mut fields = Vec::new();
    for env in ["in_vehicle", "indoor"] {
        fields.extend(reach_fields(&format!("4g_{env}")));
    }
    for &t in &q.tiers_mbps {
        let tk = QualityParams::tier_key(t);
        for suffix in std::iter::once(String::new()).chain(operators.iter().map(|o| format!("_{}", operator_key(o)))) {
            fields.extend(reach_fields(&format!("dl_{tk}{suffix}")));
        }
    }
    let hc = hamlet_communes(ds);
    let in_commune = |c: usize| -> Vec<usize> { (0..ds.hamlets.len()).filter(|h| hc[*h] == Some(c)).collect() };
    let values = |members: &[usize]| {
        let mut v = environment_values(ds, members, statuses, params);
        v.extend(tier_values(ds, members, quality, q));
        v
    };
    for layer in layers.iter_mut() {
        let rows: Vec<Vec<Value>> = match layer.name.as_str() {
            "commune_indicators" => (0..ds.communes.len()).map(|c| values(&in_commune(c))).collect(),
            "district_indicators" => ds
                .districts
                .iter()
                .map(|d| {
                    let hs: Vec<usize> = (0..ds.hamlets.len())
                        .filter(|h| hc[*h].is_some_and(|c| ds.communes[c].district_code == d.code))
                        .collect();
                    values(&hs)
                })
                .collect(),
            "province_indicators" => vec![values(&(0..ds.hamlets.len()).collect::<Vec<_>>())],
            _ => continue,
        };
        append(layer, &fields, rows);
    }
}
