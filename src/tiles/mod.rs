//! Map tiles: WebMercatorQuad tile math, the catalog of servable layers (vector layers reprojected once
//! to EPSG:3857 into an R-tree; rasters read by GDAL windows), MVT 2.1 vector tiles with per-zoom
//! generalization and a byte budget, PNG raster tiles with a colour map per layer and legends,
//! TileJSON 3.0.0, and PMTiles v3 / MBTiles archives (written by `covermap export`, served by
//! `covermap serve --archive`).

pub mod archive;
pub mod catalog;
pub mod clip;
pub mod colormap;
pub mod csv;
pub mod export;
pub mod format;
pub mod generalize;
pub mod hillshade;
pub mod mvt;
pub mod overview;
pub mod priority;
pub mod raster_source;
pub mod thresholds;
pub mod tile_id;
pub mod tilejson;
pub mod vector_source;
pub mod vector_tile;

pub use catalog::{Catalog, Resolved, Source};
pub use format::TileFormat;
pub use tile_id::TileId;
