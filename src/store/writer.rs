//! The transactional store writer. A build (or a UAV ingest) writes every file into a staging
//! directory beside the store and then swaps it in with one atomic `renameat2(RENAME_EXCHANGE)`, so
//! readers and a killed build only ever see the previous complete store or the new complete one.
//! A writer holds the store's exclusive lock ([`super::lock`]) from `begin` to commit or drop, so
//! writers in different processes take turns and an update starts from the latest store.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use gdal::raster::GdalType;

use super::layer::Layer;
use super::lock::{lock_store, LockWait, StoreLock};
use super::manifest::Manifest;
use super::style::RasterStyle;
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
    /// Raster file → the style its producer declared.
    styles: std::collections::BTreeMap<String, RasterStyle>,
    committed: bool,
    /// Rasters being encoded by background threads ([`StoreWriter::put_raster_background`]).
    pending: Vec<PendingRaster>,
    /// Held until the writer is gone (declared last: dropped after the staging directory is removed).
    _lock: StoreLock,
}

impl StoreWriter {
    /// Start a new store that will replace `target` entirely on commit.
    /// Waits while another writer holds the store's lock.
    pub fn begin(target: &Path) -> Result<Self> {
        Self::begin_locked(target, lock_store(target, LockWait::Wait)?)
    }

