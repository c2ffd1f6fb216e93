//! [`Sink`]: where an analysis puts what it produces — rasters (each with the style it is drawn
//! in), vector layers, and files it writes itself (the UAV indices, written by windows). The build
//! hands every analysis a [`StoreSink`] over its [`StoreWriter`]; tests and the CLI use a
//! [`MemorySink`]. One contract for every analysis (issue 14 item 3), so a stage never knows
//! whether it writes a store or memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{BackgroundWrites, Layer, RasterStyle, StoreWriter};
use crate::error::Result;
use crate::grid::Grid;

/// A raster of one of the cell types the store writes.
pub enum RasterData<'a> {
    F32(&'a Grid<f32>),
    I32(&'a Grid<i32>),
    U8(&'a Grid<u8>),
    U32(&'a Grid<u32>),
}

/// A raster the analysis shares with the sink (see [`Sink::raster_shared`]).
pub enum SharedRaster {
    F32(Arc<Grid<f32>>),
    I32(Arc<Grid<i32>>),
    U8(Arc<Grid<u8>>),
    U32(Arc<Grid<u32>>),
}

impl SharedRaster {
    fn data(&self) -> RasterData<'_> {
        match self {
            Self::F32(g) => RasterData::F32(g),
            Self::I32(g) => RasterData::I32(g),
            Self::U8(g) => RasterData::U8(g),
            Self::U32(g) => RasterData::U32(g),
        }
    }
}

/// A cell type a [`Sink`] takes (the types of [`RasterData`]).
pub trait SinkCell: Copy {
    fn data(grid: &Grid<Self>) -> RasterData<'_>;
    fn shared(grid: Arc<Grid<Self>>) -> SharedRaster;
}

macro_rules! sink_cell {
    ($t:ty, $v:ident) => {
        impl SinkCell for $t {
            fn data(grid: &Grid<Self>) -> RasterData<'_> {
                RasterData::$v(grid)
            }
            fn shared(grid: Arc<Grid<Self>>) -> SharedRaster {
                SharedRaster::$v(grid)
            }
        }
    };
}
sink_cell!(f32, F32);
sink_cell!(i32, I32);
sink_cell!(u8, U8);
sink_cell!(u32, U32);

/// Where an analysis's results go.
pub trait Sink {
    /// A raster `<name>.tif` (`name` may contain `/`), drawn with `style`.
    fn raster(&mut self, name: &str, grid: RasterData<'_>, style: RasterStyle) -> Result<()>;
    /// A vector layer (replacing one of the same name).
    fn layer(&mut self, layer: &Layer) -> Result<()>;
    /// The directory files an analysis writes itself go into; `None` when the sink keeps no files.
    fn files_dir(&self) -> Option<&Path>;
    /// Record a raster file written under [`Sink::files_dir`] (path relative to it) with its style.
    fn register_raster(&mut self, rel: &str, style: RasterStyle);
    /// [`Sink::raster`] of a raster the caller keeps using: a store compresses it on a background
    /// thread while the analysis goes on (it counts as written once [`Sink::flush`] returns).
    fn raster_shared(&mut self, name: &str, grid: SharedRaster, style: RasterStyle) -> Result<()> {
        self.raster(name, grid.data(), style)
    }
    /// Wait for the writes [`Sink::raster_shared`] started; the first failure is returned.
    fn flush(&mut self) -> Result<BackgroundWrites> {
        Ok(BackgroundWrites::default())
    }
}

impl dyn Sink + '_ {
    /// [`Sink::raster`] for any cell type the store writes.
    pub fn put_raster<T: SinkCell>(&mut self, name: &str, grid: &Grid<T>, style: RasterStyle) -> Result<()> {
        self.raster(name, T::data(grid), style)
    }

    /// [`Sink::raster_shared`] for any cell type the store writes.
    pub fn put_raster_shared<T: SinkCell>(&mut self, name: &str, grid: Arc<Grid<T>>, style: RasterStyle) -> Result<()> {
        self.raster_shared(name, T::shared(grid), style)
    }
}

/// The store being built: rasters as COGs in the working CRS `crs`, layers into `results.gpkg`.
pub struct StoreSink<'a> {
    w: &'a mut StoreWriter,
    crs: String,
}

