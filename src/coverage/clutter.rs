//! Terminal clutter loss at the receiver from its land-cover class (`[coverage.clutter]`): the extra
//! loss a handset standing among trees or buildings suffers over one in the open, added once to the
//! path loss of every transmitter at the receiver's DEM cell ([`ReceiverClutter`], applied by
//! [`super::sweep::at_receiver`]). The rasters, coverage classes, hamlets, SINR/rate and indicators
//! therefore all see it; interference at a cell passes the same clutter as the serving signal (the
//! same class, the same carrier frequency), so clutter lowers SINR only through the noise term.
//!
//! **Defaults** (dB at `reference_mhz` = 1800 MHz, handset at 1.5 m, relative to open ground — the
//! empirical models' own "open" environment already holds the open-ground loss): tree cover 12,
//! mangroves 12, built-up 16, shrubland 4, cropland 2, herbaceous wetland 1, grassland, bare/sparse,
//! snow/ice, moss/lichen and water 0. These are the typical values of planning tools' clutter tables
//! for a terminal inside the clutter (trees 10–15 dB, low-rise built-up 15–20 dB, fields 0–3 dB).
//! ITU-R P.2108-1 §3.1 gives, for a 1.5 m terminal at 1.8 GHz, 25.6 dB below 15 m trees and 21.8 dB
//! below 10 m suburban clutter (Eq. 2a) — but with respect to a terminal at the clutter's top, of
//! which open ground (Eq. 2b, 10 m) already costs 19.3 dB, so its excess over open ground is only
//! 2.5–6.3 dB; the planning values above lie between the two readings.
//!
//! **Frequency scaling** (`frequency_scaling = true`, default): a class's loss at frequency f and
//! receiver height h is its table value × A_h(f, h) / A_h(f_ref, 1.5 m), A_h the P.2108 §3.1
//! height-gain model of the class's P.2108 clutter type (Table 1 default heights R):
//! - tree cover, mangroves → trees/forest, R = 15 m; built-up → suburban, R = 10 m — Eq. (2a):
//!   A_h = J(ν) − 6.03, J(ν) = 6.9 + 20 log(√((ν − 0.1)² + 1) + ν − 0.1), ν = K_nu √(h_dif θ_clut),
//!   h_dif = R − h, θ_clut = atan(h_dif / w_s) in degrees, w_s = 27 m, K_nu = 0.342 √f (f in GHz);
//! - water → water/sea, every other class → open/rural, R = 10 m — Eq. (2b):
//!   A_h = −K_h2 log(h / R), K_h2 = 21.8 + 6.2 log f;
//! - A_h = 0 when h ≥ R (the terminal above the clutter: no loss).
//!
//! So a table value keeps its meaning at the reference and P.2108 supplies only the shape: trees lose
//! 12 × 22.6 / 25.6 = 10.6 dB at 900 MHz, 12.8 dB at 2600 MHz, and nothing for a receiver above
//! 15 m. P.2108 §3.1 holds for 0.03–3 GHz; a carrier outside is an error unless scaling is off, when
//! the table applies unchanged at every frequency and height.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::dataset::landcover::CLASSES;
use crate::error::{Error, Result};
use crate::grid::Grid;

/// P.2108 Table 1's default street width w_s (m).
pub const STREET_WIDTH_M: f64 = 27.0;
/// The receiver height the loss table is given for (m).
pub const TABLE_RX_HEIGHT_M: f64 = 1.5;
/// P.2108 §3.1's frequency range (MHz).
pub const P2108_RANGE_MHZ: (f64, f64) = (30.0, 3000.0);

/// `[coverage.clutter]`: loss per WorldCover class (dB at `reference_mhz`, handset at 1.5 m).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClutterParams {
    /// Frequency (MHz) at which the losses are given.
    pub reference_mhz: f64,
    /// Scale each loss with frequency and receiver height by ITU-R P.2108 §3.1 (see the module note).
    pub frequency_scaling: bool,
    pub tree_cover: f64,
    pub shrubland: f64,
    pub grassland: f64,
    pub cropland: f64,
    pub built_up: f64,
    pub bare_sparse: f64,
    pub snow_ice: f64,
    pub water: f64,
    pub herbaceous_wetland: f64,
    pub mangroves: f64,
    pub moss_lichen: f64,
}

impl Default for ClutterParams {
    fn default() -> Self {
        Self {
            reference_mhz: 1800.0,
            frequency_scaling: true,
            tree_cover: 12.0,
            shrubland: 4.0,
            grassland: 0.0,
            cropland: 2.0,
            built_up: 16.0,
            bare_sparse: 0.0,
            snow_ice: 0.0,
            water: 0.0,
            herbaceous_wetland: 1.0,
            mangroves: 12.0,
            moss_lichen: 0.0,
        }
    }
}

/// P.2108 §3.1's clutter types, as far as the WorldCover classes need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P2108Type {
    WaterSea,
    OpenRural,
    Suburban,
    TreesForest,
}

