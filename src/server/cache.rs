//! The in-memory tile cache: moka, bounded in bytes (each entry weighs its body plus a small overhead),
//! keyed by catalog generation, layer list, tile and content coding — so a rebuilt store never serves
//! stale tiles and each coding is compressed once. Empty tiles are cached too (as empty bodies).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use moka::sync::Cache;

use super::http::{etag, Encoding};
use crate::tiles::TileId;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub generation: u64,
    pub layers: Arc<str>,
    pub tile: TileId,
    pub encoding: Encoding,
}

/// A tile body (empty: the tile has no data, answered 204) and its ETag.
#[derive(Debug)]
pub struct CachedTile {
    pub body: Bytes,
    pub etag: String,
}

impl CachedTile {
    pub fn new(body: Vec<u8>, enc: Encoding) -> Self {
        let etag = etag(&body, enc);
        Self { body: Bytes::from(body), etag }
    }
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }
}

pub struct TileCache {
    cache: Cache<TileKey, Arc<CachedTile>>,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub capacity_bytes: u64,
}

/// Bookkeeping bytes charged per entry besides its body.
const ENTRY_OVERHEAD: u32 = 128;

impl TileCache {
    pub fn new(capacity_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|k: &TileKey, v: &Arc<CachedTile>| {
                (v.body.len() + k.layers.len()).min(u32::MAX as usize - ENTRY_OVERHEAD as usize) as u32 + ENTRY_OVERHEAD
            })
            .build();
        Self { cache, hits: AtomicU64::new(0), misses: AtomicU64::new(0), capacity_bytes }
    }

    /// Look up, counting the hit or miss.
    pub fn get(&self, k: &TileKey) -> Option<Arc<CachedTile>> {
        let r = self.cache.get(k);
        match r {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        r
    }

    pub fn insert(&self, k: TileKey, v: Arc<CachedTile>) {
        self.cache.insert(k, v);
    }

    /// Get or compute with one computation per key at a time (concurrent requests for the same
    /// missing tile wait for the first). Blocks: call from a blocking thread.
    pub fn get_or_try_insert<E: Send + Sync + 'static>(
        &self,
        k: TileKey,
        f: impl FnOnce() -> Result<Arc<CachedTile>, E>,
    ) -> Result<Arc<CachedTile>, Arc<E>> {
        if let Some(v) = self.get(&k) {
            return Ok(v);
        }
        self.cache.try_get_with(k, f)
    }

    /// Drop every entry now: moka only marks them invalid and removes them lazily, so without the
    /// maintenance run a reload would leave the old generation's tiles resident until evicted.
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
        self.cache.run_pending_tasks();
    }

    /// Bytes held (approximate, after pending maintenance).
    pub fn weighted_size(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.weighted_size()
    }

    pub fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_bytes() {
        let c = TileCache::new(100_000);
        for i in 0..100u32 {
            let k = TileKey { generation: 1, layers: Arc::from("a"), tile: TileId { z: 10, x: i, y: 0 }, encoding: Encoding::Identity };
            c.insert(k, Arc::new(CachedTile::new(vec![0u8; 10_000], Encoding::Identity)));
        }
        assert!(c.weighted_size() <= 100_000, "{}", c.weighted_size());
        assert!(c.entry_count() < 100);
    }
}
