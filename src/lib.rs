//! covermap: the spatial engine and map service for a province's 4G/fiber coverage, disaster risk and
//! UAV crop monitoring. Data flows one way: sources → [`dataset`] → analyses ([`coverage`], [`risk`],
//! [`uav`]) → [`store`] → [`tiles`] / features → [`server`].

pub mod analysis;
pub mod build;
pub mod coverage;
pub mod crs;
pub mod dataset;
pub mod error;
pub mod grid;
pub mod progress;
pub mod radio;
pub mod risk;
#[cfg(test)]
pub(crate) mod scratch;
pub mod server;
pub mod shard;
pub mod store;
pub mod tiles;
pub mod uav;
pub mod viewer;

pub use error::{Error, Result};
