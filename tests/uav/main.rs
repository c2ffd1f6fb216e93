//! UAV monitoring: the demo flights, errors, uploads, zonal statistics. One test binary (link time dominates CI); each file below was its own binary.

#[path = "../common/mod.rs"]
mod common;
#[path = "../server_common/mod.rs"]
mod server_common;
#[path = "../uav_support/mod.rs"]
mod uav_support;

mod demo;
mod errors;
mod upload;
mod zonal;
