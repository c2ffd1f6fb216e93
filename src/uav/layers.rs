//! The UAV layers of the results store, to and from records:
//! - `orchard_health`: one row per parcel and flight (parcel polygon), with the statistics, the
//!   health class and the linkage to the parcel's previous observation (`ndvi_change`, `health_fell`,
//!   `prev_*`, and `latest` = 1 on each parcel's most recent row);
//! - `uav_flights`: one row per flight (footprint polygon) with its imagery and summary counts.
//!
//! Feature ids are row numbers in (date, flight, parcel) order, stable for a given set of flights.

use std::path::Path;


use super::health::HealthClass;
use super::records::{FlightRecord, HealthRecord, Linkage};
use crate::error::Result;
use crate::store::{FieldType, GeomKind, Layer, Row, Value};

pub const ORCHARD_HEALTH: &str = "orchard_health";
pub const UAV_FLIGHTS: &str = "uav_flights";

const HEALTH_FIELDS: &[(&str, FieldType)] = &[
    ("orchard_id", FieldType::Integer),
    ("flight_id", FieldType::Text),
    ("date", FieldType::Text),
    ("crop", FieldType::Text),
    ("commune_code", FieldType::Text),
    ("ndvi_mean", FieldType::Real),
    ("ndvi_std", FieldType::Real),
    ("ndvi_p10", FieldType::Real),
    ("ndvi_p50", FieldType::Real),
    ("ndvi_p90", FieldType::Real),
    ("ndre_mean", FieldType::Real),
    ("pixel_count", FieldType::Real),
    ("covered_fraction", FieldType::Real),
    ("canopy_share", FieldType::Real),
    ("stressed_share", FieldType::Real),
    ("health_class", FieldType::Text),
    // then the linkage: LINK_FIELDS
];

/// The [`Linkage`] fields, last in `orchard_health`; written by [`link_values`], read by [`read_link`].
const LINK_FIELDS: &[(&str, FieldType)] = &[
    ("prev_flight_id", FieldType::Text),
    ("prev_ndvi_mean", FieldType::Real),
    ("prev_health_class", FieldType::Text),
    ("ndvi_change", FieldType::Real),
    ("health_fell", FieldType::Integer),
    ("latest", FieldType::Integer),
];

fn link_values(k: &Linkage) -> [Value; 6] {
    [
        k.prev_flight_id.clone().into(),
        k.prev_ndvi_mean.into(),
        k.prev_health_class.map(|c| c.name()).into(),
        k.ndvi_change.into(),
        k.health_fell.into(),
        k.latest.into(),
    ]
}

fn read_link(r: &Row) -> Result<Linkage> {
    Ok(Linkage {
        prev_flight_id: r.opt_text("prev_flight_id")?,
        prev_ndvi_mean: r.opt_real("prev_ndvi_mean")?,
        prev_health_class: r.parsed("prev_health_class", "health class", HealthClass::parse)?,
        ndvi_change: r.opt_real("ndvi_change")?,
        health_fell: r.int("health_fell")? != 0,
        latest: r.int("latest")? != 0,
    })
}

const FLIGHT_FIELDS: &[(&str, FieldType)] = &[
    ("flight_id", FieldType::Text),
    ("date", FieldType::Text),
    ("camera", FieldType::Text),
    ("bands", FieldType::Text),
    ("scale", FieldType::Real),
    ("images", FieldType::Text),
    ("gsd_m", FieldType::Real),
    ("width", FieldType::Integer),
    ("height", FieldType::Integer),
    ("crs", FieldType::Text),
    ("valid_pixels", FieldType::Integer),
    ("ndvi_mean", FieldType::Real),
    ("parcels", FieldType::Integer),
    ("stressed_parcels", FieldType::Integer),
    ("declined", FieldType::Integer),
    ("change_vs", FieldType::Text),
];

/// The `orchard_health` layer from linked rows (see [`super::records::relink`]).
pub fn health_layer(rows: &[HealthRecord], crs: &str) -> Layer {
    let fields: Vec<(&str, FieldType)> = HEALTH_FIELDS.iter().chain(LINK_FIELDS).copied().collect();
    let mut l = Layer::new(ORCHARD_HEALTH, GeomKind::Polygon, crs, &fields);
    for (i, r) in rows.iter().enumerate() {
        let mut values: Vec<Value> = vec![
            r.orchard_id.into(),
            r.flight_id.as_str().into(),
            r.date.as_str().into(),
            r.crop.as_str().into(),
            r.commune_code.as_str().into(),
            r.ndvi_mean.into(),
            r.ndvi_std.into(),
            r.ndvi_p10.into(),
            r.ndvi_p50.into(),
            r.ndvi_p90.into(),
            r.ndre_mean.into(),
            r.pixel_count.into(),
            r.covered_fraction.into(),
            r.canopy_share.into(),
            r.stressed_share.into(),
            r.health_class.name().into(),
        ];
        values.extend(link_values(&r.link));
        l.push(i as i64 + 1, Some(r.geom.clone().into()), values);
    }
    l
}

