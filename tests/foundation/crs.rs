//! Issue 2 point 4, each layer's CRS honoured: a layer given in VN-2000 (EPSG:3405 = VN-2000 / UTM 48N,
//! and Sơn La's provincial TM-3° zone, `covermap::crs::VN2000_TM3_SONLA`) lands where its WGS 84 twin
//! does, whatever the format (Shapefile, GeoPackage, CSV); a DEM delivered in EPSG:4326 (GeoTIFF, SRTM
//! .hgt) is warped into the working CRS and lands in place.
//!
//! The VN-2000 files are made by `ogr2ogr -t_srs` from the WGS 84 layers; GDAL and our loader both ask
//! PROJ for VN-2000 ↔ WGS 84 and get the same 7-parameter Helmert shift (EPSG "VN-2000 to WGS 84 (2)",
//! or the `+towgs84` of the TM-3° definition). The round trip is therefore exact up to the Helmert's
//! approximate inverse and the iterative geocentric conversion, both well under a millimetre; the
//! tolerance is 5 cm, against a datum shift of about 220 m in Sơn La (checked below, so a loader that
//! ignored the datum would fail by four orders of magnitude).

use super::common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::*;
use covermap::dataset::Dataset;
use geo::CoordsIter;

/// Tolerance of a VN-2000 round trip (see the module note).
const TOL_M: f64 = 0.05;

/// Replace the `[layers.<name>]` section of dataset.toml by `section`.
fn replace_section(data: &Path, name: &str, section: &str) {
    let path = data.join("dataset.toml");
    let t = std::fs::read_to_string(&path).unwrap();
    let head = format!("[layers.{name}]\n");
    let start = t.find(&head).unwrap_or_else(|| panic!("no {head}"));
    let end = t[start..].find("\n\n").map(|i| start + i + 1).unwrap_or(t.len());
    std::fs::write(&path, format!("{}{}\n{}", &t[..start], section.trim_end(), &t[end..])).unwrap();
}

/// A private copy of the base dataset (the tests alter it) and the dataset it loads as before any change.
fn loaded_copy() -> (tempfile::TempDir, PathBuf, Dataset) {
    let tmp = tempfile::tempdir().unwrap();
    let data = copy_dataset(tmp.path());
    let base = covermap::dataset::load(&data).unwrap();
    (tmp, data, base)
}

fn ogr2ogr(args: &[&OsStr]) {
    run("ogr2ogr", args).expect_ok("ogr2ogr");
}

/// Hamlets of `ds` match those of `base` one for one: same attributes, positions within `tol` metres.
fn assert_hamlets_match(base: &Dataset, ds: &Dataset, tol: f64, context: &str) {
    assert_eq!(ds.hamlets.len(), base.hamlets.len(), "{context}");
    let mut worst = 0.0f64;
    for (a, b) in base.hamlets.iter().zip(&ds.hamlets) {
        assert_eq!((&a.name, &a.commune_code, a.population), (&b.name, &b.commune_code, b.population), "{context}");
        let d = (a.pos.x() - b.pos.x()).hypot(a.pos.y() - b.pos.y());
        worst = worst.max(d);
        assert!(d < tol, "{context}: hamlet {} \"{}\" is {d:.3} m from its WGS 84 twin", a.id, a.name);
    }
    eprintln!("{context}: worst hamlet offset {:.2} mm", worst * 1000.0);
}

#[test]
fn datum_shift_is_large_in_son_la() {
    // Same projection (UTM 48N), different datum: the coordinates of one place differ by the shift.
    let to_vn = covermap::crs::Transformer::new("EPSG:4326", "EPSG:3405").unwrap();
    let to_wgs = covermap::crs::Transformer::new("EPSG:4326", "EPSG:32648").unwrap();
    let (a, b) = (to_vn.convert(103.9, 21.33).unwrap(), to_wgs.convert(103.9, 21.33).unwrap());
    // cs2cs EPSG:4326 EPSG:3405 (PROJ 9.1): 21.33 103.9 → 385730.991 2359176.611
    assert!((a.0 - 385_730.991).abs() < 0.01 && (a.1 - 2_359_176.611).abs() < 0.01, "{a:?}");
    let shift = (a.0 - b.0).hypot(a.1 - b.1);
    assert!((200.0..250.0).contains(&shift), "VN-2000 vs WGS 84 shift {shift:.1} m");
}

