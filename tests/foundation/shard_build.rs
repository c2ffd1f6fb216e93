//! Issue 16, the shard protocol: a build split by `covermap plan` into 4 shards, each run as its own
//! process (`covermap run-shard`, index from `JOB_COMPLETION_INDEX` as a Kubernetes Indexed Job sets
//! it), merged by `covermap merge`, equals the store one `covermap build` makes: every raster cell
//! for cell, every GeoPackage table row for row, the manifest but for `built_at_unix` and `timings`
//! (and the GeoPackage's `gpkg_contents.last_change` timestamps, which are not compared) — the
//! network-quality outputs (SINR and rate rasters, the hamlets' SINR/rate/runner-up fields, the speed
//! tiers) included, which the merge computes from the shards' top-N lists.

use super::common;

use std::path::Path;
use std::process::Command;

use common::*;

fn rasters(store: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(store)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tif"))
        .collect();
    v.sort();
    v
}

/// Every row of every GeoPackage table listed in gpkg_contents, ordered by primary key, with the
/// names of its columns.
fn tables(gpkg: &Path) -> Vec<(String, Vec<String>, Vec<Vec<rusqlite::types::Value>>)> {
    let db = rusqlite::Connection::open_with_flags(gpkg, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut names: Vec<String> =
        db.prepare("SELECT table_name FROM gpkg_contents ORDER BY table_name").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    names.sort();
    names
        .into_iter()
        .map(|t| {
            let mut st = db.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1")).unwrap();
            let columns: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
            let rows: Vec<Vec<rusqlite::types::Value>> =
                st.query_map([], |r| (0..columns.len()).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect()).unwrap().map(|r| r.unwrap()).collect();
            (t, columns, rows)
        })
        .collect()
}

fn manifest_without_times(store: &Path) -> serde_json::Value {
    let mut m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(store.join("manifest.json")).unwrap()).unwrap();
    let o = m.as_object_mut().unwrap();
    assert!(o.remove("timings").is_some() && o.remove("built_at_unix").is_some());
    m
}

