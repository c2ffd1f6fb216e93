//! The coverage stage end to end into a real results store: layers and rasters named as the API
//! reads them, indicators that add up, and the planner's promise kept when its sites are built.

use super::server_common;

use covermap::coverage::synthetic::mini_province;
use covermap::coverage::{hamlet_rsrp_without_sites, CoverageParams};
use covermap::store::Store;

#[test]
fn stage_writes_the_store_and_the_planner_keeps_its_promise() {
    let ds = mini_province(5);
    let mut params = CoverageParams { max_radius_m: 8000.0, gap_link_m: 1500.0, ..Default::default() };
    params.planner.k = 4;
    params.planner.search_margin_m = 1500.0;
    let (out, out_dir, _dir) = server_common::coverage_store(&ds, &params);
    let store = Store::open(&out_dir).unwrap();

    // Names the API and the map rely on.
    let hc = store.layer("hamlet_coverage").expect("hamlet_coverage");
    for f in ["hamlet_id", "rsrp_dbm", "covered", "operators", "serving_site_id", "fiber_distance_m", "fiber_ready"] {
        assert!(hc.field_index(f).is_some(), "hamlet_coverage.{f}");
    }
    assert_eq!(hc.features.len(), ds.hamlets.len());
    for l in ["commune_indicators", "district_indicators", "province_indicators", "coverage_gaps", "coverage_gap_areas", "proposed_sites"] {
        assert!(store.layer(l).is_some(), "{l}");
    }
    for r in ["rsrp_any", "rsrp_alpha", "rsrp_beta", "serving_site", "coverage_class"] {
        assert!(store.raster_path(r).is_some(), "{r}.tif");
    }

    // A hamlet's rsrp_dbm is the rsrp_any.tif cell holding it (read back through GDAL).
    let (any, _) = covermap::grid::io::read_raster_f32(store.raster_path("rsrp_any").unwrap(), 1).unwrap();
    let k = hc.field_index("rsrp_dbm").unwrap();
    for (i, h) in ds.hamlets.iter().enumerate() {
        let (c, r) = any.cell_of(h.pos.x(), h.pos.y()).unwrap();
        let cell = any.get(c, r);
        match hc.features[i].values[k].as_f64() {
            Some(v) => assert!((v - cell as f64).abs() <= 0.005 + 1e-6, "hamlet {}: {v} vs {cell}", h.id),
            None => assert!(any.is_nodata(cell)),
        }
    }

    // Indicators add up across levels.
    let p = &out.indicators.province;
    assert_eq!(p.all.hamlets as usize, ds.hamlets.len());
    assert_eq!(p.all.hamlets, out.indicators.districts.iter().map(|d| d.all.hamlets).sum::<u32>());
    assert_eq!(p.covered.population, out.indicators.communes.iter().map(|c| c.covered.population).sum::<u64>());
    assert_eq!(p.communes_fiber, out.commune_fiber.iter().filter(|f| **f).count() as u32);
    assert!(p.covered.hamlets > 0 && p.covered.hamlets < p.all.hamlets, "{}", p.summary());
    let gaps = store.layer("coverage_gaps").unwrap();
    assert_eq!(gaps.features.len() as u32, p.all.hamlets - p.covered.hamlets);

    // The API's JSON/CSV as the server answers them from this store.
    let app = server_common::app_for(&out_dir);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let get = |uri: &str| {
        let r = rt.block_on(server_common::get(&app, uri));
        assert_eq!(r.status, 200, "{uri}: {}", r.text());
        r
    };
    let j = get("/api/indicators?level=province").json();
    assert_eq!(j["level"], "province");
    assert!(j["rows"][0]["summary"].as_str().unwrap().contains("of people covered by 4G"), "{j}");
    let csv = get("/api/indicators?level=district&format=csv").text();
    assert_eq!(csv.lines().count(), 1 + ds.districts.len());

    // The planner: each proposal adds what it says, and building the proposed sites and recomputing
    // coverage from scratch gives exactly the population coverage it reports after them.
    assert!(!out.proposals.is_empty());
    let mut expected = p.covered.population;
    for pr in &out.proposals {
        expected += pr.population;
        assert_eq!(pr.after.covered.population, expected, "proposal {}", pr.rank);
        assert!(pr.population > 0);
    }
    let mut built = mini_province(5);
    built.sites.extend(out.proposals.iter().map(|p| p.site.clone()));
    let rsrp = hamlet_rsrp_without_sites(&built, &params, &[]).unwrap();
    let covered_pop: u64 =
        rsrp.iter().zip(&built.hamlets).filter(|(v, _)| **v >= params.covered_dbm as f32).map(|(_, h)| h.population as u64).sum();
    assert_eq!(covered_pop, out.proposals.last().unwrap().after.covered.population);
    let pj = get("/api/planner?k=1").json();
    assert_eq!(pj["rows"][0]["rank"], 1);
    assert_eq!(pj["count"], 1);
    assert_eq!(pj["available"].as_u64().unwrap() as usize, out.proposals.len());
}
