//! The real public data for Sơn La, embedded in the binary so `covermap demo-data` can write a complete
//! dataset anywhere without network or `../shared` (sources and licences: data/SOURCES.md). Parsed
//! here into what the synthesis needs, in the working CRS.

use std::collections::BTreeMap;

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point};

use crate::crs::Transformer;
use crate::error::{Error, Result};

/// One embedded file, its path inside the dataset directory written once: the path `demo-data` writes
/// it to and, below `data/sonla/`, the file compiled in.
macro_rules! dataset_file {
    ($path:literal) => {
        ($path, include_bytes!(concat!("../../../data/sonla/", $path)))
    };
}

/// (path inside the dataset directory, bytes). Written verbatim by `demo-data`.
pub const FILES: &[(&str, &[u8])] = &[
    dataset_file!("real/README.md"),
    dataset_file!("real/admin/son_la_admin_units_gso_2023-04-10.csv"),
    dataset_file!("real/admin/son_la_commune_points_vietnamadminunits_2025-01.csv"),
    dataset_file!("real/admin/son_la_districts_gisgov_2019.geojson"),
    dataset_file!("real/admin/son_la_province_gisgov_2019.geojson"),
    dataset_file!("real/dem/son_la_altitude_5arcmin_pvlib_mapzen.tif"),
    dataset_file!("real/hydro/son_la_rivers_gms_adb_strahler.geojson"),
    dataset_file!("real/hydro/son_la_hydrobasins_l6.geojson"),
    dataset_file!("real/infra/son_la_national_roads_legocity.geojson"),
    dataset_file!("real/infra/son_la_hydropower_plants_legocity.geojson"),
    dataset_file!("real/places/son_la_geonames_cities500.geojson"),
    dataset_file!("real/population/son_la_population_census2019_by_commune.csv"),
    dataset_file!("real/population/son_la_households_census2019_by_commune.csv"),
];

pub fn file(path: &str) -> &'static [u8] {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b).unwrap_or(&[])
}

pub struct RealDistrict {
    pub code: String,
    pub name: String,
    pub geom: MultiPolygon<f64>,
}

pub struct RealCommune {
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub population: u32,
    pub households: u32,
    /// Surveyed point (working CRS) when the source has one for this code.
    pub point: Option<Point<f64>>,
}

pub struct RealLine {
    pub name: String,
    pub rank: i32,
    pub geom: MultiLineString<f64>,
}

pub struct RealPlace {
    pub name: String,
    pub pos: Point<f64>,
}

pub struct Real {
    pub province: MultiPolygon<f64>,
    pub districts: Vec<RealDistrict>,
    pub communes: Vec<RealCommune>,
    pub rivers: Vec<RealLine>,
    pub roads: Vec<RealLine>,
    pub towns: Vec<RealPlace>,
    /// HydroBASINS level-6 basins meeting the province (their divides are the real main divides).
    pub basins: Vec<MultiPolygon<f64>>,
}

fn bad(path: &str, problem: impl Into<String>) -> Error {
    Error::input(format!("(embedded) {path}"), problem)
}

pub(super) fn features(path: &str) -> Result<Vec<geojson::Feature>> {
    let text = std::str::from_utf8(file(path)).map_err(|e| bad(path, e.to_string()))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e: geojson::Error| bad(path, e.to_string()))?;
    match gj {
        geojson::GeoJson::FeatureCollection(fc) => Ok(fc.features),
        _ => Err(bad(path, "not a FeatureCollection")),
    }
}

pub(super) fn prop(f: &geojson::Feature, key: &str) -> String {
    match f.property(key) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

pub(super) fn geom(path: &str, f: &geojson::Feature, t: &Transformer) -> Result<geo::Geometry<f64>> {
    let g = f.geometry.as_ref().ok_or_else(|| bad(path, "feature without geometry"))?;
    let mut g: geo::Geometry<f64> = g.value.clone().try_into().map_err(|e: geojson::Error| bad(path, e.to_string()))?;
    crate::crs::transform_geometry(&mut g, t)?;
    Ok(g)
}

fn multipolygon(g: geo::Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(m) => m,
        _ => MultiPolygon(vec![]),
    }
}

fn multiline(g: geo::Geometry<f64>) -> MultiLineString<f64> {
    match g {
        geo::Geometry::LineString(l) => MultiLineString(vec![l]),
        geo::Geometry::MultiLineString(m) => m,
        _ => MultiLineString(vec![]),
    }
}

fn csv_rows(path: &str) -> Result<Vec<BTreeMap<String, String>>> {
    let mut r = csv::Reader::from_reader(file(path));
    let mut rows = Vec::new();
    for rec in r.deserialize::<BTreeMap<String, String>>() {
        rows.push(rec.map_err(|e| bad(path, e.to_string()))?);
    }
    Ok(rows)
}

