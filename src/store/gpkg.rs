//! [`Layer`]s to and from a GeoPackage through OGR. The feature id is the GeoPackage primary key,
//! named `id`, so every layer carries a stable integer `id` that QGIS and the OGC API both show.

use std::path::Path;

use gdal::vector::{FieldValue, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal};
use gdal::{Dataset, DriverManager};

use super::layer::{Feature, Field, FieldType, GeomKind, Layer, Value};
use crate::error::{Error, Result};

fn wkb_type(kind: GeomKind) -> OGRwkbGeometryType::Type {
    match kind {
        GeomKind::Point => OGRwkbGeometryType::wkbPoint,
        GeomKind::LineString => OGRwkbGeometryType::wkbLineString,
        GeomKind::Polygon => OGRwkbGeometryType::wkbPolygon,
        GeomKind::MultiPoint => OGRwkbGeometryType::wkbMultiPoint,
        GeomKind::MultiLineString => OGRwkbGeometryType::wkbMultiLineString,
        GeomKind::MultiPolygon => OGRwkbGeometryType::wkbMultiPolygon,
        GeomKind::None => OGRwkbGeometryType::wkbNone,
    }
}

fn kind_of(t: OGRwkbGeometryType::Type) -> GeomKind {
    // Strip Z/M variants to the 2D base type.
    // SAFETY: OGR_GT_Flatten is a pure function of an integer geometry type code (any value is
    // accepted; unknown codes come back unchanged); no pointer is involved.
    let base = unsafe { gdal_sys::OGR_GT_Flatten(t) };
    match base {
        OGRwkbGeometryType::wkbPoint => GeomKind::Point,
        OGRwkbGeometryType::wkbLineString => GeomKind::LineString,
        OGRwkbGeometryType::wkbPolygon => GeomKind::Polygon,
        OGRwkbGeometryType::wkbMultiPoint => GeomKind::MultiPoint,
        OGRwkbGeometryType::wkbMultiLineString => GeomKind::MultiLineString,
        OGRwkbGeometryType::wkbMultiPolygon => GeomKind::MultiPolygon,
        _ => GeomKind::None,
    }
}

