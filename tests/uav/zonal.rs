//! Index rasters and parcel statistics through files: formulas on known reflectances, masks
//! (nodata, alpha), a mosaic of several images, exact zonal statistics with partial edge pixels, and
//! parcels given in another CRS than the imagery.

use super::uav_support;

use covermap::crs::{Transformer, VN2000_TM3_SONLA};
use covermap::dataset::{Crop, Orchard};
use covermap::grid::GeoTransform;
use covermap::uav::float_raster::{F32CogWriter, F32Raster};
use covermap::uav::index_rasters::write_index_rasters;
use covermap::uav::indices::INDEX_NODATA;
use covermap::uav::ortho::Orthomosaic;
use covermap::uav::parcels::observe_parcels;
use covermap::uav::{Band, CameraSetup, UavParams, VegetationIndex};
use geo::{MapCoords, Polygon};
use uav_support::*;

fn noop(_: u64, _: u64) {}

const ALL_BANDS: [Band; 5] = [Band::Blue, Band::Green, Band::Red, Band::RedEdge, Band::Nir];

#[test]
fn index_formulas_and_masks_through_files() {
    let tmp = tempfile::tempdir().unwrap();
    // 3×2 UInt16 image, reflectance × 10000 declared by the band scale; pixel 0 is a canopy, pixel 1
    // bare soil, pixel 2 has NIR = Red = 0 (no normalized difference, SAVI 0), pixel 3 is nodata in
    // the red band, pixels 4–5 are outside the alpha mask (band 6, as Pix4D/Metashape write it).
    let (w, h) = (3, 2);
    let blue = vec![400u16, 1200, 500, 500, 500, 500];
    let green = vec![800u16, 1800, 900, 900, 900, 900];
    let red = vec![500u16, 2500, 0, 65535, 500, 500];
    let re = vec![2500u16, 2800, 2000, 2000, 2000, 2000];
    let nir = vec![4500u16, 3000, 0, 4000, 4000, 4000];
    let alpha = vec![65535u16, 65535, 65535, 65535, 0, 0];
    let t = GeoTransform { x0: 500_000.0, y0: 2_350_000.0, dx: 0.5, dy: 0.5 };
    let path = tmp.path().join("refl.tif");
    write_bands(&path, &[blue, green, red, re, nir, alpha], w, h, t, CRS, None, Some(1e-4));
    {
        let ds = gdal::Dataset::open_ex(&path, gdal::DatasetOptions { open_flags: gdal::GdalOpenFlags::GDAL_OF_UPDATE, ..Default::default() }).unwrap();
        ds.rasterband(3).unwrap().set_no_data_value(Some(65535.0)).unwrap();
        ds.rasterband(6).unwrap().set_color_interpretation(gdal::raster::ColorInterpretation::AlphaBand).unwrap();
    }
    let setup = CameraSetup::new("altum", None, None).unwrap();
    let ortho = Orthomosaic::open(std::slice::from_ref(&path), &setup, &ALL_BANDS).unwrap();
    let out = write_index_rasters(&ortho, &tmp.path().join("idx"), &VegetationIndex::ALL, &noop).unwrap();
    let read = |i: VegetationIndex| F32Raster::open(out.path(i).unwrap()).unwrap().read(0, 0, w, h).unwrap();
    let (ndvi, ndre, gndvi, savi) = (read(VegetationIndex::Ndvi), read(VegetationIndex::Ndre), read(VegetationIndex::Gndvi), read(VegetationIndex::Savi));
    // Formulas (Rouse 1974, Barnes 2000, Gitelson 1996, Huete 1988) evaluated by hand:
    let close = |a: f32, b: f64| (a as f64 - b).abs() < 1e-6;
    assert!(close(ndvi[0], 0.8) && close(ndre[0], 0.2 / 0.7) && close(gndvi[0], 0.37 / 0.53) && close(savi[0], 0.6));
    assert!(close(ndvi[1], 0.05 / 0.55) && close(savi[1], 1.5 * 0.05 / 1.05));
    assert!(ndvi[2].is_nan() && close(savi[2], 0.0) && close(ndre[2], -1.0), "NIR = Red = 0: {} {} {}", ndvi[2], savi[2], ndre[2]);
    assert!(ndvi[3].is_nan() && savi[3].is_nan() && close(ndre[3], 2000.0 / 6000.0), "red nodata masks the pixel");
    assert!(ndvi[4].is_nan() && ndre[5].is_nan(), "alpha 0 masks the pixel");
    assert_eq!(out.valid_pixels, 2);
    // The file carries the nodata value GDAL readers need.
    let ds = gdal::Dataset::open(out.path(VegetationIndex::Ndvi).unwrap()).unwrap();
    assert_eq!(ds.rasterband(1).unwrap().no_data_value(), Some(INDEX_NODATA as f64));

    // Float32 bands without scale metadata are reflectance already.
    let fpath = tmp.path().join("float.tif");
    let f = |v: f32| vec![v; 4];
    write_bands(&fpath, &[f(0.04), f(0.08), f(0.05), f(0.25), f(0.45)], 2, 2, t, CRS, None, None);
    let ortho = Orthomosaic::open(&[fpath], &CameraSetup::new("p4m", None, None).unwrap(), &ALL_BANDS).unwrap();
    let out = write_index_rasters(&ortho, &tmp.path().join("fidx"), &[VegetationIndex::Ndvi], &noop).unwrap();
    let v = F32Raster::open(out.path(VegetationIndex::Ndvi).unwrap()).unwrap().read(0, 0, 2, 2).unwrap();
    assert!(v.iter().all(|x| close(*x, 0.8)), "{v:?}");
}

