//! UAV crop monitoring: multispectral orthomosaics of mango and longan orchards → vegetation index
//! rasters (COG), coverage-weighted statistics and a health class per parcel, change between flights
//! (per parcel and per pixel), the `orchard_health` and `uav_flights` layers, and the JSON the API
//! serves. Everything streams by windows, so orthomosaics larger than memory work.
//!
//! One concept per file: [`camera`] (presets, band mapping, scaling), [`ortho`] (windowed reading),
//! [`indices`] (formulas), [`index_rasters`] (parallel block computation to COG), [`float_raster`]
//! (streamed Float32 COG I/O), [`coverage`] (exact pixel coverage), [`zonal`] (weighted statistics),
//! [`parcels`] (statistics per parcel, any CRS), [`health`] (classes per crop), [`change`] (between
//! flights), [`records`] (per-flight and per-parcel results and their linkage), [`layers`] (store
//! layers), [`flight`] (one flight end to end), [`ingest`] (adding a flight to a live store),
//! [`stage`] (the build stage), [`limits`] (image size and disk limits, from headers), [`params`] (`[uav]` of dataset.toml).

pub mod analysis;
pub mod camera;
pub mod change;
pub mod coverage;
pub mod flight;
pub mod float_raster;
pub mod health;
pub mod index_rasters;
pub mod indices;
pub mod ingest;
pub mod layers;
pub mod limits;
pub mod ortho;
pub mod params;
pub mod parcels;
pub mod records;
pub mod stage;
pub mod zonal;
pub mod zonal_file;

pub use camera::{Band, BandMapping, Camera, CameraSetup};
pub use health::{HealthClass, HealthParams};
pub use indices::VegetationIndex;
pub use ingest::{ingest_flight, ingest_request, IngestReport, IngestRequest};
pub use params::UavParams;
pub use stage::UavOutput;
