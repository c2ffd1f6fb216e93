//! `dataset.toml`: which files make up a dataset, the CRS of each when the file does not say, the
//! mapping from our attribute names to the file's, and the analyses' parameters.
//!
//! ```toml
//! name = "sonla"
//! crs = "EPSG:32648"            # the metric working CRS every analysis runs in
//! [dem]
//! file = "generated/dem.tif"    # any raster GDAL reads: GeoTIFF, SRTM .hgt, …
//! [layers.hamlets]
//! file = "generated/hamlets.csv"
//! crs = "EPSG:4326"             # CSV has no CRS of its own
//! open_options = ["X_POSSIBLE_NAMES=lon", "Y_POSSIBLE_NAMES=lat"]
//! fields = { name = "ten_ban" } # our name = the file's name
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RasterSource {
    pub file: PathBuf,
    /// CRS override for rasters without one.
    #[serde(default)]
    pub crs: Option<String>,
    /// Cell size (m) when the raster must be warped into the working CRS.
    #[serde(default)]
    pub resolution: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSource {
    pub file: PathBuf,
    /// Layer name inside a multi-layer source (GeoPackage); the first layer when absent.
    #[serde(default)]
    pub layer: Option<String>,
    /// CRS override: for sources without one (CSV) or with a wrong one.
    #[serde(default)]
    pub crs: Option<String>,
    /// Our attribute name → the source's attribute name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// GDAL open options (e.g. CSV `X_POSSIBLE_NAMES=lon`).
    #[serde(default)]
    pub open_options: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlightConfig {
    pub id: String,
    pub date: String,
    #[serde(default = "default_camera")]
    pub camera: String,
    /// Band mapping, e.g. `blue=1,green=2,red=3,rededge=4,nir=5` (required for `generic`).
    #[serde(default)]
    pub bands: Option<String>,
    /// Reflectance scale applied to the digital numbers (reflectance = DN × scale).
    #[serde(default)]
    pub scale: Option<f64>,
    pub images: Vec<PathBuf>,
}

fn default_camera() -> String {
    "generic".into()
}

// No `deny_unknown_fields`: serde does not combine it with `flatten`; `read` rejects unknown keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetConfig {
    pub name: String,
    /// The metric working CRS (e.g. "EPSG:32648").
    pub crs: String,
    pub dem: RasterSource,
    pub layers: BTreeMap<String, LayerSource>,
    #[serde(default)]
    pub flights: Vec<FlightConfig>,
    /// Informational: how the demo dataset was generated.
    #[serde(default)]
    pub generator: toml::Table,
    /// Parameters of each analysis, by section (`[coverage]`, `[risk]`, `[uav]`: the sections of
    /// [`crate::analysis::registry`]), passed through to it; any other key is rejected by `read`.
    #[serde(flatten)]
    pub sections: BTreeMap<String, toml::Value>,
}

/// The top-level keys of `dataset.toml` besides the analyses' sections.
const FIXED_KEYS: [&str; 6] = ["name", "crs", "dem", "layers", "flights", "generator"];

pub const DATASET_TOML: &str = "dataset.toml";

/// Every `[layers.X]` the loader reads (required and optional): any other name is a typo.
pub const KNOWN_LAYERS: [&str; 16] = [
    "districts",
    "province",
    "commune_centres",
    "communes",
    "hamlets",
    "cell_sites",
    "sectors",
    "roads",
    "fiber_routes",
    "fiber_access_points",
    "orchards",
    "rivers",
    "towns",
    "hydropower",
    crate::dataset::measurements::LAYER,
    crate::dataset::landcover::LAYER,
];

impl DatasetConfig {
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(DATASET_TOML);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::input(&path, "file not found (run `covermap demo-data` for the default dataset)")
            } else {
                Error::io(&path, e)
            }
        })?;
        // toml's Display draws the offending line with a caret over several lines; one line is wanted.
        let cfg: Self = toml::from_str(&text).map_err(|e| {
            let line = e.span().and_then(|s| text.get(..s.start)).map(|t| t.matches('\n').count() + 1);
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            Error::input(&path, format!("{at}{}", e.message().trim().replace('\n', " ")))
        })?;
        let analyses = crate::analysis::sections();
        if let Some(unknown) = cfg.sections.keys().find(|k| !analyses.contains(&k.as_str())) {
            let declares = |l: &str| {
                let l = l.trim();
                l == format!("[{unknown}]") || l.strip_prefix(unknown.as_str()).is_some_and(|r| r.trim_start().starts_with('='))
            };
            let line = text.lines().position(declares).map(|i| format!("line {}: ", i + 1));
            return Err(Error::input(
                &path,
                format!("{}unknown key `{unknown}` (known: {}, and the analyses' sections {})", line.unwrap_or_default(), FIXED_KEYS.join(", "), analyses.join(", ")),
            ));
        }
        if let Some((section, _)) = cfg.sections.iter().find(|(_, v)| !v.is_table()) {
            return Err(Error::input(&path, format!("`{section}` must be a table ([{section}]) of the analysis's parameters")));
        }
        if let Some(unknown) = cfg.layers.keys().find(|k| !KNOWN_LAYERS.contains(&k.as_str())) {
            let line = text.lines().position(|l| l.trim_start().starts_with(&format!("[layers.{unknown}]"))).map(|i| format!("line {}: ", i + 1));
            return Err(Error::input(
                &path,
                format!("{}unknown layer [layers.{unknown}] (known layers: {})", line.unwrap_or_default(), KNOWN_LAYERS.join(", ")),
            ));
        }
        Ok(cfg)
    }

    /// Parameters of one analysis section, deserialized into its type (defaults for missing keys).
    pub fn params<T: serde::de::DeserializeOwned>(&self, section: &str) -> Result<T> {
        let table = match self.sections.get(section) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => return Err(Error::param(format!("[{section}]"), "must be a table of parameters")),
            None => toml::Table::new(),
        };
        toml::Value::Table(table)
            .try_into()
            .map_err(|e| Error::param(format!("[{section}]"), e.to_string().trim().replace('\n', " ")))
    }

    /// Every file the dataset reads (for checksums and stale detection).
    pub fn input_files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut v = vec![dir.join(DATASET_TOML), dir.join(&self.dem.file)];
        for l in self.layers.values() {
            let p = dir.join(&l.file);
            v.push(p.clone());
            // A shapefile is several files.
            if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp")) {
                for ext in ["dbf", "shx", "prj"] {
                    let q = p.with_extension(ext);
                    if q.exists() {
                        v.push(q);
                    }
                }
            }
        }
        for f in &self.flights {
            v.extend(f.images.iter().map(|i| dir.join(i)));
        }
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name = \"t\"\ncrs = \"EPSG:32648\"\n[dem]\nfile = \"dem.tif\"\n[layers]\n";

    fn read(text: &str) -> Result<DatasetConfig> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DATASET_TOML), text).unwrap();
        DatasetConfig::read(dir.path())
    }

    #[test]
    fn flights_carry_a_band_mapping_and_scale_for_any_camera() {
        let cfg = read(&format!(
            "{MINIMAL}\n[[flights]]\nid = \"f1\"\ndate = \"2026-03-10\"\ncamera = \"generic\"\nbands = \"red=3,nir=5\"\nscale = 0.0001\nimages = [\"a.tif\"]\n\
             \n[[flights]]\nid = \"f2\"\ndate = \"2026-04-07\"\ncamera = \"p4m\"\nimages = [\"b.tif\"]\n"
        ))
        .unwrap();
        assert_eq!(cfg.flights[0].bands.as_deref(), Some("red=3,nir=5"));
        assert_eq!(cfg.flights[0].scale, Some(0.0001));
        assert_eq!((cfg.flights[1].bands.as_deref(), cfg.flights[1].scale), (None, None));
        // A misspelt key is an error naming the line, not a silently ignored mapping.
        let e = read(&format!("{MINIMAL}\n[[flights]]\nid = \"f1\"\ndate = \"2026-03-10\"\nband = \"red=3\"\nimages = []\n")).unwrap_err();
        assert!(e.to_string().contains("band"), "{e}");
    }

    #[test]
    fn an_unknown_layer_is_an_error_listing_the_known_ones() {
        let e = read(&format!("{MINIMAL}[layers.hamlet]\nfile = \"h.csv\"\n")).unwrap_err().to_string();
        assert!(e.contains("[layers.hamlet]") && e.contains("line 6"), "{e}");
        for known in KNOWN_LAYERS {
            assert!(e.contains(known), "{known} missing from: {e}");
        }
        assert!(read(&format!("{MINIMAL}[layers.hamlets]\nfile = \"h.csv\"\n")).is_ok());
    }
}
