//! Hillshade by Horn's method (Horn 1981, "Hill shading and the reflectance map"; the default of
//! `gdaldem hillshade`): the offline basemap's relief, computed per tile from the DEM resampled onto the
//! tile's pixels, so the shading fits the zoom. The gradient is [`crate::grid::horn`]'s.

use crate::grid::horn::horn_differences;

/// Sun and exaggeration (gdaldem's defaults: azimuth 315°, altitude 45°, z-factor 1).
#[derive(Debug, Clone, Copy)]
pub struct Sun {
    pub azimuth_deg: f64,
    pub altitude_deg: f64,
    pub z_factor: f64,
}

impl Default for Sun {
    fn default() -> Self {
        Self { azimuth_deg: 315.0, altitude_deg: 45.0, z_factor: 1.0 }
    }
}

/// The exaggeration used for tiles at zoom `z`: relief averaged into coarse pixels looks flat, so
/// below zoom 12 the z-factor doubles every three zoom levels (z 9 → 2, z 6 → 4), capped at 4.
pub fn zoom_z_factor(z: u8) -> f64 {
    2f64.powf((12.0 - z as f64) / 3.0).clamp(1.0, 4.0)
}

/// Shade a `w`×`h` block from elevations on a (`w`+2)×(`h`+2) grid (one cell of margin, row 0 north,
/// NaN for nodata). `ewres`/`nsres` are the cell sizes in metres. Output as `gdaldem hillshade`
/// writes it: 1–255 (1 in full shadow), 0 where any of the 3×3 window is nodata.
pub fn hillshade(elev: &[f32], w: usize, h: usize, ewres: f64, nsres: f64, sun: &Sun) -> Vec<u8> {
    let stride = w + 2;
    debug_assert_eq!(elev.len(), stride * (h + 2));
    // With p = ∂z/∂x (east), q = ∂z/∂y (south), slope σ = atan(z·|∇|) and aspect α = atan2(q, −p), the
    // illumination cos θ_z·cos σ + sin θ_z·sin σ·cos(φ − α) equals, without any trigonometry per cell,
    //   (cos θ_z + sin θ_z · z · (q·sin φ − p·cos φ)) / √(1 + z²(p² + q²)).
    let zenith = (90.0 - sun.altitude_deg).to_radians();
    let az = (360.0 - sun.azimuth_deg + 90.0).rem_euclid(360.0).to_radians();
    let (cos_zen, sin_zen) = (zenith.cos(), zenith.sin());
    let zf = sun.z_factor;
    let (kc, ks) = (sin_zen * zf * az.cos(), sin_zen * zf * az.sin());
    let zz = zf * zf;
    let (ie, in_) = (1.0 / (8.0 * ewres), 1.0 / (8.0 * nsres));
    let mut out = vec![0u8; w * h];
    for r in 0..h {
        let (top, mid, bot) = (&elev[r * stride..], &elev[(r + 1) * stride..], &elev[(r + 2) * stride..]);
        for c in 0..w {
            let win = [top[c], top[c + 1], top[c + 2], mid[c], mid[c + 1], mid[c + 2], bot[c], bot[c + 1], bot[c + 2]];
            if win.iter().any(|v| v.is_nan()) {
                continue;
            }
            // East-minus-west and south-minus-north gradients (rows run south).
            let (we, sn) = horn_differences(&win);
            let p = -(we as f64) * ie;
            let q = sn as f64 * in_;
            let shade = (cos_zen + q * ks - p * kc) / (1.0 + zz * (p * p + q * q)).sqrt();
            out[r * w + c] = (1.5 + 254.0 * shade.max(0.0)).min(255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `gdaldem hillshade` (GDAL 3.6) on a small DEM and compare every interior cell.
    #[test]
    fn matches_gdaldem() {
        use gdal::raster::Buffer;
        let (dir, src) = crate::scratch::scratch("dem.tif");
        let dst = dir.path().join("hs.tif");
        let (w, h) = (12usize, 10usize);
        // A tilted, bumpy surface in metres on a 30 m grid (values of a few hundred metres, steep slopes).
        let elev: Vec<f32> = (0..w * h)
            .map(|k| {
                let (c, r) = ((k % w) as f32, (k / w) as f32);
                500.0 + 12.0 * c - 7.0 * r + 40.0 * (0.7 * c).sin() * (0.5 * r).cos()
            })
            .collect();
        {
            let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
            let mut ds = drv.create_with_band_type::<f32, _>(&src, w, h, 1).unwrap();
            ds.set_geo_transform(&[500000.0, 30.0, 0.0, 2400000.0, 0.0, -30.0]).unwrap();
            ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(32648).unwrap()).unwrap();
            let mut b = ds.rasterband(1).unwrap();
            let mut buf = Buffer::new((w, h), elev.clone());
            b.write((0, 0), (w, h), &mut buf).unwrap();
        }
        let st = std::process::Command::new("gdaldem")
            .args(["hillshade", "-q"])
            .arg(&src)
            .arg(&dst)
            .status()
            .expect("gdaldem is installed");
        assert!(st.success());
        let ds = gdal::Dataset::open(&dst).unwrap();
        let reference: Vec<u8> = ds.rasterband(1).unwrap().read_as::<u8>((0, 0), (w, h), (w, h), None).unwrap().data().to_vec();
        let ours = hillshade(&elev, w - 2, h - 2, 30.0, 30.0, &Sun::default());
        let mut worst = 0i32;
        for r in 0..h - 2 {
            for c in 0..w - 2 {
                let d = (ours[r * (w - 2) + c] as i32 - reference[(r + 1) * w + c + 1] as i32).abs();
                worst = worst.max(d);
            }
        }
        // gdaldem uses a fast approximate reciprocal square root; its Byte output then differs by at most 1.
        assert!(worst <= 1, "max difference {worst}");
    }

    #[test]
    fn flat_ground_is_lit_by_the_altitude_only() {
        // On flat ground the shade is cos(zenith) = sin(45°): 1 + 254·0.7071 = 180.6 → 181.
        let elev = vec![100.0f32; 16];
        let hs = hillshade(&elev, 2, 2, 30.0, 30.0, &Sun::default());
        assert_eq!(hs, vec![181; 4]);
        let mut holes = elev.clone();
        holes[0] = f32::NAN;
        assert_eq!(hillshade(&holes, 2, 2, 30.0, 30.0, &Sun::default())[0], 0);
    }
}