/// Little-endian WKB of the geometry kinds layers hold (`None` for others).
fn wkb(g: &geo::Geometry<f64>) -> Option<Vec<u8>> {
    fn head(out: &mut Vec<u8>, ty: u32) {
        out.push(1);
        out.extend_from_slice(&ty.to_le_bytes());
    }
    fn points(out: &mut Vec<u8>, ls: &geo::LineString<f64>) {
        out.extend_from_slice(&(ls.0.len() as u32).to_le_bytes());
        for c in &ls.0 {
            out.extend_from_slice(&c.x.to_le_bytes());
            out.extend_from_slice(&c.y.to_le_bytes());
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &geo::Polygon<f64>) {
        head(out, 3);
        out.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
        points(out, p.exterior());
        for r in p.interiors() {
            points(out, r);
        }
    }
    fn point(out: &mut Vec<u8>, p: &geo::Point<f64>) {
        head(out, 1);
        out.extend_from_slice(&p.x().to_le_bytes());
        out.extend_from_slice(&p.y().to_le_bytes());
    }
    fn line(out: &mut Vec<u8>, l: &geo::LineString<f64>) {
        head(out, 2);
        points(out, l);
    }
    let mut out = Vec::new();
    match g {
        geo::Geometry::Point(p) => point(&mut out, p),
        geo::Geometry::LineString(l) => line(&mut out, l),
        geo::Geometry::Polygon(p) => polygon(&mut out, p),
        geo::Geometry::MultiPoint(m) => {
            head(&mut out, 4);
            out.extend_from_slice(&(m.0.len() as u32).to_le_bytes());
            m.0.iter().for_each(|p| point(&mut out, p));
        }
        geo::Geometry::MultiLineString(m) => {
            head(&mut out, 5);
            out.extend_from_slice(&(m.0.len() as u32).to_le_bytes());
            m.0.iter().for_each(|l| line(&mut out, l));
        }
        geo::Geometry::MultiPolygon(m) => {
            head(&mut out, 6);
            out.extend_from_slice(&(m.0.len() as u32).to_le_bytes());
            m.0.iter().for_each(|p| polygon(&mut out, p));
        }
        _ => return None,
    }
    Some(out)
}

/// The OGR geometry of `g`, through WKB: the gdal crate's `to_gdal` adds points one at a time and
/// OGR grows each ring by reallocation per point — on the 32,000 risk zones (millions of vertices)
/// most of the layer's write time. The same 2-D geometry either way.
fn to_ogr(g: &geo::Geometry<f64>) -> gdal::errors::Result<gdal::vector::Geometry> {
    match wkb(g) {
        Some(bytes) => gdal::vector::Geometry::from_wkb(&bytes),
        None => g.to_gdal(),
    }
}

/// Create (or open for update) a GeoPackage.
pub fn create_or_open(path: &Path) -> Result<Dataset> {
    if path.exists() {
        Dataset::open_ex(
            path,
            gdal::DatasetOptions { open_flags: gdal::GdalOpenFlags::GDAL_OF_UPDATE | gdal::GdalOpenFlags::GDAL_OF_VECTOR, ..Default::default() },
        )
        .map_err(|e| Error::gdal(path, e))
    } else {
        let drv = DriverManager::get_driver_by_name("GPKG").map_err(|e| Error::gdal(path, e))?;
        drv.create_vector_only(path).map_err(|e| Error::gdal(path, e))
    }
}

/// Write `layer` into the open GeoPackage `ds`, replacing a layer of the same name.
pub fn write_layer(ds: &mut Dataset, path: &Path, layer: &Layer) -> Result<()> {
    let existing = ds.layers().position(|l| l.name() == layer.name);
    if let Some(i) = existing {
        ds.delete_layer(i).map_err(|e| Error::gdal(path, e))?;
    }
    let srs = if layer.kind == GeomKind::None { None } else { Some(crate::grid::io::spatial_ref(&layer.crs)?) };
    let mut txn = ds.start_transaction().map_err(|e| Error::gdal(path, e))?;
    {
        let lyr = txn
            .create_layer(LayerOptions {
                name: &layer.name,
                srs: srs.as_ref(),
                ty: wkb_type(layer.kind),
                options: Some(&["FID=id", "SPATIAL_INDEX=YES"]),
            })
            .map_err(|e| Error::gdal(path, e))?;
        let defs: Vec<(&str, OGRFieldType::Type)> = layer
            .fields
            .iter()
            .map(|f| {
                let t = match f.ty {
                    FieldType::Integer => OGRFieldType::OFTInteger64,
                    FieldType::Real => OGRFieldType::OFTReal,
                    FieldType::Text => OGRFieldType::OFTString,
                };
                (f.name.as_str(), t)
            })
            .collect();
        lyr.create_defn_fields(&defs).map_err(|e| Error::gdal(path, e))?;
        let defn = lyr.defn();
        for f in &layer.features {
            let mut ft = gdal::vector::Feature::new(defn).map_err(|e| Error::gdal(path, e))?;
            // SAFETY: `ft` owns a valid OGRFeatureH for the whole call (created just above from the
            // layer's definition and not yet consumed); OGR_F_SetFID only stores the integer id.
            unsafe {
                gdal_sys::OGR_F_SetFID(ft.c_feature(), f.id);
            }
            for (i, v) in f.values.iter().enumerate() {
                let r = match v {
                    Value::Null => ft.set_field_null(i),
                    Value::Int(x) => ft.set_field_integer64(i, *x),
                    Value::Real(x) => ft.set_field_double(i, *x),
                    Value::Text(s) => ft.set_field_string(i, s),
                };
                r.map_err(|e| Error::gdal(path, e))?;
            }
            if let Some(g) = &f.geometry {
                // Promote single geometries to the layer's multi type when needed.
                let promoted: geo::Geometry<f64> = match (layer.kind, g) {
                    (GeomKind::MultiPolygon, geo::Geometry::Polygon(p)) => geo::MultiPolygon(vec![p.clone()]).into(),
                    (GeomKind::MultiLineString, geo::Geometry::LineString(p)) => geo::MultiLineString(vec![p.clone()]).into(),
                    (GeomKind::MultiPoint, geo::Geometry::Point(p)) => geo::MultiPoint(vec![*p]).into(),
                    _ => g.clone(),
                };
                let gg = to_ogr(&promoted).map_err(|e| Error::gdal(path, e))?;
                ft.set_geometry(gg).map_err(|e| Error::gdal(path, e))?;
            }
            ft.create(&lyr).map_err(|e| Error::feature(path, &layer.name, f.id, format!("cannot write: {e}")))?;
        }
    }
    txn.commit().map_err(|e| Error::gdal(path, e))?;
    Ok(())
}

/// Names of the layers in a GeoPackage.
pub fn layer_names(path: &Path) -> Result<Vec<String>> {
    let ds = Dataset::open(path).map_err(|e| Error::gdal(path, e))?;
    Ok(ds.layers().map(|l| l.name()).collect())
}

/// The named layers of the store at `store_dir` (`None` for a layer it does not have) — only those, not
/// every layer of results.gpkg as `Store::open` reads: what a live-store update (a UAV flight, added
/// measurements) rereads.
pub fn read_layers(store_dir: &Path, names: &[&str]) -> Result<Vec<Option<Layer>>> {
    let gpkg = store_dir.join(super::RESULTS_GPKG);
    let ds = Dataset::open(&gpkg).map_err(|e| Error::store(&gpkg, format!("cannot open: {e}")))?;
    let present: Vec<String> = ds.layers().map(|l| l.name()).collect();
    names.iter().map(|n| if present.iter().any(|p| p == n) { read_layer(&ds, &gpkg, n).map(Some) } else { Ok(None) }).collect()
}

/// Read one layer back.
pub fn read_layer(ds: &Dataset, path: &Path, name: &str) -> Result<Layer> {
    let mut lyr = ds.layer_by_name(name).map_err(|_| Error::layer(path, name, "no such layer"))?;
    let crs = lyr
        .spatial_ref()
        .and_then(|s| crate::grid::io::crs_definition(&s))
        .unwrap_or_default();
    // SAFETY: `lyr` borrows an open layer of `ds`, alive for this call; OGR_L_GetGeomType only reads
    // the layer definition's geometry type.
    let kind = kind_of(unsafe { gdal_sys::OGR_L_GetGeomType(lyr.c_layer()) });
    let fields: Vec<Field> = lyr
        .defn()
        .fields()
        .map(|f| Field {
            name: f.name(),
            ty: match f.field_type() {
                OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldType::Integer,
                OGRFieldType::OFTReal => FieldType::Real,
                _ => FieldType::Text,
            },
        })
        .collect();
    let mut features = Vec::with_capacity(lyr.feature_count() as usize);
    for ft in lyr.features() {
        let id = ft.fid().map(|v| v as i64).unwrap_or(features.len() as i64);
        let mut values = Vec::with_capacity(fields.len());
        for (i, fd) in fields.iter().enumerate() {
            let v = match ft.field(i).map_err(|e| Error::gdal(path, e))? {
                None => Value::Null,
                Some(FieldValue::IntegerValue(x)) => Value::Int(x as i64),
                Some(FieldValue::Integer64Value(x)) => Value::Int(x),
                Some(FieldValue::RealValue(x)) => Value::Real(x),
                Some(FieldValue::StringValue(s)) => Value::Text(s),
                Some(other) => match fd.ty {
                    _ => Value::Text(format!("{other:?}")),
                },
            };
            values.push(v);
        }
        let geometry = match ft.geometry() {
            Some(g) if g.geometry_type() == OGRwkbGeometryType::wkbUnknown => None,
            Some(g) => Some(g.to_geo().map_err(|e| Error::feature(path, name, id, format!("bad geometry: {e}")))?),
            None => None,
        };
        features.push(Feature { id, geometry, values });
    }
    features.sort_by_key(|f| f.id);
    Ok(Layer { name: name.to_string(), kind, crs, fields, features })
}

#[cfg(test)]
mod wkb_tests {
    use super::*;

    #[test]
    fn wkb_geometries_equal_the_crates_conversion() {
        // Every kind a layer holds, holes and multi-parts included: the same OGR geometry (compared
        // by its ISO WKT, all digits) as gdal's own point-by-point conversion.
        let ring = |x0: f64, s: f64| geo::LineString::from(vec![(x0, 0.0), (x0 + s, 0.1), (x0 + s, s), (x0, s + 0.3), (x0, 0.0)]);
        let poly = geo::Polygon::new(ring(0.0, 10.0), vec![ring(2.0, 1.5), ring(5.0, 2.25)]);
        let gs: Vec<geo::Geometry<f64>> = vec![
            geo::Point::new(105.123456789, 21.3).into(),
            ring(1.0, 2.0).into(),
            poly.clone().into(),
            geo::MultiPoint(vec![geo::Point::new(1.0, 2.0), geo::Point::new(-3.5, 4.0)]).into(),
            geo::MultiLineString(vec![ring(0.0, 1.0), ring(3.0, 1.0)]).into(),
            geo::MultiPolygon(vec![poly, geo::Polygon::new(ring(20.0, 3.0), vec![])]).into(),
        ];
        for g in &gs {
            let ours = to_ogr(g).unwrap();
            let theirs = g.to_gdal().unwrap();
            assert_eq!(ours.wkt().unwrap(), theirs.wkt().unwrap());
            assert_eq!(ours.wkb().unwrap(), theirs.wkb().unwrap());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, polygon};

    #[test]
    fn layers_round_trip_with_ids_and_types() {
        let (_dir, p) = crate::scratch::scratch("r.gpkg");
        let mut l = Layer::new(
            "communes",
            GeomKind::MultiPolygon,
            "EPSG:32648",
            &[("code", FieldType::Text), ("population", FieldType::Integer), ("share", FieldType::Real)],
        );
        let poly = polygon![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 0.0)];
        l.push(7, Some(poly.into()), vec!["03646".into(), 8630u32.into(), 0.25.into()]);
        l.push(9, None, vec![Value::Null, Value::Null, Value::Null]);
        let mut pts = Layer::new("hamlets", GeomKind::Point, "EPSG:32648", &[("name", FieldType::Text)]);
        pts.push(1, Some(point!(x: 5.0, y: 6.0).into()), vec!["Bản Mòng".into()]);
        {
            let mut ds = create_or_open(&p).unwrap();
            write_layer(&mut ds, &p, &l).unwrap();
            write_layer(&mut ds, &p, &pts).unwrap();
            // Re-writing a layer replaces it.
            write_layer(&mut ds, &p, &pts).unwrap();
        }
        assert_eq!(layer_names(&p).unwrap(), vec!["communes", "hamlets"]);
        let ds = Dataset::open(&p).unwrap();
        let r = read_layer(&ds, &p, "communes").unwrap();
        assert_eq!(r.kind, GeomKind::MultiPolygon);
        assert_eq!(r.crs, "EPSG:32648");
        assert_eq!(r.features.iter().map(|f| f.id).collect::<Vec<_>>(), vec![7, 9]);
        assert_eq!(r.features[0].values, vec![Value::Text("03646".into()), Value::Int(8630), Value::Real(0.25)]);
        assert!(matches!(r.features[0].geometry, Some(geo::Geometry::MultiPolygon(_))));
        let h = read_layer(&ds, &p, "hamlets").unwrap();
        assert_eq!(h.features.len(), 1);
        assert_eq!(h.features[0].values[0], Value::Text("Bản Mòng".into()));
        // ogrinfo, an independent reader, sees the `id` primary key.
        let out = std::process::Command::new("ogrinfo").args(["-so"]).arg(&p).arg("communes").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("FID Column = id"), "{text}");
    }
}
