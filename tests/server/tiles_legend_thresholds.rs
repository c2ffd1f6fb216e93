//! One source for the coverage threshold: a store built with `covered_dbm = -105` records it in
//! manifest.json (with every other parameter's default), and the RSRP colours, the legend
//! (`/tiles/rsrp_any/legend.json`), `/catalog` and the hamlets' `covered` counts all follow it.

use super::server_common;

use covermap::coverage::synthetic::mini_province;
use covermap::coverage::CoverageParams;
use covermap::store::Store;
use covermap::tiles::colormap::ColorMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn covered_dbm_minus_105_reaches_colours_legend_and_counts() {
    let ds = mini_province(5);
    let params = CoverageParams { covered_dbm: -105.0, max_radius_m: 8000.0, ..Default::default() };
    let (_, out, _dir) = server_common::coverage_store(&ds, &params);

    // The manifest records the effective parameters, defaults included.
    let store = Store::open(&out).unwrap();
    let p = &store.manifest.params;
    assert_eq!(p["coverage"]["covered_dbm"], -105.0);
    assert_eq!(p["coverage"]["good_dbm"], -100.0, "a default is recorded too");
    assert_eq!(p["risk"]["high_class"], 4);

    // The legend and the catalog read −105 back.
    let app = server_common::app_for(&out);
    let lg = server_common::get(&app, "/tiles/rsrp_any/legend.json").await.json();
    let entries = lg["entries"].as_array().unwrap();
    let covered = entries.iter().find(|e| e["value"] == -105.0).unwrap_or_else(|| panic!("no −105 entry: {lg}"));
    assert!(covered["label"].as_str().unwrap().contains("covered"), "{covered}");
    assert!(!entries.iter().any(|e| e["value"] == -110.0), "no stale −110 band: {lg}");
    let cat = server_common::get(&app, "/catalog").await.json();
    assert_eq!(cat["thresholds"]["coverage"]["covered_dbm"], -105.0);
    let cls = server_common::get(&app, "/tiles/coverage_class/legend.json").await.json();
    assert!(cls["entries"][1]["label"].as_str().unwrap().contains("−105"), "{cls}");

    // The counts: a hamlet is covered exactly when its RSRP reaches −105, and the map colours it
    // with a covered band exactly then.
    let th = covermap::tiles::thresholds::Thresholds::from_params(&store.manifest.params).unwrap();
    let map = ColorMap::for_style(store.raster_style("rsrp_any"), None, &th);
    assert_eq!(store.raster_style("rsrp_any"), covermap::store::RasterStyle::Rsrp, "declared by the coverage stage");
    let covered_colors: Vec<[u8; 4]> = map.stops.iter().filter(|s| s.value >= -105.0).map(|s| s.color).collect();
    let hc = store.layer("hamlet_coverage").unwrap();
    let (kr, kc) = (hc.field_index("rsrp_dbm").unwrap(), hc.field_index("covered").unwrap());
    let (mut yes, mut no) = (0, 0);
    for f in &hc.features {
        let Some(rsrp) = f.values[kr].as_f64() else { continue };
        let is_covered = f.values[kc].as_f64() == Some(1.0);
        assert_eq!(is_covered, rsrp >= -105.0, "hamlet {}: {rsrp} dBm", f.id);
        assert_eq!(covered_colors.contains(&map.color(rsrp)), is_covered, "hamlet {}: {rsrp} dBm", f.id);
        if is_covered { yes += 1 } else { no += 1 }
    }
    assert!(yes > 0 && no > 0, "{yes} covered, {no} not: the test must see both");
}

/// The SINR and rate legends follow `[coverage.quality]` (issue 17: "legends from the parameters"):
/// `sinr_min_db` is the lowest band, the speed tiers are the rate bands, and `/catalog` publishes
/// the tiers the web map's speed-tier view uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_parameters_reach_the_sinr_and_rate_legends() {
    let ds = mini_province(5);
    let mut params = CoverageParams { max_radius_m: 8000.0, ..Default::default() };
    params.quality.sinr_min_db = -6.0;
    params.quality.tiers_mbps = vec![2.0, 10.0, 50.0];
    let (_, out, _dir) = server_common::coverage_store(&ds, &params);

    let app = server_common::app_for(&out);
    let cat = server_common::get(&app, "/catalog").await.json();
    assert_eq!(cat["thresholds"]["coverage"]["tiers_mbps"], serde_json::json!([2.0, 10.0, 50.0]));
    let sinr = cat["tiles"].as_object().unwrap().keys().find(|k| k.starts_with("sinr_")).cloned().expect("a sinr_<operator> raster");
    let lg = server_common::get(&app, &format!("/tiles/{sinr}/legend.json")).await.json();
    assert_eq!((lg["type"].as_str(), lg["unit"].as_str()), (Some("steps"), Some("dB")), "{lg}");
    assert_eq!(lg["entries"][1]["value"], -6.0, "the lowest band starts at sinr_min_db: {lg}");
    assert_eq!(lg["entries"][0]["label"], "no throughput (< −6 dB)");
    let rate = sinr.replacen("sinr_", "dl_mbps_", 1);
    let lg = server_common::get(&app, &format!("/tiles/{rate}/legend.json")).await.json();
    let labels: Vec<&str> = lg["entries"].as_array().unwrap().iter().map(|e| e["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["no data rate (0 Mbps)", "< 2 Mbps", "2 to 10 Mbps", "10 to 50 Mbps", "≥ 50 Mbps"], "{lg}");
}
