//! Slope and aspect against GDAL's own `gdaldem` (the reference the risk module follows, Horn's
//! method, default edges): on a synthetic DEM GeoTIFF with a nodata hole, and on the demo Sơn La DEM
//! when `covermap demo-data` has produced it. Agreement: the same nodata cells, and within 0.01°
//! wherever both define a value.

use std::path::Path;
use std::process::Command;

use covermap::grid::io::{read_raster_f32, write_cog};
use covermap::grid::{GeoTransform, Grid};
use covermap::risk::slope::{aspect_degrees, slope_degrees, SLOPE_NODATA};

fn gdaldem(mode: &str, input: &Path, output: &Path) -> Grid<f32> {
    let st = Command::new("gdaldem").arg(mode).arg(input).arg(output).args(["-of", "GTiff", "-q"]).status().expect("gdaldem runs");
    assert!(st.success(), "gdaldem {mode} failed");
    read_raster_f32(output, 1).unwrap().0
}

/// Compare ours with gdaldem's: identical nodata layout, values within `tol` (angles compared on the
/// circle when `circular`). Returns the number of cells compared.
fn compare(ours: &Grid<f32>, theirs: &Grid<f32>, tol: f32, circular: bool) -> usize {
    assert_eq!((ours.width, ours.height), (theirs.width, theirs.height));
    let nd = theirs.nodata.expect("gdaldem sets nodata");
    let mut n = 0;
    let mut worst = 0f32;
    for (i, (a, b)) in ours.data.iter().zip(&theirs.data).enumerate() {
        let (a_nd, b_nd) = (*a == SLOPE_NODATA, *b == nd);
        assert_eq!(a_nd, b_nd, "cell {i} ({}, {}): ours {a}, gdaldem {b}", i % ours.width, i / ours.width);
        if a_nd {
            continue;
        }
        let mut d = (a - b).abs();
        if circular {
            d = d.min(360.0 - d);
        }
        worst = worst.max(d);
        n += 1;
    }
    assert!(worst <= tol, "largest difference {worst}° exceeds {tol}°");
    n
}

#[test]
fn synthetic_dem_matches_gdaldem() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (160, 120);
    let t = GeoTransform { x0: 400_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
    let mut dem = Grid::new(w, h, t, 0.0f32, Some(-32768.0));
    for r in 0..h {
        for c in 0..w {
            let (x, y) = (c as f32, r as f32);
            let z = 600.0 + 250.0 * (x / 17.0).sin() * (y / 23.0).cos() + 3.0 * x - 1.5 * y + ((c * 7 + r * 13) % 5) as f32;
            dem.set(c, r, z);
        }
    }
    // A nodata hole and a flat patch (aspect undefined there).
    for r in 40..46 {
        for c in 70..75 {
            dem.set(c, r, -32768.0);
        }
    }
    for r in 90..100 {
        for c in 20..30 {
            dem.set(c, r, 500.0);
        }
    }
    let input = dir.path().join("dem.tif");
    write_cog(&dem, &input, "EPSG:32648").unwrap();
    let dem = read_raster_f32(&input, 1).unwrap().0;
    let slope = gdaldem("slope", &input, &dir.path().join("slope.tif"));
    let n = compare(&slope_degrees(&dem), &slope, 0.01, false);
    assert!(n > (w - 2) * (h - 2) - 100, "{n} cells compared");
    let aspect = gdaldem("aspect", &input, &dir.path().join("aspect.tif"));
    compare(&aspect_degrees(&dem), &aspect, 0.01, true);
}

#[test]
#[ignore = "needs the generated demo DEM (`make data`); `make test` runs it with --include-ignored"]
fn demo_dem_slope_matches_gdaldem() {
    let (input, dem) = super::support::generated_dem();
    let dir = tempfile::tempdir().unwrap();
    let theirs = gdaldem("slope", &input, &dir.path().join("slope.tif"));
    let n = compare(&slope_degrees(&dem), &theirs, 0.01, false);
    assert!(n as f64 > 0.9 * dem.len() as f64, "{n} cells compared");
}
