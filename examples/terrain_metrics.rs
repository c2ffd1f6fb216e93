//! The acceptance figures of the demo terrain (issue 11): how it drains compared with the real rivers,
//! how much a plain depression fill raises, how it keeps the real coarse grid's heights, its slopes.
//!
//! `cargo run --release --example terrain_metrics [-- DATASET_DIR]` (default `data/sonla`), after
//! `covermap demo-data`. Uses the risk stage's own fill, D8 and accumulation.
//!
//! `… terrain_metrics -- --evolution [SEED]` measures the landscape-evolution grid alone (the 125 m
//! fine pass the 30 m DEM is refined from), synthesized in memory: the same figures in a fraction of
//! the time, for trying the model's parameters. `… terrain_metrics -- --dem [SEED]` synthesizes the
//! 30 m DEM as `covermap demo-data` does (evolution, refinement, carving) in memory and measures it,
//! without the other layers.

use covermap::dataset::demo::{dem, dem::target_on, real, DEFAULT_SEED, WORKING_CRS};
use covermap::grid::distance::distance_to;
use covermap::grid::io::read_raster_f32;
use covermap::grid::Grid;
use covermap::risk::{accumulation::flow_accumulation, fill::fill_depressions, flowdir::d8_flow_directions, slope};

fn pct(v: &mut [f32], p: f64) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    let k = ((v.len() - 1) as f64 * p).round() as usize;
    *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
}

fn main() -> anyhow::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "data/sonla".into());
    let (dem, coarse) = if arg == "--evolution" || arg == "--dem" {
        let seed = std::env::args().nth(2).map(|s| s.parse()).transpose()?.unwrap_or(DEFAULT_SEED);
        let (coarse, _) = read_raster_f32(std::path::Path::new("data/sonla/real/dem/son_la_altitude_5arcmin_pvlib_mapzen.tif"), 1)?;
        let r = real::load(WORKING_CRS)?;
        let t0 = std::time::Instant::now();
        let dem = if arg == "--dem" {
            dem::synthesize(&r, &coarse, WORKING_CRS, seed, 30.0)?
        } else {
            dem::evolution_surface(&r, &coarse, WORKING_CRS, seed, 30.0)?
        };
        println!("{} (seed {seed}) in {:.1}s", if arg == "--dem" { "30 m DEM" } else { "evolution grid" }, t0.elapsed().as_secs_f64());
        (dem, coarse)
    } else {
        let data = std::path::PathBuf::from(arg);
        let (dem, _) = read_raster_f32(&data.join("generated/dem.tif"), 1)?;
        let (coarse, _) = read_raster_f32(&data.join("real/dem/son_la_altitude_5arcmin_pvlib_mapzen.tif"), 1)?;
        (dem, coarse)
    };
    let (w, h, cell) = (dem.width, dem.height, dem.transform.dx);
    let n = w * h;
    let (lo, hi) = dem.min_max().unwrap_or((0.0, 0.0));
    println!("DEM {w} × {h} cells of {cell} m, elevations {lo:.0}–{hi:.0} m");

    let filled = fill_depressions(&dem)?;
    let raised = filled.data.iter().zip(&dem.data).filter(|(f, d)| f > d).count();
    println!("depression fill raises {raised} cells = {:.2} %", raised as f64 * 100.0 / n as f64);

    let dirs = d8_flow_directions(&filled)?;
    drop(filled);
    let acc = flow_accumulation(&dirs)?;
    drop(dirs);
    let r = real::load(WORKING_CRS)?;
    let mut mask = Grid::new(w, h, dem.transform, 0u8, None);
    for line in r.rivers.iter().flat_map(|x| x.geom.0.iter()) {
        for c in real::densify(line, cell * 0.25) {
            if let Some((col, row)) = mask.cell_of(c.x, c.y) {
                mask.set(col, row, 1);
            }
        }
    }
    let feat: Vec<bool> = mask.data.iter().map(|m| *m != 0).collect();
    let dist = distance_to(&feat, w, h, dem.transform);
    let big = (200e6 / (cell * cell)).ceil() as u32;
    // The rivers layer is clipped to the province: count inside it too.
    let inside = covermap::grid::rasterize::burn_polygons(&dem, &[&r.province]);
    let (mut n_big, mut near, mut n_in, mut near_in) = (0usize, 0usize, 0usize, 0usize);
    for i in 0..n {
        if acc.data[i] != u32::MAX && acc.data[i] >= big {
            let ok = dist.data[i] as f64 <= 1500.0;
            n_big += 1;
            near += ok as usize;
            if inside.data[i] != 0 {
                n_in += 1;
                near_in += ok as usize;
            }
        }
    }
    println!(
        "inside the province: {n_in} cells draining > 200 km², {near_in} within 1.5 km of a river line = {:.1} %",
        near_in as f64 * 100.0 / n_in.max(1) as f64
    );
    if let Ok(p) = std::env::var("TERRAIN_MASK") {
        // 1 river line, 2 big drainage near a line, 3 big drainage away from the lines.
        let mut m = Grid::new(w, h, dem.transform, 0u8, Some(255));
        for i in 0..n {
            let big_i = acc.data[i] != u32::MAX && acc.data[i] >= big;
            m.data[i] = if big_i { if dist.data[i] as f64 <= 1500.0 { 2 } else { 3 } } else if feat[i] { 1 } else { 0 };
        }
        covermap::grid::io::write_cog(&m, std::path::Path::new(&p), WORKING_CRS)?;
    }
    drop(mask);
    println!(
        "cells draining > 200 km²: {n_big}, within 1.5 km of a real river line: {near} = {:.1} %",
        near as f64 * 100.0 / n_big.max(1) as f64
    );
    drop((acc, dist));

    let s = slope::slope_degrees(&dem);
    let mut sv: Vec<f32> = s.data.iter().copied().filter(|v| *v != slope::SLOPE_NODATA).collect();
    println!(
        "slope (Horn, °): p10 {:.1}, median {:.1}, p90 {:.1}",
        pct(&mut sv, 0.1),
        pct(&mut sv, 0.5),
        pct(&mut sv, 0.9)
    );
    drop((s, sv));

    // Heights against the smoothed real grid: per cell, and as means over 9 km blocks.
    let t = target_on(&coarse, &dem.transform, w, h, WORKING_CRS)?;
    let mut d: Vec<f32> = dem.data.iter().zip(&t.data).map(|(a, b)| (a - b).abs()).collect();
    println!("|DEM − smoothed 5′ grid| per cell: median {:.0} m, p95 {:.0} m", pct(&mut d, 0.5), pct(&mut d, 0.95));
    let b = (9000.0 / cell).round().max(1.0) as usize;
    let mut blocks: Vec<f32> = Vec::new();
    for by in 0..h / b {
        for bx in 0..w / b {
            let (mut sd, mut st) = (0.0f64, 0.0f64);
            for r in by * b..(by + 1) * b {
                for c in bx * b..(bx + 1) * b {
                    sd += dem.data[r * w + c] as f64;
                    st += t.data[r * w + c] as f64;
                }
            }
            blocks.push(((sd - st) / (b * b) as f64).abs() as f32);
        }
    }
    let nb = blocks.len();
    let within = blocks.iter().filter(|v| **v <= 300.0).count();
    println!(
        "|mean DEM − mean smoothed 5′ grid| over {nb} blocks of 9 km: median {:.0} m, p95 {:.0} m, max {:.0} m; {within} of {nb} within ±300 m",
        pct(&mut blocks, 0.5),
        pct(&mut blocks, 0.95),
        pct(&mut blocks, 1.0)
    );
    Ok(())
}
