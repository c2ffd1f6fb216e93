//! Shared helpers of the server and tiles integration tests: a synthetic results store written with the
//! real `StoreWriter` (every kind of layer and raster the catalog must handle), the demo store
//! (`out/sonla` when `make store` built it, else a coarse demo built once into `target/test-demo`),
//! and one-shot requests through the router.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use bytes::Bytes;
use covermap::grid::{GeoTransform, Grid};
use covermap::server::{router, AppState, ServerConfig};
use covermap::store::{FieldType, GeomKind, Layer, Manifest, RasterStyle, StoreWriter, Value};
use covermap::tiles::Catalog;
use geo::{line_string, point, polygon, Geometry};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const CRS: &str = "EPSG:32648";
/// South-west corner of the fixture area (UTM 48N, near Sơn La city).
pub const X0: f64 = 380_000.0;
pub const Y0: f64 = 2_350_000.0;
/// Number of hamlets: above the thinning threshold (1,000) so thinning is exercised.
pub const HAMLETS: i64 = 1_600;

fn square(x: f64, y: f64, s: f64) -> Geometry<f64> {
    Geometry::Polygon(polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)])
}

/// Population of fixture hamlet `i` (deterministic, varied).
pub fn hamlet_population(i: i64) -> i64 {
    20 + (i * 37) % 480
}

/// Position of fixture hamlet `i` in UTM: a 40 × 40 grid at 500 m spacing.
pub fn hamlet_xy(i: i64) -> (f64, f64) {
    (X0 + 250.0 + (i % 40) as f64 * 500.0, Y0 + 250.0 + (i / 40) as f64 * 500.0)
}

