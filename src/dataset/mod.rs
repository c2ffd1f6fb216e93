//! Sources → [`Dataset`]: reading the layers named by `dataset.toml` through GDAL/OGR, reprojecting
//! them with PROJ into the working CRS, validating them, and generating the default Sơn La dataset.

pub mod model;

pub use model::*;
