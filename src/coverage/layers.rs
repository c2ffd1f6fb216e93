//! The coverage results as store layers, named and shaped as the API and the map read them:
//! `hamlet_coverage` (points), `commune_indicators`, `district_indicators`, `province_indicators`
//! (polygons with the indicators as fields), `coverage_gaps` (points, ranked), `coverage_gap_areas`
//! (polygons) and `proposed_sites` (points, ranked, with the indicators after). Everything the server
//! serves is a field here, so it never recomputes.

use geo::{Geometry, MultiPolygon};

use super::gaps::{Gap, GapArea};
use super::hamlets::HamletStatus;
use super::indicators::{AllIndicators, Indicators, Reach, RsrpStats};
use super::planner::Proposal;
use crate::dataset::Dataset;
use crate::store::{fields_then, FieldType as T, GeomKind, Layer, Value};

/// An operator name as a field/raster suffix: lower-case ASCII letters, digits and `_`.
pub fn operator_key(op: &str) -> String {
    let k: String = op.trim().to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if k.is_empty() {
        "unnamed".into()
    } else {
        k
    }
}

/// A stored figure, rounded to 0.01 (`None`: null).
pub fn round2(v: Option<f64>) -> Value {
    v.map(|x| (x * 100.0).round() / 100.0).into()
}

/// The values of the `[after_]mean_rsrp_dbm`, `[after_]p10_rsrp_dbm` fields: an area's RSRP
/// statistics, to 0.01 dB (null for an area without hamlets).
fn rsrp_values(rsrp: Option<RsrpStats>) -> [Value; 2] {
    [round2(rsrp.map(|r| r.mean_dbm)), round2(rsrp.map(|r| r.p10_dbm))]
}

/// A sampled value (RSRP, SINR, rate), rounded to 0.01; NaN (no signal) is null.
pub fn rsrp_value(v: f32) -> Value {
    if v.is_nan() {
        Value::Null
    } else {
        Value::Real(((v as f64) * 100.0).round() / 100.0)
    }
}

/// The four fields of one reach figure of an area: `hamlets_<what>`, `share_hamlets_<what>`,
/// `population_<what>`, `share_population_<what>` (counts, and per cent of the area's).
pub fn reach_fields(what: &str) -> [(String, T); 4] {
    [
        (format!("hamlets_{what}"), T::Integer),
        (format!("share_hamlets_{what}"), T::Real),
        (format!("population_{what}"), T::Integer),
        (format!("share_population_{what}"), T::Real),
    ]
}

/// The values of [`reach_fields`]: `reach`, of the hamlets and people of `area`.
pub fn reach_values(reach: &Reach, area: &Reach) -> [Value; 4] {
    let (hamlets, people) = reach.shares(area);
    [reach.hamlets.into(), round2(hamlets), (reach.population as i64).into(), round2(people)]
}

/// The fixed fields of `hamlet_coverage`, in the order of each feature's values; then the RSRP of
/// each operator (`rsrp_<operator>_dbm`).
const HAMLET_COVERAGE_FIELDS: &[(&str, T)] = &[
    ("hamlet_id", T::Integer),
    ("name", T::Text),
    ("commune_code", T::Text),
    ("population", T::Integer),
    ("rsrp_dbm", T::Real),
    ("covered", T::Integer),
    ("good", T::Integer),
    ("operators", T::Integer),
    ("serving_site_id", T::Integer),
    ("serving_operator", T::Text),
    ("fiber_distance_m", T::Real),
    ("fiber_ready", T::Integer),
    ("p_covered", T::Real),
    ("covered_p90", T::Integer),
];

pub fn hamlet_coverage(ds: &Dataset, statuses: &[HamletStatus], operators: &[String]) -> Layer {
    let per_operator = operators.iter().map(|op| (format!("rsrp_{}_dbm", operator_key(op)), T::Real));
    let mut l = Layer::new("hamlet_coverage", GeomKind::Point, &ds.crs, &fields_then(HAMLET_COVERAGE_FIELDS, per_operator));
    for s in statuses {
        let h = &ds.hamlets[s.hamlet];
        let site = s.serving_site.map(|i| &ds.sites[i]);
        let mut v: Vec<Value> = vec![
            h.id.into(),
            h.name.clone().into(),
            h.commune_code.clone().into(),
            h.population.into(),
            rsrp_value(s.rsrp_dbm),
            s.covered.into(),
            s.good.into(),
            s.operators.into(),
            site.map(|x| x.id).into(),
            site.map(|x| x.operator.clone()).into(),
            s.fiber_distance_m.map(|d| d.round()).into(),
            s.fiber_ready.into(),
            ((s.p_covered * 1000.0).round() / 1000.0).into(),
            s.covered_p90.into(),
        ];
        v.extend(s.per_operator.iter().map(|x| rsrp_value(*x)));
        l.push(h.id, Some(Geometry::Point(h.pos)), v);
    }
    l
}

