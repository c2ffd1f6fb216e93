//! Issue 2 point 5, validation: each kind of bad input — a missing file or layer, a missing attribute,
//! a wrong geometry type, an invalid geometry, a layer with no CRS, coordinates outside the DEM, a DEM
//! with nodata holes, a corrupt GeoTIFF — makes `covermap build` exit non-zero with one `error:` line
//! naming the file, layer, feature and problem, and leaves the existing store untouched.
//!
//! Each case copies the coarse demo dataset (without UAV flights) and a store built from it, alters one thing in the dataset,
//! and builds again.

use super::common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

/// With a good store of the dataset in place, apply `alter` to the dataset and build: the error line
/// (checked to contain every needle) — and the store must be exactly as before.
fn case(alter: impl FnOnce(&Path), needles: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let data = copy_dataset(tmp.path());
    let out = tmp.path().join("out/sonla");
    // A copy of the store built from the unaltered dataset (fresh against this copy of it).
    copy_dir(demo_store(), &out);
    assert!(build(&data, &out, &[]).expect_ok("build of the unaltered dataset").stderr.contains("up to date"));
    let before = snapshot(&out);
    alter(&data);
    let r = build(&data, &out, &[]);
    let line = assert_one_error_line(&r, needles);
    assert_unchanged(&out, &before, &line);
    eprintln!("{line}");
    line
}

fn toml(data: &Path) -> std::path::PathBuf {
    data.join("dataset.toml")
}

/// Number of data rows of a CSV (OGR numbers CSV features from 1, so the next row's feature id).
fn csv_rows(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count() - 1
}

#[test]
fn missing_vector_file() {
    case(|d| std::fs::remove_file(d.join("generated/roads.geojson")).unwrap(), &["roads.geojson", "layer `roads`", "file not found"]);
}

#[test]
fn missing_dem_file() {
    case(|d| std::fs::remove_file(d.join("generated/dem.tif")).unwrap(), &["dem.tif", "`dem`", "file not found"]);
}

#[test]
fn missing_dataset_toml() {
    case(|d| std::fs::remove_file(toml(d)).unwrap(), &["dataset.toml", "not found"]);
}

#[test]
fn malformed_dataset_toml() {
    let line = case(|d| edit(&toml(d), "[layers.roads]", "[layers.roads"), &["dataset.toml", "invalid table header"]);
    let n = std::fs::read_to_string(base_dataset().join("dataset.toml")).unwrap().lines().position(|l| l == "[layers.roads]").unwrap() + 1;
    assert!(line.contains(&format!("line {n}:")), "the error should give the line: {line}");
}

/// A GeoPackage layer name that is not in the file. The same GeoPackage with the right layer name
/// builds, so the failure is the layer name and nothing else.
#[test]
fn missing_layer_in_a_geopackage() {
    let to_gpkg = |d: &Path| {
        let gpkg = d.join("generated/network.gpkg");
        let src = d.join("generated/roads.geojson");
        run("ogr2ogr", &[OsStr::new("-f"), "GPKG".as_ref(), gpkg.as_os_str(), src.as_os_str(), "-nln".as_ref(), "duong_2019".as_ref()])
            .expect_ok("ogr2ogr");
    };
    case(
        |d| {
            to_gpkg(d);
            edit(&toml(d), "file = \"generated/roads.geojson\"", "file = \"generated/network.gpkg\"\nlayer = \"duong\"");
        },
        &["network.gpkg", "layer `roads`", "no layer `duong`", "duong_2019"],
    );

    let tmp = tempfile::tempdir().unwrap();
    let data = copy_dataset(tmp.path());
    to_gpkg(&data);
    edit(&toml(&data), "file = \"generated/roads.geojson\"", "file = \"generated/network.gpkg\"\nlayer = \"duong_2019\"");
    build(&data, &tmp.path().join("out"), &[]).expect_ok("build with the right GeoPackage layer");
    let s = covermap::store::Store::open(&tmp.path().join("out")).unwrap();
    let n = std::fs::read_to_string(data.join("generated/roads.geojson")).unwrap().matches("\"Feature\"").count();
    assert_eq!(s.layer("roads").unwrap().features.len(), n);
}

#[test]
fn missing_attribute() {
    case(
        |d| edit(&d.join("generated/hamlets.csv"), "id,name,commune_code,population,", "id,name,commune_code,dan_so,"),
        &["hamlets.csv", "layer `hamlets`", "missing attribute `population`", "dan_so"],
    );
}

/// An attribute mapped through `fields` to a column the file does not have.
#[test]
fn missing_mapped_attribute() {
    case(
        |d| edit(&toml(d), "fields = { code = \"gso_district_code\", name = \"district_name\" }", "fields = { code = \"ma_huyen\", name = \"district_name\" }"),
        &["son_la_districts_gisgov_2019.geojson", "layer `districts`", "missing attribute `ma_huyen`", "for `code`"],
    );
}

/// Points where lines are expected: roads pointed at the commune centres.
#[test]
fn wrong_geometry_type() {
    case(
        |d| edit(&toml(d), "file = \"generated/roads.geojson\"", "file = \"generated/commune_centres.geojson\""),
        &["commune_centres.geojson", "layer `roads`", "feature 0", "wrong geometry type Point", "expected lines"],
    );
}

