//! Disaster risk: terrain derivatives, hydrology, landslide and flash-flood susceptibility, hazard
//! zones, exposure of people and infrastructure, and the reach of mobile-network warnings.
//!
//! One step per file. Terrain: [`slope`] (Horn, as gdaldem), [`curvature`] (plan/profile).
//! Hydrology: [`fill`] (Priority-Flood) → [`flowdir`] (D8) with [`flats`] resolved → [`accumulation`]
//! → [`streams`] → [`hand`], [`twi`]. Everything runs on the DEM grid in the working CRS, in memory,
//! parallel over rows, blocks or independent pieces (flats, drainage trees) where the algorithm allows.
//! Models: [`landslide`] and [`flood`] (weighted overlays with [`ahp`] weights and [`rating`] curves)
//! → [`classify`] into five classes. Products: [`zones`] (via [`regions`], [`polygonize`], [`smooth`]),
//! [`hamlets`], [`exposure`], [`warning`]. [`stage`] runs it all for `covermap build`, with the
//! `[risk]` parameters of [`params`]. [`synthetic`] is the benchmarks' terrain (issue 15's 3000² DEM).
//!
//! Store products (names other work relies on): rasters `slope.tif` (°), `flow_accumulation.tif`
//! (cells, inclusive), `hand.tif` (m), `landslide_susceptibility.tif`, `flood_susceptibility.tif`
//! (classes 1–5, 0 = none); layers `risk_zones`, `hamlet_risk`, `exposure_commune`,
//! `exposure_district`, `warning_gaps` (the last only when the coverage stage passes
//! [`CoverageInput`]).

pub mod accumulation;
pub mod analysis;
pub mod ahp;
pub mod classify;
pub mod curvature;
pub mod dem_tool;
pub mod d8;
pub mod exposure;
pub mod fill;
pub mod flats;
pub mod flood;
pub mod flowdir;
pub mod hamlets;
pub mod hand;
pub mod landslide;
pub mod params;
pub mod polygonize;
pub mod rating;
pub mod regions;
pub mod slope;
pub mod smooth;
pub mod stage;
pub mod streams;
pub mod synthetic;
pub mod tiled;
pub mod twi;
pub mod warning;
pub mod zones;

pub use params::RiskParams;
pub use stage::{check_dem, CoverageInput, Hydrology, RiskOutput};
