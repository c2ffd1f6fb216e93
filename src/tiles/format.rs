//! The tile formats, in the manner of Martin's `Format`: one enum, and every name a format has — its
//! media type, its extension in tile URLs, its `format` value in TileJSON and MBTiles metadata, its
//! PMTiles tile type, whether archives gzip it and whether HTTP compresses it — answered here, so the
//! catalog, the archives, TileJSON, the export and the server never match on formats themselves.
//! A new format is one variant here plus its renderer.

use pmtiles::TileType;

/// A tile format served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileFormat {
    /// Mapbox Vector Tiles.
    Mvt,
    Png,
}

impl TileFormat {
    pub const ALL: [TileFormat; 2] = [TileFormat::Mvt, TileFormat::Png];

    /// The media type of a tile.
    pub fn content_type(&self) -> &'static str {
        match self {
            TileFormat::Mvt => super::mvt::MEDIA_TYPE,
            TileFormat::Png => "image/png",
        }
    }
    /// The file extension used in tile URLs.
    pub fn ext(&self) -> &'static str {
        match self {
            TileFormat::Mvt => "mvt",
            TileFormat::Png => "png",
        }
    }
    /// The format of a tile URL's extension (`.pbf` is MVT too).
    pub fn from_ext(ext: &str) -> Option<Self> {
        match ext {
            "mvt" | "pbf" => Some(TileFormat::Mvt),
            "png" => Some(TileFormat::Png),
            _ => None,
        }
    }
    /// The extensions a tile URL may end in, for messages.
    pub const URL_EXTS: &'static str = ".mvt, .pbf or .png";
    /// The `format` value of TileJSON and MBTiles metadata.
    pub fn metadata_name(&self) -> &'static str {
        match self {
            TileFormat::Mvt => "pbf",
            TileFormat::Png => "png",
        }
    }
    /// The format of a metadata `format` value (`mvt` accepted for MVT).
    pub fn from_metadata_name(name: &str) -> Option<Self> {
        match name {
            "pbf" | "mvt" => Some(TileFormat::Mvt),
            "png" => Some(TileFormat::Png),
            _ => None,
        }
    }
    /// TileJSON's `type` of a source in this format.
    pub fn source_kind(&self) -> &'static str {
        match self {
            TileFormat::Mvt => "vector",
            TileFormat::Png => "raster",
        }
    }
    /// The PMTiles tile type.
    pub fn pmtiles_type(&self) -> TileType {
        match self {
            TileFormat::Mvt => TileType::Mvt,
            TileFormat::Png => TileType::Png,
        }
    }
    /// The format of a PMTiles tile type, `None` when not served.
    pub fn from_pmtiles_type(t: TileType) -> Option<Self> {
        match t {
            TileType::Mvt => Some(TileFormat::Mvt),
            TileType::Png => Some(TileFormat::Png),
            _ => None,
        }
    }
    /// Whether tiles carry vector layers (TileJSON `vector_layers`, tilestats).
    pub fn is_vector(&self) -> bool {
        matches!(self, TileFormat::Mvt)
    }
    /// Whether archives store the tiles gzipped (MVT, as the PMTiles and MBTiles specs expect) and
    /// HTTP negotiates a content coding for them (PNG is already compressed).
    pub fn compressible(&self) -> bool {
        matches!(self, TileFormat::Mvt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for f in TileFormat::ALL {
            assert_eq!(TileFormat::from_ext(f.ext()), Some(f));
            assert_eq!(TileFormat::from_metadata_name(f.metadata_name()), Some(f));
            assert_eq!(TileFormat::from_pmtiles_type(f.pmtiles_type()), Some(f));
        }
        assert_eq!(TileFormat::from_ext("pbf"), Some(TileFormat::Mvt));
        assert_eq!(TileFormat::from_ext("jpg"), None);
        assert_eq!(TileFormat::from_pmtiles_type(TileType::Webp), None);
        assert_eq!(TileFormat::Mvt.content_type(), "application/vnd.mapbox-vector-tile");
    }
}