#[test]
fn four_shard_processes_merge_into_the_one_machine_store() {
    let data = base_dataset();
    let one = demo_store();
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.json");
    let parts = tmp.path().join("parts");
    let merged = tmp.path().join("merged");
    let r = covermap(&[
        "plan".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--shards".as_ref(),
        "4".as_ref(),
        "--out".as_ref(),
        plan.as_os_str(),
    ])
    .expect_ok("covermap plan");
    assert!(r.stderr.contains("4 shards"), "{}", r.stderr);
    let p = covermap::shard::Plan::read(&plan).unwrap();
    assert_eq!(p.shards.len(), 4);
    assert_eq!(p.tiles.count(), 4);
    let site_total: usize = p.shards.iter().map(|s| s.sites.len()).sum();
    // Balanced by reach: no shard sweeps more than 4/3 of the mean area (LPT's bound).
    let mean = p.shards.iter().map(|s| s.site_cost_km2).sum::<f64>() / 4.0;
    assert!(p.shards.iter().all(|s| s.site_cost_km2 <= mean * 4.0 / 3.0), "{:?}", p.shards.iter().map(|s| s.site_cost_km2).collect::<Vec<_>>());

    // Four processes at once, each told its index the way a Kubernetes Indexed Job does.
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(bin())
                .args(["run-shard".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--out".as_ref(), parts.as_os_str()])
                .env("JOB_COMPLETION_INDEX", i.to_string())
                .output()
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.unwrap();
        assert!(out.status.success(), "shard {i}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let reports: Vec<covermap::shard::run::ShardReport> =
        (0..4).map(|i| serde_json::from_str(&std::fs::read_to_string(parts.join(format!("shard-{i}/shard.json"))).unwrap()).unwrap()).collect();
    assert_eq!(reports.iter().map(|r| r.sites).sum::<usize>(), site_total);
    assert!(reports.iter().all(|r| r.peak_rss_kb > 0));
    // Each shard's top-N lists, one file per operator it has sites of, as big as its report says.
    for r in &reports {
        assert_eq!(r.topn_bytes.len(), r.operators.len());
        for (op, bytes) in r.operators.iter().zip(&r.topn_bytes) {
            let f = parts.join(format!("shard-{}/coverage/topn_{}.bin", r.index, covermap::coverage::layers::operator_key(op)));
            assert_eq!(std::fs::metadata(&f).unwrap().len(), *bytes, "{}", f.display());
        }
    }

    covermap(&["merge".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--from".as_ref(), parts.as_os_str(), "--out".as_ref(), merged.as_os_str()])
        .expect_ok("covermap merge");

    // Rasters: the same files, cell for cell, the network quality's among them.
    let names = rasters(one);
    assert!(names.iter().any(|n| n.starts_with("sinr_")) && names.iter().any(|n| n.starts_with("dl_mbps_")), "{names:?}");
    assert_eq!(rasters(&merged), names);
    assert!(names.contains(&"flow_accumulation.tif".to_string()) && names.contains(&"serving_site.tif".to_string()));
    for n in &names {
        let a: covermap::grid::Grid<f64> = covermap::grid::io::read_raster_as(&one.join(n)).unwrap();
        let b: covermap::grid::Grid<f64> = covermap::grid::io::read_raster_as(&merged.join(n)).unwrap();
        assert_eq!((a.width, a.height, a.transform), (b.width, b.height, b.transform), "{n}");
        let diff = a.data.iter().zip(&b.data).filter(|(x, y)| x.to_bits() != y.to_bits()).count();
        assert_eq!(diff, 0, "{n}: {diff} cells differ");
    }
    // Tables: row for row.
    let (ta, tb) = (tables(&one.join("results.gpkg")), tables(&merged.join("results.gpkg")));
    assert_eq!(ta.iter().map(|t| &t.0).collect::<Vec<_>>(), tb.iter().map(|t| &t.0).collect::<Vec<_>>());
    for ((name, ca, ra), (_, cb, rb)) in ta.iter().zip(&tb) {
        assert_eq!(ca, cb, "{name}: columns");
        assert_eq!(ra.len(), rb.len(), "{name}: row count");
        for (k, (x, y)) in ra.iter().zip(rb).enumerate() {
            assert_eq!(x, y, "{name}: row {k}");
        }
    }
    // The quality fields were compared with values in them, not empty on both sides.
    let filled = |table: &str, column: &str| {
        let (_, c, r) = tb.iter().find(|t| t.0 == table).unwrap_or_else(|| panic!("no {table}"));
        let i = c.iter().position(|x| x == column).unwrap_or_else(|| panic!("{table} has no {column}: {c:?}"));
        r.iter().filter(|row| !matches!(row[i], rusqlite::types::Value::Null)).count()
    };
    for column in ["sinr_db", "dl_mbps", "runner_up_site_id", "serving_sector_id"] {
        assert!(filled("hamlet_coverage", column) > 100, "hamlet_coverage.{column}: {}", filled("hamlet_coverage", column));
    }
    assert_eq!(filled("province_indicators", "hamlets_dl_5mbps"), 1);
    assert_eq!(manifest_without_times(one), manifest_without_times(&merged));

    // A retried pod: the same index again replaces its result atomically, with the same content.
    let before = snapshot(&parts.join("shard-1/coverage"));
    covermap(&["run-shard".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--index".as_ref(), "1".as_ref(), "--out".as_ref(), parts.as_os_str()])
        .expect_ok("run-shard again");
    let after = snapshot(&parts.join("shard-1/coverage"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (k, (bytes, _)) in &before {
        assert!(after[k].0 == *bytes, "{} changed on re-run", k.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(&parts).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn shards_and_merge_refuse_other_inputs_and_bad_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let data = copy_dataset(tmp.path());
    let plan = tmp.path().join("plan.json");
    covermap(&["plan".as_ref(), "--data".as_ref(), data.as_os_str(), "--shards".as_ref(), "2".as_ref(), "--out".as_ref(), plan.as_os_str()])
        .expect_ok("plan");
    let parts = tmp.path().join("parts");
    let run = |index: &str| {
        covermap(&["run-shard".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--index".as_ref(), index.as_ref(), "--out".as_ref(), parts.as_os_str()])
    };
    assert_one_error_line(&run("2"), &["shard 2 does not exist", "0..1"]);
    // The merge without finished shards names the missing one.
    let r = covermap(&["merge".as_ref(), "--plan".as_ref(), plan.as_os_str(), "--from".as_ref(), parts.as_os_str(), "--out".as_ref(), tmp.path().join("m").as_os_str()]);
    assert_one_error_line(&r, &["shard 0 has not finished"]);
    // An input changed after planning: the shard names the file and refuses.
    let sites = data.join("generated/cell_sites.geojson");
    let mut text = std::fs::read_to_string(&sites).unwrap();
    text.push('\n');
    std::fs::write(&sites, text).unwrap();
    assert_one_error_line(&run("0"), &["cell_sites.geojson", "checksum differs from the plan"]);
    assert!(!parts.join("shard-0").exists());
    // A changed parameter too.
    let toml = data.join("dataset.toml");
    std::fs::write(&toml, std::fs::read_to_string(&toml).unwrap() + "\n[risk]\nrainfall_24h_mm = 200\n").unwrap();
    assert_one_error_line(&run("1"), &["dataset.toml", "parameters differ"]);
    // No plan file.
    assert_one_error_line(
        &covermap(&["run-shard", "--plan", "/nonexistent/plan.json", "--index", "0", "--out", "/tmp/x"]),
        &["/nonexistent/plan.json"],
    );
}
