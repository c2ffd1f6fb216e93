//! The optional land-cover raster (`[layers.landcover]`): classes as ESA WorldCover codes, read from
//! any raster GDAL opens in any CRS and resampled by nearest neighbour onto the DEM grid, so the
//! coverage engine finds a receiver's class at the same cell index as its elevation.
//!
//! Validation: an unreadable file, a file without a CRS, a value that is not a WorldCover class, or a
//! raster that covers no DEM cell is one error naming the file (and the value and where it was
//! found). Cells the raster does not cover, or marks as its nodata, get [`NO_CLASS`] (0, which is
//! also WorldCover's own "no data"): the engine treats them as open ground (no clutter loss).
//!
//! Classes and colours: ESA WorldCover 10 m v200 Product User Manual (Zanaga et al. 2022), Table 1
//! and its official palette.

use std::path::Path;

use super::config::LayerSource;
use crate::error::{Error, Result};
use crate::grid::{GeoTransform, Grid};

/// The layer's name in `dataset.toml` and the store raster's name (`landcover.tif`).
pub const LAYER: &str = "landcover";

/// "No class here": outside the source raster or on its nodata (WorldCover's own nodata value).
pub const NO_CLASS: u8 = 0;

/// One ESA WorldCover class: code, key (as `[coverage.clutter]` names it), label, official colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LandClass {
    pub code: u8,
    pub key: &'static str,
    pub label: &'static str,
    pub color: [u8; 3],
}

const fn class(code: u8, key: &'static str, label: &'static str, color: [u8; 3]) -> LandClass {
    LandClass { code, key, label, color }
}

/// The eleven WorldCover classes with their official palette.
pub const CLASSES: [LandClass; 11] = [
    class(10, "tree_cover", "Tree cover", [0, 100, 0]),
    class(20, "shrubland", "Shrubland", [255, 187, 34]),
    class(30, "grassland", "Grassland", [255, 255, 76]),
    class(40, "cropland", "Cropland", [240, 150, 255]),
    class(50, "built_up", "Built-up", [250, 0, 0]),
    class(60, "bare_sparse", "Bare / sparse vegetation", [180, 180, 180]),
    class(70, "snow_ice", "Snow and ice", [240, 240, 240]),
    class(80, "water", "Permanent water bodies", [0, 100, 200]),
    class(90, "herbaceous_wetland", "Herbaceous wetland", [0, 150, 160]),
    class(95, "mangroves", "Mangroves", [0, 207, 117]),
    class(100, "moss_lichen", "Moss and lichen", [250, 230, 160]),
];

/// The class of a code, if it is one.
pub fn class_of(code: u8) -> Option<&'static LandClass> {
    CLASSES.iter().find(|c| c.code == code)
}

fn codes_text() -> String {
    CLASSES.iter().map(|c| c.code.to_string()).collect::<Vec<_>>().join(", ")
}

/// Read `[layers.landcover]` onto the DEM's grid (`dem_like`: its placement and size), in `crs`.
pub fn read(dir: &Path, src: &LayerSource, crs: &str, dem_like: &Grid<f32>) -> Result<Grid<u8>> {
    let path = dir.join(&src.file);
    if src.layer.is_some() || !src.fields.is_empty() || !src.open_options.is_empty() {
        return Err(Error::layer(&path, LAYER, "a raster layer takes only `file` and `crs` (no `layer`, `fields` or `open_options`)"));
    }
    let ds = crate::grid::io::open(&path)?;
    let file_crs = src.crs.clone().or_else(|| crate::grid::io::crs_of(&ds));
    drop(ds);
    let Some(src_crs) = file_crs else {
        return Err(Error::layer(&path, LAYER, "the raster has no CRS; give one with `crs = \"EPSG:…\"` under [layers.landcover]"));
    };
    let codes = crate::grid::io::warp_nearest_i32(&path, &src_crs, crs, dem_like.transform, dem_like.width, dem_like.height)?;
    classes_from_codes(&path, &codes)
}

/// Check every resampled value (`-1`: no data) and narrow to `u8` classes ([`NO_CLASS`] for none).
pub fn classes_from_codes(path: &Path, codes: &Grid<i32>) -> Result<Grid<u8>> {
    let mut data = Vec::with_capacity(codes.data.len());
    let mut any = false;
    for (i, &v) in codes.data.iter().enumerate() {
        if v < 0 || v == NO_CLASS as i32 {
            data.push(NO_CLASS);
            continue;
        }
        match u8::try_from(v).ok().and_then(class_of) {
            Some(c) => {
                any = true;
                data.push(c.code);
            }
            None => {
                let (x, y) = codes.cell_center(i % codes.width, i / codes.width);
                return Err(Error::layer(
                    path,
                    LAYER,
                    format!("value {v} at ({x:.0}, {y:.0}) is not an ESA WorldCover class (expected one of {}, or 0 for no data)", codes_text()),
                ));
            }
        }
    }
    if !any {
        return Err(Error::layer(path, LAYER, "the raster covers no cell of the DEM with a land-cover class (wrong CRS or extent?)"));
    }
    Ok(Grid { width: codes.width, height: codes.height, transform: codes.transform, nodata: Some(NO_CLASS), data })
}

/// Share of each class among the classified cells, in [`CLASSES`] order (for reports).
pub fn class_shares(grid: &Grid<u8>) -> Vec<(&'static LandClass, f64)> {
    let mut counts = [0u64; 256];
    for &v in &grid.data {
        counts[v as usize] += 1;
    }
    let total: u64 = CLASSES.iter().map(|c| counts[c.code as usize]).sum();
    CLASSES.iter().map(|c| (c, if total == 0 { 0.0 } else { counts[c.code as usize] as f64 / total as f64 })).collect()
}

