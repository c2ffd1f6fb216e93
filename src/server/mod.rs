//! The HTTP server (axum 0.8): tiles, TileJSON and legends, OGC API – Features, the application APIs,
//! the UAV upload, the web viewer, `/health` and `/metrics`. One file per resource; the shared
//! behaviour is written once: JSON errors (`error.rs`), encoding negotiation, ETag/304 and
//! Cache-Control (`http.rs`), the byte-bounded tile cache (`cache.rs`), request timing, timeouts and
//! metrics (`metrics.rs`), CORS and response compression (layers below), graceful shutdown on SIGTERM.
//! A request never recomputes an analysis: everything is read from the catalog built at start.

// Handlers answer errors as JSON, never panic on a request: no unwrap outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod cache;
pub mod calibration;
pub mod catalog;
pub mod collections;
pub mod error;
pub mod extract;
pub mod gaps;
pub mod geojson;
pub mod health;
pub mod http;
pub mod indicators;
pub mod items;
pub mod job_registry;
pub mod jobs;
pub mod landing;
pub mod legend;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod planner;
pub mod request_metrics;
pub mod routes;
pub mod rows;
pub mod state;
pub mod tilejson;
pub mod tiles;
pub mod uav;
pub mod uav_upload;
pub mod viewer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};

use crate::error::{Error, Result};
use crate::tiles::archive::ArchiveSource;
use crate::tiles::Catalog;
pub use error::ApiError;
pub use job_registry::{UavIngest, UavUpload};
pub use state::AppState;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The results store served (None: archives only).
    pub store_dir: Option<PathBuf>,
    /// Tile archives served beside (or instead of) the store.
    pub archives: Vec<PathBuf>,
    pub bind: String,
    pub port: u16,
    /// Bound of the in-memory tile cache.
    pub cache_bytes: u64,
    /// Bearer token for writes; `None`: writes answer 403.
    pub token: Option<String>,
    pub request_timeout: Duration,
    pub upload_timeout: Duration,
    /// Largest upload body (`serve --upload-max-mb`); a declared `Content-Length` above it is 413 at once.
    pub upload_max_bytes: u64,
    /// A client must send a whole request header within this time (slowloris).
    pub header_read_timeout: Duration,
    /// Concurrent connections served; more wait in the listen backlog.
    pub max_connections: usize,
    /// The base URL clients reach the service at (`serve --public-url`, e.g. behind a proxy): every
    /// absolute link (items, TileJSON `tiles`) starts with it. Without it, links use the request's
    /// `Host` only when it names this server (see [`ServerConfig::host_allowed`]).
    pub public_url: Option<String>,
    /// Extra `Host` values accepted for links (`host` or `host:port`), beside the bind address.
    pub allowed_hosts: Vec<String>,
}

/// Default upload bound: a 5-band 16-bit orthomosaic of 4 × 10⁸ px is about 4 GB uncompressed.
pub const DEFAULT_UPLOAD_MAX_MB: u64 = 4096;

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            store_dir: None,
            archives: Vec::new(),
            bind: "127.0.0.1".into(),
            port: 8080,
            cache_bytes: 256 << 20,
            token: std::env::var("COVERMAP_TOKEN").ok().filter(|t| !t.is_empty()),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(3600),
            upload_max_bytes: DEFAULT_UPLOAD_MAX_MB << 20,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            public_url: None,
            allowed_hosts: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// `host:port` for absolute links when a request has no Host header.
    pub fn host(&self) -> String {
        if self.bind.contains(':') {
            format!("[{}]:{}", self.bind, self.port)
        } else {
            format!("{}:{}", self.bind, self.port)
        }
    }

    /// Whether a request's `Host` may be echoed into links: this server's own address (the bind
    /// address, or any local name when bound to all interfaces) on its port, or a configured host.
    /// Anything else (a forged `Host`) gets links to [`ServerConfig::host`].
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
            return true;
        }
        let (name, port) = match host.rsplit_once(':') {
            Some((n, p)) if !n.ends_with(':') && !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => (n, p.parse::<u16>().ok()),
            _ => (host.as_str(), Some(80)),
        };
        if port != Some(self.port) {
            return false;
        }
        let unbracket = |s: &str| s.trim_start_matches('[').trim_end_matches(']').to_string();
        let (name, bind) = (unbracket(name), unbracket(&self.bind.to_ascii_lowercase()));
        let is_local = |n: &str| ["localhost", "127.0.0.1", "::1"].contains(&n);
        let wildcard = bind == "0.0.0.0" || bind == "::";
        name == bind
            || (is_local(&name) && (wildcard || is_local(&bind)))
            || (wildcard && (name.parse::<std::net::IpAddr>().is_ok() || Some(&name) == hostname().as_ref()))
    }
}

