//! Sources → [`Dataset`]: reading the layers named by `dataset.toml` through GDAL/OGR, reprojecting
//! them with PROJ into the working CRS, validating them, and generating the default Sơn La dataset.

pub mod config;
pub mod demo;
pub mod landcover;
pub mod layers;
pub mod load;
pub mod measurements;
pub mod model;
pub mod vector_io;

pub use config::DatasetConfig;
pub use load::load;
pub use model::*;
