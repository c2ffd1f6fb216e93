//! `covermap coverage --site ID | --operator NAME [--out FILE]`: the coverage of one site or one
//! operator (or, with neither, of every site), computed with the build's engine and parameters
//! (`[coverage]` of dataset.toml, with the drive-test calibration applied as the build applies it) and written as a Float32 RSRP GeoTIFF (COG, nodata −9999), with its
//! statistics printed: cells evaluated and the rate, area and hamlets covered, RSRP range.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};

use covermap::coverage::best::BestServerGrid;
use covermap::coverage::engine::{sweep_sites, SweepInput};
use covermap::coverage::hamlets::hamlet_cells;
use covermap::coverage::sites::{prepare_site, PreparedSite};
use covermap::coverage::CoverageParams;
use covermap::dataset::{self, DatasetConfig};

/// Compute one site's (`site`), one operator's (`operator`) or every site's coverage of the dataset
/// in `data` and write the RSRP raster to `out`.
pub fn run_coverage(data: &Path, site: Option<i64>, operator: Option<&str>, out: &Path) -> anyhow::Result<()> {
    if site.is_some() && operator.is_some() {
        bail!("give --site or --operator, not both");
    }
    let cfg = DatasetConfig::read(data)?;
    let params: CoverageParams = cfg.params("coverage")?;
    params.validate()?;
    let t = Instant::now();
    let ds = dataset::load::load_with(&cfg, data)?;
    let load_seconds = t.elapsed().as_secs_f64();
    // The drive-test calibration, as the build applies it, so the raster equals the build's.
    let (params, _) = covermap::coverage::calibration::apply(&ds, &params)?;

    let chosen: Vec<usize> = match (site, operator) {
        (Some(id), _) => {
            let i = ds.sites.iter().position(|s| s.id == id).with_context(|| format!("no site with id {id} in {}", cfg.name))?;
            vec![i]
        }
        (_, Some(op)) => {
            let v: Vec<usize> = (0..ds.sites.len()).filter(|i| ds.sites[*i].operator.eq_ignore_ascii_case(op)).collect();
            if v.is_empty() {
                bail!("no sites of operator `{op}` (operators: {})", ds.operators().join(", "));
            }
            v
        }
        _ => (0..ds.sites.len()).collect(),
    };
    eprintln!("  loaded {} in {load_seconds:.1} s: {} sites", cfg.name, ds.sites.len());
    let prepared: Vec<PreparedSite> =
        chosen.iter().map(|i| prepare_site(&ds, *i, &ds.sites[*i], &params)).collect::<covermap::Result<_>>()?;
    let refs: Vec<&PreparedSite> = prepared.iter().collect();

    let t = Instant::now();
    let grid = BestServerGrid::new(ds.dem.len());
    let pb = covermap::progress::bar(refs.len() as u64, "coverage: sites");
    let stats = sweep_sites(SweepInput { dem: &ds.dem, sites: &refs, params: &params, source: &ds.name }, |i, v, s| grid.update(i, v, s.index as u32), || pb.inc(1))?;
    pb.finish_and_clear();
    let secs = t.elapsed().as_secs_f64();
    let cores = rayon::current_num_threads() as f64;
    let cells_of_hamlets = hamlet_cells(&ds)?;
    let hamlet_values: Vec<Option<f32>> = cells_of_hamlets
        .iter()
        .map(|(x, y)| ds.dem.cell_of(*x, *y).and_then(|(c, r)| grid.get(r * ds.dem.width + c)).map(|v| v.0))
        .collect();
    let (rsrp, _) = grid.into_grids(&ds.dem, |i| ds.sites[i as usize].id as i32);
    covermap::grid::io::write_cog(&rsrp, out, &ds.crs)?;

    let cell_km2 = ds.dem.transform.dx * ds.dem.transform.dy / 1e6;
    let valid: Vec<f32> = rsrp.data.iter().copied().filter(|v| !rsrp.is_nodata(*v)).collect();
    let area = |t: f64| valid.iter().filter(|v| **v as f64 >= t).count() as f64 * cell_km2;
    let (covered, good) = (params.covered_dbm, params.good_dbm);
    let hamlets_cov: Vec<usize> = (0..ds.hamlets.len()).filter(|h| hamlet_values[*h].is_some_and(|v| v as f64 >= covered)).collect();
    let people: u64 = hamlets_cov.iter().map(|h| ds.hamlets[*h].population as u64).sum();
    let what = match (site, operator) {
        (Some(id), _) => format!("site {id} ({})", ds.sites[chosen[0]].name),
        (_, Some(op)) => format!("operator {op} ({} sites)", chosen.len()),
        _ => format!("all {} sites", chosen.len()),
    };
    println!("{what}: {} transmitters swept in {secs:.2} s", stats.transmitters);
    println!(
        "  cells evaluated: {} ({:.2} M cells/s, {:.2} M cells/s/core on {cores} cores); profile samples: {}",
        stats.cells,
        stats.cells as f64 / secs / 1e6,
        stats.cells as f64 / secs / cores / 1e6,
        stats.samples
    );
    println!(
        "  area with signal: {:.1} km²; ≥ {covered} dBm (covered): {:.1} km²; ≥ {good} dBm (good): {:.1} km²",
        valid.len() as f64 * cell_km2,
        area(covered),
        area(good)
    );
    if let (Some(lo), Some(hi)) =
        (valid.iter().copied().reduce(f32::min), valid.iter().copied().reduce(f32::max))
    {
        let mean = valid.iter().map(|v| *v as f64).sum::<f64>() / valid.len() as f64;
        println!("  RSRP: min {lo:.1}, mean {mean:.1}, max {hi:.1} dBm");
    }
    println!("  hamlets covered: {} of {} ({} people)", hamlets_cov.len(), ds.hamlets.len(), people);
    println!("  wrote {}", out.display());
    Ok(())
}
