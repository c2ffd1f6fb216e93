//! The server's shared state: the current catalog (swapped atomically when the store changes, e.g.
//! after a UAV flight is processed, so requests in flight finish on the old one), the tile cache, the
//! metrics, background jobs, and the configuration.

use std::path::Path;
use std::sync::{Arc, RwLock};

use super::cache::TileCache;
use super::job_registry::{Jobs, UavIngest};
use super::request_metrics::Metrics;
use super::ServerConfig;
use crate::error::{Error, Result};
use crate::tiles::archive::ArchiveSource;
use crate::tiles::Catalog;

struct Inner {
    catalog: RwLock<Arc<Catalog>>,
    archives: Vec<Arc<ArchiveSource>>,
    cache: TileCache,
    metrics: Metrics,
    jobs: Jobs,
    config: ServerConfig,
    uav_ingest: RwLock<Option<UavIngest>>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(catalog: Catalog, config: ServerConfig) -> Self {
        let archives = catalog
            .sources
            .values()
            .filter_map(|s| match s {
                crate::tiles::Source::Archive(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        AppState(Arc::new(Inner {
            catalog: RwLock::new(Arc::new(catalog)),
            archives,
            cache: TileCache::new(config.cache_bytes),
            metrics: Metrics::default(),
            jobs: Jobs::default(),
            config,
            uav_ingest: RwLock::new(None),
        }))
    }

    /// The catalog now (cheap: an `Arc` clone).
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.0.catalog.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Serve `c` from now on; the cache keys of the old catalog can no longer match.
    pub fn swap_catalog(&self, c: Catalog) {
        let mut c = c;
        for a in &self.0.archives {
            if !c.sources.contains_key(&a.id) {
                c.sources.insert(a.id.clone(), crate::tiles::Source::Archive(a.clone()));
            }
        }
        match self.0.catalog.write() {
            Ok(mut g) => *g = Arc::new(c),
            Err(p) => *p.into_inner() = Arc::new(c),
        }
        self.0.cache.invalidate_all();
    }

    /// Re-open the store and swap the catalog in (blocking work on a blocking thread).
    pub async fn reload(&self) -> Result<()> {
        let dir = self
            .0
            .config
            .store_dir
            .clone()
            .ok_or_else(|| Error::Service("no store directory configured".into()))?;
        let cat = tokio::task::spawn_blocking(move || load_store_catalog(&dir))
            .await
            .map_err(|e| Error::Service(format!("reload task: {e}")))??;
        self.swap_catalog(cat);
        Ok(())
    }

    pub fn cache(&self) -> &TileCache {
        &self.0.cache
    }
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
    pub fn jobs(&self) -> &Jobs {
        &self.0.jobs
    }
    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    /// Register the UAV flight processor the upload endpoint runs in the background (provided by the
    /// UAV module; without one, uploads are stored and validated, and the job reports that processing
    /// is unavailable).
    pub fn set_uav_ingest(&self, f: UavIngest) {
        match self.0.uav_ingest.write() {
            Ok(mut g) => *g = Some(f),
            Err(p) => *p.into_inner() = Some(f),
        }
    }

    pub fn uav_ingest(&self) -> Option<UavIngest> {
        match self.0.uav_ingest.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// Open a results store and build its catalog.
pub fn load_store_catalog(dir: &Path) -> Result<Catalog> {
    let store = crate::store::Store::open(dir)?;
    Ok(Catalog::from_store(store))
}
