//! The subcommands of the `covermap` binary beyond `demo-data`, `build` and `serve`: their clap
//! options and their console output. Compiled into the binary only, so clap and anyhow stay out of
//! the library; the work itself is the library's.

pub mod coverage;
pub mod export;
pub mod radio;
pub mod radio_site;
pub mod risk;
pub mod uav;
pub mod zonal;
