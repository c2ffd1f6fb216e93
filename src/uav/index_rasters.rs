//! Vegetation index rasters of an orthomosaic, computed window by window in parallel and written as
//! Float32 COGs with overviews (`<dir>/ndvi.tif`, `ndre.tif`, `gndvi.tif`, `savi.tif`), on the
//! orthomosaic's own grid and CRS so no pixel is resampled.
//!
//! Windows are processed in batches: the workers compute a batch in parallel (each reading its window
//! through its own GDAL handle), then the batch is written in order. Memory is bounded by the batch,
//! not by the mosaic.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::camera::Band;
use super::float_raster::F32CogWriter;
use super::indices::{VegetationIndex, INDEX_NODATA};
use super::ortho::Orthomosaic;
use crate::error::Result;

/// What was written.
#[derive(Debug, Clone)]
pub struct IndexRasters {
    pub paths: Vec<(VegetationIndex, PathBuf)>,
    /// Pixels of the mosaic (valid or not).
    pub pixels: u64,
    /// Pixels with a valid NDVI.
    pub valid_pixels: u64,
    /// Mean NDVI over valid pixels (NaN when none).
    pub ndvi_mean: f64,
}

impl IndexRasters {
    pub fn path(&self, idx: VegetationIndex) -> Option<&Path> {
        self.paths.iter().find(|(i, _)| *i == idx).map(|(_, p)| p.as_path())
    }
}

struct WindowResult {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    values: Vec<Vec<f32>>,
    valid: u64,
    ndvi_sum: f64,
}

/// Compute `indices` of `ortho` into `dir/<index>.tif`. `progress(done, total)` is called after
/// each batch with window counts.
pub fn write_index_rasters(
    ortho: &Orthomosaic,
    dir: &Path,
    indices: &[VegetationIndex],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<IndexRasters> {
    let mut needed: Vec<Band> = indices.iter().flat_map(|i| i.bands().iter().copied()).collect();
    needed.sort();
    needed.dedup();
    let mut writers = indices
        .iter()
        .map(|i| {
            F32CogWriter::create(&dir.join(format!("{}.tif", i.name())), ortho.width, ortho.height, ortho.transform, &ortho.crs_wkt, INDEX_NODATA)
        })
        .collect::<Result<Vec<_>>>()?;
    let windows = ortho.windows();
    let batch = (rayon::current_num_threads() * 2).clamp(4, 32);
    let ndvi_slot = indices.iter().position(|i| *i == VegetationIndex::Ndvi);
    let (mut valid, mut ndvi_sum) = (0u64, 0f64);
    let total = windows.len() as u64;
    let mut done = 0u64;
    for chunk in windows.chunks(batch) {
        let results: Vec<WindowResult> = chunk
            .par_iter()
            .map(|&(x, y, w, h)| {
                let win = ortho.read(x, y, w, h, &needed)?;
                let mut values = vec![vec![INDEX_NODATA; w * h]; indices.len()];
                let (mut nvalid, mut sum) = (0u64, 0f64);
                // Masked bands are NaN, so each index is nodata exactly where one of its bands is.
                for (k, idx) in indices.iter().enumerate() {
                    for (i, out) in values[k].iter_mut().enumerate() {
                        if let Some(v) = idx.compute(&win.pixel(i)) {
                            *out = v;
                        }
                    }
                }
                if let Some(k) = ndvi_slot {
                    for v in values[k].iter().filter(|v| **v != INDEX_NODATA) {
                        nvalid += 1;
                        sum += *v as f64;
                    }
                }
                Ok(WindowResult { x, y, w, h, values, valid: nvalid, ndvi_sum: sum })
            })
            .collect::<Result<_>>()?;
        for r in results {
            valid += r.valid;
            ndvi_sum += r.ndvi_sum;
            for (wr, v) in writers.iter_mut().zip(r.values) {
                wr.write(r.x, r.y, r.w, r.h, v)?;
            }
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    // The COG conversions (overviews, compression) of the different indices are independent files.
    let paths = writers.into_par_iter().map(|w| w.finish()).collect::<Result<Vec<_>>>()?;
    Ok(IndexRasters {
        paths: indices.iter().copied().zip(paths).collect(),
        pixels: (ortho.width * ortho.height) as u64,
        valid_pixels: valid,
        ndvi_mean: if valid > 0 { ndvi_sum / valid as f64 } else { f64::NAN },
    })
}
