//! The province's coverage analysis: terrain-aware LTE signal over the DEM, each hamlet's 4G and
//! fiber status, the province's indicators, the coverage gaps and the site planner.
//!
//! The physics (path-loss models, diffraction, earth curvature, antenna patterns, ITM) is
//! [`crate::radio`]. Here: sites made ready as transmitters ([`sites`]); the walk along radials
//! outwards from each site ([`radial`], the DEM read along them [`terrain`], [`profile`], [`sweep`],
//! ITM's in [`itm_walk`]) carrying the profile's upper hull, so each cell costs a few operations;
//! every site folded into best-server grids in parallel ([`engine`], [`best`]); single points by the
//! same walk ([`points`]).
//!
//! Then: hamlet status ([`hamlets`]), fiber reach over the road graph ([`fiber`]), indicators
//! ([`indicators`]), gaps ([`gaps`]), the site planner ([`planner`]) and the store layers ([`layers`])
//! that the server answers with. Network quality — top-N servers, SINR, downlink rate, speed tiers —
//! is [`quality`], computed by the same sweep. With a land-cover layer, every receiver pays its class's
//! terminal clutter loss ([`clutter`]). [`stage`] runs it all for `covermap build`.

pub mod best;
pub mod analysis;
pub mod calibration;
pub mod clutter;
pub mod cut;
pub mod engine;
pub mod fiber;
pub mod gaps;
pub mod h3;
pub mod hamlets;
pub mod indicators;
pub mod itm_walk;
pub mod layers;
pub mod locate;
pub mod location;
pub mod params;
pub mod planner;
pub mod points;
pub mod quality;
pub mod profile;
pub mod radial;
pub mod site_raster;
pub mod sites;
pub mod stage;
pub mod sweep;
pub mod synthetic;
pub mod terrain;

pub use params::{BandConfig, CoverageParams, DiffractionMethod, ModelKind, PlannerParams};
pub use points::SiteHitTable;
pub use stage::{hamlet_rsrp_without_sites, hamlet_signal_table, CoverageOutput, LocalSweep, OperatorResult, OperatorSweep, SweepSource};
