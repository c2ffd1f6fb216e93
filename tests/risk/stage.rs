//! The risk stage end to end on a small synthetic valley (known geometry: a floor falling gently to
//! the east between 31° walls): every raster and layer lands in the store with the names other work
//! relies on, the hazard classes are where the terrain says they must be, exposure adds up, a zero
//! rainfall gives the documented dry scenario, the warning reach finds the unreachable hamlet and
//! the critical site, and bad DEMs fail with clear errors.

use geo::{polygon, LineString, MultiPolygon, Point};

use covermap::dataset::{CellSite, Commune, Dataset, District, FiberAccessPoint, Hamlet, Road};
use covermap::grid::{GeoTransform, Grid};
use covermap::risk::stage::run as run_stage;
use covermap::risk::{CoverageInput, RiskOutput, RiskParams};
use covermap::store::{Manifest, Store, StoreWriter, Value};

const X0: f64 = 400_000.0;
const Y0: f64 = 2_400_000.0;
const CELL: f64 = 30.0;
const W: usize = 240;
const H: usize = 180;

/// Local metres (X east from the west edge, Y south from the north edge) → map coordinates.
fn pt(x: f64, y: f64) -> Point<f64> {
    Point::new(X0 + x, Y0 - y)
}

fn valley_dem() -> Grid<f32> {
    let t = GeoTransform { x0: X0, y0: Y0, dx: CELL, dy: CELL };
    let mut g = Grid::new(W, H, t, 0.0f32, Some(-32768.0));
    for r in 0..H {
        for c in 0..W {
            let (x, y) = ((c as f64 + 0.5) * CELL, (r as f64 + 0.5) * CELL);
            let d = (y - 2700.0).abs();
            let wall = if d < 60.0 { 0.0 } else { 0.6 * (d - 60.0) };
            let z = 400.0 - 0.01 * x + wall + 4.0 * (x / 210.0).sin() * (y / 170.0).sin();
            g.set(c, r, z as f32);
        }
    }
    g
}

fn rect(x0: f64, x1: f64) -> MultiPolygon<f64> {
    let (a, b) = (pt(x0, 0.0), pt(x1, H as f64 * CELL));
    MultiPolygon(vec![polygon![(x: a.x(), y: a.y()), (x: b.x(), y: a.y()), (x: b.x(), y: b.y()), (x: a.x(), y: b.y())]])
}

fn dataset(dem: Grid<f32>, crs: &str) -> Dataset {
    let commune = |id: i64, code: &str, x0: f64, x1: f64| Commune {
        id,
        code: code.into(),
        name: format!("Xã {code}"),
        district_code: "D1".into(),
        population: 1000,
        households: 250,
        geom: rect(x0, x1),
        centre: pt((x0 + x1) / 2.0, 2700.0),
    };
    let hamlet = |id: i64, commune: &str, pop: u32, x: f64, y: f64| Hamlet { id, name: format!("Bản {id}"), commune_code: commune.into(), population: pop, pos: pt(x, y) };
    let site = |id: i64, x: f64, y: f64| CellSite { id, operator: "viettel".into(), name: format!("S{id}"), pos: pt(x, y), ground_m: 0.0, sectors: vec![] };
    Dataset {
        name: "valley".into(),
        crs: crs.into(),
        dem,
        province: rect(0.0, W as f64 * CELL),
        districts: vec![District { id: 1, code: "D1".into(), name: "Huyện 1".into(), geom: rect(0.0, W as f64 * CELL) }],
        communes: vec![commune(1, "C1", 0.0, 3600.0), commune(2, "C2", 3600.0, W as f64 * CELL)],
        hamlets: vec![
            hamlet(1, "C1", 300, 1500.0, 2700.0), // on the valley floor
            hamlet(2, "C2", 120, 4500.0, 3300.0), // on the 31° south wall
            hamlet(3, "C2", 50, 5000.0, 900.0),   // high on the north wall
        ],
        sites: vec![site(11, 2100.0, 2700.0), site(12, 6000.0, 4800.0)],
        roads: vec![Road { id: 1, name: "QL".into(), class: "national".into(), geom: LineString::from(vec![(X0 + 15.0, Y0 - 2760.0), (X0 + 7185.0, Y0 - 2760.0)]) }],
        fiber_access_points: vec![FiberAccessPoint { id: 1, commune_code: "C1".into(), pos: pt(1600.0, 2700.0) }],
        // Every other layer empty (and new Dataset fields defaulted in one place).
        ..covermap::coverage::synthetic::empty_dataset(Grid::new(1, 1, GeoTransform { x0: X0, y0: Y0, dx: CELL, dy: CELL }, 0.0f32, None))
    }
}

