//! `POST /api/uav/flights?date=YYYY-MM-DD[&camera=p4m|rededge|altum|generic][&bands=...]`: upload a
//! UAV flight — one GeoTIFF as the raw body, or several as `multipart/form-data` file parts (form
//! fields `date`, `camera`, `bands` accepted there too). Needs `Authorization: Bearer <token>`; with
//! no token configured every write answers 403, a missing or wrong token 401. A declared
//! `Content-Length` over `upload_max_bytes` (`serve --upload-max-mb`) is 413 before any byte is read.
//! The images are streamed to `<store>.uploads/job-<n>-<t>/`, their headers checked against the
//! store's `[uav]` limits (413 for a "decompression bomb", 507 when the disk would fill, 422 for what
//! is not a georeferenced raster), then processed in the background by the registered UAV ingest
//! ([`super::job_registry::UavIngest`], [`ingest_upload`]); `202 Accepted` points at `/api/jobs/<n>` for progress. The catalog is
//! swapped only after the job has written the store. A job's directory is removed when the job fails;
//! after success only the images the store's `uav_flights` records as the flight's sources stay (a
//! rebuild recomputes the flight from them). Directories of no running job and no recorded flight
//! are removed at server start and before every upload.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::error::{ApiError, ApiResult};
use super::http::query_map;
use super::job_registry::{Progress, UavUpload};
use super::state::AppState;

pub const CAMERAS: [&str; 4] = ["p4m", "rededge", "altum", "generic"];

/// Check the bearer token (constant-time comparison).
pub fn authorize(st: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = st.config().token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "writes are disabled",
            "no write token is configured (set COVERMAP_TOKEN or --token)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_credentials);
    let ok = given.is_some_and(|g| {
        g.len() == token.len() && g.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    });
    if !ok {
        let detail = if given.is_some() { "the bearer token is wrong" } else { "send Authorization: Bearer <token>" };
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"covermap\""));
    }
    Ok(())
}

/// The credentials of an `Authorization: Bearer <token>` value; the scheme is matched without regard
/// to case (RFC 7235 §2.1), so `BEARER` and `bearer` are accepted.
pub fn bearer_credentials(value: &str) -> Option<&str> {
    let value = value.trim_start();
    let (scheme, rest) = value.split_once(|c: char| c == ' ' || c == '\t')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim()).filter(|t| !t.is_empty())
}

fn check_date(d: &str) -> ApiResult<()> {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| ApiError::param("date", format!("`{d}` is not a date YYYY-MM-DD")))
}

/// Stream a body into `path`, enforcing the size bound; returns the bytes written.
async fn save_stream<S, E>(mut stream: S, path: &Path, written: &mut u64, max: u64) -> ApiResult<()>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut f = tokio::fs::File::create(path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())))?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("upload interrupted", e.to_string()))?;
        *written += chunk.len() as u64;
        if *written > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "upload too large",
                format!("uploads are limited to {max} bytes"),
            ));
        }
        f.write_all(&chunk).await.map_err(|e| ApiError::internal(format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())))?;
    }
    f.flush().await.map_err(|e| ApiError::internal(format!("{}: {e}", path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())))?;
    Ok(())
}

async fn receive(req: Request, dir: &Path, params: &mut std::collections::BTreeMap<String, String>, max: u64) -> ApiResult<Vec<PathBuf>> {
    let ctype = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut images = Vec::new();
    let mut written = 0u64;
    if ctype.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad_request("invalid multipart body", e.body_text()))?;
        while let Some(field) = mp.next_field().await.map_err(|e| ApiError::bad_request("invalid multipart body", e.body_text()))? {
            let name = field.name().unwrap_or("").to_string();
            if field.file_name().is_some() || name == "image" || name == "images" {
                let path = dir.join(format!("image-{}.tif", images.len() + 1));
                save_stream(field.map(|r| r.map_err(|e| e.body_text())).boxed(), &path, &mut written, max).await?;
                images.push(path);
            } else if ["date", "camera", "bands"].contains(&name.as_str()) {
                let text = field.text().await.map_err(|e| ApiError::bad_request("invalid multipart body", e.body_text()))?;
                params.insert(name, text.trim().to_string());
            } else {
                return Err(ApiError::bad_request(
                    format!("unknown form field `{name}`"),
                    "send image files and the fields date, camera, bands",
                ));
            }
        }
    } else {
        let path = dir.join("image-1.tif");
        let stream = req.into_body().into_data_stream();
        save_stream(stream, &path, &mut written, max).await?;
        if written > 0 {
            images.push(path);
        }
    }
    let mut kept = Vec::new();
    for p in images {
        let len = tokio::fs::metadata(&p).await.map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            kept.push(p);
        }
    }
    if kept.is_empty() {
        return Err(ApiError::bad_request("no image uploaded", "send a GeoTIFF as the body or as multipart file parts"));
    }
    Ok(kept)
}

