//! Coordinate reference systems: PROJ transformations between a source layer's CRS, the dataset's
//! metric working CRS (Sơn La: UTM 48N, EPSG:32648) and the web's EPSG:4326 / EPSG:3857.
//! Axis order is always x/east, y/north (longitude first), whatever the CRS's official order.

use crate::error::{Error, Result};

/// VN-2000 / TM-3° zone for Sơn La (central meridian 104°00′, k = 0.9999), with the official
/// 7-parameter shift to WGS 84 (Circular 973/2001/TT-TCĐC). Sơn La's provincial zone is not in the
/// EPSG registry, so data in it is described by this PROJ string.
pub const VN2000_TM3_SONLA: &str = "+proj=tmerc +lat_0=0 +lon_0=104 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 \
+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units=m +no_defs +type=crs";

/// A compiled transformation from one CRS to another.
pub struct Transformer {
    proj: proj::Proj,
    pub from: String,
    pub to: String,
}

impl Transformer {
    /// `from` and `to` are anything PROJ accepts: "EPSG:4326", a PROJ string, WKT.
    pub fn new(from: &str, to: &str) -> Result<Self> {
        quiet_proj();
        let proj = proj::Proj::new_known_crs(from, to, None).map_err(|e| {
            // PROJ says only "Unknown error (code 4096)" for a CRS it cannot parse: say which one.
            let problem = match [from, to].into_iter().find(|d| !is_known_crs(d)) {
                Some(bad) => format!("the CRS `{}` could not be understood (not an EPSG code, PROJ string or WKT that PROJ knows)", short(bad)),
                None => e.to_string(),
            };
            Error::Proj { from: short(from), to: short(to), problem }
        })?;
        Ok(Self { proj, from: from.to_string(), to: to.to_string() })
    }

    pub fn convert(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        let (a, b) = self.proj.convert((x, y)).map_err(|e| self.err(e))?;
        if !a.is_finite() || !b.is_finite() {
            return Err(self.err(format!("({x}, {y}) has no image")));
        }
        Ok((a, b))
    }

    /// Transform many points in place.
    pub fn convert_all(&self, pts: &mut [(f64, f64)]) -> Result<()> {
        self.proj.convert_array(pts).map_err(|e| self.err(e))?;
        if let Some(p) = pts.iter().find(|p| !p.0.is_finite() || !p.1.is_finite()) {
            return Err(self.err(format!("a point maps to ({}, {})", p.0, p.1)));
        }
        Ok(())
    }

    fn err(&self, e: impl ToString) -> Error {
        Error::Proj { from: short(&self.from), to: short(&self.to), problem: e.to_string() }
    }
}

/// Whether PROJ understands `def` as a CRS on its own.
pub fn is_known_crs(def: &str) -> bool {
    quiet_proj();
    !def.trim().is_empty() && proj::Proj::new(def).is_ok()
}

extern "C" {
    /// PROJ's `proj_log_level` (libproj is linked through the `proj` crate, which does not expose it).
    fn proj_log_level(ctx: *mut std::ffi::c_void, level: std::ffi::c_int) -> std::ffi::c_int;
}

/// Stop PROJ printing its own "proj_create: crs not found" lines on stderr: every failure reaches
/// the user as our error, naming the CRS. New contexts copy the default context's level.
fn quiet_proj() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: a null context is PROJ's default context; 0 is PJ_LOG_NONE.
    ONCE.call_once(|| unsafe {
        proj_log_level(std::ptr::null_mut(), 0);
    });
}

fn short(def: &str) -> String {
    if def.len() > 60 {
        format!("{}…", &def[..def.char_indices().nth(57).map(|(i, _)| i).unwrap_or(def.len())])
    } else {
        def.to_string()
    }
}

/// Apply a transformation to every coordinate of a geometry.
pub fn transform_geometry(g: &mut geo::Geometry<f64>, t: &Transformer) -> Result<()> {
    use geo::MapCoordsInPlace;
    let err = std::cell::RefCell::new(None);
    let err_ref = &err;
    g.map_coords_in_place(|c| match t.convert(c.x, c.y) {
        Ok((x, y)) => geo::Coord { x, y },
        Err(e) => {
            err_ref.borrow_mut().get_or_insert(e);
            c
        }
    });
    match err.into_inner() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Web Mercator (EPSG:3857) from longitude/latitude, closed form (what every tile client uses).
#[inline]
pub fn lonlat_to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    let lat = lat.clamp(-85.051_128_779_806_59, 85.051_128_779_806_59);
    (R * lon.to_radians(), R * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln())
}

#[inline]
pub fn mercator_to_lonlat(x: f64, y: f64) -> (f64, f64) {
    const R: f64 = 6_378_137.0;
    ((x / R).to_degrees(), (2.0 * (y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_crs_is_named_in_the_error() {
        // EPSG:99999 is not allocated in the EPSG registry (PROJ alone answers "Unknown error (code 4096)").
        let e = Transformer::new("EPSG:99999", "EPSG:32648").err().expect("EPSG:99999 is unknown").to_string();
        assert!(e.contains("`EPSG:99999` could not be understood"), "{e}");
        assert!(!e.contains("code 4096"), "{e}");
        let e = Transformer::new("EPSG:4326", "+proj=nonsense +type=crs").err().unwrap().to_string();
        assert!(e.contains("`+proj=nonsense +type=crs` could not be understood"), "{e}");
        assert!(is_known_crs("EPSG:4326") && is_known_crs(VN2000_TM3_SONLA) && !is_known_crs(""));
    }

    #[test]
    fn utm48_reference_point() {
        // Sơn La city centre; reference from `echo 21.33 103.9 | cs2cs EPSG:4326 EPSG:32648` (PROJ 9.1):
        // 385926.28 2359068.69 (lon/lat order via proj_normalize_for_visualization).
        let t = Transformer::new("EPSG:4326", "EPSG:32648").unwrap();
        let (x, y) = t.convert(103.9, 21.33).unwrap();
        assert!((x - 385926.28).abs() < 0.05 && (y - 2359068.69).abs() < 0.05, "{x} {y}");
    }

    #[test]
    fn mercator_round_trip() {
        let (x, y) = lonlat_to_mercator(103.9, 21.33);
        // EPSG:3857 of (103.9, 21.33): x = 6378137·rad(103.9)
        assert!((x - 11_566_095.09).abs() < 0.01, "{x}");
        let (lon, lat) = mercator_to_lonlat(x, y);
        assert!((lon - 103.9).abs() < 1e-9 && (lat - 21.33).abs() < 1e-9);
    }
}