/// Write the synthetic store into `dir`.
pub fn write_fixture_store(dir: &Path) {
    let mut w = StoreWriter::begin(dir).unwrap();
    // Four communes of 10 km, one with a hole.
    let mut communes = Layer::new(
        "communes",
        GeomKind::MultiPolygon,
        CRS,
        &[("code", FieldType::Text), ("name", FieldType::Text), ("population", FieldType::Integer), ("share", FieldType::Real)],
    );
    let names = ["Chiềng Cơi", "Mường La", "Sốp Cộp", "Quỳnh Nhai"];
    for k in 0..4i64 {
        let (x, y) = (X0 + (k % 2) as f64 * 10_000.0, Y0 + (k / 2) as f64 * 10_000.0);
        let g = if k == 3 {
            Geometry::Polygon(polygon!(
                exterior: [(x: x, y: y), (x: x + 10_000.0, y: y), (x: x + 10_000.0, y: y + 10_000.0), (x: x, y: y + 10_000.0)],
                interiors: [[(x: x + 4000.0, y: y + 4000.0), (x: x + 6000.0, y: y + 4000.0), (x: x + 6000.0, y: y + 6000.0), (x: x + 4000.0, y: y + 6000.0)]]
            ))
        } else {
            square(x, y, 10_000.0)
        };
        let g = match g {
            Geometry::Polygon(p) => Geometry::MultiPolygon(geo::MultiPolygon(vec![p])),
            g => g,
        };
        communes.push(k + 1, Some(g), vec![format!("0{}", 3640 + k).into(), names[k as usize].into(), Value::Int(1000 * (k + 1)), Value::Real(0.25 * k as f64)]);
    }
    w.put_layer(&communes).unwrap();
    let mut ci = communes.clone();
    ci.name = "commune_indicators".into();
    w.put_layer(&ci).unwrap();

    let mut hamlets = Layer::new("hamlets", GeomKind::Point, CRS, &[("name", FieldType::Text), ("population", FieldType::Integer)]);
    for i in 0..HAMLETS {
        let (x, y) = hamlet_xy(i);
        hamlets.push(i + 1, Some(Geometry::Point(point!(x: x, y: y))), vec![format!("Bản {i}").into(), Value::Int(hamlet_population(i))]);
    }
    w.put_layer(&hamlets).unwrap();

    let mut roads = Layer::new("roads", GeomKind::LineString, CRS, &[("kind", FieldType::Text)]);
    roads.push(1, Some(Geometry::LineString(line_string![(x: X0, y: Y0), (x: X0 + 20_000.0, y: Y0 + 20_000.0)])), vec!["national".into()]);
    roads.push(2, Some(Geometry::LineString(line_string![(x: X0, y: Y0 + 20_000.0), (x: X0 + 10_000.0, y: Y0 + 9_000.0), (x: X0 + 20_000.0, y: Y0)])), vec!["provincial".into()]);
    w.put_layer(&roads).unwrap();

    let mut prov = Layer::new("province_indicators", GeomKind::None, "", &[("hamlets", FieldType::Integer), ("hamlets_covered_share", FieldType::Real), ("name", FieldType::Text)]);
    prov.push(1, None, vec![Value::Int(HAMLETS), Value::Real(0.87), "Sơn La".into()]);
    w.put_layer(&prov).unwrap();

    let mut gaps = Layer::new("coverage_gaps", GeomKind::Point, CRS, &[("population", FieldType::Integer), ("commune_code", FieldType::Text)]);
    for i in 0..5i64 {
        gaps.push(i + 1, Some(Geometry::Point(point!(x: X0 + 1000.0 * i as f64, y: Y0 + 15_000.0))), vec![Value::Int(100 + 50 * ((i * 3) % 5)), "03641".into()]);
    }
    w.put_layer(&gaps).unwrap();

    let mut sites = Layer::new("proposed_sites", GeomKind::Point, CRS, &[("rank", FieldType::Integer), ("people_added", FieldType::Integer)]);
    for i in 0..3i64 {
        sites.push(10 + i, Some(Geometry::Point(point!(x: X0 + 5000.0, y: Y0 + 5000.0 * (i + 1) as f64))), vec![Value::Int(3 - i), Value::Int(900 - 100 * i)]);
    }
    w.put_layer(&sites).unwrap();

    let mut orchards = Layer::new("orchards", GeomKind::Polygon, CRS, &[("crop", FieldType::Text)]);
    orchards.push(7, Some(square(X0 + 2000.0, Y0 + 2000.0, 300.0)), vec!["mango".into()]);
    w.put_layer(&orchards).unwrap();
    let mut health = Layer::new("orchard_health", GeomKind::None, "", &[("orchard_id", FieldType::Integer), ("flight_id", FieldType::Text), ("ndvi_mean", FieldType::Real)]);
    health.push(1, None, vec![Value::Int(7), "f2".into(), Value::Real(0.55)]);
    health.push(2, None, vec![Value::Int(7), "f1".into(), Value::Real(0.71)]);
    w.put_layer(&health).unwrap();

    // Rasters on a 100 m grid over the area: an elevation ramp with a nodata hole, RSRP, classes.
    let t = GeoTransform { x0: X0, y0: Y0 + 20_000.0, dx: 100.0, dy: 100.0 };
    let mut dem = Grid::new(200, 200, t, 0.0f32, Some(-9999.0));
    let mut rsrp = Grid::new(200, 200, t, 0.0f32, Some(-9999.0));
    let mut cls = Grid::new(200, 200, t, 0u8, Some(0));
    for r in 0..200 {
        for c in 0..200 {
            dem.set(c, r, 300.0 + 5.0 * c as f32 + 3.0 * r as f32 + 40.0 * ((c as f32) * 0.2).sin());
            rsrp.set(c, r, -130.0 + 60.0 * c as f32 / 199.0);
            cls.set(c, r, 1 + (c / 40) as u8);
        }
    }
    for r in 90..110 {
        for c in 90..110 {
            dem.set(c, r, -9999.0);
        }
    }
    w.put_raster("dem", &dem, CRS, RasterStyle::Elevation).unwrap();
    w.put_raster("rsrp_any", &rsrp, CRS, RasterStyle::Rsrp).unwrap();
    w.put_raster("landslide_susceptibility", &cls, CRS, RasterStyle::RiskClasses).unwrap();
    // A UAV index at 0.5 m over the orchard.
    let tu = GeoTransform { x0: X0 + 1900.0, y0: Y0 + 2400.0, dx: 0.5, dy: 0.5 };
    let mut ndvi = Grid::new(1000, 1000, tu, 0.0f32, Some(-9999.0));
    for r in 0..1000 {
        for c in 0..1000 {
            ndvi.set(c, r, -0.1 + 0.9 * c as f32 / 999.0);
        }
    }
    w.put_raster("uav/f1/ndvi", &ndvi, CRS, RasterStyle::VegetationIndex).unwrap();
    w.commit(Manifest { dataset: "fixture".into(), crs: CRS.into(), ..Default::default() }).unwrap();
}