/// Job directories of uploads being received or processed (in any server of this process).
static ACTIVE: std::sync::Mutex<std::collections::BTreeSet<PathBuf>> = std::sync::Mutex::new(std::collections::BTreeSet::new());

fn set_active(dir: &Path, on: bool) {
    let mut a = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
    if on {
        a.insert(dir.to_path_buf());
    } else {
        a.remove(dir);
    }
}

/// `<store>.uploads`, where uploads are received.
pub fn uploads_root(store_dir: &Path) -> PathBuf {
    PathBuf::from(format!("{}.uploads", store_dir.display()))
}

/// Remove what failed or killed uploads left: every job directory that belongs to no running job and
/// holds no image a flight of the store was made from, and the store's abandoned staging
/// directories. Blocking (file system); returns the directories removed.
pub fn clean_uploads(st: &AppState) -> Vec<PathBuf> {
    let Some(store_dir) = st.store_dir().map(Path::to_path_buf) else { return Vec::new() };
    crate::store::writer::remove_abandoned_staging(&store_dir);
    let root = uploads_root(&store_dir);
    let Ok(entries) = std::fs::read_dir(&root) else { return Vec::new() };
    // Images of recorded flights, as the catalog shows them: relative to the store's parent.
    let parent = store_dir.parent().map(Path::to_path_buf).unwrap_or_default();
    let cat = st.catalog();
    let mut kept = std::collections::BTreeSet::new();
    if let Some(src) = cat.vector(crate::uav::layers::UAV_FLIGHTS) {
        if let Some(k) = src.fields.iter().position(|f| f.name == "images") {
            for row in &src.values {
                if let crate::store::Value::Text(t) = &row[k] {
                    for img in t.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                        if let Some(dir) = parent.join(img).parent() {
                            kept.insert(dir.to_path_buf());
                        }
                    }
                }
            }
        }
    }
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        let is_job = e.file_name().to_string_lossy().starts_with("job-") && e.file_type().is_ok_and(|t| t.is_dir());
        if is_job && !active.contains(&p) && !kept.contains(&p) && std::fs::remove_dir_all(&p).is_ok() {
            removed.push(p);
        }
    }
    removed
}

/// The store's `[uav]` parameters (limits included), from its manifest; defaults for missing keys.
fn store_uav_params(st: &AppState) -> ApiResult<crate::uav::UavParams> {
    let cat = st.catalog();
    match cat.manifest.as_ref().and_then(|m| m.pointer("/params/uav")).filter(|v| !v.is_null()) {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| ApiError::internal(format!("the store's [uav] parameters: {e}"))),
        None => Ok(crate::uav::UavParams::default()),
    }
}

/// Check the saved images from their headers, before any pixel is read: a raster with a CRS, within
/// the store's `[uav]` size limits, leaving the disk margin free.
async fn check_images(st: &AppState, images: &[PathBuf], dir: &Path) -> ApiResult<()> {
    let params = store_uav_params(st)?;
    // Messages name files relative to the store's directory (`<store>.uploads/job-…` is beside it).
    let root = dir.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let (images, dir) = (images.to_vec(), dir.to_path_buf());
    let r = tokio::task::spawn_blocking(move || -> crate::Result<()> {
        for p in &images {
            let ds = gdal::Dataset::open(p).map_err(|e| crate::Error::input(p, format!("not a raster GDAL can read: {e}")))?;
            if ds.projection().trim().is_empty() {
                return Err(crate::Error::input(p, "the image has no CRS"));
            }
        }
        crate::uav::limits::check_flight(&images, &params, &dir).map(|_| ())
    })
    .await
    .map_err(|e| ApiError::internal(format!("image check task: {e}")))?;
    r.map_err(|e| match e {
        crate::Error::Input { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid image", crate::store::redact_paths(&e.to_string(), &root))
        }
        other => {
            let mut a = ApiError::from(other);
            a.detail = crate::store::redact_paths(&a.detail, &root);
            a
        }
    })
}