#[test]
fn a_mosaic_of_tiles_equals_the_whole_image() {
    let tmp = tempfile::tempdir().unwrap();
    let (w, h) = (700, 300);
    let t = GeoTransform { x0: 500_000.0, y0: 2_350_000.0, dx: 0.5, dy: 0.5 };
    let band = |k: usize| -> Vec<u16> { (0..w * h).map(|i| (((i % w) * 7 + (i / w) * 3 + k * 1000) % 9000 + 500) as u16).collect() };
    let bands: Vec<Vec<u16>> = (0..5).map(band).collect();
    write_bands(&tmp.path().join("whole.tif"), &bands, w, h, t, CRS, Some(0.0), Some(1.0 / 32768.0));
    // West and east halves as separate files.
    let half = |b: &Vec<u16>, c0: usize, c1: usize| -> Vec<u16> { (0..h).flat_map(|r| b[r * w + c0..r * w + c1].to_vec()).collect() };
    let west: Vec<Vec<u16>> = bands.iter().map(|b| half(b, 0, 350)).collect();
    let east: Vec<Vec<u16>> = bands.iter().map(|b| half(b, 350, 700)).collect();
    write_bands(&tmp.path().join("w.tif"), &west, 350, h, t, CRS, Some(0.0), Some(1.0 / 32768.0));
    write_bands(&tmp.path().join("e.tif"), &east, 350, h, GeoTransform { x0: t.x0 + 175.0, ..t }, CRS, Some(0.0), Some(1.0 / 32768.0));
    let setup = CameraSetup::new("p4m", None, None).unwrap();
    let whole = Orthomosaic::open(&[tmp.path().join("whole.tif")], &setup, &ALL_BANDS).unwrap();
    let tiles = Orthomosaic::open(&[tmp.path().join("w.tif"), tmp.path().join("e.tif")], &setup, &ALL_BANDS).unwrap();
    assert_eq!((tiles.width, tiles.height, tiles.transform), (w, h, t));
    let a = write_index_rasters(&whole, &tmp.path().join("a"), &[VegetationIndex::Ndvi], &noop).unwrap();
    let b = write_index_rasters(&tiles, &tmp.path().join("b"), &[VegetationIndex::Ndvi], &noop).unwrap();
    let ra = F32Raster::open(a.path(VegetationIndex::Ndvi).unwrap()).unwrap().read(0, 0, w, h).unwrap();
    let rb = F32Raster::open(b.path(VegetationIndex::Ndvi).unwrap()).unwrap().read(0, 0, w, h).unwrap();
    assert!(ra.iter().zip(&rb).all(|(x, y)| x == y));
    // Tiles in different CRSs are refused with a clear message.
    write_bands(&tmp.path().join("vn.tif"), &east, 350, h, t, VN2000_TM3_SONLA, Some(0.0), Some(1.0 / 32768.0));
    let e = Orthomosaic::open(&[tmp.path().join("w.tif"), tmp.path().join("vn.tif")], &setup, &ALL_BANDS).err().unwrap().to_string();
    assert!(e.contains("vn.tif") && e.contains("different CRS"), "{e}");
}

