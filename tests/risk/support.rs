//! What the risk tests on the province's own terrain share: the demo DEM `make data` generates.

use std::path::PathBuf;

use covermap::grid::io::read_raster_f32;
use covermap::grid::Grid;

/// The generated demo DEM (`data/sonla/generated/dem.tif`, 38 M cells): its path and its cells.
/// The tests calling this are `#[ignore]`d; `make test` generates the data and runs them.
pub fn generated_dem() -> (PathBuf, Grid<f32>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sonla/generated/dem.tif");
    assert!(path.exists(), "{} is not generated: run `make data`", path.display());
    let dem = read_raster_f32(&path, 1).unwrap_or_else(|e| panic!("{}: {e}", path.display())).0;
    (path, dem)
}