#[test]
fn vn2000_hamlets_land_where_their_wgs84_twins_do() {
    let (_tmp, data, base) = loaded_copy();
    let csv = data.join("generated/hamlets.csv");
    let csv_oo: Vec<&OsStr> =
        ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO", "-s_srs", "EPSG:4326"].iter().map(OsStr::new).collect();

    // EPSG:3405 in a Shapefile (CRS from the .prj; `commune_code` truncated to 10 characters by the
    // format, mapped back with `fields`).
    let shp = data.join("generated/ban_vn2000.shp");
    let mut a: Vec<&OsStr> = vec!["-f".as_ref(), "ESRI Shapefile".as_ref(), "-lco".as_ref(), "ENCODING=UTF-8".as_ref(), "-t_srs".as_ref(), "EPSG:3405".as_ref(), shp.as_os_str(), csv.as_os_str()];
    a.extend(&csv_oo);
    ogr2ogr(&a);
    replace_section(&data, "hamlets", "[layers.hamlets]\nfile = \"generated/ban_vn2000.shp\"\nfields = { commune_code = \"commune_co\" }\n");
    let ds = covermap::dataset::load(&data).unwrap();
    assert_hamlets_match(&base, &ds, TOL_M, "EPSG:3405 Shapefile");
    // The file really holds VN-2000 coordinates (about 220 m from the WGS 84 UTM ones).
    let info = run("ogrinfo", &[OsStr::new("-ro"), "-al".as_ref(), "-fid".as_ref(), "1".as_ref(), shp.as_os_str()]).expect_ok("ogrinfo").stdout;
    let wkt = info.lines().find_map(|l| l.trim().strip_prefix("POINT (")).unwrap();
    let xy: Vec<f64> = wkt.trim_end_matches(')').split_whitespace().map(|v| v.parse().unwrap()).collect();
    let h = &base.hamlets[1];
    let raw_offset = (xy[0] - h.pos.x()).hypot(xy[1] - h.pos.y());
    assert!(raw_offset > 150.0, "the EPSG:3405 file is only {raw_offset:.1} m from WGS 84 UTM: no datum shift applied?");

    // Sơn La's TM-3° zone (not in EPSG: a PROJ string with +towgs84) in a GeoPackage, named layer.
    let gpkg = data.join("generated/ban_tm3.gpkg");
    let mut a: Vec<&OsStr> = vec!["-f".as_ref(), "GPKG".as_ref(), "-nln".as_ref(), "ban".as_ref(), "-t_srs".as_ref(), covermap::crs::VN2000_TM3_SONLA.as_ref(), gpkg.as_os_str(), csv.as_os_str()];
    a.extend(&csv_oo);
    ogr2ogr(&a);
    replace_section(&data, "hamlets", "[layers.hamlets]\nfile = \"generated/ban_tm3.gpkg\"\nlayer = \"ban\"\n");
    let ds = covermap::dataset::load(&data).unwrap();
    assert_hamlets_match(&base, &ds, TOL_M, "VN-2000 TM-3° GeoPackage");

    // VN-2000 geographic coordinates (EPSG:4756) in a CSV, whose CRS only dataset.toml can give.
    let vcsv = data.join("generated/ban_vn2000_ll.csv");
    let mut a: Vec<&OsStr> = vec!["-f".as_ref(), "CSV".as_ref(), "-lco".as_ref(), "GEOMETRY=AS_XY".as_ref(), "-t_srs".as_ref(), "EPSG:4756".as_ref(), vcsv.as_os_str(), csv.as_os_str()];
    a.extend(&csv_oo);
    ogr2ogr(&a);
    replace_section(
        &data,
        "hamlets",
        "[layers.hamlets]\nfile = \"generated/ban_vn2000_ll.csv\"\ncrs = \"EPSG:4756\"\nopen_options = [\"X_POSSIBLE_NAMES=X\", \"Y_POSSIBLE_NAMES=Y\", \"KEEP_GEOM_COLUMNS=NO\"]\n",
    );
    let ds = covermap::dataset::load(&data).unwrap();
    // ogr2ogr's CSV writer keeps 15 significant digits (≈ 1e-13° here): the same tolerance holds.
    assert_hamlets_match(&base, &ds, TOL_M, "EPSG:4756 CSV");
}