fn run(ds: &Dataset, params: &RiskParams, cov: Option<CoverageInput<'_>>) -> (RiskOutput, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("store");
    let mut w = StoreWriter::begin(&out).unwrap();
    let r = run_stage(ds, params, cov, None, &mut w.sink(&ds.crs)).unwrap();
    w.commit(Manifest::default()).unwrap();
    let store = Store::open(&out).unwrap();
    (r, store, dir)
}

fn int(store: &Store, layer: &str, i: usize, field: &str) -> Option<i64> {
    store.layer(layer).unwrap().value(i, field).and_then(Value::as_i64)
}

#[test]
fn stage_writes_every_product_with_the_expected_classes() {
    let ds = dataset(valley_dem(), "EPSG:32648");
    let (out, store, _dir) = run(&ds, &RiskParams::default(), None);

    for r in ["slope", "flow_accumulation", "hand", "landslide_susceptibility", "flood_susceptibility"] {
        assert!(store.raster_path(r).is_some(), "raster {r}.tif");
    }
    // slope.tif holds degrees as gdaldem computes them, the border left nodata.
    let slope = covermap::grid::io::read_raster_f32(store.raster_path("slope").unwrap(), 1).unwrap().0;
    assert_eq!(slope.get(0, 50), -9999.0);
    assert!((slope.get(100, 20) - 0.6f32.atan().to_degrees()).abs() < 1.0, "{}", slope.get(100, 20));

    // Hamlet 1 sits on the valley floor: flash flood high or very high, HAND near 0. Hamlet 2 on the
    // 31° wall, 600 m from the floor: landslide at least moderate, out of flood reach.
    let hl = "hamlet_risk";
    assert_eq!(store.layer(hl).unwrap().features.len(), 3);
    assert!(int(&store, hl, 0, "flood_class").unwrap() >= 4);
    assert!(store.layer(hl).unwrap().value(0, "hand_m").unwrap().as_f64().unwrap() < 3.0);
    assert!(int(&store, hl, 1, "landslide_class").unwrap() >= 3);
    assert_eq!(int(&store, hl, 1, "flood_class"), Some(1));
    assert!(int(&store, hl, 1, "landslide_class") > int(&store, hl, 0, "landslide_class"));
    assert_eq!(int(&store, hl, 0, "rank"), Some(1), "the most populous high-risk hamlet ranks first");
    assert_eq!(out.high_risk_ranked.first(), Some(&0));

    // Zones: stored classes 3–5 only, with the field names.
    let z = store.layer("risk_zones").unwrap();
    assert!(!z.features.is_empty());
    for i in 0..z.features.len() {
        let hz = z.value(i, "hazard").and_then(Value::as_str).unwrap();
        assert!(hz == "landslide" || hz == "flash_flood");
        assert!((3..=5).contains(&z.value(i, "class").and_then(Value::as_i64).unwrap()));
        assert!(z.value(i, "area_m2").and_then(Value::as_f64).unwrap() >= 50_000.0 * 0.9);
    }
    assert!((0..z.features.len()).any(|i| z.value(i, "hazard").and_then(Value::as_str) == Some("flash_flood")));

    // Exposure adds up: per hazard, every hamlet and every person is in exactly one class.
    let e = store.layer("exposure_commune").unwrap();
    assert_eq!(e.features.len(), 4);
    assert_eq!(store.layer("exposure_district").unwrap().features.len(), 2);
    for hz in 0..2 {
        let hamlets: u32 = out.exposure_totals[hz].iter().map(|c| c.hamlets).sum();
        let people: u64 = out.exposure_totals[hz].iter().map(|c| c.people).sum();
        let area: f64 = out.exposure_totals[hz].iter().map(|c| c.area_m2).sum();
        assert_eq!((hamlets, people), (3, 470));
        assert_eq!(area, ((W - 2) * (H - 2)) as f64 * CELL * CELL, "every cell with a slope is classified once");
        assert!(out.exposure_totals[hz].iter().map(|c| c.road_m).sum::<f64>() > 7000.0);
    }
    let shares: f64 = out.flood_shares.iter().sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

#[test]
fn zero_rainfall_is_the_dry_scenario() {
    // Documented result: 0 mm is accepted, the rainfall term vanishes, and no cell's class rises.
    let ds = dataset(valley_dem(), "EPSG:32648");
    let (wet, _, _d1) = run(&ds, &RiskParams::default(), None);
    let (dry, _, _d2) = run(&ds, &RiskParams { rainfall_24h_mm: 0.0, ..Default::default() }, None);
    for (a, b) in wet.hamlets.rows.iter().zip(&dry.hamlets.rows) {
        assert!(b.landslide_class <= a.landslide_class && b.flood_class <= a.flood_class);
    }
    let mean = |s: &[f64; 5]| s.iter().enumerate().map(|(k, v)| (k + 1) as f64 * v).sum::<f64>();
    assert!(mean(&dry.landslide_shares) < mean(&wet.landslide_shares));
    assert!(mean(&dry.flood_shares) < mean(&wet.flood_shares));
}

#[test]
fn warning_reach_finds_silent_hamlets_and_critical_sites() {
    let ds = dataset(valley_dem(), "EPSG:32648");
    // Hamlet 1 (valley floor, high risk) has no usable signal; hamlet 2 is covered only through site
    // 11, which stands on the flood-prone valley floor.
    let rsrp = vec![-121.0f32, -98.0, -104.0];
    let recompute = |excluded: &[i64]| -> covermap::Result<Vec<f32>> {
        let mut v = vec![-121.0f32, -98.0, -104.0];
        if excluded.contains(&11) {
            v[1] = -130.0;
        }
        Ok(v)
    };
    let cov = CoverageInput { hamlet_rsrp: &rsrp, recompute: &recompute, covered_rsrp_dbm: Some(-110.0) };
    let (out, store, _dir) = run(&ds, &RiskParams::default(), Some(cov));
    let wsum = out.warning.unwrap();
    assert_eq!((wsum.hamlets_no_signal, wsum.people_no_signal), (1, 300));
    assert!(wsum.sites_at_risk >= 1);
    assert_eq!((wsum.sites_that_cut_off, wsum.hamlets_cut_off, wsum.people_cut_off), (1, 1, 120));
    let l = store.layer("warning_gaps").unwrap();
    let kind = |i: usize| l.value(i, "kind").and_then(Value::as_str).unwrap().to_string();
    let site = (0..l.features.len()).find(|i| kind(*i) == "site_at_risk" && l.value(*i, "site_id").and_then(Value::as_i64) == Some(11)).unwrap();
    assert_eq!(l.value(site, "people_affected").and_then(Value::as_i64), Some(120));
    assert!((0..l.features.len()).any(|i| kind(i) == "hamlet_cut_off" && l.value(i, "hamlet_id").and_then(Value::as_i64) == Some(2)));
}

#[test]
fn bad_dems_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = StoreWriter::begin(&dir.path().join("s")).unwrap();
    // A DEM in degrees.
    let mut geo = valley_dem();
    geo.transform = GeoTransform { x0: 103.5, y0: 21.5, dx: 0.000_277_8, dy: 0.000_277_8 };
    let e = run_stage(&dataset(geo, "EPSG:4326"), &RiskParams::default(), None, None, &mut w.sink("EPSG:32648")).unwrap_err().to_string();
    assert!(e.contains("degrees"), "{e}");
    // A DEM without any valid cell.
    let mut empty = valley_dem();
    empty.data.iter_mut().for_each(|v| *v = -32768.0);
    let e = run_stage(&dataset(empty, "EPSG:32648"), &RiskParams::default(), None, None, &mut w.sink("EPSG:32648")).unwrap_err().to_string();
    assert!(e.contains("no valid cell"), "{e}");
    // A negative rainfall names the parameter.
    let e = run_stage(&dataset(valley_dem(), "EPSG:32648"), &RiskParams { rainfall_24h_mm: -10.0, ..Default::default() }, None, None, &mut w.sink("EPSG:32648"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rainfall_24h_mm"), "{e}");
}