impl P2108Type {
    /// Of a WorldCover class code.
    pub fn of_class(code: u8) -> Self {
        match code {
            10 | 95 => P2108Type::TreesForest,
            50 => P2108Type::Suburban,
            80 => P2108Type::WaterSea,
            _ => P2108Type::OpenRural,
        }
    }

    /// Table 1's default representative clutter height R (m).
    pub fn height_m(self) -> f64 {
        match self {
            P2108Type::TreesForest => 15.0,
            _ => 10.0,
        }
    }
}

/// ITU-R P.2108-1 §3.1 height-gain terminal correction A_h (dB) for a terminal `h_m` high in clutter
/// of type `t` (representative height `r_m`, street width `ws_m`) at `f_ghz`.
pub fn p2108_height_gain_db(t: P2108Type, f_ghz: f64, h_m: f64, r_m: f64, ws_m: f64) -> f64 {
    if h_m >= r_m {
        return 0.0;
    }
    let h_dif = r_m - h_m; // Eq. (2d)
    match t {
        P2108Type::WaterSea | P2108Type::OpenRural => {
            let k_h2 = 21.8 + 6.2 * f_ghz.log10(); // Eq. (2f)
            -k_h2 * (h_m / r_m).log10() // Eq. (2b)
        }
        P2108Type::Suburban | P2108Type::TreesForest => {
            let theta = (h_dif / ws_m).atan().to_degrees(); // Eq. (2e)
            let k_nu = 0.342 * f_ghz.sqrt(); // Eq. (2g)
            let nu = k_nu * (h_dif * theta).sqrt(); // Eq. (2c)
            let j = if nu <= -0.78 { 0.0 } else { 6.9 + 20.0 * (((nu - 0.1).powi(2) + 1.0).sqrt() + nu - 0.1).log10() };
            j - 6.03 // Eq. (2a)
        }
    }
}

impl ClutterParams {
    /// The table value (dB at the reference) of a WorldCover class code; 0 for a non-class.
    pub fn class_loss_db(&self, code: u8) -> f64 {
        match code {
            10 => self.tree_cover,
            20 => self.shrubland,
            30 => self.grassland,
            40 => self.cropland,
            50 => self.built_up,
            60 => self.bare_sparse,
            70 => self.snow_ice,
            80 => self.water,
            90 => self.herbaceous_wetland,
            95 => self.mangroves,
            100 => self.moss_lichen,
            _ => 0.0,
        }
    }

    /// Check every loss and the reference; errors name `coverage.clutter.<key>`.
    pub fn validate(&self) -> Result<()> {
        for c in CLASSES {
            let v = self.class_loss_db(c.code);
            if !(v.is_finite() && (0.0..=60.0).contains(&v)) {
                return Err(Error::param(format!("coverage.clutter.{}", c.key), format!("must be a loss of 0–60 dB, got {v}")));
            }
        }
        let (lo, hi) = P2108_RANGE_MHZ;
        if !(self.reference_mhz.is_finite() && self.reference_mhz > 0.0) {
            return Err(Error::param("coverage.clutter.reference_mhz", format!("must be a positive frequency, got {}", self.reference_mhz)));
        }
        if self.frequency_scaling && !(lo..=hi).contains(&self.reference_mhz) {
            return Err(Error::param(
                "coverage.clutter.reference_mhz",
                format!("{} MHz is outside ITU-R P.2108 §3.1's {lo}–{hi} MHz (or set frequency_scaling = false)", self.reference_mhz),
            ));
        }
        Ok(())
    }

    /// Loss (dB) of every class code (indexed by the code, 0 for non-classes) for a carrier at
    /// `f_mhz` and a receiver `rx_height_m` high. Errors when scaling is on and `f_mhz` is outside
    /// P.2108 §3.1's range.
    pub fn table_db(&self, f_mhz: f64, rx_height_m: f64) -> Result<[f32; 256]> {
        let (lo, hi) = P2108_RANGE_MHZ;
        if self.frequency_scaling && !(lo..=hi).contains(&f_mhz) {
            return Err(Error::param(
                "coverage.clutter.frequency_scaling",
                format!("a carrier at {f_mhz} MHz is outside ITU-R P.2108 §3.1's {lo}–{hi} MHz; set frequency_scaling = false to apply the table unscaled"),
            ));
        }
        let mut t = [0f32; 256];
        for c in CLASSES {
            let v = self.class_loss_db(c.code);
            t[c.code as usize] = if self.frequency_scaling && v > 0.0 {
                let ty = P2108Type::of_class(c.code);
                let r = ty.height_m();
                let at = |f: f64, h: f64| p2108_height_gain_db(ty, f / 1000.0, h, r, STREET_WIDTH_M);
                (v * at(f_mhz, rx_height_m) / at(self.reference_mhz, TABLE_RX_HEIGHT_M)) as f32
            } else {
                v as f32
            };
        }
        Ok(t)
    }
}

/// A transmitter's receiver clutter: the land-cover classes on the DEM grid and the loss of each
/// class at the transmitter's frequency.
#[derive(Debug, Clone)]
pub struct ReceiverClutter {
    classes: Arc<Grid<u8>>,
    loss_db: Arc<[f32; 256]>,
}