pub async fn post_flight(State(st): State<AppState>, req: Request<Body>) -> ApiResult<Response> {
    authorize(&st, req.headers())?;
    let store_dir = st
        .config()
        .store_dir
        .clone()
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "no results store", "this server serves archives only"))?;
    let max = st.config().upload_max_bytes;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > max) {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload too large",
            format!("the body declares {n} bytes; uploads are limited to {max} bytes ({} MB, serve --upload-max-mb)", max >> 20),
        ));
    }
    let mut params = query_map(req.uri().query());
    for k in params.keys() {
        if !["date", "camera", "bands"].contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!("unknown parameter `{k}`"), "accepted: date, camera, bands"));
        }
    }
    {
        let st = st.clone();
        let _ = tokio::task::spawn_blocking(move || clean_uploads(&st)).await;
    }
    let job_id = st.jobs().create("uav-flight");
    // Job numbers restart with the server: the time keeps a new job clear of a kept flight's images.
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let uploads = uploads_root(&store_dir).join(format!("job-{job_id}-{stamp}"));
    set_active(&uploads, true);
    if let Err(e) = tokio::fs::create_dir_all(&uploads).await {
        set_active(&uploads, false);
        st.jobs().finish(job_id, Err("cannot create the upload directory".into()));
        return Err(ApiError::internal(format!("cannot create the upload directory: {}", e.kind())));
    }
    let received = receive(req, &uploads, &mut params, max).await;
    let validated = received.and_then(|images| {
        let date = params.get("date").cloned().ok_or_else(|| ApiError::param("date", "the flight date is required (YYYY-MM-DD)"))?;
        check_date(&date)?;
        let camera = params.get("camera").cloned().unwrap_or_else(|| "generic".into());
        if !CAMERAS.contains(&camera.as_str()) {
            return Err(ApiError::param("camera", format!("`{camera}`: one of {}", CAMERAS.join(", "))));
        }
        Ok(UavUpload { job_id, images, date, camera, bands: params.get("bands").cloned(), store_dir })
    });
    let validated = match validated {
        Ok(u) => check_images(&st, &u.images, &uploads).await.map(|()| u),
        Err(e) => Err(e),
    };
    let upload = match validated {
        Ok(u) => u,
        Err(e) => {
            let _ = tokio::fs::remove_dir_all(&uploads).await;
            set_active(&uploads, false);
            st.jobs().finish(job_id, Err(format!("rejected: {}", e.detail)));
            return Err(e);
        }
    };
    let st2 = st.clone();
    tokio::spawn(async move { run_job(st2, upload, uploads).await });
    let status_url = format!("/api/jobs/{job_id}");
    let mut res = (StatusCode::ACCEPTED, json!({"job": job_id, "state": "queued", "status_url": status_url}).to_string()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// The background part: validate the images with GDAL, run the ingest, swap the catalog.
async fn run_job(st: AppState, upload: UavUpload, dir: PathBuf) {
    let id = upload.job_id;
    let ingest = st.uav_ingest();
    let st2 = st.clone();
    let r = tokio::task::spawn_blocking(move || -> Result<serde_json::Value, String> {
        st2.jobs().progress(id, 0.0, "checking images");
        for p in &upload.images {
            let ds = gdal::Dataset::open(p).map_err(|e| format!("{}: not a raster GDAL can read: {e}", p.display()))?;
            if ds.projection().trim().is_empty() {
                return Err(format!("{}: the image has no CRS", p.display()));
            }
        }
        let Some(ingest) = ingest else {
            return Err(format!(
                "UAV processing is not available in this server (no ingest registered); images kept in {}",
                upload.images.first().and_then(|p| p.parent()).map(|p| p.display().to_string()).unwrap_or_default()
            ));
        };
        let report = |p: f64, m: &str| st2.jobs().progress(id, p, m);
        ingest(&upload, &report).map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("job task: {e}")));
    let r = match r {
        Ok(v) => match st.reload().await {
            Ok(()) => Ok(v),
            Err(e) => Err(format!("processed, but the store could not be reloaded: {e}")),
        },
        Err(e) => Err(e),
    };
    // A failed job's files go now; a done job's images stay as its flight's sources (the store's
    // `uav_flights` records them), anything else in the directory goes with the next clean-up.
    if r.is_err() {
        let _ = tokio::fs::remove_dir_all(&dir).await;
    }
    set_active(&dir, false);
    let root = st.store_dir().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    st.jobs().finish(id, r.map_err(|e| crate::store::redact_paths(&e, &root)));
    let st2 = st.clone();
    let _ = tokio::task::spawn_blocking(move || clean_uploads(&st2)).await;
}
/// The background processing of an uploaded flight: the UAV analysis' ingest of the request built
/// from the upload (registered by `serve_with`, or by a test with
/// `state.set_uav_ingest(Arc::new(covermap::server::uav_upload::ingest_upload))`). Progress is
/// reported as 0–1 (indices up to 0.85, parcels to 0.95, change to 1) with the current step.
pub fn ingest_upload(up: &UavUpload, progress: Progress<'_>) -> crate::Result<serde_json::Value> {
    let req = crate::uav::IngestRequest {
        images: up.images.clone(),
        date: up.date.clone(),
        camera: up.camera.clone(),
        bands: up.bands.clone().filter(|b| !b.trim().is_empty()),
        scale: None,
        id: None,
    };
    let report = |step: &str, done: u64, total: u64| {
        let f = if total == 0 { 0.0 } else { done as f64 / total as f64 };
        let (p, msg) = match step {
            "indices" => (0.85 * f, "vegetation indices"),
            "parcels" => (0.85 + 0.1 * f, "parcel statistics"),
            _ => (0.95 + 0.05 * f, "change against the previous flight"),
        };
        progress(p, msg);
    };
    let r = crate::uav::ingest_request(&up.store_dir, &req, &report)?;
    serde_json::to_value(&r).map_err(|e| crate::Error::Codec(e.to_string()))
}

