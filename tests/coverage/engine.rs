//! The coverage engine on synthetic datasets: the raster, the hamlet layer and the point engine agree
//! bit for bit; every cell in reach gets a value; the "any operator" raster is the per-operator maximum.

use covermap::coverage::best::RSRP_NODATA;
use super::support::{self, run_keeping_rasters};
use covermap::coverage::stage::run;
use covermap::store::MemorySink;
use covermap::coverage::synthetic::{empty_dataset, flat_dem, mini_province, omni_site};
use covermap::coverage::{hamlet_rsrp_without_sites, CoverageParams};

fn params() -> CoverageParams {
    support::params(3)
}

#[test]
fn raster_hamlet_layer_and_point_engine_agree() {
    let ds = mini_province(3);
    let params = params();
    let (sink, out) = run_keeping_rasters(&ds, &params);
    for name in ["rsrp_alpha", "rsrp_beta", "rsrp_any", "serving_site", "coverage_class"] {
        assert!(sink.raster_names.iter().any(|n| n == name), "{name} missing: {:?}", sink.raster_names);
    }
    // Each raster declares its style; for these names it is the map the catalog chose by name before
    // styles were declared, so tiles and legends are unchanged.
    assert_eq!(sink.raster_styles.len(), sink.raster_names.len());
    for (name, style) in sink.raster_names.iter().zip(&sink.raster_styles) {
        assert_eq!(*style, covermap::store::RasterStyle::guess(name), "{name}");
    }
    let any = sink.f32_raster("rsrp_any").unwrap();
    let alpha = sink.f32_raster("rsrp_alpha").unwrap();
    let beta = sink.f32_raster("rsrp_beta").unwrap();
    // "any" is the cell-wise maximum of the operators.
    for i in 0..any.len() {
        let m = alpha.data[i].max(beta.data[i]);
        assert_eq!(any.data[i].to_bits(), m.to_bits(), "cell {i}");
    }
    let points = hamlet_rsrp_without_sites(&ds, &params, &[]).unwrap();
    let layer = sink.layer("hamlet_coverage").unwrap();
    let k_rsrp = layer.field_index("rsrp_dbm").unwrap();
    let k_cov = layer.field_index("covered").unwrap();
    let mut with_signal = 0;
    for (h, st) in out.hamlets.iter().enumerate() {
        let p = ds.hamlets[h].pos;
        let (c, r) = ds.dem.cell_of(p.x(), p.y()).unwrap();
        let cell = any.get(c, r);
        if cell == RSRP_NODATA {
            assert!(st.rsrp_dbm.is_nan() && points[h].is_nan());
            continue;
        }
        with_signal += 1;
        assert_eq!(cell.to_bits(), st.rsrp_dbm.to_bits(), "hamlet {h}");
        assert_eq!(cell.to_bits(), points[h].to_bits(), "hamlet {h}: point engine");
        assert_eq!(alpha.get(c, r).max(RSRP_NODATA), if st.per_operator[0].is_nan() { RSRP_NODATA } else { st.per_operator[0] });
        let stored = layer.features[h].values[k_rsrp].as_f64().unwrap();
        assert!((stored - cell as f64).abs() <= 0.005 + 1e-9);
        assert_eq!(layer.features[h].values[k_cov].as_i64().unwrap(), (cell >= -110.0) as i64);
    }
    assert!(with_signal > 60, "{with_signal}");
    // A plausible network: some hamlets covered, some not.
    let covered = out.hamlets.iter().filter(|s| s.covered).count();
    assert!(covered > 20 && covered < 80, "{covered}");
}