/// This machine's host name (lower case), for `Host` checks when bound to all interfaces.
fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    std::str::from_utf8(&buf[..end]).ok().map(|s| s.to_ascii_lowercase())
}

/// The router over a state; integration tests drive it with `tower::ServiceExt::oneshot`.
pub fn router(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_NONE_MATCH, header::ACCEPT])
        .expose_headers([header::ETAG, header::LOCATION, header::CONTENT_ENCODING])
        .max_age(Duration::from_secs(3600));
    let upload_limit = usize::try_from(state.config().upload_max_bytes).unwrap_or(usize::MAX);
    // Every route, the web map's too, from the one table the OpenAPI document is generated from.
    routes::build(routes::table(upload_limit))
        .fallback(viewer::fallback)
        .method_not_allowed_fallback(|method: Method, uri: axum::http::Uri| async move {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed", format!("{method} is not allowed on {}", uri.path()))
                .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            ApiError::internal("the request handler failed unexpectedly").into_response()
        }))
        .with_state(state)
}

/// Build the state a config describes: the store's catalog (when the store exists) plus the archives.
/// The store's heavy layers are read in the background ([`AppState::load_heavy`]): the server
/// answers in about a second instead of several.
pub async fn load_state(config: ServerConfig) -> Result<AppState> {
    let (mut cat, heavy) = match &config.store_dir {
        Some(dir) if dir.join(crate::store::MANIFEST_JSON).exists() || config.archives.is_empty() => {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || state::load_store_catalog_light(&dir))
                .await
                .map_err(|e| Error::Service(format!("catalog task: {e}")))??
        }
        _ => (Catalog::empty(), Vec::new()),
    };
    let mut config = config;
    if cat.store_dir.is_none() {
        // Archives only: no store to write uploads into or reload.
        config.store_dir = None;
    }
    for a in &config.archives {
        let src = ArchiveSource::open(a).await?;
        cat.add_archive(src);
    }
    if cat.sources.is_empty() && !cat.problems.is_empty() {
        return Err(Error::Service(format!("nothing to serve: {}", cat.problems.join("; "))));
    }
    let state = AppState::new(cat, config);
    if !heavy.is_empty() {
        // Marked before the first request, so none can miss that they are coming.
        state.mark_loading(heavy.clone());
        let st = state.clone();
        tokio::spawn(async move { st.load_heavy(heavy).await });
    }
    Ok(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("serve: shutting down (finishing requests in flight)");
}

/// Serve a prepared state until SIGTERM or Ctrl-C; requests in flight finish first.
pub async fn serve_state(state: AppState) -> Result<()> {
    let cfg = state.config().clone();
    let addr = format!("{}:{}", cfg.bind, cfg.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| Error::Service(format!("cannot listen on {addr}: {e}")))?;
    {
        // Scoped: a catalog held here for the server's life would outlive every reload (issue 13
        // item 4: the first catalog was never freed, +50 % RSS after the first reload).
        let cat = state.catalog();
        eprintln!(
            "serve: http://{} — {} layers{}",
            cfg.host(),
            cat.sources.len(),
            if cat.problems.is_empty() { String::new() } else { format!(", {} not served (see /health)", cat.problems.len()) }
        );
    }
    {
        // What killed or failed uploads and writers left behind.
        let st = state.clone();
        let removed = tokio::task::spawn_blocking(move || uav_upload::clean_uploads(&st)).await.unwrap_or_default();
        if !removed.is_empty() {
            eprintln!("serve: removed {} stale upload director{}", removed.len(), if removed.len() == 1 { "y" } else { "ies" });
        }
    }
    let limits = listen::ConnLimits { header_read_timeout: cfg.header_read_timeout, max_connections: cfg.max_connections };
    let watcher = state.store_dir().map(|_| tokio::spawn(state::watch_store(state.clone(), state::STORE_POLL)));
    listen::serve_connections(listener, router(state), limits, shutdown_signal()).await;
    if let Some(w) = watcher {
        w.abort();
    }
    Ok(())
}

/// Serve with a full configuration; uploaded UAV flights are processed by the UAV module's ingest.
pub async fn serve_with(config: ServerConfig) -> Result<()> {
    state::configure_allocator();
    let state = load_state(config).await?;
    state.set_uav_ingest(std::sync::Arc::new(uav_upload::ingest_upload));
    serve_state(state).await
}

/// Serve the results store `store_dir` on `bind:port` (the token for writes from `COVERMAP_TOKEN`).
pub async fn serve(store_dir: &Path, bind: &str, port: u16) -> Result<()> {
    serve_with(ServerConfig { store_dir: Some(store_dir.to_path_buf()), bind: bind.into(), port, ..ServerConfig::default() })
        .await
}
