//! The catalog of servable layers, built once when the server starts (or the store changes): every
//! vector layer of the results store as a [`VectorSource`], every raster as a [`RasterSource`], a
//! `hillshade` basemap derived from `dem` when the store has no hillshade of its own, and any tile
//! archives given to `covermap serve --archive`. A layer that cannot be prepared is reported in
//! [`Catalog::problems`] (and by `/catalog` and `/health`) instead of taking the whole service down.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::archive::ArchiveSource;
pub use super::format::TileFormat;
use super::thresholds::Thresholds;
use super::raster_source::RasterSource;
use super::tile_id::TileId;
use super::vector_source::VectorSource;
use super::vector_tile::render_vector_tile;
use crate::error::Result;
use crate::store::{Layer, RasterStyle, Store};

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// Values that are absolute paths (a flight's `images`) are served relative to the store's
/// directory: clients never see the server's file system.
fn redact_layers(layers: &mut [Layer], root: &Path) {
    for l in layers {
        for v in l.features.iter_mut().flat_map(|f| f.values.iter_mut()) {
            if let crate::store::Value::Text(t) = v {
                if t.starts_with('/') {
                    *t = crate::store::redact_paths(t, root);
                }
            }
        }
    }
}

/// Name of the hillshade basemap source.
pub const HILLSHADE: &str = "hillshade";

#[derive(Clone)]
pub enum Source {
    Vector(Arc<VectorSource>),
    Raster(Arc<RasterSource>),
    Archive(Arc<ArchiveSource>),
}

impl Source {
    pub fn format(&self) -> Option<TileFormat> {
        match self {
            Source::Vector(v) => v.has_geometry().then_some(TileFormat::Mvt),
            Source::Raster(_) => Some(TileFormat::Png),
            Source::Archive(a) => Some(a.format),
        }
    }
}

/// What a tile request's layer list resolves to.
pub enum Resolved {
    /// One or more vector layers, composited into one MVT tile.
    Vector(Vec<Arc<VectorSource>>),
    Raster(Arc<RasterSource>),
    Archive(Arc<ArchiveSource>),
}

impl Resolved {
    pub fn format(&self) -> TileFormat {
        match self {
            Resolved::Vector(_) => TileFormat::Mvt,
            Resolved::Raster(_) => TileFormat::Png,
            Resolved::Archive(a) => a.format,
        }
    }
}

/// Why a layer list does not resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupError {
    /// A layer is not in the catalog (HTTP 404).
    Unknown(String),
    /// The list is malformed or mixes what cannot be combined (HTTP 400).
    Invalid(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::Unknown(s) | LookupError::Invalid(s) => f.write_str(s),
        }
    }
}

pub struct Catalog {
    pub sources: BTreeMap<String, Source>,
    /// Layers that could not be prepared, one line each.
    pub problems: Vec<String>,
    /// Distinguishes catalogs built at different times (tile cache keys include it).
    pub generation: u64,
    /// The store's manifest, when the catalog comes from a store.
    pub manifest: Option<serde_json::Value>,
    /// The store directory, when the catalog comes from a store.
    pub store_dir: Option<PathBuf>,
    /// The thresholds and palettes colour maps and legends are drawn from (the store's parameters).
    pub thresholds: Thresholds,
}

impl Catalog {
    pub fn empty() -> Self {
        Catalog {
            sources: BTreeMap::new(),
            problems: Vec::new(),
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            manifest: None,
            store_dir: None,
            thresholds: Thresholds::default(),
        }
    }

    /// Build from layers and rasters (name → file, drawn in the style their name suggests: rasters
    /// from outside a store). `origin` names the layers' file, for messages.
    pub fn build(layers: Vec<Layer>, rasters: &[(String, PathBuf)], origin: &Path) -> Self {
        let styled: Vec<_> = rasters.iter().map(|(n, p)| (n.clone(), p.clone(), RasterStyle::guess(n))).collect();
        Self::build_with(layers, &styled, origin, Thresholds::default())
    }

