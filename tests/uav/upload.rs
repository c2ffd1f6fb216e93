//! The upload endpoint with the real UAV processing registered: 403 with no token configured, 401
//! with a wrong one, and with the right one a background job whose progress is visible and whose
//! result shows up in `GET /api/uav/flights` and `GET /api/uav/parcels/{id}` once the store is swapped.

use super::uav_support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use covermap::dataset::{Crop, Orchard};
use covermap::server::{load_state, router, ServerConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;
use uav_support::*;

const X0: f64 = 500_000.0;
const Y0: f64 = 2_350_000.0;

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

fn upload(token: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut b = Request::post("/api/uav/flights?date=2026-03-10&camera=p4m").header("content-type", "image/tiff");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_is_processed_in_the_background_and_then_served() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("out/t");
    let orchards = vec![
        Orchard { id: 1, crop: Crop::Mango, commune_code: "04125".into(), geom: square(X0 + 20.0, Y0 - 80.0, 50.0) },
        Orchard { id: 2, crop: Crop::Longan, commune_code: "04125".into(), geom: square(X0 + 100.0, Y0 - 120.0, 60.0) },
    ];
    make_store(&store, &orchards);
    let image = std::fs::read(uniform_image(&tmp.path().join("f.tif"), X0, Y0, 400, 300, 5)).unwrap();

    // No token configured: writes are refused outright.
    let cfg = ServerConfig { store_dir: Some(store.clone()), token: None, ..ServerConfig::default() };
    let app = router(load_state(cfg).await.unwrap());
    assert_eq!(call(&app, upload(Some("x"), image.clone())).await.0, StatusCode::FORBIDDEN);

    let cfg = ServerConfig { store_dir: Some(store.clone()), token: Some("s3cret".into()), ..ServerConfig::default() };
    let state = load_state(cfg).await.unwrap();
    state.set_uav_ingest(Arc::new(covermap::server::uav_upload::ingest_upload));
    let app = router(state);
    assert_eq!(call(&app, upload(Some("wrong"), image.clone())).await.0, StatusCode::UNAUTHORIZED);

    let (status, body) = call(&app, upload(Some("s3cret"), image)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let job_url = body["status_url"].as_str().unwrap().to_string();
    let mut last = serde_json::Value::Null;
    for _ in 0..600 {
        let (s, j) = call(&app, Request::get(&job_url).body(Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        last = j;
        if last["state"] == "done" || last["state"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["state"], "done", "{last}");
    assert_eq!(last["result"]["flight_id"], "2026-03-10");
    assert_eq!(last["result"]["parcels"], 2);

    let (s, flights) = call(&app, Request::get("/api/uav/flights").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(flights.to_string().contains("2026-03-10"), "{flights}");
    let (s, parcel) = call(&app, Request::get("/api/uav/parcels/2").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(parcel.to_string().contains("healthy"), "{parcel}");
}
