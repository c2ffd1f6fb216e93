//! The transactional store writer. A build (or a UAV ingest) writes every file into a staging
//! directory beside the store and then swaps it in with one atomic `renameat2(RENAME_EXCHANGE)`, so
//! readers and a killed build only ever see the previous complete store or the new complete one.

use std::path::{Path, PathBuf};

use gdal::raster::GdalType;

use super::layer::Layer;
use super::manifest::Manifest;
use crate::error::{Error, Result};
use crate::grid::Grid;

pub const RESULTS_GPKG: &str = "results.gpkg";
pub const MANIFEST_JSON: &str = "manifest.json";

pub struct StoreWriter {
    target: PathBuf,
    staging: PathBuf,
    gpkg: Option<gdal::Dataset>,
    layers: std::collections::BTreeMap<String, usize>,
    rasters: Vec<String>,
    committed: bool,
}

impl StoreWriter {
    /// Start a new store that will replace `target` entirely on commit.
    pub fn begin(target: &Path) -> Result<Self> {
        remove_abandoned_staging(target);
        let staging = staging_dir(target);
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(Self {
            target: target.to_path_buf(),
            staging,
            gpkg: None,
            layers: Default::default(),
            rasters: Vec::new(),
            committed: false,
        })
    }

    /// Start a change to the existing store at `target`: every current file is carried over (hard
    /// links for rasters, a copy of the GeoPackage, which is edited in place), then replaced or added to.
    pub fn begin_update(target: &Path) -> Result<(Self, Manifest)> {
        let manifest = Manifest::read(&target.join(MANIFEST_JSON))?;
        let mut w = Self::begin(target)?;
        copy_tree(target, &w.staging)?;
        w.layers = manifest.layers.clone();
        w.rasters = manifest.rasters.clone();
        Ok((w, manifest))
    }

    /// Where files of this build are being written (for writers with their own I/O).
    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    fn gpkg(&mut self) -> Result<&mut gdal::Dataset> {
        if self.gpkg.is_none() {
            self.gpkg = Some(super::gpkg::create_or_open(&self.staging.join(RESULTS_GPKG))?);
        }
        Ok(self.gpkg.as_mut().expect("opened above"))
    }

    /// Add (or replace) a vector layer in results.gpkg.
    pub fn put_layer(&mut self, layer: &Layer) -> Result<()> {
        let path = self.staging.join(RESULTS_GPKG);
        let ds = self.gpkg()?;
        super::gpkg::write_layer(ds, &path, layer)?;
        self.layers.insert(layer.name.clone(), layer.features.len());
        Ok(())
    }

    /// Add a raster as `<name>.tif` (COG). `name` may contain `/` for sub-folders (`uav/<flight>/ndvi`).
    pub fn put_raster<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync>(
        &mut self,
        name: &str,
        grid: &Grid<T>,
        crs: &str,
    ) -> Result<()> {
        let rel = format!("{name}.tif");
        crate::grid::io::write_cog(grid, &self.staging.join(&rel), crs)?;
        if !self.rasters.contains(&rel) {
            self.rasters.push(rel);
        }
        Ok(())
    }

    pub fn put_raster_f32(&mut self, name: &str, grid: &Grid<f32>, crs: &str) -> Result<()> {
        self.put_raster(name, grid, crs)
    }
    pub fn put_raster_u8(&mut self, name: &str, grid: &Grid<u8>, crs: &str) -> Result<()> {
        self.put_raster(name, grid, crs)
    }
    pub fn put_raster_i32(&mut self, name: &str, grid: &Grid<i32>, crs: &str) -> Result<()> {
        self.put_raster(name, grid, crs)
    }
    pub fn put_raster_u32(&mut self, name: &str, grid: &Grid<u32>, crs: &str) -> Result<()> {
        self.put_raster(name, grid, crs)
    }

