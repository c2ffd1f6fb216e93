//! Raster file I/O through GDAL.
