//! The server's shared state: the current catalog (swapped atomically when the store changes — after
//! a UAV flight is processed here, or when another process (`covermap uav ingest`, `build`) swaps in
//! a new store generation, noticed by [`watch_store`] — so requests in flight finish on the old one),
//! the tile cache, the metrics, background jobs, and the configuration.

use std::path::Path;
use std::sync::{Arc, RwLock};

use super::cache::TileCache;
use super::job_registry::{Jobs, UavIngest};
use super::request_metrics::Metrics;
use super::ServerConfig;
use crate::error::{Error, Result};
use crate::tiles::archive::ArchiveSource;
use crate::tiles::Catalog;

/// Identity of one store generation: a writer swaps a whole new directory in (`renameat2`), so the
/// directory's and the manifest's inodes change, and the manifest's modification time with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    dir_ino: u64,
    manifest_ino: u64,
    manifest_mtime_ns: i128,
}

impl Generation {
    /// The generation at `dir` now (None: no complete store there).
    pub fn of(dir: &Path) -> Option<Generation> {
        use std::os::unix::fs::MetadataExt;
        let d = std::fs::metadata(dir).ok()?;
        let m = std::fs::metadata(dir.join(crate::store::MANIFEST_JSON)).ok()?;
        Some(Generation { dir_ino: d.ino(), manifest_ino: m.ino(), manifest_mtime_ns: m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128 })
    }
}

/// How often the server looks for a store generation written by another process.
pub const STORE_POLL: std::time::Duration = std::time::Duration::from_secs(2);