/// An NDVI raster v(c, r) = (c + 4r)/20 of 1 m cells with top-left (500000, 2350004), 4×4 cells.
fn small_ndvi(dir: &std::path::Path) -> F32Raster {
    let p = dir.join("ndvi.tif");
    let t = GeoTransform { x0: 500_000.0, y0: 2_350_004.0, dx: 1.0, dy: 1.0 };
    let wkt = covermap::grid::io::spatial_ref(CRS).unwrap().to_wkt().unwrap();
    let mut w = F32CogWriter::create(&p, 4, 4, t, &wkt, INDEX_NODATA).unwrap();
    w.write(0, 0, 4, 4, (0..16).map(|i| ((i % 4) + 4 * (i / 4)) as f32 / 20.0).collect()).unwrap();
    w.finish().unwrap();
    F32Raster::open(&p).unwrap()
}

#[test]
fn exact_zonal_statistics_from_a_file_with_partial_pixels() {
    let tmp = tempfile::tempdir().unwrap();
    let r = small_ndvi(tmp.path());
    // The square [0.5, 2.5]² (in cell units from the lower-left corner) covers corner cells ¼, edge
    // cells ½, the centre cell fully: values (c+4r)/20 over rows 1–3 × cols 0–2.
    let parcel = Orchard { id: 1, crop: Crop::Mango, commune_code: "x".into(), geom: square(500_000.5, 2_350_000.5, 2.0) };
    let params = UavParams { min_covered_fraction: 0.1, ..Default::default() };
    let obs = observe_parcels(&r, None, &[parcel], CRS, &params).unwrap();
    assert_eq!(obs.len(), 1);
    let s = obs[0].ndvi;
    // Hand computation (see zonal.rs): Σw = 4, weighted mean of (c+4r) = 9 → 0.45; population std
    // √8.5/20; p10/p50/p90 of c+4r = 5.175, 9, 12.825 → /20; 9 pixels touched; fully covered.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(close(s.count, 4.0) && s.pixels == 9 && close(s.covered_fraction, 1.0), "{s:?}");
    assert!(close(s.mean, 0.45) && close(s.std, 8.5f64.sqrt() / 20.0), "{s:?}");
    assert!(close(s.p10, 5.175 / 20.0) && close(s.p50, 0.45) && close(s.p90, 12.825 / 20.0), "{s:?}");
    // Mango thresholds: canopy ≥ 0.30 → values 6..14 (/20), stressed < 0.55 → 6, 8, 9, 10 (/20):
    // canopy weight = 4 − (¼ + ½) = 3.25; stressed weight = ¼ + ½ + 1 + ½ = 2.25.
    assert!(close(obs[0].health.canopy_share, 3.25 / 4.0));
    assert!(close(obs[0].health.stressed_share, 2.25 / 3.25));

    // Half the parcel outside the raster: covered fraction ½, just enough for the default threshold.
    let half_out = Orchard { id: 2, crop: Crop::Mango, commune_code: "x".into(), geom: square(499_999.0, 2_350_001.0, 2.0) };
    let obs = observe_parcels(&r, None, std::slice::from_ref(&half_out), CRS, &UavParams::default()).unwrap();
    assert_eq!(obs.len(), 1);
    assert!(close(obs[0].ndvi.covered_fraction, 0.5));
    let strict = UavParams { min_covered_fraction: 0.6, ..Default::default() };
    assert!(observe_parcels(&r, None, &[half_out], CRS, &strict).unwrap().is_empty());
}