    /// [`Catalog::build`] with the thresholds of the analyses that made the layers and each raster's
    /// declared style.
    pub fn build_with(layers: Vec<Layer>, rasters: &[(String, PathBuf, RasterStyle)], origin: &Path, thresholds: Thresholds) -> Self {
        let mut cat = Catalog::empty();
        cat.thresholds = thresholds;
        let prepared: Vec<(String, Result<VectorSource>)> = layers
            .into_par_iter()
            .map(|l| (l.name.clone(), VectorSource::from_layer(l, origin)))
            .collect();
        for (name, r) in prepared {
            match r {
                Ok(v) => {
                    cat.sources.insert(name, Source::Vector(Arc::new(v)));
                }
                Err(e) => cat.problems.push(format!("layer `{name}` not served: {e}")),
            }
        }
        let opened: Vec<(String, Result<RasterSource>)> =
            rasters.par_iter().map(|(n, p, style)| (n.clone(), RasterSource::open(n, p, *style, &cat.thresholds))).collect();
        for (name, r) in opened {
            match r {
                Ok(s) => {
                    if cat.sources.contains_key(&s.id) {
                        cat.problems.push(format!("raster `{name}` not served: id `{}` is taken by a layer", s.id));
                        continue;
                    }
                    cat.sources.insert(s.id.clone(), Source::Raster(Arc::new(s)));
                }
                Err(e) => cat.problems.push(format!("raster `{name}` not served: {e}")),
            }
        }
        if !cat.sources.contains_key(HILLSHADE) {
            if let Some(Source::Raster(dem)) = cat.sources.get("dem") {
                let hs = dem.hillshade_of(HILLSHADE);
                cat.sources.insert(HILLSHADE.to_string(), Source::Raster(Arc::new(hs)));
            }
        }
        for p in &cat.problems {
            tracing::warn!("{p}");
        }
        cat
    }

    /// Build from an opened results store.
    pub fn from_store(store: Store) -> Self {
        let origin = store.dir.join(crate::store::RESULTS_GPKG);
        let rasters: Vec<_> = store.rasters.iter().map(|(n, p)| (n.clone(), p.clone(), store.raster_style(n))).collect();
        // Values that are absolute paths (a flight's `images`) are served relative to the store's
        // directory, problems likewise: clients never see the server's file system.
        let root = store.dir.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut layers = store.layers;
        redact_layers(&mut layers, &root);
        // The store's effective parameters; an unreadable section is reported and its defaults used.
        let (th, problem) = match Thresholds::from_params(&store.manifest.params) {
            Ok(t) => (t, None),
            Err(e) => (Thresholds::default(), Some(format!("thresholds: {e}; colour maps use the defaults"))),
        };
        let mut cat = Catalog::build_with(layers, &rasters, &origin, th);
        if let Some(p) = problem {
            tracing::warn!("{p}");
            cat.problems.push(p);
        }
        cat.problems = cat.problems.iter().map(|p| crate::store::redact_paths(p, &root)).collect();
        cat.manifest = serde_json::to_value(&store.manifest).ok();
        cat.store_dir = Some(store.dir);
        cat
    }

    /// This catalog with `layers` added — the heavy layers of its store, read after the rest
    /// ([`crate::store::Store::open_light`]). The sources already prepared are shared, not rebuilt;
    /// the result is a new generation (tile cache keys change).
    pub fn with_layers(&self, layers: Vec<Layer>) -> Catalog {
        let dir = self.store_dir.clone().unwrap_or_default();
        let origin = dir.join(crate::store::RESULTS_GPKG);
        let root = dir.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut layers = layers;
        redact_layers(&mut layers, &root);
        let mut cat = Catalog {
            sources: self.sources.clone(),
            problems: self.problems.clone(),
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            manifest: self.manifest.clone(),
            store_dir: self.store_dir.clone(),
            thresholds: self.thresholds.clone(),
        };
        let prepared: Vec<(String, Result<VectorSource>)> =
            layers.into_par_iter().map(|l| (l.name.clone(), VectorSource::from_layer(l, &origin))).collect();
        for (name, r) in prepared {
            match r {
                Ok(v) => {
                    cat.sources.insert(name, Source::Vector(Arc::new(v)));
                }
                Err(e) => {
                    let p = crate::store::redact_paths(&format!("layer `{name}` not served: {e}"), &root);
                    tracing::warn!("{p}");
                    cat.problems.push(p);
                }
            }
        }
        cat
    }