impl StoreWriter {
    /// This writer as a [`Sink`] for an analysis working in `crs`.
    pub fn sink(&mut self, crs: &str) -> StoreSink<'_> {
        StoreSink { w: self, crs: crs.to_string() }
    }
}

impl Sink for StoreSink<'_> {
    fn raster(&mut self, name: &str, grid: RasterData<'_>, style: RasterStyle) -> Result<()> {
        let crs = &self.crs;
        match grid {
            RasterData::F32(g) => self.w.put_raster(name, g, crs, style),
            RasterData::I32(g) => self.w.put_raster(name, g, crs, style),
            RasterData::U8(g) => self.w.put_raster(name, g, crs, style),
            RasterData::U32(g) => self.w.put_raster(name, g, crs, style),
        }
    }
    fn layer(&mut self, layer: &Layer) -> Result<()> {
        self.w.put_layer(layer)
    }
    fn files_dir(&self) -> Option<&Path> {
        Some(self.w.staging_dir())
    }
    fn register_raster(&mut self, rel: &str, style: RasterStyle) {
        self.w.register_raster(rel, style)
    }
    fn raster_shared(&mut self, name: &str, grid: SharedRaster, style: RasterStyle) -> Result<()> {
        let crs = &self.crs;
        match grid {
            SharedRaster::F32(g) => self.w.put_raster_background(name, g, crs, style),
            SharedRaster::I32(g) => self.w.put_raster_background(name, g, crs, style),
            SharedRaster::U8(g) => self.w.put_raster_background(name, g, crs, style),
            SharedRaster::U32(g) => self.w.put_raster_background(name, g, crs, style),
        }
    }
    fn flush(&mut self) -> Result<BackgroundWrites> {
        self.w.finish_background()
    }
}

/// Keeps what it is given (rasters optionally), for tests and the CLI.
#[derive(Default)]
pub struct MemorySink {
    pub keep_rasters: bool,
    pub f32_rasters: Vec<(String, Grid<f32>)>,
    pub i32_rasters: Vec<(String, Grid<i32>)>,
    pub u8_rasters: Vec<(String, Grid<u8>)>,
    pub u32_rasters: Vec<(String, Grid<u32>)>,
    pub raster_names: Vec<String>,
    /// The style of each raster of `raster_names`.
    pub raster_styles: Vec<RasterStyle>,
    pub layers: Vec<Layer>,
    /// Where an analysis writing files of its own writes them (`None`: such an analysis fails).
    pub dir: Option<PathBuf>,
}

impl MemorySink {
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name == name)
    }
    pub fn f32_raster(&self, name: &str) -> Option<&Grid<f32>> {
        self.f32_rasters.iter().find(|r| r.0 == name).map(|r| &r.1)
    }
}

impl Sink for MemorySink {
    fn raster(&mut self, name: &str, grid: RasterData<'_>, style: RasterStyle) -> Result<()> {
        self.raster_names.push(name.into());
        self.raster_styles.push(style);
        if self.keep_rasters {
            let name = name.to_string();
            match grid {
                RasterData::F32(g) => self.f32_rasters.push((name, g.clone())),
                RasterData::I32(g) => self.i32_rasters.push((name, g.clone())),
                RasterData::U8(g) => self.u8_rasters.push((name, g.clone())),
                RasterData::U32(g) => self.u32_rasters.push((name, g.clone())),
            }
        }
        Ok(())
    }
    fn layer(&mut self, layer: &Layer) -> Result<()> {
        self.layers.push(layer.clone());
        Ok(())
    }
    fn files_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
    fn register_raster(&mut self, rel: &str, style: RasterStyle) {
        self.raster_names.push(rel.trim_end_matches(".tif").into());
        self.raster_styles.push(style);
    }
}
