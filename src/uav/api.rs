//! JSON bodies of the UAV API, computed from the stored layers only (a request never recomputes):
//! - `GET /api/uav/flights` → [`flights_json`]: every flight in date order with its imagery, summary,
//!   raster names (store raster names, e.g. `uav/2026-04-07/ndvi`) and the parcels whose health fell,
//!   worst first;
//! - `GET /api/uav/parcels/{id}` → [`parcel_history_json`]: one parcel's observations across flights
//!   (`None` → 404). Geometries are GeoJSON in EPSG:4326.

use std::path::Path;

use serde_json::{json, Value as Json};

use super::indices::VegetationIndex;
use super::layers::{flight_records, health_rows};
use super::records::{declines, HealthRecord};
use crate::crs::Transformer;
use crate::error::Result;
use crate::store::Layer;

fn round(v: f64, digits: i32) -> Json {
    if v.is_finite() {
        let f = 10f64.powi(digits);
        json!((v * f).round() / f)
    } else {
        Json::Null
    }
}

fn opt(v: Option<f64>) -> Json {
    v.map_or(Json::Null, |x| round(x, 4))
}

/// Polygon ring coordinates in lon/lat.
fn polygon_4326(p: &geo::Polygon<f64>, t: Option<&Transformer>) -> Result<Json> {
    let mut rings = Vec::new();
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        let mut pts: Vec<(f64, f64)> = ring.0.iter().map(|c| (c.x, c.y)).collect();
        if let Some(t) = t {
            t.convert_all(&mut pts)?;
        }
        rings.push(pts.iter().map(|(x, y)| json!([round(*x, 7), round(*y, 7)])).collect::<Vec<_>>());
    }
    Ok(json!({"type": "Polygon", "coordinates": rings}))
}

fn to_wgs84(crs: &str) -> Result<Option<Transformer>> {
    if crs.is_empty() || crs == "EPSG:4326" {
        Ok(None)
    } else {
        Transformer::new(crs, "EPSG:4326").map(Some)
    }
}

/// The body of `GET /api/uav/flights` from the `uav_flights` and `orchard_health` layers.
pub fn flights_json(flights: &Layer, health: &Layer) -> Result<Json> {
    let src = Path::new(crate::store::RESULTS_GPKG);
    let mut recs = flight_records(flights, src)?;
    recs.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
    let rows = health_rows(health, src)?;
    let t = to_wgs84(&flights.crs)?;
    let mut out = Vec::with_capacity(recs.len());
    for f in &recs {
        let mut rasters = serde_json::Map::new();
        for i in VegetationIndex::ALL {
            rasters.insert(i.name().into(), json!(format!("uav/{}/{}", f.id, i.name())));
        }
        if f.change_vs.is_some() {
            rasters.insert("ndvi_change".into(), json!(format!("uav/{}/ndvi_change", f.id)));
        }
        let mine: Vec<&HealthRecord> = rows.iter().filter(|r| r.flight_id == f.id).collect();
        let count = |pred: &dyn Fn(&HealthRecord) -> bool| mine.iter().filter(|r| pred(r)).count();
        let declined: Vec<Json> = declines(&rows, &f.id)
            .into_iter()
            .map(|r| {
                json!({
                    "orchard_id": r.orchard_id,
                    "crop": r.crop,
                    "from": r.prev_health_class.map(|c| c.name()),
                    "to": r.health_class.name(),
                    "ndvi_change": opt(r.ndvi_change),
                    "stressed_share": round(r.stressed_share, 4),
                })
            })
            .collect();
        let footprint = polygon_4326(&f.footprint, t.as_ref())?;
        let bbox = bbox_of(&footprint);
        out.push(json!({
            "id": f.id,
            "date": f.date,
            "camera": f.camera,
            "bands": f.bands,
            "images": f.images,
            "gsd_m": round(f.gsd_m, 4),
            "width": f.width,
            "height": f.height,
            "crs": f.crs,
            "valid_pixels": f.valid_pixels,
            "ndvi_mean": round(f.ndvi_mean, 4),
            "parcels": mine.len(),
            "health_counts": {
                "healthy": count(&|r| r.health_class.name() == "healthy"),
                "watch": count(&|r| r.health_class.name() == "watch"),
                "stressed": count(&|r| r.health_class.name() == "stressed"),
                "severe": count(&|r| r.health_class.name() == "severe"),
                "no_canopy": count(&|r| r.health_class.name() == "no_canopy"),
            },
            "change_vs": f.change_vs,
            "rasters": rasters,
            "bbox": bbox,
            "footprint": footprint,
            "declined": declined,
        }));
    }
    Ok(json!({ "flights": out }))
}

fn bbox_of(geom: &Json) -> Json {
    let (mut a, mut b, mut c, mut d) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    if let Some(rings) = geom["coordinates"].as_array() {
        for p in rings.iter().filter_map(|r| r.as_array()).flatten() {
            if let (Some(x), Some(y)) = (p[0].as_f64(), p[1].as_f64()) {
                a = a.min(x);
                b = b.min(y);
                c = c.max(x);
                d = d.max(y);
            }
        }
    }
    if a.is_finite() {
        json!([a, b, c, d])
    } else {
        Json::Null
    }
}

