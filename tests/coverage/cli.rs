//! Issue 3, `covermap coverage --site … | --operator …`: one site's or one operator's coverage with
//! the build's engine. The operator's raster must equal the build's `rsrp_<operator>.tif` wherever the
//! build has a value (same engine, same parameters); where the build's per-cell reach rule left a cell
//! out (`coverage::cut`: the command evaluates every cell) the operator's value is below the reach
//! floor. A single site can never beat the best server of all (`rsrp_any.tif`), and bad choices fail
//! with one line naming what was wrong.

use super::common;

use common::*;
use covermap::grid::io::read_raster_f32;

fn values(path: &std::path::Path) -> covermap::grid::Grid<f32> {
    read_raster_f32(path, 1).unwrap_or_else(|e| panic!("{}: {e}", path.display())).0
}

#[test]
fn one_operator_equals_the_builds_raster_and_one_site_never_beats_the_best_server() {
    let data = base_dataset();
    let store = demo_store();
    let tmp = tempfile::tempdir().unwrap();

    let out = tmp.path().join("viettel.tif");
    let r = covermap(&["coverage".as_ref(), "--data".as_ref(), data.as_os_str(), "--operator".as_ref(), "viettel".as_ref(), "--out".as_ref(), out.as_os_str()])
        .expect_ok("coverage --operator viettel");
    assert!(r.stdout.contains("operator viettel") && r.stdout.contains("cells evaluated") && r.stdout.contains("hamlets covered"), "{}", r.stdout);
    let (mine, built) = (values(&out), values(&store.join("rsrp_viettel.tif")));
    assert_eq!((mine.width, mine.height), (built.width, built.height));
    let floor = covermap::coverage::CoverageParams::default().reach_floor_dbm() as f32;
    let (mut with_signal, mut left_out) = (0, 0);
    for (i, (a, b)) in mine.data.iter().zip(&built.data).enumerate() {
        let (na, nb) = (mine.is_nodata(*a), built.is_nodata(*b));
        if na {
            assert!(nb, "cell {i}: the build has {b}, the command nothing");
        } else if nb {
            assert!(*a < floor, "cell {i}: {a} dBm left out of the build");
            left_out += 1;
        } else {
            with_signal += 1;
            // Below the floor the build's best may be a weaker site than the one left out there.
            assert!((a - b).abs() < 1e-3 || (*a < floor && b < a), "cell {i}: {a} vs the build's {b}");
        }
    }
    assert!(with_signal > 1000 && left_out > 0, "{with_signal} cells with signal, {left_out} left out by the build");

    let out = tmp.path().join("site1.tif");
    let r = covermap(&["coverage".as_ref(), "--data".as_ref(), data.as_os_str(), "--site".as_ref(), "1".as_ref(), "--out".as_ref(), out.as_os_str()])
        .expect_ok("coverage --site 1");
    assert!(r.stdout.contains("site 1"), "{}", r.stdout);
    let (site, any) = (values(&out), values(&store.join("rsrp_any.tif")));
    let mut n = 0;
    for (i, (s, a)) in site.data.iter().zip(&any.data).enumerate() {
        if site.is_nodata(*s) {
            continue;
        }
        n += 1;
        assert!(!any.is_nodata(*a) && *a >= s - 1e-3, "cell {i}: site 1 gives {s} dBm but the best server {a}");
    }
    assert!(n > 100, "site 1 reaches only {n} cells");
    // The GeoTIFF is what GDAL expects: Float32 with a nodata value.
    let info = gdalinfo(&out, &[]);
    assert!(info.contains("Type=Float32") && info.contains("NoData Value="), "{info}");
}

#[test]
fn unknown_site_or_operator_is_one_clear_line() {
    let data = base_dataset();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.tif");
    let r = covermap(&["coverage".as_ref(), "--data".as_ref(), data.as_os_str(), "--site".as_ref(), "987654".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_one_error_line(&r, &["987654"]);
    let r = covermap(&["coverage".as_ref(), "--data".as_ref(), data.as_os_str(), "--operator".as_ref(), "nosuchco".as_ref(), "--out".as_ref(), out.as_os_str()]);
    assert_one_error_line(&r, &["nosuchco", "viettel"]);
    let r = covermap(&["coverage".as_ref(), "--data".as_ref(), data.as_os_str(), "--site".as_ref(), "1".as_ref(), "--operator".as_ref(), "viettel".as_ref()]);
    assert!(!r.ok() && r.stderr.lines().count() == 1, "{}", r.stderr);
    assert!(!out.exists(), "a failed run wrote {}", out.display());
}
