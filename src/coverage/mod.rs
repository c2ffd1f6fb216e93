//! Radio coverage: propagation models and the coverage engine that predicts signal over the DEM.
pub mod itm;