/// The placement of a grid shaped like the DEM (used by tests and the demo synthesis).
pub fn empty_like(t: GeoTransform, width: usize, height: usize) -> Grid<u8> {
    Grid::new(width, height, t, NO_CLASS, Some(NO_CLASS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worldcover_codes_and_palette_are_the_official_ones() {
        // ESA WorldCover v200 PUM Table 1: codes 10…100, e.g. tree cover #006400, built-up #fa0000,
        // permanent water #0064c8.
        let codes: Vec<u8> = CLASSES.iter().map(|c| c.code).collect();
        assert_eq!(codes, [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]);
        assert_eq!(class_of(10).unwrap().color, [0x00, 0x64, 0x00]);
        assert_eq!(class_of(50).unwrap().color, [0xfa, 0x00, 0x00]);
        assert_eq!(class_of(80).unwrap().color, [0x00, 0x64, 0xc8]);
        assert!(class_of(0).is_none() && class_of(15).is_none());
    }

    #[test]
    fn an_unknown_code_is_an_error_naming_file_value_and_place() {
        let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(4, 3, t, 10i32, Some(-1));
        g.data[5] = 42;
        let e = classes_from_codes(Path::new("lc.tif"), &g).unwrap_err().to_string();
        assert!(e.contains("lc.tif") && e.contains("value 42") && e.contains("(400045, 2399955)"), "{e}");
        // Nodata (−1) and 0 are "no class"; all of it is an error (nothing overlaps the DEM).
        let none = Grid::new(4, 3, t, -1i32, Some(-1));
        let e = classes_from_codes(Path::new("lc.tif"), &none).unwrap_err().to_string();
        assert!(e.contains("covers no cell"), "{e}");
        let mut ok = Grid::new(4, 3, t, 0i32, Some(-1));
        ok.data[0] = 50;
        ok.data[1] = -1;
        let c = classes_from_codes(Path::new("lc.tif"), &ok).unwrap();
        assert_eq!(&c.data[..3], &[50, NO_CLASS, NO_CLASS]);
        let shares = class_shares(&c);
        assert_eq!(shares.iter().find(|(c, _)| c.code == 50).unwrap().1, 1.0);
    }

    fn source(file: &str) -> LayerSource {
        LayerSource { file: file.into(), layer: None, crs: None, fields: Default::default(), open_options: vec![] }
    }

    #[test]
    fn a_raster_in_degrees_is_resampled_by_nearest_onto_the_dem_grid() {
        let dir = tempfile::tempdir().unwrap();
        let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
        let dem = Grid::new(40, 30, t, 100.0f32, Some(-32768.0));
        // WorldCover-like: EPSG:4326, 0.0001° cells, tree cover west of the DEM's middle, cropland east.
        let to_ll = crate::crs::Transformer::new("EPSG:32648", "EPSG:4326").unwrap();
        let (lon_mid, _) = to_ll.convert(400_600.0, 2_399_550.0).unwrap();
        let (lon0, lat0) = to_ll.convert(399_000.0, 2_401_000.0).unwrap();
        let ll = GeoTransform { x0: lon0, y0: lat0, dx: 0.0001, dy: 0.0001 };
        let mut g = Grid::new(400, 300, ll, 0u8, Some(0u8));
        for r in 0..g.height {
            for c in 0..g.width {
                let (lon, _) = g.cell_center(c, r);
                g.set(c, r, if lon < lon_mid { 10 } else { 40 });
            }
        }
        crate::grid::io::write_cog(&g, &dir.path().join("lc.tif"), "EPSG:4326").unwrap();
        let lc = read(dir.path(), &source("lc.tif"), "EPSG:32648", &dem).unwrap();
        assert_eq!((lc.width, lc.height, lc.transform), (40, 30, t));
        assert!(lc.data.iter().all(|&v| v == 10 || v == 40), "nearest neighbour invents no class");
        for r in 0..30 {
            assert_eq!((lc.get(0, r), lc.get(39, r)), (10, 40), "row {r}");
        }
        // No `.aux.xml` or other file written beside the input.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // A value that is no class: one error naming the file and the value.
        g.set(200, 150, 42);
        crate::grid::io::write_cog(&g, &dir.path().join("bad.tif"), "EPSG:4326").unwrap();
        let e = read(dir.path(), &source("bad.tif"), "EPSG:32648", &dem).unwrap_err().to_string();
        assert!(e.contains("bad.tif") && e.contains("value 42") && e.contains("landcover"), "{e}");
        // Unreadable, missing, and a vector layer's keys.
        std::fs::write(dir.path().join("junk.tif"), b"not a tiff").unwrap();
        let e = read(dir.path(), &source("junk.tif"), "EPSG:32648", &dem).unwrap_err().to_string();
        assert!(e.contains("junk.tif") && e.contains("not a readable raster"), "{e}");
        let e = read(dir.path(), &source("none.tif"), "EPSG:32648", &dem).unwrap_err().to_string();
        assert!(e.contains("none.tif") && e.contains("not found"), "{e}");
        let mut s = source("lc.tif");
        s.fields.insert("class".into(), "code".into());
        let e = read(dir.path(), &s, "EPSG:32648", &dem).unwrap_err().to_string();
        assert!(e.contains("only `file` and `crs`"), "{e}");
    }
}
