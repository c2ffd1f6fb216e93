//! Reading a results store back: every layer of results.gpkg, the raster files, the manifest. The
//! server loads this once at start (and again when the manifest changes); nothing is recomputed.

use std::path::{Path, PathBuf};

use super::layer::Layer;
use super::manifest::Manifest;
use super::writer::{MANIFEST_JSON, RESULTS_GPKG};
use crate::error::{Error, Result};

#[derive(Debug)]
pub struct Store {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub layers: Vec<Layer>,
    /// Raster name (file path relative to the store, without `.tif`, e.g. `rsrp_any`, `uav/f1/ndvi`) → path.
    pub rasters: Vec<(String, PathBuf)>,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Self::open_light(dir, u64::MAX)?.0)
    }

    /// [`Store::open`] without the layers of `heavy_features` features or more (the server's
    /// start: `risk_zones` and `coverage_h3` are most of the time it takes), whose names come
    /// second, to be read with [`super::gpkg::read_layers`].
    pub fn open_light(dir: &Path, heavy_features: u64) -> Result<(Self, Vec<String>)> {
        let mpath = dir.join(MANIFEST_JSON);
        if !mpath.exists() {
            return Err(Error::store(dir, "no manifest.json: run `covermap build` first"));
        }
        let manifest = Manifest::read(&mpath)?;
        let gpkg = dir.join(RESULTS_GPKG);
        let ds = gdal::Dataset::open(&gpkg).map_err(|e| Error::store(&gpkg, format!("cannot open: {e}")))?;
        let (mut names, mut heavy) = (Vec::new(), Vec::new());
        {
            use gdal::vector::LayerAccess;
            for l in ds.layers() {
                // GeoPackage keeps the counts (gpkg_ogr_contents): no scan.
                if heavy_features < u64::MAX && l.feature_count() >= heavy_features {
                    heavy.push(l.name());
                } else {
                    names.push(l.name());
                }
            }
        }
        let mut layers = Vec::with_capacity(names.len());
        for n in &names {
            layers.push(super::gpkg::read_layer(&ds, &gpkg, n)?);
        }
        let rasters = manifest
            .rasters
            .iter()
            .map(|rel| (rel.trim_end_matches(".tif").to_string(), dir.join(rel)))
            .filter(|(_, p)| p.exists())
            .collect();
        Ok((Self { dir: dir.to_path_buf(), manifest, layers, rasters }, heavy))
    }

    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// The style raster `name` was written with, or for a raster that declares none (an older store,
    /// a file added by hand) the one its name suggests.
    pub fn raster_style(&self, name: &str) -> super::RasterStyle {
        self.manifest.raster_styles.get(&format!("{name}.tif")).copied().unwrap_or_else(|| super::RasterStyle::guess(name))
    }

    pub fn raster_path(&self, name: &str) -> Option<&Path> {
        self.rasters.iter().find(|(n, _)| n == name).map(|(_, p)| p.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FieldType, GeomKind, StoreWriter};
    use super::*;
    use crate::grid::{GeoTransform, Grid};

    fn build(dir: &Path, value: i64) {
        let mut w = StoreWriter::begin(dir).unwrap();
        let mut l = Layer::new("things", GeomKind::Point, "EPSG:32648", &[("v", FieldType::Integer)]);
        l.push(1, Some(geo::point!(x: 1.0, y: 2.0).into()), vec![value.into()]);
        w.put_layer(&l).unwrap();
        let g = Grid::new(3, 2, GeoTransform { x0: 0.0, y0: 60.0, dx: 30.0, dy: 30.0 }, value as f32, None);
        w.put_raster("dem", &g, "EPSG:32648", crate::store::RasterStyle::Elevation).unwrap();
        // A style other than what the name suggests: the declaration wins.
        w.put_raster("site_density", &g, "EPSG:32648", crate::store::RasterStyle::Categorical).unwrap();
        w.commit(Manifest { dataset: "t".into(), ..Default::default() }).unwrap();
    }

    #[test]
    fn rasters_keep_their_declared_style() {
        use crate::store::RasterStyle;
        let (_tmp, dir) = crate::scratch::scratch("out/t");
        build(&dir, 1);
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.manifest.raster_styles.get("dem.tif"), Some(&RasterStyle::Elevation));
        assert_eq!(s.raster_style("site_density"), RasterStyle::Categorical);
        // An update carries the styles over; a raster without one (an older store) is guessed by name.
        let (mut w, mut m) = StoreWriter::begin_update(&dir).unwrap();
        std::fs::copy(dir.join("dem.tif"), w.staging_dir().join("rsrp_x.tif")).unwrap();
        w.register_raster("rsrp_x.tif", RasterStyle::Rsrp);
        m.raster_styles.clear();
        w.commit(m).unwrap();
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.raster_style("site_density"), RasterStyle::Categorical);
        assert_eq!(s.raster_style("rsrp_x"), RasterStyle::Rsrp);
        let mut m = s.manifest.clone();
        m.raster_styles.clear();
        std::fs::write(dir.join(MANIFEST_JSON), serde_json::to_string(&m).unwrap()).unwrap();
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.raster_style("site_density"), RasterStyle::Continuous, "guessed from the name");
    }

    #[test]
    fn commit_replaces_and_abandoned_build_leaves_store_intact() {
        let (tmp, dir) = crate::scratch::scratch("out/t");
        build(&dir, 1);
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.layer("things").unwrap().features[0].values[0].as_i64(), Some(1));
        assert_eq!(s.manifest.layers.get("things"), Some(&1));
        build(&dir, 2);
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.layer("things").unwrap().features[0].values[0].as_i64(), Some(2));
        // A build that fails half-way (dropped without commit) changes nothing.
        {
            let mut w = StoreWriter::begin(&dir).unwrap();
            let l = Layer::new::<&str>("other", GeomKind::Point, "EPSG:32648", &[]);
            w.put_layer(&l).unwrap();
        }
        let s = Store::open(&dir).unwrap();
        assert!(s.layer("other").is_none());
        assert_eq!(s.layer("things").unwrap().features[0].values[0].as_i64(), Some(2));
        // No staging directories are left behind (the writers' lock file `.t.lock` stays).
        let left: Vec<_> = std::fs::read_dir(tmp.path().join("out")).unwrap().flatten().filter(|e| e.file_name() != ".t.lock").collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn update_keeps_existing_files_and_never_writes_through_links() {
        let (_tmp, dir) = crate::scratch::scratch("s");
        build(&dir, 5);
        let before = std::fs::read(dir.join(MANIFEST_JSON)).unwrap();
        let (mut w, m) = StoreWriter::begin_update(&dir).unwrap();
        let mut l = Layer::new("extra", GeomKind::None, "", &[("k", FieldType::Text)]);
        l.push(1, None, vec!["x".into()]);
        w.put_layer(&l).unwrap();
        // While the update is staged, the live store is untouched.
        assert_eq!(std::fs::read(dir.join(MANIFEST_JSON)).unwrap(), before);
        assert!(Store::open(&dir).unwrap().layer("extra").is_none());
        w.commit(m).unwrap();
        let s = Store::open(&dir).unwrap();
        assert!(s.layer("extra").is_some() && s.layer("things").is_some());
        assert!(s.raster_path("dem").is_some());
    }
}
