//! One site's path loss (or RSRP) over any DEM — SPLAT!'s job, for `covermap radio site`: the
//! coverage engine ([`super::engine::sweep_sites`]) run on a single isotropic transmitter placed by
//! coordinates instead of a dataset's sites layer, with any of the engine's models (ITM with all of
//! its parameters, Hata, COST-231, free space; the empirical ones with knife-edge diffraction as in
//! the build). The transmitter radiates 0 dBm EIRP with no pattern, so the engine's RSRP is minus
//! the basic transmission loss; with an EIRP the raster is RSRP = EIRP − loss.

use super::best::MaxGrid;
use super::engine::{sweep_sites, SweepInput};
use super::params::CoverageParams;
use super::sites::{dem_elevation, PreparedSite, SectorRadio, Transmitter};
use crate::error::{Error, Result};
use crate::grid::{GeoTransform, Grid};
use crate::radio::antenna::AntennaPattern;
use crate::radio::Propagation;

/// Nodata of the written raster.
pub const SITE_NODATA: f32 = -9999.0;

/// The site and what to compute.
#[derive(Debug, Clone, Copy)]
pub struct SiteSpec {
    /// Position in the DEM's CRS.
    pub x: f64,
    pub y: f64,
    /// Antenna height above ground, m.
    pub height_m: f64,
    pub f_mhz: f64,
    pub radius_m: f64,
    pub rx_height_m: f64,
    pub propagation: Propagation,
    /// `Some`: the raster is RSRP (dBm) for this EIRP; `None`: basic transmission loss (dB).
    pub eirp_dbm: Option<f64>,
}

/// What a run computed.
#[derive(Debug, Clone, Copy)]
pub struct SiteStats {
    /// Cells within the radius whose value was looked up.
    pub cells: u64,
    /// Profile samples (model evaluations along the radials).
    pub samples: u64,
    /// Cells with a value in the raster.
    pub valued: usize,
    pub ground_m: f32,
}

