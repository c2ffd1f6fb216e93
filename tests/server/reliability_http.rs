//! Issue 13, HTTP and uploads against the real router (with the real UAV ingest registered): no
//! absolute path reaches an unauthenticated client (item 14); links and TileJSON use `--public-url`
//! or a Host naming this server, never a forged one (15); the bearer scheme is case-insensitive (16);
//! a declared Content-Length over `--upload-max-mb` is 413 at once (2); a sparse "decompression
//! bomb" GeoTIFF is refused from its header with 413 (1); failed jobs and stale job directories are
//! removed (3).

use super::server_common as common;
use super::uav_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use common::{assert_error, fixture_store, get, request, state_for, wait_job, Resp};
use http_body_util::BodyExt;
use tower::ServiceExt;
use covermap::dataset::{Crop, Orchard};
use covermap::server::{load_state, router, ServerConfig};
use uav_support::{make_store, square, uniform_image};

const X0: f64 = 500_000.0;
const Y0: f64 = 2_350_000.0;
const TOKEN: &str = "s3cret";

/// A store with two orchards, served with uploads enabled (token [`TOKEN`]).
async fn upload_app(tmp: &Path, cfg: impl FnOnce(ServerConfig) -> ServerConfig) -> (Router, PathBuf) {
    let store = tmp.join("out/t");
    let orchards = vec![
        Orchard { id: 1, crop: Crop::Mango, commune_code: "04125".into(), geom: square(X0 + 20.0, Y0 - 80.0, 50.0) },
        Orchard { id: 2, crop: Crop::Longan, commune_code: "04125".into(), geom: square(X0 + 100.0, Y0 - 120.0, 60.0) },
    ];
    make_store(&store, &orchards);
    let base = ServerConfig { store_dir: Some(store.clone()), token: Some(TOKEN.into()), ..ServerConfig::default() };
    let state = load_state(cfg(base)).await.unwrap();
    state.set_uav_ingest(Arc::new(covermap::server::uav_upload::ingest_upload));
    (router(state), store)
}

async fn post(app: &Router, query: &str, auth: &str, body: Vec<u8>, extra: &[(&str, &str)]) -> Resp {
    let mut h = vec![("authorization", auth), ("content-type", "image/tiff")];
    h.extend_from_slice(extra);
    request(app, "POST", &format!("/api/uav/flights?{query}"), &h, Body::from(body)).await
}

/// Job directories under `<store>.uploads`.
fn job_dirs(store: &Path) -> Vec<String> {
    let root = PathBuf::from(format!("{}.uploads", store.display()));
    let mut v: Vec<String> = std::fs::read_dir(root).map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// A GeoTIFF declaring `w` × `h` px × `bands` with no pixel stored (SPARSE_OK): kilobytes on disk.
fn sparse_tiff(path: &Path, w: usize, h: usize, bands: usize) -> Vec<u8> {
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let opts = gdal::raster::RasterCreationOptions::from_iter(["SPARSE_OK=TRUE", "COMPRESS=DEFLATE", "TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "BIGTIFF=YES"]);
    let mut ds = drv.create_with_band_type_with_options::<u16, _>(path, w, h, bands, &opts).unwrap();
    ds.set_geo_transform(&[X0, 0.05, 0.0, Y0, 0.0, -0.05]).unwrap();
    ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(32648).unwrap()).unwrap();
    drop(ds);
    std::fs::read(path).unwrap()
}

/// Item 1: the probe's bomb (50,000 × 47,640 px × 5 bands, sparse DEFLATE) is refused with 413 from
/// its header, before any pixel is read — and its job directory is gone at once (item 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, store) = upload_app(tmp.path(), |c| c).await;
    let bomb = sparse_tiff(&tmp.path().join("bomb.tif"), 50_000, 47_640, 5);
    assert!(bomb.len() < 4 << 20, "the bomb should be small: {} bytes", bomb.len());
    let t = std::time::Instant::now();
    let r = post(&app, "date=2026-06-04&camera=p4m", &format!("Bearer {TOKEN}"), bomb, &[]).await;
    assert_error(&r, 413, "uav.max_flight_pixels");
    assert!(r.text().contains("2382000000"), "{}", r.text());
    assert!(t.elapsed() < std::time::Duration::from_secs(20), "the bomb was processed, not refused: {:?}", t.elapsed());
    assert!(job_dirs(&store).is_empty(), "the refused upload left {:?}", job_dirs(&store));
    assert!(!r.text().contains(&tmp.path().display().to_string()), "a server path leaked: {}", r.text());
}

/// Item 2: a declared Content-Length over the limit is refused before the body is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_oversize_body_is_413_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, store) = upload_app(tmp.path(), |c| ServerConfig { upload_max_bytes: 1 << 20, ..c }).await;
    let r = post(&app, "date=2026-06-04&camera=p4m", &format!("Bearer {TOKEN}"), vec![0u8; 16], &[("content-length", "2097152")]).await;
    assert_error(&r, 413, "limited to 1048576 bytes");
    assert!(job_dirs(&store).is_empty(), "{:?}", job_dirs(&store));
    // The default is a sane bound, not 8 GiB.
    assert_eq!(ServerConfig::default().upload_max_bytes, 4096 << 20);
}

