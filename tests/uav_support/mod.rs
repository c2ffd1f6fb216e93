//! Shared helpers of the UAV integration tests: a small synthetic terrain with communes of the four
//! growing districts, multiband GeoTIFF writing, and a results store holding an `orchards` layer.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use covermap::coverage::synthetic::rect_commune;
use covermap::dataset::layers::orchards_layer;
use covermap::dataset::{Commune, Hamlet, Orchard};
use covermap::grid::{GeoTransform, Grid};
use covermap::store::{Manifest, StoreWriter};
use geo::{Point, Polygon};

pub const CRS: &str = "EPSG:32648";

/// A 12 km × 12 km gently sloping terrain in UTM 48N (Sơn La), four 6 km communes (one per growing
/// district: Mai Sơn 125, Yên Châu 124, Sông Mã 126, Thuận Châu 119) with six hamlets each.
pub fn world() -> (Grid<f32>, Vec<Commune>, Vec<Hamlet>) {
    let t = GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 };
    let mut dem = Grid::new(400, 400, t, 0.0f32, Some(-9999.0));
    for r in 0..400 {
        for c in 0..400 {
            let (x, y) = (c as f32 * 30.0, r as f32 * 30.0);
            dem.set(c, r, 600.0 + 0.03 * x + 20.0 * (x / 2000.0 * std::f32::consts::TAU).sin() * (y / 2500.0 * std::f32::consts::TAU).cos());
        }
    }
    let districts = ["125", "124", "126", "119"];
    let mut communes = Vec::new();
    let mut hamlets = Vec::new();
    for (k, d) in districts.iter().enumerate() {
        let (ox, oy) = (400_000.0 + (k % 2) as f64 * 6000.0, 2_348_000.0 + (k / 2) as f64 * 6000.0);
        let code = format!("0{d}01");
        let square = (ox, oy, ox + 6000.0, oy + 6000.0);
        communes.push(Commune { population: 5000, households: 1200, ..rect_commune(k as i64 + 1, &code, d, square) });
        for j in 0..6 {
            hamlets.push(Hamlet {
                id: hamlets.len() as i64 + 1,
                name: format!("Bản {k}-{j}"),
                commune_code: code.clone(),
                population: 400,
                pos: Point::new(ox + 1200.0 + (j % 3) as f64 * 1800.0, oy + 1500.0 + (j / 3) as f64 * 3000.0),
            });
        }
    }
    (dem, communes, hamlets)
}

/// A results store at `dir` holding only the orchards.
pub fn make_store(dir: &Path, orchards: &[Orchard]) {
    let mut w = StoreWriter::begin(dir).unwrap();
    w.put_layer(&orchards_layer(orchards, CRS)).unwrap();
    w.commit(Manifest { dataset: "test".into(), crs: CRS.into(), ..Default::default() }).unwrap();
}

/// Write a multiband GeoTIFF of `T` (band-sequential data), with optional nodata and band scale.
#[allow(clippy::too_many_arguments)]
pub fn write_bands<T: gdal::raster::GdalType + Copy>(
    path: &Path,
    bands: &[Vec<T>],
    w: usize,
    h: usize,
    t: GeoTransform,
    crs: &str,
    nodata: Option<f64>,
    scale: Option<f64>,
) {
    use gdal::raster::{Buffer, RasterCreationOptions};
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let opts = RasterCreationOptions::from_iter(["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE"]);
    let mut ds = drv.create_with_band_type_with_options::<T, _>(path, w, h, bands.len(), &opts).unwrap();
    ds.set_geo_transform(&t.to_gdal()).unwrap();
    ds.set_spatial_ref(&covermap::grid::io::spatial_ref(crs).unwrap()).unwrap();
    for (i, b) in bands.iter().enumerate() {
        let mut band = ds.rasterband(i + 1).unwrap();
        if nodata.is_some() {
            band.set_no_data_value(nodata).unwrap();
        }
        if let Some(s) = scale {
            band.set_scale(s).unwrap();
            band.set_offset(0.0).unwrap();
        }
        let mut buf = Buffer::new((w, h), b.clone());
        band.write((0, 0), (w, h), &mut buf).unwrap();
    }
    ds.close().unwrap();
}

/// A uniform-canopy 5-band UInt16 image (reflectance × 32768, nodata 0) of `w`×`h` pixels at
/// (x0, y0) in `crs`, 0.5 m pixels: NIR 0.45, Red 0.05 → NDVI 0.8 everywhere.
pub fn uniform_image(path: &Path, x0: f64, y0: f64, w: usize, h: usize, nbands: usize) -> PathBuf {
    let refl = [0.04, 0.08, 0.05, 0.25, 0.45];
    let bands: Vec<Vec<u16>> = (0..nbands).map(|k| vec![(refl[k % 5] * 32768.0) as u16; w * h]).collect();
    write_bands(path, &bands, w, h, GeoTransform { x0, y0, dx: 0.5, dy: 0.5 }, CRS, Some(0.0), Some(1.0 / 32768.0));
    path.to_path_buf()
}

pub fn square(x: f64, y: f64, side: f64) -> Polygon<f64> {
    Polygon::new(vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)].into(), vec![])
}
