//! A DEM from any file GDAL reads, on a metric grid, for the standalone tools (`covermap risk`,
//! `covermap radio site`). Slope, flow and radio profiles need cell sizes in metres: a DEM in a
//! projected CRS with metre units is used as it is; a geographic DEM (degrees, e.g. SRTM `.hgt` in
//! EPSG:4326) is warped (bilinear) into the UTM zone of its centre, with a square cell equal to the
//! smaller metric side of its cells at the centre latitude — so 1″ SRTM at 21° N becomes 28.9 m.
//! UTM's scale error within one zone is ≤ 0.1 %, far below the DEM's own errors, while the
//! degree cell's east–west size changes by several per cent over a large tile; working in metres
//! keeps every step of the analyses exact on its own grid.

use std::path::Path;

use super::io::{crs_of, open, read_raster_f32, spatial_ref, warp_onto, warp_target};
use super::Grid;
use crate::error::{Error, Result};

/// A DEM ready for metric analyses.
#[derive(Debug, Clone)]
pub struct MetricDem {
    pub dem: Grid<f32>,
    /// The grid's CRS ("EPSG:n" or WKT).
    pub crs: String,
    /// The source's CRS when the DEM was warped from degrees (`None`: read as is).
    pub warped_from: Option<String>,
}

/// Metres per degree of latitude and of longitude at latitude `lat` (WGS 84 ellipsoid series,
/// as in the usual "length of a degree" tables).
pub fn metres_per_degree(lat_deg: f64) -> (f64, f64) {
    let p = lat_deg.to_radians();
    let lat = 111_132.92 - 559.82 * (2.0 * p).cos() + 1.175 * (4.0 * p).cos() - 0.0023 * (6.0 * p).cos();
    let lon = 111_412.84 * p.cos() - 93.5 * (3.0 * p).cos() + 0.118 * (5.0 * p).cos();
    (lat, lon)
}

/// The WGS 84 UTM zone holding (lon, lat), as "EPSG:326zz" (north) or "EPSG:327zz" (south).
pub fn utm_zone_crs(lon: f64, lat: f64) -> String {
    let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) + 1;
    format!("EPSG:{}{zone:02}", if lat >= 0.0 { 326 } else { 327 })
}

/// Read band 1 of `path` as a metric DEM (see the module notes). Errors name the file: no CRS, a
/// projected CRS not in metres, no valid cell.
pub fn read_metric_dem(path: &Path) -> Result<MetricDem> {
    read_metric_dem_within(path, None)
}

/// [`read_metric_dem`] where only the cells within `radius_m` of (`lon`, `lat`) (WGS 84) are
/// needed (`covermap radio site`): a geographic DEM is warped onto the window of the whole
/// metric grid that covers the disc with a margin of 4 cells (the bilinear profile samples' and the
/// cells' neighbours) — the same cells on the same lattice, each computed as the whole warp
/// computes it, so the results are unchanged while a 1° SRTM tile costs a fraction of its warp. A
/// projected DEM is read whole, as by [`read_metric_dem`].
pub fn read_metric_dem_around(path: &Path, lon: f64, lat: f64, radius_m: f64) -> Result<MetricDem> {
    read_metric_dem_within(path, Some((lon, lat, radius_m)))
}

