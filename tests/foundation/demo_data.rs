//! Issue 2, `covermap demo-data`: the same seed gives byte-identical files, another seed gives other
//! synthesized files (and the same real ones), and GDAL's own tools open every file written.

use super::common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;

#[test]
fn same_seed_gives_byte_identical_files_another_seed_other_synthesized_files() {
    // The shared demo dataset is one run with the default seed (by this binary, into its own
    // directory); `a` is a second, `c` one with another seed.
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), demo_dataset().to_path_buf(), tmp.path().join("c"));
    let seed = DEFAULT_SEED;
    demo_data(&a, seed).expect_ok("demo-data a");
    demo_data(&c, seed + 1).expect_ok("demo-data c");

    let fa = files(&a);
    assert!(fa.len() >= 20, "too few files written: {fa:?}");
    assert_eq!(fa, files(&b), "same seed, different sets of files");
    for rel in &fa {
        let (x, y) = (std::fs::read(a.join(rel)).unwrap(), std::fs::read(b.join(rel)).unwrap());
        assert!(x == y, "same seed, {} differs ({} vs {} bytes)", rel.display(), x.len(), y.len());
    }

    // Another seed: the same files; every synthesized one differs, every real one is the same.
    assert_eq!(fa, files(&c));
    let generated: Vec<_> = fa.iter().filter(|p| p.starts_with("generated")).collect();
    for expected in ["dem.tif", "communes.geojson", "hamlets.csv", "cell_sites.geojson", "sectors.csv", "roads.geojson", "fiber_routes.geojson", "fiber_access_points.geojson"] {
        assert!(generated.iter().any(|p| p.ends_with(expected)), "generated/{expected} missing");
    }
    for rel in &fa {
        let same = std::fs::read(a.join(rel)).unwrap() == std::fs::read(c.join(rel)).unwrap();
        if rel.starts_with("generated") {
            assert!(!same, "seed {} and {} gave the same {}", seed, seed + 1, rel.display());
        } else if rel.starts_with("real") {
            assert!(same, "real data {} depends on the seed", rel.display());
        }
    }

    // A second run on a complete dataset does nothing and rewrites nothing.
    let before = snapshot(&a);
    let r = demo_data(&a, seed).expect_ok("demo-data again");
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert_unchanged(&a, &before, "second demo-data");
}

/// `ogrinfo -ro -so` opens every vector file and `gdalinfo` every raster the generator writes, and
/// each vector layer has features.
#[test]
fn gdal_tools_open_every_output() {
    let data = demo_dataset();
    let mut vectors = 0;
    let mut rasters = 0;
    for rel in files(data) {
        let p = data.join(&rel);
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "csv" | "gpkg" | "shp" => {
                let text = ogrinfo(&[p.as_os_str(), OsStr::new("-al")]);
                let count: usize = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("Feature Count: "))
                    .unwrap_or_else(|| panic!("ogrinfo shows no feature count for {}:\n{text}", rel.display()))
                    .parse()
                    .unwrap();
                assert!(count > 0, "{} has no features", rel.display());
                vectors += 1;
            }
            "tif" | "tiff" | "hgt" => {
                let text = gdalinfo(&p, &[]);
                assert!(text.contains("Size is") && text.contains("Coordinate System is"), "{}:\n{text}", rel.display());
                rasters += 1;
            }
            // Documentation, dataset.toml and the generator's marker are not GIS files.
            "md" | "toml" | "json" | "txt" | "sha256" => {}
            other => panic!("unexpected file type .{other}: {}", rel.display()),
        }
    }
    assert!(vectors >= 15, "only {vectors} vector files");
    assert!(rasters >= 2, "only {rasters} rasters");
    // The generated DEM is in the working CRS, UTM 48N.
    let info = gdalinfo(&data.join("generated/dem.tif"), &[]);
    assert!(info.contains("UTM zone 48N"), "{info}");
}

/// dataset.toml parses and names only files that exist.
#[test]
fn dataset_toml_names_existing_files() {
    let data = demo_dataset();
    let cfg = covermap::dataset::DatasetConfig::read(data).unwrap();
    assert_eq!(cfg.crs, "EPSG:32648");
    let inputs = cfg.input_files(data);
    assert!(inputs.len() >= 14, "{inputs:?}");
    for f in inputs {
        assert!(f.exists(), "dataset.toml names {} which is missing", f.display());
    }
    for layer in ["districts", "communes", "hamlets", "cell_sites", "sectors", "roads", "fiber_routes", "fiber_access_points", "rivers"] {
        assert!(cfg.layers.contains_key(layer), "no [layers.{layer}]");
    }
    assert!(Path::new(&data.join(&cfg.dem.file)).exists());
}

/// A bad flag does not destroy a complete dataset (it used to remove the completeness marker first,
/// forcing a full regeneration on the next run).
#[test]
fn bad_resolution_leaves_a_complete_dataset_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    copy_dir(demo_dataset(), &data);
    let before = snapshot(&data);
    let r = covermap(&[OsStr::new("demo-data"), "--out".as_ref(), data.as_os_str(), "--resolution".as_ref(), "-5".as_ref()]);
    assert_one_error_line(&r, &["resolution", "-5"]);
    assert_unchanged(&data, &before, "demo-data --resolution -5");
    let r = demo_data(&data, DEFAULT_SEED).expect_ok("demo-data");
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
}
