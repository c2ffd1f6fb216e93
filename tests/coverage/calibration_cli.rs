//! Drive-test input through the binary: a bad measurement (not a number, an unknown operator, off
//! the DEM) stops the build with one error line naming the file, layer and feature; `measurements
//! add` appends a file to a live store atomically, and refuses a bad one leaving the store as it was.

use super::common;

use std::ffi::OsStr;
use std::path::Path;

use common::*;
use covermap::store::{Store, Value};

const FILE: &str = "generated/measurements.csv";

/// Replace the data row `row` (1-based, = OGR's feature id) of the measurements CSV with `line`.
fn set_row(data: &Path, row: usize, line: &str) {
    let p = data.join(FILE);
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[row] = line.to_string();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
}

fn first_row(data: &Path) -> Vec<String> {
    std::fs::read_to_string(data.join(FILE)).unwrap().lines().nth(1).unwrap().split(',').map(str::to_string).collect()
}

#[test]
fn bad_measurements_name_file_layer_and_feature() {
    let tmp = tempfile::tempdir().unwrap();
    let data = copy_dataset(tmp.path());
    let out = tmp.path().join("out");
    let good = first_row(&data);
    let cases: [(usize, Vec<String>, &str); 3] = [
        (5, { let mut r = good.clone(); r[3] = "strong".into(); r }, "attribute `rsrp_dbm` is not a number"),
        (7, { let mut r = good.clone(); r[2] = "acme".into(); r }, "operator `acme` has no cell sites"),
        (9, { let mut r = good.clone(); r[0] = "2.35".into(); r[1] = "48.85".into(); r }, "outside the DEM"),
    ];
    for (row, fields, problem) in cases {
        let d = tmp.path().join(format!("d{row}"));
        copy_dir(&data, &d);
        set_row(&d, row, &fields.join(","));
        let r = build(&d, &out, &[]);
        assert_one_error_line(&r, &["measurements.csv", "layer `measurements`", &format!("feature {row}"), problem]);
    }
}

#[test]
fn measurements_add_appends_to_a_live_store() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    copy_dir(demo_store(), &store);
    let before = Store::open(&store).unwrap().layer("measurements").unwrap().features.len();
    let data = base_dataset();
    let text = std::fs::read_to_string(data.join(FILE)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.take(3).collect();
    let file = tmp.path().join("new.csv");
    std::fs::write(&file, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let r = covermap(&[OsStr::new("measurements"), "add".as_ref(), "--store".as_ref(), store.as_os_str(), "--file".as_ref(), file.as_os_str()]);
    let r = r.expect_ok("measurements add");
    assert!(r.stderr.contains("3 measurements added"), "{}", r.stderr);
    let s = Store::open(&store).unwrap();
    let l = s.layer("measurements").unwrap();
    assert_eq!(l.features.len(), before + 3);
    let added: Vec<usize> = (0..l.features.len()).filter(|i| l.value(*i, "source").and_then(Value::as_str) == Some("added")).collect();
    assert_eq!(added.len(), 3);
    for i in added {
        assert!(l.value(i, "calibrated_dbm").and_then(Value::as_f64).is_some(), "compared with the calibrated model");
    }

    // A bad file: one error line, the store untouched.
    let snap = snapshot(&store);
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, format!("{header}\n{}\n", rows[0].replacen(",viettel,", ",acme,", 1).replacen(",vnpt,", ",acme,", 1).replacen(",mobifone,", ",acme,", 1))).unwrap();
    let r = covermap(&[OsStr::new("measurements"), "add".as_ref(), "--store".as_ref(), store.as_os_str(), "--file".as_ref(), bad.as_os_str()]);
    assert!(!r.ok());
    let last = r.stderr.lines().filter(|l| !l.trim().is_empty()).last().unwrap().to_string();
    assert!(last.starts_with("error:") && last.contains("bad.csv") && last.contains("operator `acme`"), "{}", r.stderr);
    assert_unchanged(&store, &snap, &last);
}
