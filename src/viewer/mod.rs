//! The web map served at `/`: a MapLibre GL JS page bundled from `web/` into the binary at compile
//! time ([`assets`]), the label glyphs rendered from embedded fonts ([`glyphs`]), and the routes
//! that serve both ([`routes`]). Nothing the page needs comes from outside the service: its
//! basemap is our own hillshade and vector layers, its fonts are ours, its script is embedded.

pub mod assets;
pub mod glyphs;
pub mod routes;

pub use routes::router;