/// The fixture store, written once per test binary.
pub fn fixture_store() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let d = DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        write_fixture_store(&d.path().join("store"));
        d
    });
    d.path().join("store")
}

/// The demo store: `$COVERMAP_TEST_STORE`, else `out/sonla` when built, else a 90 m demo built once
/// into `target/test-demo` with the covermap binary (demo-data and build skip finished work).
pub fn demo_store() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(p) = std::env::var("COVERMAP_TEST_STORE") {
            return PathBuf::from(p);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let main = root.join("out/sonla");
        if main.join("manifest.json").exists() {
            return main;
        }
        let base = root.join("target/test-demo");
        let bin = env!("CARGO_BIN_EXE_covermap");
        let data = base.join("data");
        let store = base.join("store");
        let ok = std::process::Command::new(bin)
            .args(["demo-data", "--resolution", "90", "--out"])
            .arg(&data)
            .status()
            .expect("run covermap demo-data");
        assert!(ok.success(), "covermap demo-data failed");
        let ok = std::process::Command::new(bin).args(["build", "--data"]).arg(&data).arg("--out").arg(&store).status().expect("run covermap build");
        assert!(ok.success(), "covermap build failed");
        store
    })
    .clone()
}

/// One `GET path` over a real TCP connection to a server process on `port` (the raw response, head
/// and body); `None` when it does not answer within 5 s.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

pub fn config_for(store: &Path) -> ServerConfig {
    // Requests carry `Host: test.local:8080` (see `request`): a name links may use.
    ServerConfig { store_dir: Some(store.to_path_buf()), token: None, allowed_hosts: vec!["test.local:8080".into()], ..ServerConfig::default() }
}

pub fn state_for(store: &Path, config: ServerConfig) -> AppState {
    let cat = Catalog::from_store(covermap::store::Store::open(store).unwrap());
    assert!(cat.problems.is_empty(), "{:?}", cat.problems);
    AppState::new(cat, config)
}

pub fn app_for(store: &Path) -> Router {
    router(state_for(store, config_for(store)))
}

