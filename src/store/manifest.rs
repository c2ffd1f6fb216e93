//! `manifest.json`: what a store was built from (input checksums, parameters, program version) and
//! how long each stage took. Stale detection compares the recorded checksums with the inputs now.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageTiming {
    pub stage: String,
    pub seconds: f64,
    /// Free-form throughput note, e.g. "37.8 M cells, 41.2 M cells/s".
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub dataset: String,
    pub covermap_version: String,
    /// Seconds since the Unix epoch when the build finished.
    pub built_at_unix: u64,
    /// The working CRS of the results.
    pub crs: String,
    /// Input file (relative to the dataset directory) → SHA-256.
    pub inputs: BTreeMap<String, String>,
    /// The dataset.toml parameters as used.
    pub params: serde_json::Value,
    pub timings: Vec<StageTiming>,
    /// Vector layers in results.gpkg → feature count.
    pub layers: BTreeMap<String, usize>,
    /// Raster files (relative to the store) of the build.
    pub rasters: Vec<String>,
    /// Raster file → the style its producer declared (colour map and legend); a raster missing here
    /// (a store written before styles were recorded) is drawn by [`super::RasterStyle::guess`].
    #[serde(default)]
    pub raster_styles: BTreeMap<String, super::RasterStyle>,
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_str(&text).map_err(|e| Error::store(path, format!("unreadable manifest: {e}")))
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Checksums of a set of files, keyed by their path relative to `base`, hashed in parallel.
pub fn checksums(base: &Path, files: &[PathBuf]) -> Result<BTreeMap<String, String>> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|f| {
            let rel = f.strip_prefix(base).unwrap_or(f).to_string_lossy().to_string();
            Ok((rel, sha256_file(f)?))
        })
        .collect()
}
