//! The coverage results as store layers, named and shaped as the API and the map read them:
//! `hamlet_coverage` (points), `commune_indicators`, `district_indicators`, `province_indicators`
//! (polygons with the indicators as fields), `coverage_gaps` (points, ranked), `coverage_gap_areas`
//! (polygons) and `proposed_sites` (points, ranked, with the indicators after). Everything the server
//! serves is a field here, so it never recomputes.

use geo::{Geometry, MultiPolygon};

use super::gaps::{Gap, GapArea};
use super::hamlets::HamletStatus;
use super::indicators::{AllIndicators, Indicators};
use super::planner::Proposal;
use crate::dataset::Dataset;
use crate::store::{FieldType as T, GeomKind, Layer, Value};

/// An operator name as a field/raster suffix: lower-case ASCII letters, digits and `_`.
pub fn operator_key(op: &str) -> String {
    let k: String = op.trim().to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if k.is_empty() {
        "unnamed".into()
    } else {
        k
    }
}

fn round2(v: Option<f64>) -> Value {
    v.map(|x| (x * 100.0).round() / 100.0).into()
}

fn rsrp_value(v: f32) -> Value {
    if v.is_nan() {
        Value::Null
    } else {
        Value::Real(((v as f64) * 100.0).round() / 100.0)
    }
}

pub fn hamlet_coverage(ds: &Dataset, statuses: &[HamletStatus], operators: &[String]) -> Layer {
    let mut fields: Vec<(String, T)> = [
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
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), *t))
    .collect();
    for op in operators {
        fields.push((format!("rsrp_{}_dbm", operator_key(op)), T::Real));
    }
    let f: Vec<(&str, T)> = fields.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let mut l = Layer::new("hamlet_coverage", GeomKind::Point, &ds.crs, &f);
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

/// The indicator fields, shared by the three levels.
pub fn indicator_fields(operators: &[String]) -> Vec<(String, T)> {
    let mut f: Vec<(String, T)> = [
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
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), *t))
    .collect();
    for op in operators {
        let k = operator_key(op);
        f.push((format!("hamlets_4g_{k}"), T::Integer));
        f.push((format!("share_hamlets_4g_{k}"), T::Real));
        f.push((format!("population_4g_{k}"), T::Integer));
        f.push((format!("share_population_4g_{k}"), T::Real));
        f.push((format!("share_hamlets_4g_p90_{k}"), T::Real));
        f.push((format!("share_population_4g_p90_{k}"), T::Real));
    }
    f
}

pub fn indicator_values(ind: &Indicators) -> Vec<Value> {
    let mut v: Vec<Value> = vec![
        ind.code.clone().into(),
        ind.name.clone().into(),
        ind.level.clone().into(),
        if ind.parent_code.is_empty() { Value::Null } else { ind.parent_code.clone().into() },
        ind.summary().into(),
        ind.hamlets.into(),
        ind.hamlets_4g.into(),
        round2(ind.share_hamlets_4g()),
        (ind.population as i64).into(),
        (ind.population_4g as i64).into(),
        round2(ind.share_population_4g()),
        ind.hamlets_good.into(),
        ind.hamlets_multi_operator.into(),
        ind.communes.into(),
        ind.communes_fiber.into(),
        round2(ind.share_communes_fiber()),
        ind.hamlets_fiber.into(),
        round2(ind.share_hamlets_fiber()),
        (ind.population_fiber as i64).into(),
        round2(ind.share_population_fiber()),
        round2(ind.mean_rsrp_dbm),
        round2(ind.p10_rsrp_dbm),
        ind.hamlets_4g_p90.into(),
        round2(ind.share_hamlets_4g_p90()),
        (ind.population_4g_p90 as i64).into(),
        round2(ind.share_population_4g_p90()),
    ];
    for (o, (h, p)) in ind.op_hamlets_4g.iter().zip(&ind.op_population_4g).enumerate() {
        v.push((*h).into());
        v.push(round2(super::indicators::share(*h as f64, ind.hamlets as f64)));
        v.push((*p as i64).into());
        v.push(round2(super::indicators::share(*p as f64, ind.population as f64)));
        let (h90, p90) = (ind.op_hamlets_4g_p90.get(o).copied().unwrap_or(0), ind.op_population_4g_p90.get(o).copied().unwrap_or(0));
        v.push(round2(super::indicators::share(h90 as f64, ind.hamlets as f64)));
        v.push(round2(super::indicators::share(p90 as f64, ind.population as f64)));
    }
    v
}

/// `commune_indicators`, `district_indicators` and `province_indicators`.
pub fn indicator_layers(ds: &Dataset, all: &AllIndicators, operators: &[String]) -> Vec<Layer> {
    let fields = indicator_fields(operators);
    let f: Vec<(&str, T)> = fields.iter().map(|(n, t)| (n.as_str(), *t)).collect();
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

pub fn gap_layers(ds: &Dataset, gaps: &[Gap], areas: &[GapArea], params: &super::params::CoverageParams) -> Vec<Layer> {
    let challenges = super::calibration::challenge::Challenges::new(ds, params);
    let commune = |code: &str| ds.communes.iter().find(|c| c.code == code);
    let district = |code: &str| ds.districts.iter().find(|d| d.code == code);
    let mut l = Layer::new(
        "coverage_gaps",
        GeomKind::Point,
        &ds.crs,
        &[
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
        ],
    );
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

pub fn proposal_layer(ds: &Dataset, proposals: &[Proposal], before: &Indicators) -> Layer {
    let mut l = Layer::new(
        "proposed_sites",
        GeomKind::Point,
        &ds.crs,
        &[
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
        ],
    );
    for p in proposals {
        let s = &p.site;
        let sec = &s.sectors[0];
        let ids: Vec<String> = p.hamlets.iter().map(|h| ds.hamlets[*h].id.to_string()).collect();
        let gain = match (p.after.share_population_4g(), before.share_population_4g()) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        l.push(
            p.rank as i64,
            Some(Geometry::Point(s.pos)),
            vec![
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
                p.after.hamlets_4g.into(),
                round2(p.after.share_hamlets_4g()),
                (p.after.population_4g as i64).into(),
                round2(p.after.share_population_4g()),
                round2(p.after.mean_rsrp_dbm),
                round2(p.after.p10_rsrp_dbm),
                round2(gain),
                p.after.summary().into(),
            ],
        );
    }
    l
}
