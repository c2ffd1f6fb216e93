//! The dataset's own layers as store layers (`districts`, `communes`, `hamlets`, `cell_sites`,
//! `sectors`, `roads`, `fiber_routes`, `fiber_access_points`, `orchards`, `rivers`, `towns`,
//! `hydropower`, `province`), each with a stable integer `id`, so the map and the OGC API serve the
//! inputs beside the results.

use geo::{Coord, LineString, Polygon};

use super::model::{Dataset, Orchard};
use crate::store::{FieldType as T, GeomKind, Layer};

/// A sector's footprint symbol: a 120° wedge (or a circle for omni) of radius `r` around the site.
pub fn sector_wedge(x: f64, y: f64, azimuth: Option<f64>, beamwidth: f64, r: f64) -> Polygon<f64> {
    let mut pts = Vec::new();
    match azimuth {
        None => {
            for k in 0..=32 {
                let a = k as f64 / 32.0 * std::f64::consts::TAU;
                pts.push(Coord { x: x + r * a.sin(), y: y + r * a.cos() });
            }
        }
        Some(az) => {
            let half = (beamwidth.clamp(10.0, 180.0)) / 2.0;
            pts.push(Coord { x, y });
            for k in 0..=12 {
                let a = (az - half + 2.0 * half * k as f64 / 12.0).to_radians();
                pts.push(Coord { x: x + r * a.sin(), y: y + r * a.cos() });
            }
            pts.push(Coord { x, y });
        }
    }
    Polygon::new(LineString(pts), vec![])
}

/// The fields of `communes`, in the order of each feature's values.
const COMMUNES_FIELDS: &[(&str, T)] =
    &[("code", T::Text), ("name", T::Text), ("district_code", T::Text), ("population", T::Integer), ("households", T::Integer)];

/// The fields of `cell_sites`, in the order of each feature's values.
const CELL_SITES_FIELDS: &[(&str, T)] =
    &[("operator", T::Text), ("name", T::Text), ("ground_m", T::Real), ("sectors", T::Integer), ("bands_mhz", T::Text)];

/// The fields of `sectors`, in the order of each feature's values.
const SECTORS_FIELDS: &[(&str, T)] = &[
    ("site_id", T::Integer),
    ("operator", T::Text),
    ("azimuth_deg", T::Real),
    ("height_m", T::Real),
    ("mech_tilt_deg", T::Real),
    ("elec_tilt_deg", T::Real),
    ("h_beamwidth_deg", T::Real),
    ("v_beamwidth_deg", T::Real),
    ("rs_eirp_dbm", T::Real),
    ("frequency_mhz", T::Real),
];