/// The fixed indicator fields, in the order of [`indicator_values`]; then six per operator.
const INDICATOR_FIELDS: &[(&str, T)] = &[
    ("code", T::Text),
    ("name", T::Text),
    ("level", T::Text),
    ("district_code", T::Text),
    ("summary", T::Text),
    ("hamlets", T::Integer),
    ("hamlets_4g", T::Integer),
    ("share_hamlets_4g", T::Real),
    ("population", T::Integer),
    ("population_4g", T::Integer),
    ("share_population_4g", T::Real),
    ("hamlets_good", T::Integer),
    ("hamlets_multi_operator", T::Integer),
    ("communes", T::Integer),
    ("communes_fiber", T::Integer),
    ("share_communes_fiber", T::Real),
    ("hamlets_fiber_ready", T::Integer),
    ("share_hamlets_fiber_ready", T::Real),
    ("population_fiber_ready", T::Integer),
    ("share_population_fiber_ready", T::Real),
    ("mean_rsrp_dbm", T::Real),
    ("p10_rsrp_dbm", T::Real),
    ("hamlets_4g_p90", T::Integer),
    ("share_hamlets_4g_p90", T::Real),
    ("population_4g_p90", T::Integer),
    ("share_population_4g_p90", T::Real),
];

/// The indicator fields, shared by the three levels.
pub fn indicator_fields(operators: &[String]) -> Vec<(String, T)> {
    let per_operator = operators.iter().flat_map(|op| {
        let k = operator_key(op);
        reach_fields(&format!("4g_{k}"))
            .into_iter()
            .chain([(format!("share_hamlets_4g_p90_{k}"), T::Real), (format!("share_population_4g_p90_{k}"), T::Real)])
    });
    fields_then(INDICATOR_FIELDS, per_operator)
}

pub fn indicator_values(ind: &Indicators) -> Vec<Value> {
    let (share_hamlets_4g, share_population_4g) = ind.covered.shares(&ind.all);
    let mut v: Vec<Value> = vec![
        ind.code.clone().into(),
        ind.name.clone().into(),
        ind.level.clone().into(),
        if ind.parent_code.is_empty() { Value::Null } else { ind.parent_code.clone().into() },
        ind.summary().into(),
        ind.all.hamlets.into(),
        ind.covered.hamlets.into(),
        round2(share_hamlets_4g),
        (ind.all.population as i64).into(),
        (ind.covered.population as i64).into(),
        round2(share_population_4g),
        ind.hamlets_good.into(),
        ind.hamlets_multi_operator.into(),
        ind.communes.into(),
        ind.communes_fiber.into(),
        round2(ind.share_communes_fiber()),
    ];
    v.extend(reach_values(&ind.fiber_ready, &ind.all));
    v.extend(rsrp_values(ind.rsrp));
    v.extend(reach_values(&ind.covered_p90, &ind.all));
    for op in &ind.per_operator {
        v.extend(reach_values(&op.covered, &ind.all));
        let (hamlets_p90, people_p90) = op.covered_p90.shares(&ind.all);
        v.extend([round2(hamlets_p90), round2(people_p90)]);
    }
    v
}

/// `commune_indicators`, `district_indicators` and `province_indicators`.
pub fn indicator_layers(ds: &Dataset, all: &AllIndicators, operators: &[String]) -> Vec<Layer> {
    let f = indicator_fields(operators);
    let mut communes = Layer::new("commune_indicators", GeomKind::MultiPolygon, &ds.crs, &f);
    for (c, ind) in ds.communes.iter().zip(&all.communes) {
        communes.push(c.id, Some(Geometry::MultiPolygon(c.geom.clone())), indicator_values(ind));
    }
    let mut districts = Layer::new("district_indicators", GeomKind::MultiPolygon, &ds.crs, &f);
    for (d, ind) in ds.districts.iter().zip(&all.districts) {
        districts.push(d.id, Some(Geometry::MultiPolygon(d.geom.clone())), indicator_values(ind));
    }
    let mut province = Layer::new("province_indicators", GeomKind::MultiPolygon, &ds.crs, &f);
    let geom: MultiPolygon<f64> = ds.province.clone();
    province.push(1, Some(Geometry::MultiPolygon(geom)), indicator_values(&all.province));
    vec![communes, districts, province]
}

/// The fields of `coverage_gaps`, in the order of each feature's values.
const COVERAGE_GAPS_FIELDS: &[(&str, T)] = &[
    ("rank", T::Integer),
    ("hamlet_id", T::Integer),
    ("hamlet_name", T::Text),
    ("commune_code", T::Text),
    ("commune_name", T::Text),
    ("district_code", T::Text),
    ("district_name", T::Text),
    ("population", T::Integer),
    ("rsrp_dbm", T::Real),
    ("nearest_site_id", T::Integer),
    ("nearest_site_operator", T::Text),
    ("nearest_site_m", T::Real),
    ("elevation_m", T::Real),
    ("gap_area_id", T::Integer),
    ("gap_area_hamlets", T::Integer),
    ("gap_area_population", T::Integer),
    ("p_covered", T::Real),
    ("challenged", T::Integer),
    ("challenge_measurements", T::Integer),
    ("challenge_best_dbm", T::Real),
];