#[test]
fn every_cell_in_reach_gets_a_value() {
    // One omni site over flat ground, RSRP floor out of the way: exactly the cells whose centre lies
    // within the sweep radius (n·step + step/2, the reach of the last sample) have a value.
    let mut ds = empty_dataset(flat_dem(300, 300, 30.0, 200.0));
    let (x, y) = ds.dem.cell_center(150, 150);
    ds.sites.push(omni_site(1, "solo", x + 11.0, y - 4.0, 30.0, 1800.0));
    let params = CoverageParams { max_radius_m: 3000.0, min_rsrp_dbm: -300.0, covered_dbm: -300.0, good_dbm: -300.0, ..params() };
    let (sink, _) = run_keeping_rasters(&ds, &params);
    let any = sink.f32_raster("rsrp_any").unwrap();
    let reach = (100.0 + 0.5) * 30.0;
    let mut inside = 0;
    for r in 0..300 {
        for c in 0..300 {
            let (cx, cy) = any.cell_center(c, r);
            let d = (cx - x - 11.0).hypot(cy - y + 4.0);
            let v = any.get(c, r);
            if d < reach - 1e-6 {
                assert_ne!(v, RSRP_NODATA, "cell ({c}, {r}) at {d:.1} m has no value");
                inside += 1;
            } else if d > reach + 1e-6 {
                assert_eq!(v, RSRP_NODATA, "cell ({c}, {r}) at {d:.1} m is beyond the radius");
            }
        }
    }
    assert!(inside > 30_000);
    let serving = &sink.i32_rasters.iter().find(|r| r.0 == "serving_site").unwrap().1;
    assert_eq!(serving.get(150, 150), 1);
    assert_eq!(serving.get(0, 0), -1);
}

#[test]
fn itm_as_a_band_model() {
    // The 900 MHz band on ITM (Longley-Rice), 1800 MHz on COST-231: the stage runs unchanged, the
    // point engine agrees with the raster (to rounding: ITM accumulates its sums per path), and ITM's
    // loss is never below free space by more than its two-ray gain can give (6 dB).
    use covermap::coverage::{BandConfig, ModelKind};
    let ds = mini_province(3);
    let mut params = params();
    params.max_radius_m = 4000.0;
    params.planner.k = 0;
    params.bands[0] = BandConfig { model: ModelKind::Itm, ..params.bands[0].clone() };
    let (_, out) = run_keeping_rasters(&ds, &params);
    let points = hamlet_rsrp_without_sites(&ds, &params, &[]).unwrap();
    let mut compared = 0;
    for (h, st) in out.hamlets.iter().enumerate() {
        if st.rsrp_dbm.is_nan() {
            continue;
        }
        assert!((st.rsrp_dbm - points[h]).abs() < 0.01, "hamlet {h}: raster {} vs point {}", st.rsrp_dbm, points[h]);
        compared += 1;
    }
    assert!(compared > 20, "{compared}");
    // The 900 MHz site (site 3) alone, on ITM: RSRP never exceeds EIRP − free space + 6 dB.
    let mut one = mini_province(3);
    one.sites.retain(|s| s.id == 3);
    let v = hamlet_rsrp_without_sites(&one, &params, &[]).unwrap();
    let s = &one.sites[0];
    let mut reached = 0;
    for (h, r) in one.hamlets.iter().zip(&v) {
        if r.is_nan() {
            continue;
        }
        reached += 1;
        let d = (h.pos.x() - s.pos.x()).hypot(h.pos.y() - s.pos.y()).max(30.0) / 1000.0;
        let fs = covermap::radio::fspl::free_space_loss_db(900.0, d);
        assert!(*r as f64 <= s.sectors[0].rs_eirp_dbm - fs + 6.0, "{r} at {d} km");
    }
    assert!(reached > 5, "{reached}");

    // ITM's own limits give a clear error naming the site: a 0.3 m antenna (ITM code 1000).
    let mut bad = mini_province(3);
    for sec in &mut bad.sites[2].sectors {
        sec.height_m = 0.3;
    }
    let e = run(&bad, &params, &mut MemorySink::default()).unwrap_err().to_string();
    assert!(e.contains("3 (alpha-3)") && e.contains("ITM") && e.contains("1000"), "{e}");
}
