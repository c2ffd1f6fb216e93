//! The coverage engine and ITM: properties, reference values, the stage, the CLI and its errors, calibration. One test binary (link time dominates CI); each file below was its own binary.

#[path = "../common/mod.rs"]
mod common;
#[path = "../server_common/mod.rs"]
mod server_common;

mod calibration_cli;
mod calibration_demo;
mod cli;
mod clutter;
mod engine;
mod errors;
mod h3;
mod properties;
mod stage;
mod itm_reference;
mod landcover_demo;
mod quality;
mod support;
