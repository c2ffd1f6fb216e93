//! Vector layers as CSV tables: the one CSV writer of attribute rows — the API's `format=csv`
//! answers and `covermap export --format csv --layers LAYER` (e.g. `coverage_h3` with its
//! `h3_index` column, so the hexagons join other H3-indexed data). Columns: `id`, the layer's fields
//! in stored order, then `lon`,`lat` (WGS 84, 7 decimals) of the feature's representative point when
//! the layer has geometry (the point itself, else the centroid).

use std::path::Path;

use geo::{Centroid, Geometry};

use crate::crs::mercator_to_lonlat;
use crate::error::{Error, Result};
use crate::tiles::catalog::Resolved;
use crate::tiles::vector_source::VectorSource;

/// Rounded to 7 decimals (about 1 cm in degrees).
#[inline]
pub(crate) fn r7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Longitude and latitude of a feature's representative point (the point itself, else the centroid).
pub fn lonlat(src: &VectorSource, i: usize) -> Option<(f64, f64)> {
    let c = match src.geoms[i].as_ref()? {
        Geometry::Point(p) => *p,
        g => g.centroid()?,
    };
    let (lon, lat) = mercator_to_lonlat(c.x(), c.y());
    Some((r7(lon), r7(lat)))
}

/// Rows as CSV with a header line: `id`, the fields, then `lon`,`lat` when the layer has geometry.
pub fn rows_csv(src: &VectorSource, idx: &[usize]) -> Result<String, String> {
    let with_pos = src.has_geometry();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["id".into()];
    header.extend(src.fields.iter().map(|f| f.name.clone()));
    if with_pos {
        header.push("lon".into());
        header.push("lat".into());
    }
    w.write_record(&header).map_err(|e| e.to_string())?;
    for &i in idx {
        let mut rec: Vec<String> = vec![src.ids[i].to_string()];
        for v in &src.values[i] {
            rec.push(match v {
                crate::store::Value::Null => String::new(),
                crate::store::Value::Int(n) => n.to_string(),
                crate::store::Value::Real(r) if r.is_finite() => r.to_string(),
                crate::store::Value::Real(_) => String::new(),
                crate::store::Value::Text(s) => s.clone(),
            });
        }
        if with_pos {
            match lonlat(src, i) {
                Some((lon, lat)) => {
                    rec.push(lon.to_string());
                    rec.push(lat.to_string());
                }
                None => {
                    rec.push(String::new());
                    rec.push(String::new());
                }
            }
        }
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// Write the one vector layer of `resolved` (named `list` on the command line) to `out` as CSV; the
/// file appears under its name only when complete. Returns (rows, bytes).
pub fn export_layer(resolved: &Resolved, list: &str, out: &Path) -> Result<(usize, u64)> {
    let src = match resolved {
        Resolved::Vector(v) if v.len() == 1 => &v[0],
        Resolved::Vector(_) => return Err(Error::Usage(format!("--format csv writes one layer at a time; --layers {list} names several"))),
        _ => return Err(Error::Usage(format!("--format csv writes a vector layer's attributes; --layers {list} is not a vector layer"))),
    };
    let idx: Vec<usize> = (0..src.len()).collect();
    let body = rows_csv(src, &idx).map_err(|e| Error::Codec(format!("CSV of layer {}: {e}", src.id)))?;
    let tmp = out.with_extension(format!("csv.tmp-{}", std::process::id()));
    std::fs::write(&tmp, body.as_bytes()).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    Ok((idx.len(), body.len() as u64))
}