    /// [`StoreWriter::begin`] for a caller that already holds the store's lock (taken with
    /// [`lock_store`] to read the store before deciding what to write).
    pub fn begin_locked(target: &Path, lock: StoreLock) -> Result<Self> {
        // With the lock held no other writer is running: every staging directory is left over.
        remove_staging(target, true);
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
            styles: Default::default(),
            committed: false,
            pending: Vec::new(),
            _lock: lock,
        })
    }

    /// Start a change to the existing store at `target`: every current file is carried over (hard
    /// links for rasters, a copy of the GeoPackage, which is edited in place), then replaced or added to.
    /// The lock is taken before the store is read, so the update is based on the latest store; read
    /// what the update builds on from [`StoreWriter::staging_dir`] (the carried-over copy).
    pub fn begin_update(target: &Path) -> Result<(Self, Manifest)> {
        Self::begin_update_locked(target, lock_store(target, LockWait::Wait)?)
    }

    /// [`StoreWriter::begin_update`] under a lock the caller already holds.
    pub fn begin_update_locked(target: &Path, lock: StoreLock) -> Result<(Self, Manifest)> {
        let manifest = Manifest::read(&target.join(MANIFEST_JSON))?;
        let mut w = Self::begin_locked(target, lock)?;
        copy_tree(target, &w.staging)?;
        w.layers = manifest.layers.clone();
        w.rasters = manifest.rasters.clone();
        w.styles = manifest.raster_styles.clone();
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

    /// Add a raster as `<name>.tif` (COG), drawn with `style`. `name` may contain `/` for
    /// sub-folders (`uav/<flight>/ndvi`).
    pub fn put_raster<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync>(
        &mut self,
        name: &str,
        grid: &Grid<T>,
        crs: &str,
        style: RasterStyle,
    ) -> Result<()> {
        let rel = format!("{name}.tif");
        crate::grid::io::write_cog_with(grid, &self.staging.join(&rel), crs, predictor::<T>(style))?;
        self.register_raster(&rel, style);
        Ok(())
    }

    /// [`StoreWriter::put_raster`] on a background thread: the COG is compressed while the caller
    /// goes on computing (the risk stage's Priority-Flood is sequential, so one core is free for
    /// the encoding). The grid is shared, not copied, and freed when both are done with it. The
    /// raster counts as written only once [`StoreWriter::finish_background`] (or the commit) has
    /// joined the thread; a failed write fails that call, naming the file.
    pub fn put_raster_background<T: GdalType + Copy + Into<f64> + PartialEq + Send + Sync + 'static>(
        &mut self,
        name: &str,
        grid: Arc<Grid<T>>,
        crs: &str,
        style: RasterStyle,
    ) -> Result<()> {
        let rel = format!("{name}.tif");
        let path = self.staging.join(&rel);
        let crs = crs.to_string();
        let handle = std::thread::Builder::new()
            .name(format!("cog {name}"))
            .spawn({
                let path = path.clone();
                move || {
                    let t = Instant::now();
                    crate::grid::io::write_cog_with(&grid, &path, &crs, predictor::<T>(style))?;
                    Ok(t.elapsed().as_secs_f64())
                }
            })
            .map_err(|e| Error::io(&path, e))?;
        self.pending.push(PendingRaster { path, handle });
        self.register_raster(&rel, style);
        Ok(())
    }

    /// Wait for every background raster write; the first failure is returned (all are joined).
    pub fn finish_background(&mut self) -> Result<BackgroundWrites> {
        let t = Instant::now();
        let mut done = BackgroundWrites::default();
        let mut first_err = None;
        for p in self.pending.drain(..) {
            let r = p.handle.join().unwrap_or_else(|_| Err(Error::Invariant(format!("writing {} panicked", p.path.display()))));
            match r {
                Ok(s) => {
                    done.rasters += 1;
                    done.write_seconds += s;
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        done.waited_seconds = t.elapsed().as_secs_f64();
        first_err.map_or(Ok(done), Err)
    }

    /// Add a raster by copying a file that already is a COG (e.g. the input DEM), else re-encode `grid`.
    pub fn put_raster_file_or_f32(&mut self, name: &str, file: Option<&Path>, grid: &Grid<f32>, crs: &str, style: RasterStyle) -> Result<()> {
        if let Some(src) = file.filter(|f| is_cog(f)) {
            let rel = format!("{name}.tif");
            let dst = self.staging.join(&rel);
            let tmp = crate::grid::io::tmp_path(&dst);
            std::fs::copy(src, &tmp).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &dst).map_err(|e| Error::io(&dst, e))?;
            self.register_raster(&rel, style);
            return Ok(());
        }
        self.put_raster(name, grid, crs, style)
    }

    /// Record a raster file written into the staging directory (by this writer or directly by its
    /// producer), with the style its producer declares.
    pub fn register_raster(&mut self, rel: &str, style: RasterStyle) {
        if !self.rasters.iter().any(|r| r == rel) {
            self.rasters.push(rel.to_string());
        }
        self.styles.insert(rel.to_string(), style);
    }

    pub fn layer_counts(&self) -> &std::collections::BTreeMap<String, usize> {
        &self.layers
    }

    /// Write the manifest and swap the staging directory in place of the target, atomically.
    pub fn commit(mut self, mut manifest: Manifest) -> Result<()> {
        self.finish_background()?;
        if let Some(ds) = self.gpkg.take() {
            ds.close().map_err(|e| Error::gdal(self.staging.join(RESULTS_GPKG), e))?;
        }
        manifest.layers = self.layers.clone();
        manifest.rasters = self.rasters.clone();
        manifest.rasters.sort();
        manifest.raster_styles = self.styles.clone();
        let mpath = self.staging.join(MANIFEST_JSON);
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Codec(e.to_string()))?;
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
            // Background writes end before their directory goes.
            let _ = self.finish_background();
            self.gpkg.take();
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// A raster file being written by a background thread; the thread returns its seconds of writing.
struct PendingRaster {
    path: PathBuf,
    handle: std::thread::JoinHandle<Result<f64>>,
}

/// What [`StoreWriter::finish_background`] joined.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackgroundWrites {
    pub rasters: usize,
    /// Seconds the writing threads took, summed (mostly overlapped with the caller's work).
    pub write_seconds: f64,
    /// Seconds the caller waited for them at the join.
    pub waited_seconds: f64,
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
pub fn remove_abandoned_staging(target: &Path) {
    remove_staging(target, false)
}

/// Remove staging directories of `target`: those of dead processes, or (`all`, under the store's
/// lock, when no writer can be running) every one.
fn remove_staging(target: &Path, all: bool) {
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
        if all || (pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Exchange `staging` and `target` ([`exchange`]); a plain rename when there is no target.
pub fn swap_in(staging: &Path, target: &Path) -> Result<()> {
    if let Some(parent) = target.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
    }
    if !target.exists() {
        return std::fs::rename(staging, target).map_err(|e| Error::io(target, e));
    }
    exchange(staging, target).map_err(|e| Error::io(target, e))
}

/// Swap two existing directories in one step: Linux `renameat2(RENAME_EXCHANGE)`, so a reader sees
/// the old store or the new one, never neither.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let invalid = |e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(invalid)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(invalid)?;
    // SAFETY: both pointers come from CStrings alive for the whole call (NUL-terminated, no interior
    // NUL); AT_FDCWD makes them relative to the working directory; renameat2 keeps no reference.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Portable fallback where there is no atomic exchange: the old store is renamed aside, the new one
/// renamed in, the old one moved to the staging path (which the caller removes). Between the two
/// renames the store is briefly absent (a reader
/// then gets a clear "no store" error, never a mix of two stores).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let name = b.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = b.with_file_name(format!(".{name}.old-{}", std::process::id()));
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    // The caller removes what it swapped out from `a`: put the old store there.
    std::fs::rename(&aside, a)
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

/// Whether a raster of cell type `T` and style `style` is stored with the TIFF predictor: floats
/// as their style says ([`RasterStyle::predictor`]), integers never.
fn predictor<T: GdalType>(style: RasterStyle) -> bool {
    T::datatype().is_floating() && style.predictor()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn background_rasters_are_in_the_commit_and_a_failed_one_fails_it() {
        let (_dir, target) = crate::scratch::scratch("s");
        let g = Arc::new(Grid::new(4, 3, GeoTransform { x0: 500_000.0, y0: 2_400_090.0, dx: 30.0, dy: 30.0 }, 7.5f32, Some(-9999.0)));
        let mut w = StoreWriter::begin(&target).unwrap();
        w.put_raster_background("a", g.clone(), "EPSG:32648", RasterStyle::Continuous).unwrap();
        w.commit(Manifest::default()).unwrap();
        let (back, _) = crate::grid::io::read_raster_f32(&target.join("a.tif"), 1).unwrap();
        assert_eq!(back.data, g.data);

        let mut w = StoreWriter::begin(&target).unwrap();
        w.put_raster_background("b", g, "not a crs", RasterStyle::Continuous).unwrap();
        let e = w.commit(Manifest::default()).unwrap_err().to_string();
        assert!(e.contains("not a crs"), "{e}");
        // The failed commit left the previous store as it was.
        assert!(target.join("a.tif").exists() && !target.join("b.tif").exists());
    }

    #[test]
    fn the_predictor_is_used_where_the_style_and_type_call_for_it_and_values_are_kept() {
        // A float RSRP raster keeps the predictor (3, floating point); a float SINR raster and an
        // integer raster of any style are stored without; every one reads back cell for cell.
        let (_dir, target) = crate::scratch::scratch("p");
        let t = GeoTransform { x0: 500_000.0, y0: 2_400_090.0, dx: 30.0, dy: 30.0 };
        let f = Grid::from_fn(300, 200, t, Some(-9999.0f32), |c, r| -80.0 - (c as f32 * 0.37 + r as f32 * 0.11).sin() * 20.0);
        let i = Grid::from_fn(300, 200, t, Some(-1i32), |c, r| ((c / 17 + r / 13) % 5) as i32);
        let mut w = StoreWriter::begin(&target).unwrap();
        w.put_raster("rsrp", &f, "EPSG:32648", RasterStyle::Rsrp).unwrap();
        w.put_raster("sinr", &f, "EPSG:32648", RasterStyle::Sinr).unwrap();
        w.put_raster_background("ids", Arc::new(i.clone()), "EPSG:32648", RasterStyle::Continuous).unwrap();
        w.commit(Manifest::default()).unwrap();
        let predictor = |name: &str| {
            use gdal::Metadata;
            let ds = gdal::Dataset::open(target.join(format!("{name}.tif"))).unwrap();
            ds.metadata_item("PREDICTOR", "IMAGE_STRUCTURE")
        };
        assert_eq!(predictor("rsrp").as_deref(), Some("3"));
        assert_eq!(predictor("sinr"), None);
        assert_eq!(predictor("ids"), None);
        for name in ["rsrp", "sinr"] {
            let (back, _) = crate::grid::io::read_raster_f32(&target.join(format!("{name}.tif")), 1).unwrap();
            assert!(back.data.iter().zip(&f.data).all(|(a, b)| a.to_bits() == b.to_bits()), "{name}");
        }
        assert_eq!(crate::grid::io::read_raster_as::<i32>(&target.join("ids.tif")).unwrap().data, i.data);
    }
}