/// The loss (or RSRP) raster of `spec` on `dem` (metric CRS): the window of the DEM's grid around
/// the site out to the radius, [`SITE_NODATA`] where nothing was computed.
pub fn site_raster(dem: &Grid<f32>, spec: &SiteSpec, source: &str) -> Result<(Grid<f32>, SiteStats)> {
    for (name, v) in [("height", spec.height_m), ("freq", spec.f_mhz), ("radius", spec.radius_m), ("rx-height", spec.rx_height_m)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::param(name, format!("must be a positive number, got {v}")));
        }
    }
    let ground = dem_elevation(dem, spec.x, spec.y)
        .ok_or_else(|| Error::param("site", format!("({:.1}, {:.1}) is outside the DEM or on nodata ({source})", spec.x, spec.y)))?;
    // Thresholds far below any loss, so the engine's reach cut never shortens a radial: the
    // raster covers the whole radius, as SPLAT!'s does.
    let params = CoverageParams {
        rx_height_m: spec.rx_height_m,
        max_radius_m: spec.radius_m,
        min_rsrp_dbm: -1000.0,
        covered_dbm: -1000.0,
        good_dbm: -1000.0,
        reach_margin_db: 0.0,
        ..CoverageParams::default()
    };
    let propagation = match spec.propagation {
        Propagation::Itm(mut p) => {
            p.h_tx_m = spec.height_m;
            p.h_rx_m = spec.rx_height_m;
            p.f_mhz = spec.f_mhz;
            p.validate().map_err(|e| Error::param("itm", format!("{e} (code {})", e.code())))?;
            Propagation::Itm(p)
        }
        other => {
            if let Some(m) = other.median_model() {
                let (lo, hi) = m.range_mhz();
                if spec.f_mhz < lo || spec.f_mhz > hi {
                    return Err(Error::param("freq", format!("{} MHz is outside the model's range {lo}–{hi} MHz", spec.f_mhz)));
                }
            }
            other
        }
    };
    let isotropic = AntennaPattern::new(None, 360.0, 180.0, 0.0, 0.0, 0.0, 0.0);
    let tx = Transmitter {
        clutter: None,
        x: spec.x,
        y: spec.y,
        ground_m: ground,
        height_m: spec.height_m,
        f_mhz: spec.f_mhz,
        propagation,
        radius_m: spec.radius_m,
        sectors: vec![SectorRadio { sector_id: 1, pattern: isotropic, eirp_dbm: 0.0 }],
        max_eirp_dbm: 0.0,
    };
    let site = PreparedSite { label: "site".into(), index: 0, id: 0, operator: String::new(), x: spec.x, y: spec.y, txs: vec![tx] };

    // The window of cells the radius can reach.
    let t = dem.transform;
    let (px, py) = dem.world_to_pixel(spec.x, spec.y);
    let (rc, rr) = (spec.radius_m / t.dx, spec.radius_m / t.dy);
    let c0 = (px - rc).floor().max(0.0) as usize;
    let r0 = (py - rr).floor().max(0.0) as usize;
    let c1 = ((px + rc).ceil().max(0.0) as usize).min(dem.width);
    let r1 = ((py + rr).ceil().max(0.0) as usize).min(dem.height);
    let (w, h) = (c1 - c0, r1 - r0);
    let best = MaxGrid::new(w * h);
    let stats = sweep_sites(
        SweepInput { dem, sites: &[&site], params: &params, source },
        |i, v, _| {
            let (c, r) = (i % dem.width, i / dem.width);
            if c >= c0 && c < c1 && r >= r0 && r < r1 {
                best.update((r - r0) * w + (c - c0), v);
            }
        },
        || {},
    )?;
    let transform = GeoTransform { x0: t.x0 + c0 as f64 * t.dx, y0: t.y0 - r0 as f64 * t.dy, dx: t.dx, dy: t.dy };
    let mut out = Grid::new(w, h, transform, SITE_NODATA, Some(SITE_NODATA));
    let mut valued = 0;
    for (i, o) in out.data.iter_mut().enumerate() {
        if let Some(rsrp0) = best.get(i) {
            // The engine's RSRP at 0 dBm EIRP is −loss.
            *o = match spec.eirp_dbm {
                Some(e) => (e + rsrp0 as f64) as f32,
                None => -rsrp0,
            };
            valued += 1;
        }
    }
    Ok((out, SiteStats { cells: stats.cells, samples: stats.samples, valued, ground_m: ground }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::radio::fspl::free_space_loss_db;
    use crate::radio::FreeSpace;

    #[test]
    fn flat_ground_in_line_of_sight_is_free_space() {
        // 1 km of flat ground around a 30 m mast: clear first Fresnel zone at 1800 MHz out to a
        // kilometre, so the engine's loss is ITU-R P.525's free-space loss at the cell's distance.
        let t = GeoTransform { x0: 0.0, y0: 3000.0, dx: 30.0, dy: 30.0 };
        let dem = Grid::new(100, 100, t, 200f32, Some(-9999.0));
        let spec = SiteSpec {
            x: 1515.0,
            y: 1485.0,
            height_m: 30.0,
            f_mhz: 1800.0,
            radius_m: 1000.0,
            rx_height_m: 1.5,
            propagation: Propagation::FreeSpace(FreeSpace),
            eirp_dbm: None,
        };
        let (g, s) = site_raster(&dem, &spec, "test").unwrap();
        assert!(s.valued > 3000, "{s:?}");
        // The cell 600 m east of the site (20 cells).
        let (c, r) = g.cell_of(1515.0 + 600.0, 1485.0).unwrap();
        let v = g.get(c, r) as f64;
        // The cell takes the nearest radial sample (≤ half a 30 m step away: ≤ 0.21 dB at 600 m).
        assert!((v - free_space_loss_db(1800.0, 0.6)).abs() < 0.22, "{v} vs {}", free_space_loss_db(1800.0, 0.6));
        let rsrp = site_raster(&dem, &SiteSpec { eirp_dbm: Some(30.0), ..spec }, "test").unwrap().0;
        assert!((rsrp.get(c, r) as f64 - (30.0 - v)).abs() < 1e-3);
        // Outside the radius: nodata.
        assert_eq!(g.get(0, 0), SITE_NODATA);
    }
}
