//! The HTTP server and tiles: behaviour, OGC API, applications, the real process, archives, rasters, GDAL. One test binary (link time dominates CI); each file below was its own binary.

#[path = "../common/mod.rs"]
mod common;
#[path = "../server_common/mod.rs"]
mod server_common;
#[path = "../uav_support/mod.rs"]
mod uav_support;

mod apps;
mod demo;
mod gdal_oapif;
mod http;
mod ogc;
mod openapi_routes;
mod process;
mod tiles_archive;
mod tiles_gdal;
mod tiles_raster;
mod reliability_http;
mod reliability_process;
mod reliability_memory;
mod tiles_legend_thresholds;
mod tiles_points_kept;
mod tiles_h3_overview;
