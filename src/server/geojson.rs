//! Features as GeoJSON (RFC 7946): geometries from the catalog's EPSG:3857 copy back to longitude /
//! latitude by the exact inverse spherical Mercator, rounded to 7 decimals (about 1 cm); attributes
//! typed as stored. Also the attribute rows the application APIs share (their CSV is [`crate::tiles::csv`]).

use geo::Geometry;
use serde_json::{json, Map, Value as Json};

use crate::crs::mercator_to_lonlat;
pub use crate::tiles::csv::{lonlat, rows_csv};
use crate::tiles::csv::r7;
use crate::tiles::vector_source::VectorSource;

fn pos(c: geo::Coord<f64>) -> Json {
    let (lon, lat) = mercator_to_lonlat(c.x, c.y);
    json!([r7(lon), r7(lat)])
}

fn ring(l: &geo::LineString<f64>) -> Json {
    Json::Array(l.0.iter().map(|c| pos(*c)).collect())
}

fn polygon(p: &geo::Polygon<f64>) -> Json {
    let mut rings = vec![ring(p.exterior())];
    rings.extend(p.interiors().iter().map(ring));
    Json::Array(rings)
}

/// A GeoJSON geometry object from an EPSG:3857 geometry.
pub fn geometry(g: &Geometry<f64>) -> Json {
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": pos(p.0)}),
        Geometry::MultiPoint(mp) => {
            json!({"type": "MultiPoint", "coordinates": mp.0.iter().map(|p| pos(p.0)).collect::<Vec<_>>()})
        }
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": ring(l)}),
        Geometry::MultiLineString(ml) => {
            json!({"type": "MultiLineString", "coordinates": ml.0.iter().map(ring).collect::<Vec<_>>()})
        }
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": polygon(p)}),
        Geometry::MultiPolygon(mp) => {
            json!({"type": "MultiPolygon", "coordinates": mp.0.iter().map(polygon).collect::<Vec<_>>()})
        }
        Geometry::Line(l) => json!({"type": "LineString", "coordinates": [pos(l.start), pos(l.end)]}),
        Geometry::Rect(r) => json!({"type": "Polygon", "coordinates": polygon(&r.to_polygon())}),
        Geometry::Triangle(t) => json!({"type": "Polygon", "coordinates": polygon(&t.to_polygon())}),
        Geometry::GeometryCollection(gc) => {
            json!({"type": "GeometryCollection", "geometries": gc.0.iter().map(geometry).collect::<Vec<_>>()})
        }
    }
}

/// The feature's attributes as a JSON object (field order kept).
pub fn properties(src: &VectorSource, i: usize) -> Map<String, Json> {
    src.fields.iter().zip(&src.values[i]).map(|(f, v)| (f.name.clone(), v.to_json())).collect()
}

/// A GeoJSON Feature.
pub fn feature(src: &VectorSource, i: usize) -> Json {
    json!({
        "type": "Feature",
        "id": src.ids[i],
        "geometry": src.geoms[i].as_ref().map(geometry),
        "properties": properties(src, i),
    })
}

/// An attribute row: `id`, the fields, and `lon`/`lat` of the representative point when there is one.
pub fn row(src: &VectorSource, i: usize) -> Json {
    let mut m = Map::new();
    m.insert("id".into(), json!(src.ids[i]));
    m.extend(properties(src, i));
    if let Some((lon, lat)) = lonlat(src, i) {
        m.insert("lon".into(), json!(lon));
        m.insert("lat".into(), json!(lat));
    }
    Json::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::lonlat_to_mercator;

    #[test]
    fn mercator_back_to_lonlat() {
        let (x, y) = lonlat_to_mercator(103.9, 21.33);
        let g = geometry(&Geometry::Point(geo::Point::new(x, y)));
        assert_eq!(g, json!({"type": "Point", "coordinates": [103.9, 21.33]}));
    }
}