/// Parse every embedded source, reprojected into `crs`.
pub fn load(crs: &str) -> Result<Real> {
    let t = Transformer::new("EPSG:4326", crs)?;
    let p = "real/admin/son_la_province_gisgov_2019.geojson";
    let province = multipolygon(geom(p, &features(p)?[0], &t)?);

    let p = "real/admin/son_la_districts_gisgov_2019.geojson";
    let mut districts = Vec::new();
    for f in features(p)? {
        districts.push(RealDistrict { code: prop(&f, "gso_district_code"), name: prop(&f, "district_name"), geom: multipolygon(geom(p, &f, &t)?) });
    }
    districts.sort_by(|a, b| a.code.cmp(&b.code));

    let pop: BTreeMap<String, u32> = csv_rows("real/population/son_la_population_census2019_by_commune.csv")?
        .into_iter()
        .map(|r| (r["gso_commune_code"].clone(), r["total"].parse::<f64>().unwrap_or(0.0) as u32))
        .collect();
    let hh_cols = ["urban_1", "urban_2", "urban_3", "urban_4", "urban_5", "rural_1_2", "rural_3", "rural_4", "rural_5"];
    let households: BTreeMap<String, u32> = csv_rows("real/population/son_la_households_census2019_by_commune.csv")?
        .into_iter()
        .map(|r| {
            let n: f64 = hh_cols.iter().map(|c| r.get(*c).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)).sum();
            (r["gso_commune_code"].clone(), n.round() as u32)
        })
        .collect();
    let mut points = BTreeMap::new();
    for r in csv_rows("real/admin/son_la_commune_points_vietnamadminunits_2025-01.csv")? {
        let (lat, lon) = (r["lat"].parse::<f64>(), r["lon"].parse::<f64>());
        if let (Ok(lat), Ok(lon)) = (lat, lon) {
            let (x, y) = t.convert(lon, lat)?;
            points.insert(r["commune_code"].clone(), Point::new(x, y));
        }
    }
    let mut communes = Vec::new();
    for r in csv_rows("real/admin/son_la_admin_units_gso_2023-04-10.csv")? {
        let code = r["commune_code"].clone();
        communes.push(RealCommune {
            name: r["commune_name"].clone(),
            district_code: r["district_code"].clone(),
            population: *pop.get(&code).ok_or_else(|| bad("census", format!("no census row for commune {code}")))?,
            households: households.get(&code).copied().unwrap_or(0),
            point: points.get(&code).copied(),
            code,
        });
    }
    communes.sort_by(|a, b| a.code.cmp(&b.code));

    let p = "real/hydro/son_la_rivers_gms_adb_strahler.geojson";
    let mut rivers = Vec::new();
    for f in features(p)? {
        let sub = prop(&f, "Sub_Name");
        let name = if sub.starts_with("Song Ma") { "Sông Mã" } else { "Sông Đà" };
        let rank = f.property("Strahler").and_then(|v| v.as_i64()).unwrap_or(1) as i32;
        rivers.push(RealLine { name: name.to_string(), rank, geom: multiline(geom(p, &f, &t)?) });
    }
    let p = "real/infra/son_la_national_roads_legocity.geojson";
    let mut roads = Vec::new();
    for f in features(p)? {
        let cap = prop(&f, "cap_duong");
        let rank = if cap.contains("Quốc") { 3 } else if cap.contains("Tỉnh") { 2 } else { 1 };
        let mut name = prop(&f, "ten");
        if name == "Không biết" {
            name = "Đường huyện".into();
        }
        roads.push(RealLine { name, rank, geom: multiline(geom(p, &f, &t)?) });
    }
    let p = "real/places/son_la_geonames_cities500.geojson";
    let mut towns = Vec::new();
    for f in features(p)? {
        if let geo::Geometry::Point(pt) = geom(p, &f, &t)? {
            towns.push(RealPlace { name: prop(&f, "name"), pos: pt });
        }
    }
    let p = "real/hydro/son_la_hydrobasins_l6.geojson";
    let mut basins = Vec::new();
    for f in features(p)? {
        basins.push(multipolygon(geom(p, &f, &t)?));
    }
    Ok(Real { province, districts, communes, rivers, roads, towns, basins })
}

/// Flatten lines into their vertices, densified so no two consecutive points are more than `step` apart.
pub fn densify(ls: &LineString<f64>, step: f64) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    for w in ls.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        let d = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
        let n = (d / step).ceil().max(1.0) as usize;
        for i in 0..n {
            let f = i as f64 / n as f64;
            out.push(Coord { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f });
        }
    }
    if let Some(l) = ls.0.last() {
        out.push(*l);
    }
    out
}

pub fn polygon_bbox(p: &MultiPolygon<f64>) -> Option<geo::Rect<f64>> {
    use geo::BoundingRect;
    p.bounding_rect()
}