impl ReceiverClutter {
    pub fn new(classes: Arc<Grid<u8>>, loss_db: [f32; 256]) -> Self {
        Self { classes, loss_db: Arc::new(loss_db) }
    }

    /// The clutter loss (dB) of a receiver at DEM cell index `cell`.
    #[inline]
    pub fn loss_db(&self, cell: usize) -> f32 {
        self.loss_db[self.classes.data[cell] as usize]
    }

    /// Whether the clutter loss (dB) of some receiver in a block of DEM cells satisfies `pred`.
    pub fn any_in_block(&self, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>, pred: impl Fn(f32) -> bool) -> bool {
        let w = self.classes.width;
        rows.flat_map(|r| &self.classes.data[r * w + cols.start..r * w + cols.end]).any(|&c| pred(self.loss_db[c as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2108_height_gain_matches_the_recommendation() {
        // P.2108-1 §3.1 by hand at 1.8 GHz, h = 1.5 m, w_s = 27 m:
        // open/rural R = 10: K_h2 = 21.8 + 6.2 log 1.8 = 23.383, A = 23.383 × log(10/1.5) = 19.27 dB;
        // trees R = 15: θ = atan(13.5/27) = 26.565°, ν = 0.342 √1.8 √(13.5 × 26.565) = 8.689,
        //   J = 31.63, A = 25.60 dB; suburban R = 10: θ = 17.475°, ν = 5.594, A = 21.76 dB.
        let a = |t, f, h, r| p2108_height_gain_db(t, f, h, r, 27.0);
        assert!((a(P2108Type::OpenRural, 1.8, 1.5, 10.0) - 19.27).abs() < 0.01);
        assert!((a(P2108Type::TreesForest, 1.8, 1.5, 15.0) - 25.60).abs() < 0.01, "{}", a(P2108Type::TreesForest, 1.8, 1.5, 15.0));
        assert!((a(P2108Type::Suburban, 1.8, 1.5, 10.0) - 21.76).abs() < 0.01, "{}", a(P2108Type::Suburban, 1.8, 1.5, 10.0));
        // Above the clutter: no loss; at its top ν = 0 and J(0) = 6.03, so no loss either.
        assert_eq!(a(P2108Type::TreesForest, 1.8, 20.0, 15.0), 0.0);
        assert!(a(P2108Type::TreesForest, 1.8, 14.999_999, 15.0).abs() < 0.01);
        // Loss grows with frequency.
        assert!(a(P2108Type::TreesForest, 2.6, 1.5, 15.0) > a(P2108Type::TreesForest, 0.9, 1.5, 15.0));
    }

    #[test]
    fn the_table_is_the_configured_loss_at_the_reference_and_scaled_elsewhere() {
        let p = ClutterParams::default();
        p.validate().unwrap();
        let t = p.table_db(1800.0, 1.5).unwrap();
        for c in CLASSES {
            assert_eq!(t[c.code as usize], p.class_loss_db(c.code) as f32, "{}", c.key);
        }
        assert_eq!((t[0], t[255], t[15]), (0.0, 0.0, 0.0));
        // Trees at 900 MHz: 12 × A(0.9 GHz) / A(1.8 GHz) = 12 × 22.58 / 25.60 = 10.58 dB; 2600 MHz 12.75.
        let t9 = p.table_db(900.0, 1.5).unwrap();
        assert!((t9[10] - 10.58).abs() < 0.02, "{}", t9[10]);
        let t26 = p.table_db(2600.0, 1.5).unwrap();
        assert!((t26[10] - 12.75).abs() < 0.02, "{}", t26[10]);
        // Zero stays zero; a receiver on a 20 m mast is above every clutter type's height.
        assert_eq!(t9[80], 0.0);
        assert!(p.table_db(1800.0, 20.0).unwrap().iter().all(|&v| v == 0.0));
        // Without scaling the table applies unchanged anywhere (also outside P.2108's range).
        let flat = ClutterParams { frequency_scaling: false, ..p.clone() };
        assert_eq!(flat.table_db(3500.0, 1.5).unwrap()[10], 12.0);
        let e = p.table_db(3500.0, 1.5).unwrap_err().to_string();
        assert!(e.contains("coverage.clutter.frequency_scaling") && e.contains("3500"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = ClutterParams { built_up: -3.0, ..Default::default() }.validate().unwrap_err().to_string();
        assert!(e.contains("coverage.clutter.built_up") && e.contains("-3"), "{e}");
        let e = ClutterParams { reference_mhz: 5000.0, ..Default::default() }.validate().unwrap_err().to_string();
        assert!(e.contains("coverage.clutter.reference_mhz"), "{e}");
        assert!(toml::from_str::<ClutterParams>("tree = 3").is_err());
        let p: ClutterParams = toml::from_str("tree_cover = 14\nfrequency_scaling = false").unwrap();
        assert_eq!((p.tree_cover, p.frequency_scaling, p.built_up), (14.0, false, 16.0));
    }
}