/// Polygons too: the communes in EPSG:3405 in a GeoPackage, every vertex where its WGS 84 twin is.
#[test]
fn vn2000_communes_land_where_their_wgs84_twins_do() {
    let (_tmp, data, base) = loaded_copy();
    let src = data.join("generated/communes.geojson");
    let gpkg = data.join("generated/xa_vn2000.gpkg");
    ogr2ogr(&[OsStr::new("-f"), "GPKG".as_ref(), "-nln".as_ref(), "xa".as_ref(), "-t_srs".as_ref(), "EPSG:3405".as_ref(), gpkg.as_os_str(), src.as_os_str()]);
    replace_section(&data, "communes", "[layers.communes]\nfile = \"generated/xa_vn2000.gpkg\"\nlayer = \"xa\"\n");
    let ds = covermap::dataset::load(&data).unwrap();
    assert_eq!(ds.communes.len(), base.communes.len());
    let mut vertices = 0;
    for (a, b) in base.communes.iter().zip(&ds.communes) {
        assert_eq!((&a.code, &a.name, a.population), (&b.code, &b.name, b.population));
        assert_eq!(a.geom.coords_count(), b.geom.coords_count(), "commune {}", a.code);
        for (p, q) in a.geom.coords_iter().zip(b.geom.coords_iter()) {
            let d = (p.x - q.x).hypot(p.y - q.y);
            assert!(d < TOL_M, "commune {}: a vertex is {d:.3} m from its WGS 84 twin", a.code);
            vertices += 1;
        }
    }
    assert!(vertices > 5_000, "{vertices}");
    // Everything placed relative to the communes still agrees: same hamlets in the same communes.
    assert_hamlets_match(&base, &ds, 1e-9, "hamlets beside VN-2000 communes");
}

/// Mean absolute difference between two DEMs at `pts`, with `b` sampled at an offset; only where both
/// have data. Returns (mean, number of points).
fn mad(a: &covermap::grid::Grid<f32>, b: &covermap::grid::Grid<f32>, pts: &[(f64, f64)], off: (f64, f64)) -> (f64, usize) {
    let mut s = 0.0;
    let mut n = 0;
    for &(x, y) in pts {
        if let (Some(u), Some(v)) = (a.sample_bilinear(x, y), b.sample_bilinear(x + off.0, y + off.1)) {
            s += (u - v).abs() as f64;
            n += 1;
        }
    }
    (s / n.max(1) as f64, n)
}

/// A DEM in the working CRS that came back from EPSG:4326 must agree with the original where both have
/// data, and agree best with no offset: shifted by one cell (200 m) either way, it must agree worse.
fn assert_dem_in_place(orig: &covermap::grid::Grid<f32>, warped: &covermap::grid::Grid<f32>, pts: &[(f64, f64)], max_mad: f64, context: &str) {
    let (m0, n) = mad(orig, warped, pts, (0.0, 0.0));
    assert!(n >= pts.len() / 2 && n > 100, "{context}: only {n} of {} points compared", pts.len());
    assert!(m0 < max_mad, "{context}: mean |Δz| {m0:.1} m");
    for off in [(200.0, 0.0), (-200.0, 0.0), (0.0, 200.0), (0.0, -200.0)] {
        let (m, _) = mad(orig, warped, pts, off);
        assert!(m > 1.5 * m0, "{context}: shifted by {off:?} it agrees as well ({m:.1} m vs {m0:.1} m): misplaced?");
    }
    eprintln!("{context}: mean |Δz| {m0:.1} m over {n} points");
}