    /// Add an opened tile archive under its id; a clash with an existing source is a problem, not a
    /// replacement.
    pub fn add_archive(&mut self, a: ArchiveSource) {
        if self.sources.contains_key(&a.id) {
            self.problems.push(format!("archive {} not served: id `{}` is taken", a.path.display(), a.id));
            return;
        }
        self.sources.insert(a.id.clone(), Source::Archive(Arc::new(a)));
    }

    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    pub fn vector(&self, id: &str) -> Option<&Arc<VectorSource>> {
        match self.sources.get(id) {
            Some(Source::Vector(v)) => Some(v),
            _ => None,
        }
    }

    pub fn vectors(&self) -> impl Iterator<Item = &Arc<VectorSource>> {
        self.sources.values().filter_map(|s| match s {
            Source::Vector(v) => Some(v),
            _ => None,
        })
    }

    /// Resolve a comma-separated layer list (`a` or `a,b`) from a tile URL.
    pub fn resolve(&self, list: &str) -> std::result::Result<Resolved, LookupError> {
        let ids: Vec<&str> = list.split(',').map(str::trim).collect();
        if ids.iter().any(|s| s.is_empty()) {
            return Err(LookupError::Invalid(format!("empty layer name in `{list}`")));
        }
        let mut sources = Vec::with_capacity(ids.len());
        for id in &ids {
            match self.sources.get(*id) {
                Some(s) => sources.push((*id, s)),
                None => return Err(LookupError::Unknown(format!("unknown layer `{id}`"))),
            }
        }
        if sources.len() == 1 {
            return match sources[0].1 {
                Source::Vector(v) if v.has_geometry() => Ok(Resolved::Vector(vec![v.clone()])),
                Source::Vector(_) => {
                    Err(LookupError::Invalid(format!("layer `{}` has no geometry to tile", sources[0].0)))
                }
                Source::Raster(r) => Ok(Resolved::Raster(r.clone())),
                Source::Archive(a) => Ok(Resolved::Archive(a.clone())),
            };
        }
        let mut out = Vec::new();
        for (id, s) in sources {
            match s {
                Source::Vector(v) if v.has_geometry() => {
                    if out.iter().any(|o: &Arc<VectorSource>| o.id == v.id) {
                        return Err(LookupError::Invalid(format!("layer `{id}` is listed twice")));
                    }
                    out.push(v.clone())
                }
                _ => {
                    return Err(LookupError::Invalid(format!(
                        "composite tiles combine vector layers only; `{id}` is not a vector layer with geometry"
                    )))
                }
            }
        }
        Ok(Resolved::Vector(out))
    }

    /// Render a tile of a resolved vector or raster layer list (archives are read by the server,
    /// asynchronously). `None`: the tile is empty.
    pub fn render(resolved: &Resolved, tile: TileId) -> Result<Option<Vec<u8>>> {
        match resolved {
            Resolved::Vector(v) => {
                let refs: Vec<&VectorSource> = v.iter().map(|s| s.as_ref()).collect();
                Ok(render_vector_tile(&refs, tile))
            }
            Resolved::Raster(r) => r.render_png(tile),
            Resolved::Archive(a) => Err(crate::Error::Invariant(format!(
                "archive `{}` is read asynchronously (ArchiveSource::tile), not rendered",
                a.id
            ))),
        }
    }
}
