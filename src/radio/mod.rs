//! The radio physics, independent of any dataset or store: the propagation models behind one
//! [`PathLoss`] trait and one [`Propagation`] enum ([`propagation`]) — Okumura-Hata ([`hata`]),
//! COST-231 Hata ([`cost231`]), free space ([`fspl`]) and the Longley-Rice ITM ([`itm`]) — knife-edge
//! diffraction ([`knife_edge`]; several edges by [`bullington`] or [`deygout`]) over the terrain
//! profile's upper convex hull ([`hull`]) with earth curvature ([`earth`]), the 3GPP TR 36.814
//! sector pattern ([`antenna`]) and the fast trigonometry of the hot loop ([`fastmath`]).
//! [`crate::coverage`] walks these over a province's DEM.

pub mod antenna;
pub mod bullington;
pub mod cost231;
pub mod deygout;
pub mod earth;
pub mod fastmath;
pub mod fspl;
pub mod hata;
pub mod hull;
pub mod itm;
pub mod knife_edge;
pub mod propagation;

pub use fspl::FreeSpace;
pub use hata::{Environment, Hata};
pub use propagation::{Link, PathLoss, Propagation};
