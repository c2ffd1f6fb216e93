//! The `measurements` layer: drive-test RSRP samples (`operator`, `rsrp_dbm`, optional `time`, `band`
//! in MHz, `pci`, `site_id`, `environment` = `outdoor` | `in_vehicle`). Validated like every layer:
//! a value that is not a number, an RSRP outside the 3GPP reporting range, a point off the DEM or an
//! operator without cell sites is one error naming the file, the layer and the feature. Used by the
//! dataset loader and by `covermap measurements add`.

use std::path::Path;

use super::config::LayerSource;
use super::load::{check_on_dem, to_point};
use super::model::{MeasureEnv, Measurement};
use super::vector_io::{read_layer, Expect, RawFeature, RawLayer};
use crate::error::Result;
use crate::grid::Grid;

/// The layer's name in `dataset.toml` and in the store.
pub const LAYER: &str = "measurements";

/// RSRP reporting range of 3GPP TS 36.133 §9.1.4 (dBm): a handset cannot report anything outside it.
pub const RSRP_RANGE_DBM: (f64, f64) = (-140.0, -44.0);

fn opt_number(l: &RawLayer, f: &RawFeature, key: &str) -> Result<Option<f64>> {
    match f.text(key) {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(_) => l.req_number(f, key).map(Some),
    }
}

/// Validate a read layer into measurements (ids continue from `first_id`).
pub fn parse(l: &RawLayer, dem: &Grid<f32>, operators: &[String], first_id: i64) -> Result<Vec<Measurement>> {
    let mut out = Vec::with_capacity(l.features.len());
    for f in &l.features {
        let pos = to_point(f.geometry.clone());
        check_on_dem(dem, l, f.fid, pos, "measurement")?;
        let operator = l.req_text(f, "operator")?.trim().to_lowercase();
        if !operators.contains(&operator) {
            return Err(l.err(f.fid, format!("operator `{operator}` has no cell sites in the dataset (known: {})", operators.join(", "))));
        }
        let rsrp = l.req_number(f, "rsrp_dbm")?;
        if !(RSRP_RANGE_DBM.0..=RSRP_RANGE_DBM.1).contains(&rsrp) {
            return Err(l.err(f.fid, format!("rsrp_dbm {rsrp} is outside the RSRP reporting range −140…−44 dBm (3GPP TS 36.133)")));
        }
        let band = opt_number(l, f, "band")?;
        if let Some(b) = band {
            if !(b > 0.0 && b <= 100_000.0) {
                return Err(l.err(f.fid, format!("band {b} is not a frequency in MHz")));
            }
        }
        let pci = opt_number(l, f, "pci")?;
        if let Some(p) = pci {
            if !(0.0..=503.0).contains(&p) || p.fract() != 0.0 {
                return Err(l.err(f.fid, format!("pci {p} is not an LTE physical cell id (0–503)")));
            }
        }
        let site_id = opt_number(l, f, "site_id")?;
        if let Some(s) = site_id {
            if s.fract() != 0.0 {
                return Err(l.err(f.fid, format!("site_id {s} is not an integer")));
            }
        }
        let environment = match f.text("environment").filter(|s| !s.trim().is_empty()) {
            None => MeasureEnv::Outdoor,
            Some(s) => MeasureEnv::parse(&s).ok_or_else(|| l.err(f.fid, format!("environment `{s}` is not `outdoor` or `in_vehicle`")))?,
        };
        out.push(Measurement {
            id: first_id + out.len() as i64,
            operator,
            rsrp_dbm: rsrp,
            pos,
            time: f.text("time").filter(|s| !s.trim().is_empty()),
            band_mhz: band,
            pci: pci.map(|p| p as i64),
            site_id: site_id.map(|s| s as i64),
            environment,
            added: false,
        });
    }
    Ok(out)
}

/// The layer source for a bare file given on the command line: CSV gets `lon,lat` columns in
/// EPSG:4326 (as the demo's point layers); any other format brings its own CRS.
pub fn source_for_file(file: &Path) -> LayerSource {
    let csv = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    LayerSource {
        file: file.to_path_buf(),
        layer: None,
        crs: csv.then(|| "EPSG:4326".to_string()),
        fields: Default::default(),
        open_options: if csv {
            vec!["X_POSSIBLE_NAMES=lon".into(), "Y_POSSIBLE_NAMES=lat".into(), "KEEP_GEOM_COLUMNS=NO".into()]
        } else {
            vec![]
        },
    }
}

/// Read and validate a measurements source (paths relative to `dir`).
pub fn read(dir: &Path, src: &LayerSource, working_crs: &str, dem: &Grid<f32>, operators: &[String], first_id: i64) -> Result<Vec<Measurement>> {
    let l = read_layer(dir, LAYER, src, Expect::Point, &["operator", "rsrp_dbm"], working_crs)?;
    parse(&l, dem, operators, first_id)
}