pub fn gap_layers(ds: &Dataset, gaps: &[Gap], areas: &[GapArea], params: &super::params::CoverageParams) -> Vec<Layer> {
    let challenges = super::calibration::challenge::Challenges::new(ds, params);
    let commune = |code: &str| ds.communes.iter().find(|c| c.code == code);
    let district = |code: &str| ds.districts.iter().find(|d| d.code == code);
    let mut l = Layer::new("coverage_gaps", GeomKind::Point, &ds.crs, COVERAGE_GAPS_FIELDS);
    for g in gaps {
        let h = &ds.hamlets[g.hamlet];
        let c = commune(&h.commune_code);
        let d = c.and_then(|c| district(&c.district_code));
        let a = &areas[g.area as usize - 1];
        let site = g.nearest_site.map(|(i, _)| &ds.sites[i]);
        let ch = challenges.at(h.pos);
        l.push(
            h.id,
            Some(Geometry::Point(h.pos)),
            vec![
                g.rank.into(),
                h.id.into(),
                h.name.clone().into(),
                h.commune_code.clone().into(),
                c.map(|c| c.name.clone()).into(),
                c.map(|c| c.district_code.clone()).into(),
                d.map(|d| d.name.clone()).into(),
                h.population.into(),
                rsrp_value(g.rsrp_dbm),
                site.map(|s| s.id).into(),
                site.map(|s| s.operator.clone()).into(),
                g.nearest_site.map(|(_, m)| m.round()).into(),
                g.elevation_m.map(|z| z.round()).into(),
                g.area.into(),
                a.hamlets.len().into(),
                (a.population as i64).into(),
                ((g.p_covered * 1000.0).round() / 1000.0).into(),
                ch.is_some().into(),
                ch.map_or(0, |c| c.0).into(),
                ch.map(|c| c.1).into(),
            ],
        );
    }
    let mut al = Layer::new(
        "coverage_gap_areas",
        GeomKind::Polygon,
        &ds.crs,
        &[("gap_area_id", T::Integer), ("hamlets", T::Integer), ("population", T::Integer), ("largest_hamlet_id", T::Integer), ("communes", T::Text)],
    );
    for a in areas {
        let mut names: Vec<String> =
            a.hamlets.iter().filter_map(|h| commune(&ds.hamlets[*h].commune_code).map(|c| c.name.clone())).collect();
        names.sort();
        names.dedup();
        al.push(
            a.id as i64,
            Some(Geometry::Polygon(a.outline.clone())),
            vec![
                a.id.into(),
                a.hamlets.len().into(),
                (a.population as i64).into(),
                a.hamlets.first().map(|h| ds.hamlets[*h].id).into(),
                names.join(", ").into(),
            ],
        );
    }
    vec![l, al]
}

/// The fields of `proposed_sites`, in the order of each feature's values.
const PROPOSED_SITES_FIELDS: &[(&str, T)] = &[
    ("rank", T::Integer),
    ("site_id", T::Integer),
    ("operator", T::Text),
    ("elevation_m", T::Real),
    ("height_m", T::Real),
    ("frequency_mhz", T::Real),
    ("rs_eirp_dbm", T::Real),
    ("sectors", T::Integer),
    ("gap_area_id", T::Integer),
    ("road_distance_m", T::Real),
    ("hamlets_added", T::Integer),
    ("population_added", T::Integer),
    ("hamlet_ids", T::Text),
    ("after_hamlets_4g", T::Integer),
    ("after_share_hamlets_4g", T::Real),
    ("after_population_4g", T::Integer),
    ("after_share_population_4g", T::Real),
    ("after_mean_rsrp_dbm", T::Real),
    ("after_p10_rsrp_dbm", T::Real),
    ("gain_share_population_4g", T::Real),
    ("after_summary", T::Text),
];

pub fn proposal_layer(ds: &Dataset, proposals: &[Proposal], before: &Indicators) -> Layer {
    let mut l = Layer::new("proposed_sites", GeomKind::Point, &ds.crs, PROPOSED_SITES_FIELDS);
    for p in proposals {
        let s = &p.site;
        let sec = &s.sectors[0];
        let ids: Vec<String> = p.hamlets.iter().map(|h| ds.hamlets[*h].id.to_string()).collect();
        let gain = match (p.after.covered.shares(&p.after.all).1, before.covered.shares(&before.all).1) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        let mut v: Vec<Value> = vec![
            p.rank.into(),
            s.id.into(),
            s.operator.clone().into(),
            (p.ground_m as f64).round().into(),
            sec.height_m.into(),
            sec.frequency_mhz.into(),
            sec.rs_eirp_dbm.into(),
            s.sectors.len().into(),
            p.gap_area.into(),
            p.road_distance_m.round().into(),
            p.hamlets.len().into(),
            (p.population as i64).into(),
            ids.join(",").into(),
        ];
        v.extend(reach_values(&p.after.covered, &p.after.all));
        v.extend(rsrp_values(p.after.rsrp));
        v.extend([round2(gain), p.after.summary().into()]);
        l.push(p.rank as i64, Some(Geometry::Point(s.pos)), v);
    }
    l
}