/// The body of `GET /api/uav/parcels/{id}`: the parcel's observations, oldest first. `None` when the
/// parcel was never observed by a flight.
pub fn parcel_history_json(health: &Layer, orchard_id: i64) -> Result<Option<Json>> {
    let src = Path::new(crate::store::RESULTS_GPKG);
    let mut rows: Vec<HealthRecord> = health_rows(health, src)?.into_iter().filter(|r| r.orchard_id == orchard_id).collect();
    rows.sort_by(|a, b| (&a.date, &a.flight_id).cmp(&(&b.date, &b.flight_id)));
    let Some(last) = rows.last() else { return Ok(None) };
    let t = to_wgs84(&health.crs)?;
    let history: Vec<Json> = rows
        .iter()
        .map(|r| {
            json!({
                "flight_id": r.flight_id,
                "date": r.date,
                "ndvi_mean": round(r.ndvi_mean, 4),
                "ndvi_std": round(r.ndvi_std, 4),
                "ndvi_p10": round(r.ndvi_p10, 4),
                "ndvi_p50": round(r.ndvi_p50, 4),
                "ndvi_p90": round(r.ndvi_p90, 4),
                "ndre_mean": opt(r.ndre_mean),
                "pixel_count": round(r.pixel_count, 2),
                "covered_fraction": round(r.covered_fraction, 4),
                "canopy_share": round(r.canopy_share, 4),
                "stressed_share": round(r.stressed_share, 4),
                "health_class": r.health_class.name(),
                "prev_flight_id": r.prev_flight_id,
                "ndvi_change": opt(r.ndvi_change),
                "health_fell": r.health_fell,
            })
        })
        .collect();
    Ok(Some(json!({
        "orchard_id": orchard_id,
        "crop": last.crop,
        "commune_code": last.commune_code,
        "health_class": last.health_class.name(),
        "latest_flight_id": last.flight_id,
        "geometry": polygon_4326(&last.geom, t.as_ref())?,
        "history": history,
    })))
}

#[cfg(test)]
mod tests {
    use super::super::health::HealthClass;
    use super::super::layers::{flights_layer, health_layer};
    use super::super::records::{relink, sample_row, FlightRecord};
    use super::*;
    use geo::polygon;

    #[test]
    fn flights_and_history_from_layers() {
        let mut rows = vec![
            sample_row(7, "2026-03-10", "2026-03-10", 0.8, HealthClass::Healthy),
            sample_row(7, "2026-04-07", "2026-04-07", 0.55, HealthClass::Stressed),
            sample_row(8, "2026-04-07", "2026-04-07", 0.8, HealthClass::Healthy),
        ];
        for r in rows.iter_mut() {
            // Somewhere in Sơn La, UTM 48N.
            r.geom = polygon![(x: 400000.0, y: 2350000.0), (x: 400100.0, y: 2350000.0), (x: 400100.0, y: 2350100.0), (x: 400000.0, y: 2350000.0)];
        }
        relink(&mut rows);
        let flight = |id: &str, change: Option<&str>| FlightRecord {
            id: id.into(),
            date: id.into(),
            camera: "p4m".into(),
            bands: "blue=1,green=2,red=3,rededge=4,nir=5".into(),
            scale: None,
            images: vec![format!("{id}.tif")],
            gsd_m: 0.4,
            width: 100,
            height: 100,
            crs: "EPSG:32648".into(),
            footprint: rows[0].geom.clone(),
            valid_pixels: 10_000,
            ndvi_mean: 0.6,
            change_vs: change.map(str::to_string),
        };
        let flights = vec![flight("2026-04-07", Some("2026-03-10")), flight("2026-03-10", None)];
        let hl = health_layer(&rows, "EPSG:32648");
        let fl = flights_layer(&flights, &rows, "EPSG:32648");
        let j = flights_json(&fl, &hl).unwrap();
        let fs = j["flights"].as_array().unwrap();
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0]["id"], "2026-03-10");
        assert!(fs[0]["rasters"].get("ndvi_change").is_none());
        assert_eq!(fs[1]["rasters"]["ndvi_change"], "uav/2026-04-07/ndvi_change");
        assert_eq!(fs[1]["declined"][0]["orchard_id"], 7);
        assert_eq!(fs[1]["declined"][0]["from"], "healthy");
        assert_eq!(fs[1]["parcels"], 2);
        // UTM 48N x=400000 lies west of the zone's 105°E central meridian, near 104.04°E.
        let lon = fs[1]["bbox"][0].as_f64().unwrap();
        assert!(lon > 103.9 && lon < 104.2, "{lon}");

        let h = parcel_history_json(&hl, 7).unwrap().unwrap();
        assert_eq!(h["history"].as_array().unwrap().len(), 2);
        assert_eq!(h["health_class"], "stressed");
        assert_eq!(h["history"][1]["ndvi_change"], -0.25);
        assert_eq!(h["geometry"]["type"], "Polygon");
        assert!(parcel_history_json(&hl, 999).unwrap().is_none());
    }
}