#[test]
fn parcels_in_another_crs_give_the_same_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    // 400×400 cells of 0.5 m with a smooth NDVI field in UTM 48N.
    let p = tmp.path().join("ndvi.tif");
    let t = GeoTransform { x0: 500_000.0, y0: 2_350_200.0, dx: 0.5, dy: 0.5 };
    let wkt = covermap::grid::io::spatial_ref(CRS).unwrap().to_wkt().unwrap();
    let mut w = F32CogWriter::create(&p, 400, 400, t, &wkt, INDEX_NODATA).unwrap();
    for (x, y, ww, hh) in covermap::uav::ortho::window_grid(400, 400, 512) {
        let mut d = Vec::new();
        for r in y..y + hh {
            for c in x..x + ww {
                d.push(0.2 + 0.6 * ((c as f32 * 0.013).sin() * (r as f32 * 0.021).cos()).abs());
            }
        }
        w.write(x, y, ww, hh, d).unwrap();
    }
    w.finish().unwrap();
    let r = F32Raster::open(&p).unwrap();
    let utm: Polygon<f64> = Polygon::new(
        vec![(500_031.3, 2_350_020.7), (500_140.9, 2_350_035.2), (500_126.4, 2_350_150.8), (500_040.2, 2_350_131.1), (500_031.3, 2_350_020.7)].into(),
        vec![],
    );
    let reference = observe_parcels(&r, None, &[Orchard { id: 1, crop: Crop::Longan, commune_code: "x".into(), geom: utm.clone() }], CRS, &UavParams::default()).unwrap();
    for other in ["EPSG:4326", VN2000_TM3_SONLA, "EPSG:3405"] {
        let tr = Transformer::new(CRS, other).unwrap();
        let g = utm.map_coords(|c| {
            let (x, y) = tr.convert(c.x, c.y).unwrap();
            geo::Coord { x, y }
        });
        let obs = observe_parcels(&r, None, &[Orchard { id: 1, crop: Crop::Longan, commune_code: "x".into(), geom: g }], other, &UavParams::default()).unwrap();
        assert_eq!(obs.len(), 1, "{other}");
        let (a, b) = (obs[0].ndvi, reference[0].ndvi);
        // Straight edges stay straight to well under a millimetre over 120 m between these CRSs.
        assert!((a.mean - b.mean).abs() < 1e-5 && (a.count - b.count).abs() < 0.05, "{other}: {a:?} vs {b:?}");
        assert!((a.p50 - b.p50).abs() < 1e-4 && (a.p90 - b.p90).abs() < 1e-4, "{other}");
    }
}

/// Write `values` as a tiled Float32 GeoTIFF (`compress` = NONE or DEFLATE) with nodata −9999.
fn float_tiff(path: &std::path::Path, values: &[f32], w: usize, h: usize, t: GeoTransform, compress: &str) {
    use gdal::raster::{Buffer, RasterCreationOptions};
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let c = format!("COMPRESS={compress}");
    let opts = RasterCreationOptions::from_iter(["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", c.as_str()]);
    let mut ds = drv.create_with_band_type_with_options::<f32, _>(path, w, h, 1, &opts).unwrap();
    ds.set_geo_transform(&t.to_gdal()).unwrap();
    ds.set_spatial_ref(&covermap::grid::io::spatial_ref(CRS).unwrap()).unwrap();
    let mut band = ds.rasterband(1).unwrap();
    band.set_no_data_value(Some(-9999.0)).unwrap();
    band.write((0, 0), (w, h), &mut Buffer::new((w, h), values.to_vec())).unwrap();
    ds.close().unwrap();
}

