//! Bad input gives a clear error naming the site (or hamlet, or parameter) before anything is written.

use covermap::coverage::stage::run;
use covermap::store::MemorySink;
use covermap::coverage::synthetic::{mini_province, omni_site};
use covermap::coverage::{hamlet_rsrp_without_sites, CoverageParams};

fn fails(ds: &covermap::dataset::Dataset, params: &CoverageParams) -> String {
    let mut sink = MemorySink::default();
    let e = run(ds, params, &mut sink).expect_err("bad input must fail").to_string();
    assert!(sink.raster_names.is_empty() && sink.layers.is_empty(), "wrote output before failing: {e}");
    e
}

#[test]
fn site_outside_the_dem() {
    let mut ds = mini_province(1);
    ds.sites.push(omni_site(77, "alpha", 100.0, 100.0, 30.0, 1800.0));
    let e = fails(&ds, &CoverageParams::default());
    assert!(e.contains("77 (alpha-77)") && e.contains("outside the DEM"), "{e}");
    assert!(hamlet_rsrp_without_sites(&ds, &CoverageParams::default(), &[]).is_err());
    // Excluding the bad site does not hide the error: the dataset is invalid as a whole.
    assert!(hamlet_rsrp_without_sites(&ds, &CoverageParams::default(), &[77]).is_err());
}

#[test]
fn sector_without_frequency() {
    let mut ds = mini_province(1);
    ds.sites[2].sectors[1].frequency_mhz = f64::NAN;
    let e = fails(&ds, &CoverageParams::default());
    assert!(e.contains("sites") && e.contains("3 (alpha-3)") && e.contains("sector 31") && e.contains("no valid frequency"), "{e}");
    ds.sites[2].sectors[1].frequency_mhz = 0.0;
    assert!(fails(&ds, &CoverageParams::default()).contains("no valid frequency"));
}

#[test]
fn frequency_outside_every_model() {
    let mut ds = mini_province(1);
    ds.sites[4].sectors[0].frequency_mhz = 2600.0;
    let e = fails(&ds, &CoverageParams::default());
    assert!(e.contains("5 (beta-5)") && e.contains("2600 MHz") && e.contains("outside every configured"), "{e}");
    // With a free-space band covering it, the same site is accepted.
    let mut p = CoverageParams { max_radius_m: 2000.0, ..Default::default() };
    p.planner.k = 0;
    p.bands.push(covermap::coverage::BandConfig {
        min_mhz: 2000.0,
        max_mhz: 3000.0,
        model: covermap::coverage::ModelKind::FreeSpace,
        environment: covermap::radio::hata::Environment::Open,
        max_radius_m: None,
    });
    let mut sink = MemorySink::default();
    run(&ds, &p, &mut sink).unwrap();
}

#[test]
fn non_numeric_height_and_bad_pattern() {
    let mut ds = mini_province(1);
    ds.sites[0].sectors[0].height_m = f64::NAN;
    let e = fails(&ds, &CoverageParams::default());
    assert!(e.contains("1 (alpha-1)") && e.contains("antenna height"), "{e}");
    let mut ds = mini_province(1);
    ds.sites[1].sectors[2].v_beamwidth_deg = -3.0;
    assert!(fails(&ds, &CoverageParams::default()).contains("vertical beamwidth"));
    let mut ds = mini_province(1);
    ds.sites[1].sectors.clear();
    assert!(fails(&ds, &CoverageParams::default()).contains("has no sectors"));
}

#[test]
fn hamlet_outside_the_dem_and_bad_parameters() {
    let mut ds = mini_province(1);
    ds.hamlets[5].pos = geo::Point::new(0.0, 0.0);
    let e = fails(&ds, &CoverageParams::default());
    assert!(e.contains("hamlets") && e.contains("1005") && e.contains("outside the DEM"), "{e}");
    let ds = mini_province(1);
    let p = CoverageParams { covered_dbm: -95.0, ..Default::default() };
    assert!(fails(&ds, &p).contains("coverage.covered_dbm"));
    let p = CoverageParams { max_radius_m: -1.0, ..Default::default() };
    assert!(fails(&ds, &p).contains("coverage.max_radius_m"));
}
