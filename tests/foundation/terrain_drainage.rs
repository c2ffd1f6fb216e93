//! Issue 11, the demo terrain drains like Sơn La: on the default dataset (`data/sonla`, 30 m, made by
//! `make data`) a plain depression fill raises under 10 % of the cells, at least 80 % of the cells
//! draining more than 200 km² inside the province lie within 1.5 km of a real river line (the
//! `rivers` layer is clipped to the province), and the median slope (Horn) is 15–30°. The figures of
//! `examples/terrain_metrics.rs` (docs/ARCHITECTURE.md "Demo terrain"), with the risk stage's own
//! fill, D8 and accumulation.

use std::path::Path;

use covermap::dataset::demo::{real, WORKING_CRS};
use covermap::grid::distance::distance_to;
use covermap::grid::io::read_raster_f32;
use covermap::grid::rasterize::burn_polygons;
use covermap::grid::Grid;
use covermap::risk::{accumulation::flow_accumulation, fill::fill_depressions, flowdir::d8_flow_directions, slope};

#[test]
#[ignore = "needs the generated demo dataset (`make data`); `make test` runs it with --include-ignored"]
fn default_dem_drains_like_the_real_rivers() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sonla");
    assert!(data.join("generated/GENERATED.json").exists(), "{} has not been generated: run `make data`", data.display());
    let (dem, _) = read_raster_f32(&data.join("generated/dem.tif"), 1).unwrap();
    let (w, h, cell) = (dem.width, dem.height, dem.transform.dx);
    let n = w * h;

    let filled = fill_depressions(&dem).unwrap();
    let raised = filled.data.iter().zip(&dem.data).filter(|(f, d)| f > d).count();
    assert!(raised * 10 < n, "a depression fill raises {raised} of {n} cells");
    let acc = flow_accumulation(&d8_flow_directions(&filled).unwrap()).unwrap();
    drop(filled);

    let r = real::load(WORKING_CRS).unwrap();
    let mut lines = vec![false; n];
    for line in r.rivers.iter().flat_map(|x| x.geom.0.iter()) {
        for c in real::densify(line, cell * 0.25) {
            if let Some((col, row)) = dem.cell_of(c.x, c.y) {
                lines[row * w + col] = true;
            }
        }
    }
    let dist = distance_to(&lines, w, h, dem.transform);
    let inside = burn_polygons(&dem, &[&r.province]);
    let big = (200e6 / (cell * cell)).ceil() as u32;
    let (mut n_big, mut near) = (0usize, 0usize);
    for i in 0..n {
        if inside.data[i] != 0 && acc.data[i] != u32::MAX && acc.data[i] >= big {
            n_big += 1;
            near += usize::from(dist.data[i] <= 1500.0);
        }
    }
    let share = near as f64 / n_big.max(1) as f64;
    // Thousands of cells: the large channels of the province are there at all.
    assert!(n_big > 5_000, "only {n_big} cells inside the province drain more than 200 km²");
    assert!(share >= 0.80, "{near} of {n_big} cells draining > 200 km² lie within 1.5 km of a river line ({:.1} %)", share * 100.0);

    let s: Grid<f32> = slope::slope_degrees(&dem);
    let mut v: Vec<f32> = s.data.iter().copied().filter(|x| *x != slope::SLOPE_NODATA).collect();
    let k = v.len() / 2;
    let median = *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1;
    assert!((15.0..=30.0).contains(&median), "median slope {median:.1}°");
}