struct Inner {
    catalog: RwLock<Arc<Catalog>>,
    generation: std::sync::Mutex<Option<Generation>>,
    reloading: tokio::sync::Mutex<()>,
    archives: Vec<Arc<ArchiveSource>>,
    cache: TileCache,
    metrics: Metrics,
    jobs: Jobs,
    config: ServerConfig,
    uav_ingest: RwLock<Option<UavIngest>>,
    /// Heavy layers still being read after the start ([`AppState::load_heavy`]); `ready` turns
    /// true when they are served (at once when there are none).
    loading: std::sync::Mutex<Vec<String>>,
    ready: tokio::sync::watch::Sender<bool>,
    /// Swapped-out catalogs a request still held at the swap: when the last one ends, the watcher's
    /// next tick trims the heap (the swap's own trim came too early for them).
    retired: std::sync::Mutex<Vec<std::sync::Weak<Catalog>>>,
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
        let generation = catalog.store_dir.as_deref().and_then(Generation::of);
        AppState(Arc::new(Inner {
            catalog: RwLock::new(Arc::new(catalog)),
            generation: std::sync::Mutex::new(generation),
            reloading: tokio::sync::Mutex::new(()),
            archives,
            cache: TileCache::new(config.cache_bytes),
            metrics: Metrics::default(),
            jobs: Jobs::default(),
            config,
            uav_ingest: RwLock::new(None),
            loading: std::sync::Mutex::new(Vec::new()),
            ready: tokio::sync::watch::Sender::new(true),
            retired: std::sync::Mutex::new(Vec::new()),
        }))
    }

    /// The heavy layers not served yet (empty once the start is complete).
    pub fn loading(&self) -> Vec<String> {
        self.0.loading.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The catalog once the heavy layers are in: what a listing (`/catalog`, `/collections`,
    /// TileJSON, OpenAPI) or a request for one of them needs. Immediate when nothing is loading.
    pub async fn full_catalog(&self) -> Arc<Catalog> {
        let mut rx = self.0.ready.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|ready| *ready).await;
        self.catalog()
    }

    /// Record that `heavy` is being read: requests needing the full catalog wait from now on.
    pub fn mark_loading(&self, heavy: Vec<String>) {
        *self.0.loading.lock().unwrap_or_else(|e| e.into_inner()) = heavy;
        self.0.ready.send_replace(false);
    }

    /// Serve `heavy` (layers [`crate::store::Store::open_light`] left out) once read: the server
    /// answers while they load — rasters, tiles of the other layers and `/health` at once;
    /// requests that need them wait ([`AppState::full_catalog`]). Holds the reload lock, so a new
    /// store generation noticed meanwhile is loaded after, whole; if the store changed while the
    /// layers were read, or reading failed, the whole store is loaded again instead.
    pub async fn load_heavy(&self, heavy: Vec<String>) {
        if heavy.is_empty() {
            return;
        }
        let Some(dir) = self.store_dir().map(Path::to_path_buf) else { return };
        self.mark_loading(heavy.clone());
        let t = std::time::Instant::now();
        let lock = self.0.reloading.lock().await;
        let started = self.generation();
        let cat = self.catalog();
        let read = tokio::task::spawn_blocking(move || -> Result<(Catalog, Option<Generation>)> {
            let names: Vec<&str> = heavy.iter().map(String::as_str).collect();
            let layers = crate::store::gpkg::read_layers(&dir, &names)?.into_iter().flatten().collect();
            let full = cat.with_layers(layers);
            Ok((full, Generation::of(&dir)))
        })
        .await
        .map_err(|e| Error::Service(format!("loading the heavy layers: {e}")))
        .and_then(|r| r);
        match read {
            Ok((full, generation)) if generation == started => {
                self.swap_catalog(full);
                drop(lock);
                tracing::info!("heavy layers served after {:.1} s", t.elapsed().as_secs_f64());
            }
            other => {
                drop(lock);
                if let Err(e) = other {
                    tracing::warn!("{e}; loading the whole store again");
                }
                if let Err(e) = self.reload().await {
                    tracing::warn!("reloading the store: {e}");
                }
            }
        }
        self.0.loading.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.0.ready.send_replace(true);
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
        let old = match self.0.catalog.write() {
            Ok(mut g) => std::mem::replace(&mut *g, Arc::new(c)),
            Err(p) => std::mem::replace(&mut *p.into_inner(), Arc::new(c)),
        };
        self.0.cache.invalidate_all();
        // The old catalog is freed here unless a request still holds it (then when that one ends,
        // and `release_retired` trims after); glibc keeps freed memory in its arenas, so hand it
        // back to the system.
        if Arc::strong_count(&old) > 1 {
            self.0.retired.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::downgrade(&old));
        }
        drop(old);
        release_freed_memory();
    }

    /// Trim the heap once every swapped-out catalog a request still held has been freed; returns
    /// how many are still held. Called by [`watch_store`] at every tick.
    pub fn release_retired(&self) -> usize {
        let mut r = self.0.retired.lock().unwrap_or_else(|e| e.into_inner());
        let before = r.len();
        r.retain(|w| w.strong_count() > 0);
        let (freed, left) = (before - r.len(), r.len());
        drop(r);
        if freed > 0 {
            release_freed_memory();
        }
        left
    }

    /// The store directory served, if any.
    pub fn store_dir(&self) -> Option<&Path> {
        self.0.config.store_dir.as_deref()
    }

    /// The store generation being served.
    pub fn generation(&self) -> Option<Generation> {
        *self.0.generation.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-open the store and swap the catalog in (blocking work on a blocking thread).
    pub async fn reload(&self) -> Result<()> {
        let dir = self
            .0
            .config
            .store_dir
            .clone()
            .ok_or_else(|| Error::Service("no store directory configured".into()))?;
        let _one_at_a_time = self.0.reloading.lock().await;
        let (cat, generation) = tokio::task::spawn_blocking(move || load_consistent(&dir))
            .await
            .map_err(|e| Error::Service(format!("reload task: {e}")))??;
        self.swap_catalog(cat);
        *self.0.generation.lock().unwrap_or_else(|e| e.into_inner()) = generation;
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

/// A layer with this many features or more is read after the server has started answering
/// ([`AppState::load_heavy`]). On Sơn la: `risk_zones` (31,802 polygons, 90 MB of geometry) and
/// `coverage_h3` (69,404 hexagons); every other layer has fewer than 7,000.
pub const HEAVY_LAYER_FEATURES: u64 = 20_000;

/// The catalog of a store without its heavy layers, and their names.
pub fn load_store_catalog_light(dir: &Path) -> Result<(Catalog, Vec<String>)> {
    let (store, heavy) = crate::store::Store::open_light(dir, HEAVY_LAYER_FEATURES)?;
    Ok((Catalog::from_store(store), heavy))
}

/// Load the catalog of one generation: when a writer swapped the store while it was being read
/// (generation before ≠ after), read it again, so the catalog never mixes two stores.
fn load_consistent(dir: &Path) -> Result<(Catalog, Option<Generation>)> {
    let mut attempt = 0;
    loop {
        let before = Generation::of(dir);
        let cat = load_store_catalog(dir)?;
        let after = Generation::of(dir);
        attempt += 1;
        // After 5 tries under a busy writer, serve the last read; the watcher reloads it next.
        if before == after || attempt == 5 {
            return Ok((cat, after));
        }
    }
}

/// Poll the store every `every` and reload when another process has swapped in a new generation
/// (a CLI `uav ingest` or `build` while the server runs). Reload failures are logged and retried at
/// the next tick; the old catalog stays served meanwhile.
pub async fn watch_store(state: AppState, every: std::time::Duration) {
    let Some(dir) = state.store_dir().map(Path::to_path_buf) else { return };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        state.release_retired();
        let d = dir.clone();
        let now = tokio::task::spawn_blocking(move || Generation::of(&d)).await.ok().flatten();
        if now.is_some() && now != state.generation() {
            match state.reload().await {
                Ok(()) => tracing::info!("store {} changed on disk: reloaded", dir.display()),
                Err(e) => tracing::warn!("store {} changed on disk, reload failed: {e}", dir.display()),
            }
        }
    }
}

/// Let the heap give back what a swapped-out catalog freed: allocations of 1 MiB and more (a
/// catalog's big vectors) are served by `mmap` and unmapped when freed. glibc otherwise raises this
/// threshold each time such a block is freed (up to 32 MiB), so after the first reload the next
/// catalog's vectors would land in the arenas, where fragmentation keeps them resident. Called once
/// when the server starts.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; called before the server's threads allocate much.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Return freed heap pages to the system (glibc `malloc_trim`).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13 item 4: once swapped out (and no request holds it), a catalog is dropped — nothing in
    /// the state (cache, jobs, metrics) keeps it alive.
    #[test]
    fn a_swapped_out_catalog_is_dropped() {
        let st = AppState::new(Catalog::empty(), ServerConfig::default());
        let first = Arc::downgrade(&st.catalog());
        let held = st.catalog();
        st.swap_catalog(Catalog::empty());
        // A request still running on the old catalog keeps it until it ends …
        assert!(first.upgrade().is_some());
        assert_eq!(st.release_retired(), 1, "the held catalog is waiting to be trimmed");
        drop(held);
        // … and then it is gone, and trimmed for.
        assert!(first.upgrade().is_none(), "the old catalog outlived its last reader");
        assert_eq!(st.release_retired(), 0);
        let second = Arc::downgrade(&st.catalog());
        st.swap_catalog(Catalog::empty());
        assert!(second.upgrade().is_none(), "a swapped-out catalog is still held");
    }
}