/// The demo DEM warped to EPSG:4326 (a GeoTIFF in degrees) loads — through `warp_to`, since its CRS is
/// not the working one — into UTM 48N in place, and the whole dataset validates on it.
#[test]
fn dem_in_epsg4326_is_warped_into_place() {
    let (_tmp, data, base) = loaded_copy();
    let src = data.join("generated/dem.tif");
    let ll = data.join("generated/dem_wgs84.tif");
    run("gdalwarp", &[OsStr::new("-q"), "-t_srs".as_ref(), "EPSG:4326".as_ref(), "-r".as_ref(), "bilinear".as_ref(), src.as_os_str(), ll.as_os_str()])
        .expect_ok("gdalwarp");
    assert!(gdalinfo(&ll, &[]).contains("ID[\"EPSG\",4326]"));
    edit(&data.join("dataset.toml"), "file = \"generated/dem.tif\"", "file = \"generated/dem_wgs84.tif\"\nresolution = 200");
    let ds = covermap::dataset::load(&data).unwrap();
    assert_eq!(ds.dem.transform.dx, 200.0);
    assert_eq!(ds.dem.transform.dy, 200.0);
    let b = ds.dem.bounds();
    let b0 = base.dem.bounds();
    // The footprint of the degree grid covers the original (plus the corners a lon/lat box adds).
    assert!(b.min_x <= b0.min_x + 400.0 && b.max_x >= b0.max_x - 400.0 && b.min_y <= b0.min_y + 400.0 && b.max_y >= b0.max_y - 400.0, "{b:?} vs {b0:?}");
    let pts: Vec<(f64, f64)> = base.hamlets.iter().map(|h| (h.pos.x(), h.pos.y())).collect();
    // Two bilinear resamplings of 200 m cells on steep terrain smooth the relief by some metres.
    assert_dem_in_place(&base.dem, &ds.dem, &pts, 25.0, "EPSG:4326 GeoTIFF");
    // Ground elevation of sites is read from the warped DEM.
    for (s0, s1) in base.sites.iter().zip(&ds.sites).take(50) {
        assert!((s0.ground_m - s1.ground_m).abs() < 150.0, "site {} ground {} vs {}", s0.id, s0.ground_m, s1.ground_m);
    }
}

/// One SRTM 3″ tile (N21E103.hgt, written by GDAL's SRTMHGT driver: 1201 × 1201 Int16, EPSG:4326)
/// loads through `load_dem` into UTM 48N in place.
#[test]
fn srtm_hgt_tile_is_warped_into_place() {
    let (tmp, data, base) = loaded_copy();
    let src = data.join("generated/dem.tif");
    let tile = tmp.path().join("tile.tif");
    let half = 1.5 / 3600.0; // SRTM pixels are centred on whole degrees
    let te: Vec<String> = [103.0 - half, 21.0 - half, 104.0 + half, 22.0 + half].iter().map(|v| format!("{v:.9}")).collect();
    let mut a: Vec<&OsStr> = vec!["-q".as_ref(), "-t_srs".as_ref(), "EPSG:4326".as_ref(), "-r".as_ref(), "bilinear".as_ref(), "-te".as_ref()];
    a.extend(te.iter().map(OsStr::new));
    a.extend(["-ts", "1201", "1201", "-ot", "Int16", "-dstnodata", "-32768"].iter().map(OsStr::new));
    a.extend([src.as_os_str(), tile.as_os_str()]);
    run("gdalwarp", &a).expect_ok("gdalwarp to the tile grid");
    let hgt = data.join("generated/N21E103.hgt");
    run("gdal_translate", &[OsStr::new("-q"), "-of".as_ref(), "SRTMHGT".as_ref(), tile.as_os_str(), hgt.as_os_str()]).expect_ok("gdal_translate -of SRTMHGT");
    assert_eq!(std::fs::metadata(&hgt).unwrap().len(), 1201 * 1201 * 2);
    assert!(gdalinfo(&hgt, &[]).contains("SRTMHGT"));

    let mut cfg = covermap::dataset::DatasetConfig::read(&data).unwrap();
    cfg.dem.file = "generated/N21E103.hgt".into();
    cfg.dem.resolution = Some(90.0);
    let dem = covermap::dataset::load::load_dem(&cfg, &data).unwrap();
    assert_eq!(dem.transform.dx, 90.0);
    // The tile spans 103–104°E, 21–22°N: UTM 48N x ≈ 292–397 km, y ≈ 2,323–2,434 km.
    let b = dem.bounds();
    assert!((b.min_x - 292_000.0).abs() < 3_000.0 && (b.max_x - 397_000.0).abs() < 3_000.0, "{b:?}");
    assert!((b.min_y - 2_323_000.0).abs() < 3_000.0 && (b.max_y - 2_434_000.0).abs() < 3_000.0, "{b:?}");
    let to_ll = covermap::crs::Transformer::new("EPSG:32648", "EPSG:4326").unwrap();
    let pts: Vec<(f64, f64)> = base
        .hamlets
        .iter()
        .map(|h| (h.pos.x(), h.pos.y()))
        .filter(|&(x, y)| {
            let (lon, lat) = to_ll.convert(x, y).unwrap();
            (103.01..103.99).contains(&lon) && (21.01..21.99).contains(&lat)
        })
        .collect();
    assert_dem_in_place(&base.dem, &dem, &pts, 25.0, "SRTM .hgt tile");
}
