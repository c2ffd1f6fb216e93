//! The coverage engine: terrain-aware LTE signal over the DEM, each hamlet's 4G and fiber status, the
//! province's indicators, the coverage gaps and the site planner.
//!
//! Radio: per band an empirical median loss — Okumura-Hata ([`hata`]), COST-231 Hata ([`cost231`]) or
//! free space ([`fspl`]) — plus knife-edge diffraction over the terrain ([`knife_edge`]; multiple
//! edges by [`bullington`], or [`deygout`] on request) with earth curvature ([`earth`]), and the 3GPP TR 36.814 sector pattern ([`antenna`]). The engine
//! walks radials outwards from each site ([`radial`], [`profile`], [`sweep`]) carrying the profile's
//! upper hull ([`hull`]), so each cell costs a few operations, and folds every site into best-server
//! grids in parallel ([`engine`], [`best`]). [`points`] evaluates single points with the same walk.
//!
//! Then: hamlet status ([`hamlets`]), fiber reach over the road graph ([`fiber`]), indicators
//! ([`indicators`]), gaps ([`gaps`]), the site planner ([`planner`]), the store layers ([`layers`]) and
//! the API's JSON/CSV ([`api`]). [`stage`] runs it all for `covermap build`.

pub mod antenna;
pub mod api;
pub mod best;
pub mod bullington;
pub mod cost231;
pub mod deygout;
pub mod earth;
pub mod engine;
pub mod fastmath;
pub mod fiber;
pub mod fspl;
pub mod gaps;
pub mod hamlets;
pub mod hata;
pub mod hull;
pub mod indicators;
pub mod itm;
pub mod itm_walk;
pub mod knife_edge;
pub mod layers;
pub mod model;
pub mod params;
pub mod planner;
pub mod points;
pub mod profile;
pub mod radial;
pub mod sites;
pub mod stage;
pub mod sweep;
pub mod synthetic;

pub use params::{BandConfig, CoverageParams, DiffractionMethod, ModelKind, PlannerParams};
pub use points::SiteHitTable;
pub use stage::{build_stage, build_stage_from, hamlet_rsrp_without_sites, hamlet_signal_table, CoverageOutput, LocalSweep, SweepSource};