fn read_metric_dem_within(path: &Path, around: Option<(f64, f64, f64)>) -> Result<MetricDem> {
    let ds = open(path)?;
    let crs = crs_of(&ds).ok_or_else(|| Error::input(path, "the raster has no CRS; assign one first (gdal_edit.py -a_srs EPSG:…)"))?;
    drop(ds);
    let sr = spatial_ref(&crs)?;
    let (dem, crs, warped_from) = if sr.is_geographic() {
        // The placement only (a 1° SRTM tile's cells are read by the warp, not here).
        let g = placement(path)?;
        let b = g.bounds();
        let (lon, lat) = ((b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0);
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(Error::input(path, format!("geographic CRS {crs} but the extent ({lon:.3}, {lat:.3}) is not in degrees")));
        }
        let (m_lat, m_lon) = metres_per_degree(lat);
        let cell = ((g.transform.dx * m_lon).min(g.transform.dy * m_lat) * 10.0).round() / 10.0;
        if cell.is_nan() || cell < 0.1 {
            return Err(Error::input(path, format!("cell of {}° × {}° is too small to analyse", g.transform.dx, g.transform.dy)));
        }
        let utm = utm_zone_crs(lon, lat);
        let (t, w, h) = warp_target(path, &crs, &utm, cell)?;
        let (t, w, h) = match around {
            Some((lon, lat, radius_m)) => {
                let (x, y) = crate::crs::Transformer::new("EPSG:4326", &utm)?.convert(lon, lat)?;
                let reach = radius_m + 4.0 * cell;
                let col = |x: f64| ((x - t.x0) / cell).floor().clamp(0.0, w as f64) as usize;
                let row = |y: f64| ((t.y0 - y) / cell).floor().clamp(0.0, h as f64) as usize;
                let (c0, c1) = (col(x - reach), (col(x + reach) + 1).min(w));
                let (r0, r1) = (row(y + reach), (row(y - reach) + 1).min(h));
                if c1 <= c0 || r1 <= r0 {
                    return Err(Error::input(path, format!("the point ({lon}, {lat}) and {radius_m} m around it are outside the DEM")));
                }
                let wt = super::GeoTransform { x0: t.x0 + c0 as f64 * cell, y0: t.y0 - r0 as f64 * cell, dx: cell, dy: cell };
                (wt, c1 - c0, r1 - r0)
            }
            None => (t, w, h),
        };
        let dem = warp_onto(path, &utm, t, w, h)?;
        (dem, utm, Some(crs))
    } else {
        let units = sr.linear_units();
        if (units - 1.0).abs() > 1e-9 {
            return Err(Error::input(
                path,
                format!("projected CRS {crs} has units of {units} m, not metres; warp it to a metric CRS (e.g. UTM) first"),
            ));
        }
        let (g, _) = read_raster_f32(path, 1)?;
        (g, crs, None)
    };
    if dem.min_max().is_none() {
        return Err(Error::input(path, "the DEM has no valid cell (all nodata)"));
    }
    Ok(MetricDem { dem, crs, warped_from })
}

/// The placement of band 1 of `path` as an empty grid (no cell read), with
/// [`read_raster_f32`]'s checks and messages.
fn placement(path: &Path) -> Result<Grid<f32>> {
    let ds = open(path)?;
    let gt = ds.geo_transform().map_err(|e| Error::input(path, format!("no georeferencing ({e})")))?;
    let transform = super::GeoTransform::from_gdal(&gt)
        .ok_or_else(|| Error::input(path, "raster is rotated or not north-up; warp it first (gdalwarp)"))?;
    if ds.raster_count() == 0 {
        return Err(Error::input(path, "band 1 requested, the file has 0"));
    }
    let (width, height) = ds.raster_size();
    Ok(Grid { width, height, transform, nodata: None, data: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_lengths_match_the_tables() {
        // NGA/NIMA tables: at the equator 110,574 m (lat) and 111,320 m (lon); at 45° 111,132 m and 78,847 m.
        let (a, b) = metres_per_degree(0.0);
        assert!((a - 110_574.3).abs() < 1.0 && (b - 111_319.5).abs() < 1.0, "{a} {b}");
        let (a, b) = metres_per_degree(45.0);
        assert!((a - 111_132.1).abs() < 1.0 && (b - 78_847.0).abs() < 1.0, "{a} {b}");
    }

    #[test]
    fn utm_zones() {
        // Sơn La (103.9° E, 21.3° N) is in zone 48N; Sydney (151.2° E, 33.9° S) in 56S.
        assert_eq!(utm_zone_crs(103.9, 21.3), "EPSG:32648");
        assert_eq!(utm_zone_crs(151.2, -33.9), "EPSG:32756");
        assert_eq!(utm_zone_crs(-180.0, 10.0), "EPSG:32601");
        assert_eq!(utm_zone_crs(180.0, 10.0), "EPSG:32660");
    }
}
