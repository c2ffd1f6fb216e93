//! Issue 2, the store is written atomically: a build that fails on bad input leaves the previous store
//! byte-identical, and a build killed with SIGKILL while it writes leaves the previous store intact and
//! usable (and the next build clears the killed one's staging directory).

use super::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use covermap::store::Store;

/// Staging directories of builds of the store `out` (named `.<name>.staging-<pid>` beside it).
fn staging_dirs(out: &Path) -> Vec<PathBuf> {
    let prefix = format!(".{}.staging-", out.file_name().unwrap().to_string_lossy());
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

/// The store at `out` opens with our reader and with GDAL, with the expected layer sizes.
fn assert_usable(out: &Path, communes: usize, context: &str) {
    let s = Store::open(out).unwrap_or_else(|e| panic!("{context}: store does not open: {e}"));
    assert_eq!(s.layer("communes").map(|l| l.features.len()), Some(communes), "{context}");
    assert!(s.layer("hamlets").is_some_and(|l| !l.features.is_empty()), "{context}");
    gdalinfo(s.raster_path("dem").expect("dem"), &[]);
    ogrinfo(&[out.join("results.gpkg").as_os_str()]);
}

#[test]
fn failed_build_leaves_the_previous_store_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = built_copy(tmp.path(), "out/sonla");
    let before = snapshot(&out);

    // A hamlet of a commune that does not exist: found by validation after the DEM and communes load.
    let csv = data.join("generated/hamlets.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let second = text.lines().nth(1).unwrap();
    let code = second.split(',').nth(2).unwrap();
    edit(&csv, second, &second.replacen(&format!(",{code},"), ",99999,", 1));
    let r = build(&data, &out, &[]);
    assert_one_error_line(&r, &["hamlets.csv", "layer `hamlets`", "99999", "not a commune"]);
    assert_unchanged(&out, &before, "failed build");
    assert!(staging_dirs(&out).is_empty(), "a failed build left {:?}", staging_dirs(&out));
    assert_usable(&out, 204, "after a failed build");
    // Forcing does not help bad input, and still touches nothing.
    let r = build(&data, &out, &["--force"]);
    assert_one_error_line(&r, &["99999"]);
    assert_unchanged(&out, &before, "failed forced build");
}

#[test]
fn killed_build_leaves_the_previous_store_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = base_dataset();
    let out = tmp.path().join("out/sonla");
    build(data, &out, &[]).expect_ok("first build");

    // Kill `build --force` at several points after it has started writing its staging store. A kill
    // after the final swap leaves the new, complete store: also fine, but it proves nothing, so at
    // least one kill must land mid-write (staging directory present, live store still the old one).
    let mut killed_mid_write = 0;
    let delays = [0u64, 30, 150, 500, 1500];
    for delay_ms in delays {
        // The previous store of this round (a kill after the swap leaves a new one).
        let before = snapshot(&out);
        let manifest_before = before[Path::new("manifest.json")].0.clone();
        let mut child = Command::new(bin())
            .args(["build", "--force", "--data"])
            .arg(data)
            .arg("--out")
            .arg(&out)
            .env("COVERMAP_QUIET", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = out.with_file_name(format!(".{}.staging-{}", out.file_name().unwrap().to_string_lossy(), child.id()));
        let t = Instant::now();
        let mut started = false;
        while t.elapsed() < Duration::from_secs(30) {
            if staging.exists() {
                started = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().ok(); // SIGKILL; an error only means it has already exited
        let status = child.wait().unwrap();
        let context = format!("build killed {delay_ms} ms after it began writing ({status})");

        let manifest_now = std::fs::read(out.join("manifest.json")).unwrap();
        if manifest_now == manifest_before {
            // The swap had not happened: the previous store, byte for byte.
            assert_unchanged(&out, &before, &context);
            if started && staging.exists() {
                killed_mid_write += 1;
            }
        }
        assert_usable(&out, 204, &context);
    }
    eprintln!("{killed_mid_write} of {} kills landed while the build was writing its staging store", delays.len());
    assert!(killed_mid_write > 0, "no kill landed while the build was writing; the test proved nothing");

    // The next build clears the killed builds' staging directories and leaves none of its own. (One
    // more abandoned directory, of a process surely gone, in case the last round completed its build.)
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let fake = out.with_file_name(format!(".{}.staging-{dead_pid}", out.file_name().unwrap().to_string_lossy()));
    copy_dir(&out, &fake);
    build(data, &out, &["--force"]).expect_ok("build after the kills");
    assert!(staging_dirs(&out).is_empty(), "left behind: {:?}", staging_dirs(&out));
    assert_usable(&out, 204, "after the kills");
}
