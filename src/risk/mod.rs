//! Disaster risk: terrain derivatives, hydrology, landslide and flash-flood susceptibility, hazard
//! zones, exposure of people and infrastructure, and the reach of mobile-network warnings.
//!
//! One step per file. Terrain: [`slope`] (Horn, as gdaldem), [`curvature`] (plan/profile).
//! Hydrology: [`fill`] (Priority-Flood) → [`flowdir`] (D8) with [`flats`] resolved → [`accumulation`]
//! → [`streams`] → [`hand`], [`twi`]. Everything runs on the DEM grid in the working CRS, in memory,
//! parallel over rows, blocks or independent pieces (flats, drainage trees) where the algorithm allows.

pub mod accumulation;
pub mod curvature;
pub mod d8;
pub mod distance;
pub mod fill;
pub mod flats;
pub mod flowdir;
pub mod hand;
pub mod slope;
pub mod streams;
pub mod twi;