#[test]
fn zonal_tool_reads_plain_and_compressed_geotiffs_alike() {
    // `covermap zonal` reads an uncompressed GeoTIFF through a memory map of the file and a compressed
    // one through GDAL's block cache, one dataset per thread: both must give the same statistics, and
    // those must equal a plain scalar evaluation of the definitions (Σw, Σwx/Σw over the exact
    // coverage fractions) on the whole raster read at once. 1100 × 900 cells of 0.5 m, hash values,
    // every 13th pixel nodata; 30 hexagons across block edges, one with a hole, one half outside.
    use covermap::uav::coverage::coverage_fractions;
    use covermap::uav::zonal_file::{parse_stats, zonal_stats_files};
    use geo::{LineString, MultiPolygon};
    let tmp = tempfile::tempdir().unwrap();
    let (w, h) = (1100usize, 900usize);
    let t = GeoTransform { x0: 500_000.0, y0: 2_350_000.0, dx: 0.5, dy: 0.5 };
    let values: Vec<f32> = (0..w * h).map(|i| if i % 13 == 0 { -9999.0 } else { ((i as u64 * 2_654_435_761) % 1000) as f32 / 1000.0 }).collect();
    let (plain, packed) = (tmp.path().join("plain.tif"), tmp.path().join("packed.tif"));
    float_tiff(&plain, &values, w, h, t, "NONE");
    float_tiff(&packed, &values, w, h, t, "DEFLATE");
    let hexagon = |cx: f64, cy: f64, r: f64| -> LineString<f64> {
        (0..=6).map(|k| {
            let a = (k % 6) as f64 * std::f64::consts::PI / 3.0 + 0.2;
            (cx + r * a.cos(), cy + r * a.sin())
        }).collect()
    };
    let mut polys = Vec::new();
    for i in 0..6 {
        for j in 0..5 {
            let (cx, cy) = (t.x0 + 50.0 + i as f64 * 90.0, t.y0 - 50.0 - j as f64 * 85.0);
            let holes = if (i, j) == (2, 2) { vec![hexagon(cx, cy, 12.0)] } else { vec![] };
            polys.push(Polygon::new(hexagon(cx, cy, 41.3), holes));
        }
    }
    polys.push(Polygon::new(hexagon(t.x0 + 5.0, t.y0 - 200.0, 30.0), vec![]));
    let ring = |l: &LineString<f64>| format!("[{}]", l.0.iter().map(|c| format!("[{},{}]", c.x, c.y)).collect::<Vec<_>>().join(","));
    let feats: Vec<String> = polys
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let rings: Vec<String> = std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect();
            format!(r#"{{"type":"Feature","properties":{{"k":{k}}},"geometry":{{"type":"Polygon","coordinates":[{}]}}}}"#, rings.join(","))
        })
        .collect();
    let zones = tmp.path().join("zones.geojson");
    std::fs::write(&zones, format!(r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32648"}}}},"features":[{}]}}"#, feats.join(","))).unwrap();

    for list in ["mean,count", "count,sum,mean,stdev,min,max,p10,median,p90"] {
        let stats = parse_stats(list).unwrap();
        let a = zonal_stats_files(&plain, 1, &zones, &stats).unwrap();
        let b = zonal_stats_files(&packed, 1, &zones, &stats).unwrap();
        assert_eq!(a.zones.len(), 31);
        assert_eq!(a.pixels, b.pixels);
        for (za, zb) in a.zones.iter().zip(&b.zones) {
            assert_eq!(za.values, zb.values, "zone {}: {list}", za.fid);
        }
    }
    let stats = parse_stats("count,mean").unwrap();
    let table = zonal_stats_files(&plain, 1, &zones, &stats).unwrap();
    for (z, p) in table.zones.iter().zip(&polys) {
        let cov = coverage_fractions(&MultiPolygon(vec![p.clone()]), &t, w, h).unwrap();
        let (mut sw, mut swx) = (0.0, 0.0);
        for r in 0..cov.h {
            for c in 0..cov.w {
                let (x, f) = (values[(cov.row0 + r) * w + cov.col0 + c], cov.frac[r * cov.w + c]);
                if x != -9999.0 && f > 0.0 {
                    sw += f;
                    swx += f * x as f64;
                }
            }
        }
        let (count, mean) = (z.values[0].unwrap(), z.values[1].unwrap());
        assert!((count - sw).abs() < 1e-9 * sw && (mean - swx / sw).abs() < 1e-12, "zone {}: {count} {mean} vs {sw} {}", z.fid, swx / sw);
    }
    // The hexagon with the hole and the one half outside the raster lose their share.
    assert!(table.zones[12].values[0].unwrap() < table.zones[11].values[0].unwrap());
    assert!(table.zones[30].values[0].unwrap() < 0.6 * table.zones[0].values[0].unwrap());
}