/// Items 3 and 14: a job that fails in the background leaves no files and no server path in its
/// status; a stale job directory (a killed server's) is removed by the next upload; a done job keeps
/// exactly its flight's images, and neither `/api/uav/flights` nor the `uav_flights` items show a
/// server path; `/health` names the store without its path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_files_are_cleaned_and_no_path_leaks() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().display().to_string();
    let (app, store) = upload_app(tmp.path(), |c| c).await;
    let stale = PathBuf::from(format!("{}.uploads/job-7-1", store.display()));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("image-1.tif"), b"left by a killed server").unwrap();

    // A flight far from every orchard: accepted, then the job fails.
    let away = std::fs::read(uniform_image(&tmp.path().join("away.tif"), X0 + 50_000.0, Y0, 200, 100, 5)).unwrap();
    let r = post(&app, "date=2026-06-03&camera=p4m", &format!("Bearer {TOKEN}"), away, &[]).await;
    assert_eq!(r.status.as_u16(), 202, "{}", r.text());
    assert!(!stale.exists(), "the stale job directory was not removed");
    let j = wait_job(&app, r.json()["status_url"].as_str().unwrap()).await;
    assert_eq!(j["state"], "failed", "{j}");
    assert!(j["message"].as_str().unwrap().contains("covers no orchard"), "{j}");
    assert!(!j.to_string().contains(&secret), "the job status shows a server path: {j}");
    assert!(job_dirs(&store).is_empty(), "the failed job left {:?}", job_dirs(&store));

    // A good flight: done; its image is kept as the flight's source, nothing else.
    let good = std::fs::read(uniform_image(&tmp.path().join("good.tif"), X0, Y0, 400, 300, 5)).unwrap();
    let r = post(&app, "date=2026-06-04&camera=p4m", &format!("Bearer {TOKEN}"), good, &[]).await;
    assert_eq!(r.status.as_u16(), 202, "{}", r.text());
    let j = wait_job(&app, r.json()["status_url"].as_str().unwrap()).await;
    assert_eq!(j["state"], "done", "{j}");
    let kept = job_dirs(&store);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let files: Vec<_> = std::fs::read_dir(PathBuf::from(format!("{}.uploads/{}", store.display(), kept[0]))).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(files, vec![std::ffi::OsString::from("image-1.tif")]);

    for url in ["/api/uav/flights", "/collections/uav_flights/items", "/health", "/catalog"] {
        let r = get(&app, url).await;
        assert_eq!(r.status.as_u16(), 200, "{url}: {}", r.text());
        assert!(!r.text().contains(&secret), "{url} shows a server path: {}", r.text());
    }
    let flights = get(&app, "/api/uav/flights").await.text();
    assert!(flights.contains(&format!("t.uploads/{}/image-1.tif", kept[0])), "images relative to the store: {flights}");
    assert_eq!(get(&app, "/health").await.json()["store"], "t");
}

/// GET `uri` with exactly one Host header, `host` (the shared helper always sends test.local:8080).
async fn get_host(app: &Router, uri: &str, host: &str) -> (u16, String) {
    let req = axum::http::Request::get(uri).header("host", host).body(Body::empty()).unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Item 15: links and TileJSON use the configured public URL; without one, a Host naming this server;
/// a forged Host never.
#[tokio::test]
async fn links_use_the_public_url_or_an_allowed_host() {
    let store = fixture_store();
    let public = router(state_for(&store, ServerConfig { store_dir: Some(store.clone()), public_url: Some("https://gis.example.org/covermap/".into()), ..ServerConfig::default() }));
    let tj = json(&get_host(&public, "/tiles/communes.json", "evil.example").await.1);
    assert!(tj["tiles"][0].as_str().unwrap().starts_with("https://gis.example.org/covermap/tiles/communes/"), "{tj}");
    let items = json(&get_host(&public, "/collections/communes/items?limit=1", "evil.example").await.1);
    assert!(items["links"][0]["href"].as_str().unwrap().starts_with("https://gis.example.org/covermap/collections/"), "{items}");

    let plain = router(state_for(&store, ServerConfig { store_dir: Some(store.clone()), ..ServerConfig::default() }));
    for forged in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example:8080", "127.0.0.1:9999"] {
        let tj = json(&get_host(&plain, "/tiles/communes.json", forged).await.1);
        assert!(tj["tiles"][0].as_str().unwrap().starts_with("http://127.0.0.1:8080/tiles/"), "Host {forged}: {tj}");
        let (status, body) = get_host(&plain, "/collections", forged).await;
        assert_eq!(status, 200);
        assert!(!body.contains("evil") && !body.contains("9999"), "Host {forged} was echoed: {body}");
    }
    for own in ["127.0.0.1:8080", "localhost:8080"] {
        let tj = json(&get_host(&plain, "/tiles/communes.json", own).await.1);
        assert!(tj["tiles"][0].as_str().unwrap().starts_with(&format!("http://{own}/tiles/")), "Host {own}: {tj}");
    }
    let listed = router(state_for(&store, ServerConfig { store_dir: Some(store.clone()), allowed_hosts: vec!["maps.intranet:8080".into()], ..ServerConfig::default() }));
    let tj = json(&get_host(&listed, "/tiles/communes.json", "maps.intranet:8080").await.1);
    assert!(tj["tiles"][0].as_str().unwrap().starts_with("http://maps.intranet:8080/tiles/"), "{tj}");
}

/// Item 16: the authorization scheme is case-insensitive (RFC 7235 §2.1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = upload_app(tmp.path(), |c| c).await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        // Authorized, then refused for the missing date: 400, not 401.
        let r = post(&app, "camera=p4m", &format!("{scheme} {TOKEN}"), b"II*\0".to_vec(), &[]).await;
        assert_eq!(r.status.as_u16(), 400, "{scheme}: {}", r.text());
    }
    for wrong in [format!("Bearer{TOKEN}"), format!("Basic {TOKEN}"), format!("Bearer {TOKEN}x"), "Bearer ".into()] {
        let r = post(&app, "camera=p4m", &wrong, b"II*\0".to_vec(), &[]).await;
        assert_eq!(r.status.as_u16(), 401, "{wrong}: {}", r.text());
    }
}
