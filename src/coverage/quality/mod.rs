//! Network quality beyond "does a handset hear a cell": each cell's N strongest servers per operator
//! kept by the coverage sweep ([`topn`], [`pass`]), the downlink SINR they give under a cell load
//! ([`sinr`]), the downlink rate that SINR supports ([`throughput`], 3GPP TR 36.942 Annex A), and the
//! speed tiers and per-hamlet values as store fields ([`layers`]). Parameters: `[coverage.quality]`
//! ([`params`]).
//!
//! Rasters: `sinr_<operator>.tif` (Float32 dB) and `dl_mbps_<operator>.tif` (Float32 Mbps), nodata
//! −9999 where no sector of the operator reaches the cell above the RSRP floor.

pub mod layers;
pub mod params;
pub mod pass;
pub mod sinr;
pub mod throughput;
pub mod topn;

pub use params::{QualityBand, QualityParams};
pub use pass::{OperatorPass, OperatorQuality, PointQuality, SectorRef, Server};