/// A self-intersecting "bow-tie" polygon as the fifth commune (OGR feature id 4 in GeoJSON).
#[test]
fn invalid_geometry() {
    let line = case(
        |d| {
            let path = d.join("generated/communes.geojson");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            // One feature per line after the header line; feature index 4 is line 5.
            let raw = lines[5].trim_end_matches(',');
            let mut f: serde_json::Value = serde_json::from_str(raw).unwrap();
            let c = f["geometry"]["coordinates"][0][0][0].clone();
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            f["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y + 0.01], [x + 0.01, y], [x, y + 0.01], [x, y]]]});
            lines[5] = format!("{}{}", f, if lines[5].ends_with(',') { "," } else { "" });
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        },
        &["communes.geojson", "layer `communes`", "feature 4", "invalid geometry"],
    );
    assert!(line.to_lowercase().contains("intersect"), "the problem should say the ring self-intersects: {line}");
}

/// A CSV has no CRS of its own; without `crs =` in dataset.toml the layer cannot be placed.
#[test]
fn layer_without_crs() {
    case(
        |d| {
            let t = std::fs::read_to_string(toml(d)).unwrap();
            let section = t.find("[layers.hamlets]").unwrap();
            let at = section + t[section..].find("crs = \"EPSG:4326\"\n").unwrap();
            std::fs::write(toml(d), format!("{}{}", &t[..at], &t[at + "crs = \"EPSG:4326\"\n".len()..])).unwrap();
        },
        &["hamlets.csv", "layer `hamlets`", "no CRS", "crs ="],
    );
}

/// A hamlet in the South China Sea, far outside the DEM.
#[test]
fn coordinates_outside_the_dem() {
    let tmp_rows = std::cell::Cell::new(0);
    let line = case(
        |d| {
            let csv = d.join("generated/hamlets.csv");
            tmp_rows.set(csv_rows(&csv) + 1);
            let mut text = std::fs::read_to_string(&csv).unwrap();
            let code = text.lines().nth(1).unwrap().split(',').nth(2).unwrap().to_string();
            text.push_str(&format!("99999,Bản Xa,{code},10,110.5000000,10.2000000\n"));
            std::fs::write(&csv, text).unwrap();
        },
        &["hamlets.csv", "layer `hamlets`", "outside the DEM"],
    );
    assert!(line.contains(&format!("feature {}", tmp_rows.get())), "the error should name the new row: {line}");
}

/// Where a hole punched into the DEM is farthest from every hamlet and site (so the DEM check, not a
/// point's, finds it): the centre of a 1 km lattice cell inside the province.
fn far_from_points(ds: &covermap::dataset::Dataset) -> (f64, f64) {
    use geo::{BoundingRect, Contains};
    let pts: Vec<(f64, f64)> = ds.hamlets.iter().map(|h| (h.pos.x(), h.pos.y())).chain(ds.sites.iter().map(|s| (s.pos.x(), s.pos.y()))).collect();
    let bb = ds.province.bounding_rect().unwrap();
    let mut best = (0.0, (0.0, 0.0));
    let mut y = bb.min().y + 500.0;
    while y < bb.max().y {
        let mut x = bb.min().x + 500.0;
        while x < bb.max().x {
            if ds.province.contains(&geo::Point::new(x, y)) {
                let d = pts.iter().map(|p| (p.0 - x).hypot(p.1 - y)).fold(f64::MAX, f64::min);
                if d > best.0 {
                    best = (d, (x, y));
                }
            }
            x += 1000.0;
        }
        y += 1000.0;
    }
    assert!(best.0 > 2_000.0, "no place 2 km from every hamlet and site");
    best.1
}

/// Overwrite the dataset's DEM with a copy whose cells within `r` metres of (x, y) are nodata.
fn punch_hole(data: &Path, x: f64, y: f64, r: f64) {
    let path = data.join("generated/dem.tif");
    let (mut g, crs) = covermap::grid::io::read_raster_f32(&path, 1).unwrap();
    let nd = g.nodata.expect("the demo DEM declares nodata");
    let mut n = 0;
    for row in 0..g.height {
        for col in 0..g.width {
            let (cx, cy) = g.cell_center(col, row);
            if (cx - x).abs() <= r && (cy - y).abs() <= r {
                g.set(col, row, nd);
                n += 1;
            }
        }
    }
    assert!(n > 0);
    covermap::grid::io::write_cog(&g, &path, &crs.unwrap()).unwrap();
}

#[test]
fn dem_with_a_nodata_hole() {
    let ds = covermap::dataset::load(base_dataset()).unwrap();
    let (x, y) = far_from_points(&ds);
    case(|d| punch_hole(d, x, y, 1_500.0), &["dem.tif", "nodata", "inside the province"]);
}

/// A hole under a hamlet is named by the hamlet that falls into it.
#[test]
fn hamlet_in_a_dem_nodata_hole() {
    let ds = covermap::dataset::load(base_dataset()).unwrap();
    let h = &ds.hamlets[ds.hamlets.len() / 2];
    let (x, y) = (h.pos.x(), h.pos.y());
    let line = case(|d| punch_hole(d, x, y, 300.0), &["hamlets.csv", "layer `hamlets`", "nodata hole"]);
    // The hole may swallow neighbours listed before this hamlet; the one named must be in the hole.
    assert!(line.contains("feature "), "{line}");
}

#[test]
fn truncated_geotiff() {
    case(
        |d| {
            let p = d.join("generated/dem.tif");
            let len = std::fs::metadata(&p).unwrap().len();
            std::fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(len / 2).unwrap();
        },
        &["dem.tif", "truncated or corrupt"],
    );
}

#[test]
fn garbage_instead_of_a_geotiff() {
    case(|d| std::fs::write(d.join("generated/dem.tif"), b"II*\0this is not a GeoTIFF at all").unwrap(), &["dem.tif", "not a readable raster"]);
}