/// The router over the shared fixture store (see [`fixture_store`]).
pub fn app() -> Router {
    app_for(&fixture_store())
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// The body as JSON of a response that must be a 200.
    pub fn ok_json(&self) -> serde_json::Value {
        assert_eq!(self.status, 200, "{}", self.text());
        self.json()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn request(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: Body) -> Resp {
    let mut b = Request::builder().method(method).uri(uri).header("host", "test.local:8080");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = app.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Resp { status, headers, body }
}

pub async fn get(app: &Router, uri: &str) -> Resp {
    request(app, "GET", uri, &[], Body::empty()).await
}

pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Resp {
    request(app, "GET", uri, headers, Body::empty()).await
}

/// Poll a job's status URL until it is done or failed (at most 60 s); its last status.
pub async fn wait_job(app: &Router, url: &str) -> serde_json::Value {
    for _ in 0..600 {
        let j = get(app, url).await.json();
        if j["state"] == "done" || j["state"] == "failed" {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("job {url} did not finish");
}

/// Assert a JSON error with the given status whose text mentions `needle`.
pub fn assert_error(r: &Resp, status: u16, needle: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text());
    assert!(r.header("content-type").unwrap_or("").starts_with("application/json"), "{:?}", r.headers);
    let j = r.json();
    let all = format!("{} {}", j["error"].as_str().unwrap_or(""), j["detail"].as_str().unwrap_or(""));
    assert!(j["error"].is_string() && j["detail"].is_string(), "{j}");
    assert!(all.contains(needle), "`{needle}` not in {all}");
}

/// The tile (z, x, y) holding a lon/lat.
pub fn tile_of(lon: f64, lat: f64, z: u8) -> (u8, u32, u32) {
    let n = (1u64 << z) as f64;
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lr = lat.to_radians();
    let y = ((1.0 - (lr.tan() + 1.0 / lr.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}

/// The tile (z, x, y) holding a UTM 48N point.
pub fn tile_at(x: f64, y: f64, z: u8) -> (u8, u32, u32) {
    let (lon, lat) = lonlat(x, y);
    tile_of(lon, lat, z)
}

/// Lon/lat of a UTM 48N point.
pub fn lonlat(x: f64, y: f64) -> (f64, f64) {
    thread_local! {
        static T: covermap::crs::Transformer = covermap::crs::Transformer::new(CRS, "EPSG:4326").unwrap();
    }
    T.with(|t| t.convert(x, y).unwrap())
}

/// Snapshot test: `actual` must equal `tests/snapshots/<name>.snap`. With `COVERMAP_UPDATE_SNAPSHOTS=1`
/// the file is (re)written instead; a missing snapshot is written and the test fails, so a new
/// snapshot is always looked at before it is committed (insta's workflow, without the crate).
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.snap"));
    let update = std::env::var("COVERMAP_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    match std::fs::read_to_string(&path) {
        Ok(expected) if !update => {
            if expected != actual {
                let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
                panic!(
                    "snapshot {} differs (first at line {line}); rerun with COVERMAP_UPDATE_SNAPSHOTS=1 to accept:\n{actual}",
                    path.display()
                );
            }
        }
        found => {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, actual).unwrap();
            assert!(update, "new snapshot {} written (found: {}); review and commit it", path.display(), found.is_ok());
        }
    }
}

/// A decoded MVT tile as text for a snapshot: per layer its name, extent and features with their
/// id, geometry type, attributes and decoded geometry (tile coordinates).
pub fn describe_tile(bytes: &[u8]) -> String {
    use covermap::tiles::mvt::{decode_geometry, decode_tile, feature_attributes};
    use std::fmt::Write;
    let t = decode_tile(bytes).unwrap();
    let mut s = String::new();
    for l in &t.layers {
        writeln!(s, "layer {} (extent {}, {} features)", l.name, l.extent.unwrap_or(4096), l.features.len()).unwrap();
        for f in &l.features {
            let ty = f.r#type();
            let attrs: Vec<String> = feature_attributes(l, f).unwrap().iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            let geom = decode_geometry(ty, &f.geometry).unwrap();
            writeln!(s, "  id {:?} {ty:?} [{}] {geom:?}", f.id, attrs.join(", ")).unwrap();
        }
    }
    s
}

/// The coverage stage of `ds` run into a fresh store (in a temporary directory, returned with it) as
/// the build writes it, the manifest recording the effective parameters (`params`, every other
/// analysis at its defaults).
pub fn coverage_store(ds: &covermap::dataset::Dataset, params: &covermap::coverage::CoverageParams) -> (covermap::coverage::CoverageOutput, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("store");
    let mut w = StoreWriter::begin(&out).unwrap();
    let cov = covermap::coverage::stage::run(ds, params, &mut w.sink(&ds.crs)).unwrap();
    let given = [("coverage", serde_json::to_value(params).unwrap())];
    let effective = covermap::analysis::params_value_with(&ds.crs, &given).unwrap();
    w.commit(Manifest { dataset: ds.name.clone(), crs: ds.crs.clone(), params: effective, ..Default::default() }).unwrap();
    (cov, out, dir)
}
