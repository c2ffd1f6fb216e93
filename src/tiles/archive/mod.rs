//! Tile archives: PMTiles v3 (the default; one file, HTTP-range friendly, read by PMTiles viewers and
//! Martin) and MBTiles 1.3 (SQLite; read by GDAL, QGIS, Martin). Written by `covermap export`, served by
//! `covermap serve --archive FILE`. MVT tiles are stored gzip-compressed, as both specifications expect;
//! the server hands them on decompressed to its own encoding negotiation.

pub mod mbtiles;
pub mod pmtiles;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::format::TileFormat;
use super::tile_id::TileId;
use crate::error::{Error, Result};

/// Which archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Pmtiles,
    Mbtiles,
}

impl ArchiveKind {
    /// From a file name's extension.
    pub fn from_path(p: &Path) -> Option<Self> {
        match p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("pmtiles") => Some(ArchiveKind::Pmtiles),
            Some("mbtiles") => Some(ArchiveKind::Mbtiles),
            _ => None,
        }
    }
}

impl std::str::FromStr for ArchiveKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "pmtiles" => Ok(ArchiveKind::Pmtiles),
            "mbtiles" => Ok(ArchiveKind::Mbtiles),
            other => Err(format!("unknown archive format `{other}` (pmtiles or mbtiles)")),
        }
    }
}

/// What an archive says about itself (TileJSON-like).
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveMeta {
    pub name: String,
    pub description: String,
    pub attribution: String,
    pub format: TileFormat,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// West, south, east, north.
    pub bounds: [f64; 4],
    /// Longitude, latitude, zoom.
    pub center: [f64; 3],
    /// TileJSON `vector_layers` (MVT only).
    pub vector_layers: Vec<serde_json::Value>,
    /// Mapbox `tilestats` (layer geometry types and attribute types), which GDAL reads to type the
    /// layers of an MVT archive; `Null` when unknown.
    pub tilestats: serde_json::Value,
}

impl ArchiveMeta {
    /// The JSON metadata document (PMTiles metadata section, MBTiles `json` row).
    pub fn json(&self) -> serde_json::Value {
        json!({
            "name": self.name,
            "description": self.description,
            "attribution": self.attribution,
            "format": self.format.metadata_name(),
            "vector_layers": self.vector_layers,
            "tilestats": self.tilestats,
        })
    }
}

/// Where export writes tiles.
pub trait TileSink {
    /// Add one tile (uncompressed MVT or PNG bytes). Tiles should come in ascending PMTiles tile id.
    fn add(&mut self, tile: TileId, data: &[u8]) -> Result<()>;
    /// Finish the file (directories, indexes, metadata).
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Create a sink writing `path` (the file is created by `finish` at the latest; an existing file is
/// replaced).
pub fn create_sink(kind: ArchiveKind, path: &Path, meta: &ArchiveMeta) -> Result<Box<dyn TileSink>> {
    match kind {
        ArchiveKind::Pmtiles => Ok(Box::new(pmtiles::PmtilesSink::create(path, meta)?)),
        ArchiveKind::Mbtiles => Ok(Box::new(mbtiles::MbtilesSink::create(path, meta)?)),
    }
}

pub(crate) fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).map_err(|e| Error::Codec(format!("gzip: {e}")))?;
    e.finish().map_err(|e| Error::Codec(format!("gzip: {e}")))
}

/// Gunzip when the bytes start with the gzip magic number, else return them as they are.
pub(crate) fn maybe_gunzip(data: &[u8]) -> Result<Vec<u8>> {
    if data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(data)
            .read_to_end(&mut out)
            .map_err(|e| Error::Codec(format!("gunzip tile: {e}")))?;
        Ok(out)
    } else {
        Ok(data.to_vec())
    }
}

enum Reader {
    Pmtiles(pmtiles::PmtilesReader),
    Mbtiles(mbtiles::MbtilesReader),
}

/// An archive opened for serving.
pub struct ArchiveSource {
    /// Catalog id: the file stem.
    pub id: String,
    pub path: PathBuf,
    pub format: TileFormat,
    pub meta: ArchiveMeta,
    reader: Reader,
}

impl ArchiveSource {
    /// Open a `.pmtiles` or `.mbtiles` file.
    pub async fn open(path: &Path) -> Result<Self> {
        let kind = ArchiveKind::from_path(path)
            .ok_or_else(|| Error::input(path, "not a tile archive (expected .pmtiles or .mbtiles)"))?;
        let (reader, meta) = match kind {
            ArchiveKind::Pmtiles => {
                let (r, m) = pmtiles::PmtilesReader::open(path).await?;
                (Reader::Pmtiles(r), m)
            }
            ArchiveKind::Mbtiles => {
                let (r, m) = mbtiles::MbtilesReader::open(path)?;
                (Reader::Mbtiles(r), m)
            }
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("archive");
        let id: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        Ok(Self { id, path: path.to_path_buf(), format: meta.format, meta, reader })
    }

    /// The tile's bytes, uncompressed; `None` when the archive has no such tile.
    pub async fn tile(&self, t: TileId) -> Result<Option<Vec<u8>>> {
        match &self.reader {
            Reader::Pmtiles(r) => r.tile(t).await,
            Reader::Mbtiles(r) => r.tile(t).await,
        }
    }
}