pub fn base_layers(ds: &Dataset) -> Vec<Layer> {
    let crs = ds.crs.as_str();
    let mut out = Vec::new();

    let mut l = Layer::new("province", GeomKind::MultiPolygon, crs, &[("name", T::Text), ("population", T::Integer)]);
    let pop: u64 = ds.communes.iter().map(|c| c.population as u64).sum();
    l.push(1, Some(ds.province.clone().into()), vec![ds.name.clone().into(), (pop as i64).into()]);
    out.push(l);

    let mut l = Layer::new("districts", GeomKind::MultiPolygon, crs, &[("code", T::Text), ("name", T::Text), ("population", T::Integer), ("communes", T::Integer)]);
    for d in &ds.districts {
        let members: Vec<_> = ds.communes.iter().filter(|c| c.district_code == d.code).collect();
        let pop: u64 = members.iter().map(|c| c.population as u64).sum();
        l.push(d.id, Some(d.geom.clone().into()), vec![d.code.clone().into(), d.name.clone().into(), (pop as i64).into(), members.len().into()]);
    }
    out.push(l);

    let mut l = Layer::new("communes", GeomKind::MultiPolygon, crs, COMMUNES_FIELDS);
    for c in &ds.communes {
        l.push(
            c.id,
            Some(c.geom.clone().into()),
            vec![c.code.clone().into(), c.name.clone().into(), c.district_code.clone().into(), c.population.into(), c.households.into()],
        );
    }
    out.push(l);

    let mut l = Layer::new("hamlets", GeomKind::Point, crs, &[("name", T::Text), ("commune_code", T::Text), ("population", T::Integer)]);
    for h in &ds.hamlets {
        l.push(h.id, Some(h.pos.into()), vec![h.name.clone().into(), h.commune_code.clone().into(), h.population.into()]);
    }
    out.push(l);

    let mut l = Layer::new("cell_sites", GeomKind::Point, crs, CELL_SITES_FIELDS);
    for s in &ds.sites {
        let mut bands: Vec<String> = s.sectors.iter().map(|x| format!("{}", x.frequency_mhz)).collect();
        bands.dedup();
        l.push(
            s.id,
            Some(s.pos.into()),
            vec![s.operator.clone().into(), s.name.clone().into(), s.ground_m.into(), s.sectors.len().into(), bands.join(",").into()],
        );
    }
    out.push(l);

    let mut l = Layer::new("sectors", GeomKind::Polygon, crs, SECTORS_FIELDS);
    for (s, x) in ds.sectors() {
        let wedge = sector_wedge(s.pos.x(), s.pos.y(), x.azimuth_deg, x.h_beamwidth_deg, 400.0);
        l.push(
            x.id,
            Some(wedge.into()),
            vec![
                s.id.into(),
                s.operator.clone().into(),
                x.azimuth_deg.into(),
                x.height_m.into(),
                x.mech_tilt_deg.into(),
                x.elec_tilt_deg.into(),
                x.h_beamwidth_deg.into(),
                x.v_beamwidth_deg.into(),
                x.rs_eirp_dbm.into(),
                x.frequency_mhz.into(),
            ],
        );
    }
    out.push(l);

    let mut l = Layer::new("roads", GeomKind::LineString, crs, &[("name", T::Text), ("class", T::Text), ("length_m", T::Real)]);
    for r in &ds.roads {
        use geo::{Euclidean, Length};
        l.push(r.id, Some(r.geom.clone().into()), vec![r.name.clone().into(), r.class.clone().into(), Euclidean.length(&r.geom).into()]);
    }
    out.push(l);

    let mut l = Layer::new("fiber_routes", GeomKind::LineString, crs, &[("name", T::Text), ("length_m", T::Real)]);
    for r in &ds.fiber_routes {
        use geo::{Euclidean, Length};
        l.push(r.id, Some(r.geom.clone().into()), vec![r.name.clone().into(), Euclidean.length(&r.geom).into()]);
    }
    out.push(l);

    let mut l = Layer::new("fiber_access_points", GeomKind::Point, crs, &[("commune_code", T::Text)]);
    for a in &ds.fiber_access_points {
        l.push(a.id, Some(a.pos.into()), vec![a.commune_code.clone().into()]);
    }
    out.push(l);

    out.push(orchards_layer(&ds.orchards, crs));

    let mut l = Layer::new("rivers", GeomKind::MultiLineString, crs, &[("name", T::Text), ("strahler", T::Integer)]);
    for r in &ds.rivers {
        l.push(r.id, Some(r.geom.clone().into()), vec![r.name.clone().into(), r.strahler.into()]);
    }
    out.push(l);

    for (name, places) in [("towns", &ds.towns), ("hydropower", &ds.hydropower)] {
        let mut l = Layer::new(name, GeomKind::Point, crs, &[("name", T::Text)]);
        for p in places.iter() {
            l.push(p.id, Some(p.pos.into()), vec![p.name.clone().into()]);
        }
        out.push(l);
    }
    out
}

/// The `orchards` layer: each parcel's crop, commune and area (m²).
pub fn orchards_layer(orchards: &[Orchard], crs: &str) -> Layer {
    use geo::Area;
    let mut l = Layer::new("orchards", GeomKind::Polygon, crs, &[("crop", T::Text), ("commune_code", T::Text), ("area_m2", T::Real)]);
    for o in orchards {
        l.push(o.id, Some(o.geom.clone().into()), vec![o.crop.as_str().into(), o.commune_code.clone().into(), o.geom.unsigned_area().into()]);
    }
    l
}
