//! Issue 13, inputs (items 7–12): a missing attribute is an error, not 0; negative households fail
//! like negative population; every parameter section and every flight is checked before the first
//! long stage; an all-nodata DEM is reported as the DEM; an unknown CRS is named; an unknown
//! `[layers.X]` lists the known names. Each case alters a copy of the coarse demo dataset and runs
//! `covermap build` into an empty output: one `error:` line naming what is wrong, no store written,
//! and — for the checks that must come first — no analysis stage started.

use super::common;

use std::path::{Path, PathBuf};

use common::*;

/// Build `data` (altered by `alter`) into a fresh store path: the error line, which must contain
/// every needle; nothing may be written, and no long stage may have started.
fn fails_early(data: &Path, alter: impl FnOnce(&Path), needles: &[&str]) -> String {
    alter(data);
    let out = data.with_file_name("out");
    let r = build(data, &out, &[]);
    let line = assert_one_error_line(&r, needles);
    assert!(!out.exists(), "a failed build wrote {}", out.display());
    for stage in ["  coverage", "  risk", "  uav "] {
        assert!(!r.stderr.contains(stage), "the error came only after the stage `{}`:\n{}", stage.trim(), r.stderr);
    }
    eprintln!("{line}");
    line
}

/// [`fails_early`] on a fresh copy of the dataset made by `copy` in a temporary directory.
fn fails_on_copy(copy: fn(&Path) -> PathBuf, alter: impl FnOnce(&Path), needles: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    fails_early(&copy(tmp.path()), alter, needles)
}

/// Append `text` to the dataset's `dataset.toml`.
fn append_to_toml(data: &Path, text: &str) {
    let t = std::fs::read_to_string(data.join("dataset.toml")).unwrap();
    std::fs::write(data.join("dataset.toml"), format!("{t}{text}")).unwrap();
}

fn base_copy(tmp: &Path) -> PathBuf {
    copy_dataset(tmp)
}

/// The full demo dataset (with its UAV flights) copied to `<tmp>/data`.
fn full_copy(tmp: &Path) -> PathBuf {
    let data = tmp.join("data");
    copy_dir(demo_dataset(), &data);
    data
}

/// Change feature `index` of a GeoJSON file through `f` on its properties.
fn edit_properties(path: &Path, index: usize, f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(v["features"][index]["properties"].as_object_mut().unwrap());
    std::fs::write(path, v.to_string()).unwrap();
}

/// Item 7: a commune without `population` (the OGR field unset, not null) built with population 0.
#[test]
fn a_missing_attribute_is_an_error_naming_the_feature() {
    fails_on_copy(
        base_copy,
        |d| edit_properties(&d.join("generated/communes.geojson"), 3, |p| drop(p.remove("population"))),
        &["communes.geojson", "layer `communes`", "feature 3", "attribute `population`", "missing"],
    );
    fails_on_copy(
        base_copy,
        |d| edit_properties(&d.join("generated/communes.geojson"), 7, |p| drop(p.remove("households"))),
        &["communes.geojson", "layer `communes`", "feature 7", "attribute `households`"],
    );
}

/// Item 8: negative households were clamped to 0 silently.
#[test]
fn negative_households_fail_like_negative_population() {
    fails_on_copy(
        base_copy,
        |d| edit_properties(&d.join("generated/communes.geojson"), 5, |p| drop(p.insert("households".into(), serde_json::json!(-12)))),
        &["communes.geojson", "layer `communes`", "feature 5", "negative households"],
    );
}

/// Item 9: a typo in `[risk]` failed after the coverage stage (100 s on the full dataset).
#[test]
fn a_typo_in_risk_fails_before_any_stage() {
    fails_on_copy(
        base_copy,
        |d| append_to_toml(d, "\n[risk]\nrainfal_24h_mm = 180\n"),
        &["[risk]", "rainfal_24h_mm"],
    );
}

/// Item 9: `[uav]` and out-of-range values are checked up front too.
#[test]
fn a_bad_uav_section_fails_before_any_stage() {
    fails_on_copy(
        base_copy,
        |d| append_to_toml(d, "\n[uav]\nmin_covered_fraction = 1.5\n"),
        &["uav.min_covered_fraction"],
    );
    fails_on_copy(
        base_copy,
        |d| append_to_toml(d, "\n[coverage]\nrx_height_m = -1\n"),
        &["rx_height_m"],
    );
}

/// Item 9: a flight's camera name and its images were checked only in the UAV stage, after coverage
/// and risk.
#[test]
fn a_bad_flight_fails_before_any_stage() {
    fails_on_copy(
        full_copy,
        |d| edit(&d.join("dataset.toml"), "date = \"2026-03-10\"\ncamera = \"p4m\"", "date = \"2026-03-10\"\ncamera = \"p4n\""),
        &["flights.2026-03-10", "p4n"],
    );

    fails_on_copy(
        full_copy,
        |d| {
            std::fs::write(d.join("generated/uav/2026-03-10_p4m_reflectance.tif"), b"II*\0not an orthomosaic").unwrap();
        },
        &["2026-03-10_p4m_reflectance.tif", "cannot open as a raster"],
    );
}

/// Item 10: an all-nodata DEM was reported as the first hamlet "in a nodata hole".
#[test]
fn an_all_nodata_dem_is_reported_as_the_dem() {
    let line = fails_on_copy(
        base_copy,
        |d| {
            let path = d.join("generated/dem.tif");
            let (mut g, crs) = covermap::grid::io::read_raster_f32(&path, 1).unwrap();
            let nd = g.nodata.unwrap();
            g.data.iter_mut().for_each(|v| *v = nd);
            covermap::grid::io::write_cog(&g, &path, &crs.unwrap()).unwrap();
        },
        &["dem.tif", "`dem`", "every cell of the DEM is nodata"],
    );
    assert!(!line.contains("hamlet"), "{line}");
}

/// Item 11: PROJ's "Unknown error (code 4096)" did not say which CRS string was not understood.
#[test]
fn an_unknown_crs_is_named() {
    let line = fails_on_copy(
        base_copy,
        |d| {
            let t = std::fs::read_to_string(d.join("dataset.toml")).unwrap();
            let at = t.find("[layers.hamlets]").unwrap();
            let at = at + t[at..].find("crs = \"EPSG:4326\"").unwrap();
            std::fs::write(d.join("dataset.toml"), format!("{}crs = \"EPSG:4327x\"{}", &t[..at], &t[at + "crs = \"EPSG:4326\"".len()..])).unwrap();
        },
        &["hamlets.csv", "layer `hamlets`", "`EPSG:4327x` could not be understood"],
    );
    assert!(!line.contains("4096"), "{line}");
}

/// Item 12: an unknown `[layers.X]` was silently ignored.
#[test]
fn an_unknown_layer_lists_the_known_names() {
    fails_on_copy(
        base_copy,
        |d| append_to_toml(d, "\n[layers.hamlet_points]\nfile = \"generated/hamlets.csv\"\n"),
        &["dataset.toml", "unknown layer [layers.hamlet_points]", "known layers:", "hamlets", "cell_sites", "hydropower"],
    );
}

/// The analyses' sections come from the registry (`covermap::analysis`): a misspelt one is an error
/// naming it and the known sections, not parameters silently left at their defaults.
#[test]
fn an_unknown_section_lists_the_analyses() {
    fails_on_copy(
        base_copy,
        |d| append_to_toml(d, "\n[riks]\nhigh_class = 3\n"),
        &["dataset.toml", "unknown key `riks`", "coverage, risk, uav"],
    );
}