    /// Add a raster by copying a file that already is a COG (e.g. the input DEM), else re-encode `grid`.
    pub fn put_raster_file_or_f32(&mut self, name: &str, file: Option<&Path>, grid: &Grid<f32>, crs: &str) -> Result<()> {
        if let Some(src) = file.filter(|f| is_cog(f)) {
            let rel = format!("{name}.tif");
            let dst = self.staging.join(&rel);
            let tmp = crate::grid::io::tmp_path(&dst);
            std::fs::copy(src, &tmp).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &dst).map_err(|e| Error::io(&dst, e))?;
            self.register_raster(&rel);
            return Ok(());
        }
        self.put_raster(name, grid, crs)
    }

    /// Record a raster file written directly into the staging directory by its producer.
    pub fn register_raster(&mut self, rel: &str) {
        if !self.rasters.iter().any(|r| r == rel) {
            self.rasters.push(rel.to_string());
        }
    }

    pub fn layer_counts(&self) -> &std::collections::BTreeMap<String, usize> {
        &self.layers
    }

    /// Write the manifest and swap the staging directory in place of the target, atomically.
    pub fn commit(mut self, mut manifest: Manifest) -> Result<()> {
        if let Some(ds) = self.gpkg.take() {
            ds.close().map_err(|e| Error::gdal(self.staging.join(RESULTS_GPKG), e))?;
        }
        manifest.layers = self.layers.clone();
        manifest.rasters = self.rasters.clone();
        manifest.rasters.sort();
        let mpath = self.staging.join(MANIFEST_JSON);
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Other(e.to_string()))?;
        // The carried-over manifest may be a hard link to the live one: unlink, never write through it.
        let _ = std::fs::remove_file(&mpath);
        std::fs::write(&mpath, text).map_err(|e| Error::io(&mpath, e))?;
        sync_dir(&self.staging);
        swap_in(&self.staging, &self.target)?;
        self.committed = true;
        // After the exchange the old store sits at the staging path.
        let _ = std::fs::remove_dir_all(&self.staging);
        Ok(())
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        if !self.committed {
            self.gpkg.take();
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Whether a GeoTIFF has the COG layout (GDAL's IMAGE_STRUCTURE metadata says LAYOUT=COG).
fn is_cog(path: &Path) -> bool {
    use gdal::Metadata;
    gdal::Dataset::open(path)
        .ok()
        .and_then(|d| d.metadata_item("LAYOUT", "IMAGE_STRUCTURE"))
        .is_some_and(|v| v.eq_ignore_ascii_case("COG"))
}

fn staging_dir(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "store".into());
    target.with_file_name(format!(".{name}.staging-{}", std::process::id()))
}

/// Remove the staging directories of builds that were killed (their process is gone): a killed build
/// must not leave a store-sized directory behind for ever. Live builds' directories are left alone.
fn remove_abandoned_staging(target: &Path) {
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "store".into());
    let prefix = format!(".{name}.staging-");
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = file_name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Exchange `staging` and `target` atomically (Linux renameat2); a plain rename when there is no target.
pub fn swap_in(staging: &Path, target: &Path) -> Result<()> {
    if let Some(parent) = target.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
    }
    if !target.exists() {
        return std::fs::rename(staging, target).map_err(|e| Error::io(target, e));
    }
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(staging.as_os_str().as_bytes()).map_err(|e| Error::Other(e.to_string()))?;
    let b = CString::new(target.as_os_str().as_bytes()).map_err(|e| Error::Other(e.to_string()))?;
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc != 0 {
        return Err(Error::io(target, std::io::Error::last_os_error()));
    }
    Ok(())
}

/// Carry a store's files over into a staging directory: hard links (rasters are never edited in
/// place), but a real copy of the GeoPackage, which SQLite edits in place.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let ft = entry.file_type().map_err(|e| Error::io(&src, e))?;
        if ft.is_dir() {
            std::fs::create_dir_all(&dst).map_err(|e| Error::io(&dst, e))?;
            copy_tree(&src, &dst)?;
        } else if src.extension().is_some_and(|e| e == "gpkg") || std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}