/// The `uav_flights` layer, with per-flight counts taken from the health rows.
pub fn flights_layer(flights: &[FlightRecord], rows: &[HealthRecord], crs: &str) -> Layer {
    let mut l = Layer::new(UAV_FLIGHTS, GeomKind::Polygon, crs, FLIGHT_FIELDS);
    let mut sorted: Vec<&FlightRecord> = flights.iter().collect();
    sorted.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
    for (i, f) in sorted.iter().enumerate() {
        let mine = rows.iter().filter(|r| r.flight_id == f.id);
        let (mut n, mut stressed, mut declined) = (0usize, 0usize, 0usize);
        for r in mine {
            n += 1;
            stressed += matches!(r.health_class, HealthClass::Stressed | HealthClass::Severe) as usize;
            declined += r.link.health_fell as usize;
        }
        let values: Vec<Value> = vec![
            f.id.as_str().into(),
            f.date.as_str().into(),
            f.camera.as_str().into(),
            f.bands.as_str().into(),
            f.scale.into(),
            f.images.join("; ").into(),
            f.gsd_m.into(),
            f.width.into(),
            f.height.into(),
            f.crs.as_str().into(),
            Value::Int(f.valid_pixels as i64),
            f.ndvi_mean.into(),
            n.into(),
            stressed.into(),
            declined.into(),
            f.change_vs.clone().into(),
        ];
        l.push(i as i64 + 1, Some(f.footprint.clone().into()), values);
    }
    l
}

/// Health rows back from a stored `orchard_health` layer (`src` names the store file in errors).
pub fn health_rows(layer: &Layer, src: &Path) -> Result<Vec<HealthRecord>> {
    Row::all(layer, src)
        .map(|r| {
            Ok(HealthRecord {
                orchard_id: r.int("orchard_id")?,
                flight_id: r.text("flight_id")?,
                date: r.text("date")?,
                crop: r.text("crop")?,
                commune_code: r.opt_text("commune_code")?.unwrap_or_default(),
                geom: r.polygon()?,
                ndvi_mean: r.real("ndvi_mean")?,
                ndvi_std: r.real("ndvi_std")?,
                ndvi_p10: r.real("ndvi_p10")?,
                ndvi_p50: r.real("ndvi_p50")?,
                ndvi_p90: r.real("ndvi_p90")?,
                ndre_mean: r.opt_real("ndre_mean")?,
                pixel_count: r.real("pixel_count")?,
                covered_fraction: r.real("covered_fraction")?,
                canopy_share: r.real("canopy_share")?,
                stressed_share: r.real("stressed_share")?,
                health_class: r.parsed("health_class", "health class", HealthClass::parse)?.ok_or_else(|| r.error("no health_class"))?,
                link: read_link(&r)?,
            })
        })
        .collect()
}

/// Flight records back from a stored `uav_flights` layer.
pub fn flight_records(layer: &Layer, src: &Path) -> Result<Vec<FlightRecord>> {
    Row::all(layer, src)
        .map(|r| {
            Ok(FlightRecord {
                id: r.text("flight_id")?,
                date: r.text("date")?,
                camera: r.text("camera")?,
                bands: r.opt_text("bands")?.unwrap_or_default(),
                scale: r.opt_real("scale")?,
                images: r
                    .opt_text("images")?
                    .map(|s| s.split("; ").map(str::to_string).collect())
                    .unwrap_or_default(),
                gsd_m: r.real("gsd_m")?,
                width: r.int("width")? as usize,
                height: r.int("height")? as usize,
                crs: r.opt_text("crs")?.unwrap_or_default(),
                footprint: r.polygon()?,
                valid_pixels: r.int("valid_pixels")? as u64,
                ndvi_mean: r.real("ndvi_mean")?,
                change_vs: r.opt_text("change_vs")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::records::{relink, sample_row};
    use super::*;

    #[test]
    fn health_rows_round_trip_through_a_layer() {
        let mut rows = vec![
            sample_row(1, "a", "2026-03-10", 0.8, HealthClass::Healthy),
            sample_row(1, "b", "2026-04-07", 0.5, HealthClass::Stressed),
        ];
        relink(&mut rows);
        let l = health_layer(&rows, "EPSG:32648");
        for name in ["orchard_id", "flight_id", "ndvi_mean", "ndvi_p10", "ndvi_p50", "ndvi_p90", "stressed_share", "health_class", "ndvi_change"] {
            assert!(l.field_index(name).is_some(), "{name}");
        }
        let back = health_rows(&l, Path::new("results.gpkg")).unwrap();
        assert_eq!(back, rows);
        // A layer without a required field is a clear error naming it.
        let mut broken = l.clone();
        broken.fields.retain(|f| f.name != "flight_id");
        let e = health_rows(&broken, Path::new("results.gpkg")).unwrap_err().to_string();
        assert!(e.contains("orchard_health") && e.contains("flight_id"), "{e}");
    }
}
