//! PMTiles v3 through the `pmtiles` crate: a streaming writer (tiles added in ascending Hilbert tile
//! id, deduplicated, gzip for MVT) and a memory-mapped reader with a directory cache.

use std::fs::File;
use std::path::{Path, PathBuf};

use pmtiles::{AsyncPmTilesReader, Compression, HashMapCache, MmapBackend, PmTilesStreamWriter, PmTilesWriter, TileCoord};

use super::{ArchiveMeta, TileSink};
use crate::error::{Error, Result};
use crate::tiles::format::TileFormat;
use crate::tiles::tile_id::TileId;

fn perr(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::input(path, format!("PMTiles: {e}"))
}

/// The PMTiles tile id (position on the zoom's Hilbert curve, after all lower zooms) of a tile.
pub fn tile_id(t: TileId) -> u64 {
    match TileCoord::new(t.z, t.x, t.y) {
        Ok(c) => pmtiles::TileId::from(c).value(),
        // Valid TileIds are always valid coordinates; order such a tile last.
        Err(_) => u64::MAX,
    }
}

pub struct PmtilesSink {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<PmTilesStreamWriter<File>>,
}

impl PmtilesSink {
    pub fn create(path: &Path, meta: &ArchiveMeta) -> Result<Self> {
        let tmp = path.with_extension("pmtiles.partial");
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let ty = meta.format.pmtiles_type();
        let [w, s, e, n] = meta.bounds;
        let writer = PmTilesWriter::new(ty)
            .tile_compression(if meta.format.compressible() { Compression::Gzip } else { Compression::None })
            .min_zoom(meta.minzoom)
            .max_zoom(meta.maxzoom)
            .bounds(w, s, e, n)
            .center(meta.center[0], meta.center[1])
            .center_zoom(meta.center[2].round() as u8)
            .metadata(meta.json().to_string())
            .create(file)
            .map_err(|e| perr(path, e))?;
        Ok(Self { path: path.to_path_buf(), tmp, writer: Some(writer) })
    }
}

impl TileSink for PmtilesSink {
    fn add(&mut self, tile: TileId, data: &[u8]) -> Result<()> {
        let coord = TileCoord::new(tile.z, tile.x, tile.y).map_err(|e| perr(&self.path, e))?;
        match self.writer.as_mut() {
            Some(w) => w.add_tile(coord, data).map_err(|e| perr(&self.path, e)),
            None => Err(perr(&self.path, "writer already finished")),
        }
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let w = self.writer.take().ok_or_else(|| perr(&self.path, "writer already finished"))?;
        w.finalize().map_err(|e| perr(&self.path, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for PmtilesSink {
    fn drop(&mut self) {
        // An unfinished archive is never left under its final name; remove the partial file.
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub struct PmtilesReader {
    path: PathBuf,
    reader: AsyncPmTilesReader<MmapBackend, HashMapCache>,
}

impl PmtilesReader {
    pub async fn open(path: &Path) -> Result<(Self, ArchiveMeta)> {
        let reader = AsyncPmTilesReader::new_with_cached_path(HashMapCache::default(), path)
            .await
            .map_err(|e| perr(path, e))?;
        let h = reader.get_header();
        let format = TileFormat::from_pmtiles_type(h.tile_type)
            .ok_or_else(|| perr(path, format!("tile type {:?} is not served (MVT or PNG)", h.tile_type)))?;
        let md: serde_json::Value = match reader.get_metadata().await {
            Ok(s) if !s.trim().is_empty() => serde_json::from_str(&s).map_err(|e| perr(path, format!("metadata: {e}")))?,
            Ok(_) => serde_json::Value::Null,
            Err(e) => return Err(perr(path, e)),
        };
        let text = |k: &str| md.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let meta = ArchiveMeta {
            name: text("name"),
            description: text("description"),
            attribution: text("attribution"),
            format,
            minzoom: h.min_zoom,
            maxzoom: h.max_zoom,
            bounds: [h.min_longitude, h.min_latitude, h.max_longitude, h.max_latitude],
            center: [h.center_longitude, h.center_latitude, h.center_zoom as f64],
            vector_layers: md.get("vector_layers").and_then(|v| v.as_array()).cloned().unwrap_or_default(),
            tilestats: md.get("tilestats").cloned().unwrap_or(serde_json::Value::Null),
        };
        Ok((Self { path: path.to_path_buf(), reader }, meta))
    }

    pub async fn tile(&self, t: TileId) -> Result<Option<Vec<u8>>> {
        let coord = TileCoord::new(t.z, t.x, t.y).map_err(|e| perr(&self.path, e))?;
        let raw = self.reader.get_tile(coord).await.map_err(|e| perr(&self.path, e))?;
        match raw {
            None => Ok(None),
            Some(b) => match self.reader.get_header().tile_compression {
                Compression::None | Compression::Gzip | Compression::Unknown => super::maybe_gunzip(&b).map(Some),
                other => Err(perr(&self.path, format!("tile compression {other:?} is not supported"))),
            },
        }
    }
}
