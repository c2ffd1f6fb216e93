//! The application APIs on a synthetic store (indicators, gaps, planner, UAV flights and parcels) and
//! the UAV upload: 403 without a configured token, 401 on a wrong one, 202 and a background job with
//! progress, the catalog swapped when the job has written the store.

use super::server_common as common;

use std::sync::Arc;

use axum::body::Body;
use common::*;
use covermap::server::{router, ServerConfig, UavIngest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indicators_json_and_csv() {
    let app = app();
    let j = get(&app, "/api/indicators?level=province").await.json();
    assert_eq!(j["level"], "province");
    assert_eq!(j["rows"][0]["hamlets"], HAMLETS);
    assert_eq!(j["rows"][0]["name"], "Sơn La");
    let j = get(&app, "/api/indicators").await.json();
    assert_eq!(j["level"], "province", "province by default");
    let j = get(&app, "/api/indicators?level=commune").await.json();
    assert_eq!(j["count"], 4);
    assert!(j["rows"][0]["lon"].is_number());
    let c = get(&app, "/api/indicators?level=commune&format=csv").await;
    assert_eq!(c.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(c.text().starts_with("id,code,name,population,share,lon,lat\n"));
    assert_error(&get(&app, "/api/indicators?level=district").await, 404, "district_indicators");
    assert_error(&get(&app, "/api/indicators?level=planet").await, 400, "`level`");
    assert_error(&get(&app, "/api/indicators?format=xls").await, 400, "`f`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gaps_and_planner_are_ordered() {
    let app = app();
    let j = get(&app, "/api/gaps").await.json();
    let pops: Vec<i64> = j["rows"].as_array().unwrap().iter().map(|r| r["population"].as_i64().unwrap()).collect();
    assert_eq!(pops.len(), 5);
    assert!(pops.windows(2).all(|w| w[0] >= w[1]), "most people first: {pops:?}");
    let j = get(&app, "/api/gaps?limit=2").await.json();
    assert_eq!(j["count"], 2);
    assert_eq!(j["total"], 5);
    let j = get(&app, "/api/planner?k=2").await.json();
    let ranks: Vec<i64> = j["rows"].as_array().unwrap().iter().map(|r| r["rank"].as_i64().unwrap()).collect();
    assert_eq!(ranks, vec![1, 2]);
    assert_eq!(j["available"], 3);
    assert_error(&get(&app, "/api/planner?k=0").await, 400, "`k`");
    assert_error(&get(&app, "/api/planner?k=x").await, 400, "`k`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uav_flights_and_parcels() {
    let app = app();
    let j = get(&app, "/api/uav/flights").await.json();
    let f = &j["flights"][0];
    assert_eq!(f["flight_id"], "f1");
    assert_eq!(f["rasters"][0]["index"], "ndvi");
    assert_eq!(f["rasters"][0]["layer"], "uav_f1_ndvi");
    assert!(f["rasters"][0]["tiles"].as_str().unwrap().ends_with("/tiles/uav_f1_ndvi/{z}/{x}/{y}.png"));
    let p = get(&app, "/api/uav/parcels/7").await.json();
    assert_eq!(p["orchard"]["crop"], "mango");
    let flights: Vec<&str> = p["history"].as_array().unwrap().iter().map(|r| r["flight_id"].as_str().unwrap()).collect();
    assert_eq!(flights, vec!["f1", "f2"], "ordered by flight");
    assert_error(&get(&app, "/api/uav/parcels/8").await, 404, "8");
    assert_error(&get(&app, "/api/uav/parcels/x").await, 400, "`id`");
}

fn tiff_bytes() -> Vec<u8> {
    // A 5-band reflectance GeoTIFF in UTM, as a drone orthomosaic would come.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.tif");
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = drv.create_with_band_type::<f32, _>(&p, 8, 8, 5).unwrap();
    ds.set_geo_transform(&[X0 + 2000.0, 1.0, 0.0, Y0 + 2300.0, 0.0, -1.0]).unwrap();
    ds.set_spatial_ref(&gdal::spatial_ref::SpatialRef::from_epsg(32648).unwrap()).unwrap();
    drop(ds);
    std::fs::read(&p).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_needs_a_token() {
    let store = fixture_store();
    // No token configured: 403.
    let app = router(state_for(&store, ServerConfig { token: None, ..config_for(&store) }));
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &[("authorization", "Bearer x")], Body::from(tiff_bytes())).await;
    assert_error(&r, 403, "token");
    // Token configured: missing → 401, wrong → 401.
    let app = router(state_for(&store, ServerConfig { token: Some("s3cret".into()), ..config_for(&store) }));
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &[], Body::from(tiff_bytes())).await;
    assert_error(&r, 401, "Bearer");
    assert_eq!(r.header("www-authenticate"), Some("Bearer realm=\"covermap\""));
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &[("authorization", "Bearer s3cre7")], Body::from(tiff_bytes())).await;
    assert_error(&r, 401, "wrong");
    // Right token, bad parameters → 400.
    let auth = [("authorization", "Bearer s3cret")];
    let r = request(&app, "POST", "/api/uav/flights?date=2024-13-01", &auth, Body::from(tiff_bytes())).await;
    assert_error(&r, 400, "`date`");
    let r = request(&app, "POST", "/api/uav/flights", &auth, Body::from(tiff_bytes())).await;
    assert_error(&r, 400, "`date`");
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01&camera=nikon", &auth, Body::from(tiff_bytes())).await;
    assert_error(&r, 400, "`camera`");
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &auth, Body::empty()).await;
    assert_error(&r, 400, "no image");
    // Without a registered ingest the job fails, naming why.
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &auth, Body::from(tiff_bytes())).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let url = r.header("location").unwrap().to_string();
    let j = wait_job(&app, &url).await;
    assert_eq!(j["state"], "failed");
    assert!(j["message"].as_str().unwrap().contains("no ingest registered"));
    // Not a raster: refused at once from the header check (422), its job marked failed.
    let r = request(&app, "POST", "/api/uav/flights?date=2024-03-01", &auth, Body::from(b"not a tiff".to_vec())).await;
    assert_error(&r, 422, "not a raster");
    assert_error(&get(&app, "/api/jobs/999").await, 404, "999");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_runs_the_ingest_and_swaps_the_catalog() {
    // A private copy of the fixture store: the ingest adds a flight's raster to it.
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    write_fixture_store(&store);
    let st = state_for(&store, ServerConfig { token: Some("t".into()), ..config_for(&store) });
    let ingest: UavIngest = Arc::new(|u: &covermap::server::UavUpload, progress| {
        progress(0.5, "indices");
        let (mut w, m) = covermap::store::StoreWriter::begin_update(&u.store_dir)?;
        let t = covermap::grid::GeoTransform { x0: X0 + 1900.0, y0: Y0 + 2400.0, dx: 1.0, dy: 1.0 };
        let g = covermap::grid::Grid::new(50, 50, t, 0.6f32, Some(-9999.0));
        w.put_raster(&format!("uav/{}/ndvi", u.date), &g, CRS, covermap::store::RasterStyle::VegetationIndex)?;
        w.commit(m)?;
        Ok(serde_json::json!({"flight": u.date, "images": u.images.len()}))
    });
    st.set_uav_ingest(ingest);
    let app = router(st.clone());
    assert_eq!(get(&app, "/tiles/uav_2024-05-02_ndvi.json").await.status, 404);
    // Multipart with the form fields.
    let boundary = "XyZbOuNdArY";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"date\"\r\n\r\n2024-05-02\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"camera\"\r\n\r\np4m\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.tif\"\r\nContent-Type: image/tiff\r\n\r\n").as_bytes());
    body.extend_from_slice(&tiff_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = request(&app, "POST", "/api/uav/flights", &[("authorization", "Bearer t"), ("content-type", &ct)], Body::from(body)).await;
    assert_eq!(r.status, 202, "{}", r.text());
    let j = wait_job(&app, r.header("location").unwrap()).await;
    assert_eq!(j["state"], "done", "{j}");
    assert_eq!(j["result"]["images"], 1);
    assert_eq!(j["progress"], 1.0);
    // The new flight is served.
    assert_eq!(get(&app, "/tiles/uav_2024-05-02_ndvi.json").await.status, 200);
    let f = get(&app, "/api/uav/flights").await.json();
    assert!(f["flights"].as_array().unwrap().iter().any(|f| f["flight_id"] == "2024-05-02"));
}
