//! The results store `out/<dataset>/`: `results.gpkg` (every vector result a layer), rasters as
//! Cloud-Optimized GeoTIFF, and `manifest.json` (input checksums, parameters, version, timings).
//! A build writes into a staging directory and swaps it in atomically, so a crash or a bad input never
//! destroys the previous results.

pub mod gpkg;
pub mod layer;
pub mod lock;
pub mod manifest;
pub mod object;
pub mod paths;
pub mod reader;
pub mod row;
pub mod sink;
pub mod style;
pub mod writer;

pub use lock::{lock_store, LockWait, StoreLock};
pub use layer::{fields_then, Feature, Field, FieldType, GeomKind, Layer, Value};
pub use manifest::{Manifest, StageTiming};
pub use paths::redact_paths;
pub use reader::Store;
pub use row::Row;
pub use sink::{MemorySink, RasterData, SharedRaster, Sink, SinkCell, StoreSink};
pub use style::RasterStyle;
pub use writer::{BackgroundWrites, StoreWriter, MANIFEST_JSON, RESULTS_GPKG};
