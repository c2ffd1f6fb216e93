use covermap::coverage::best::BestServerGrid;
use covermap::coverage::engine::plan_for;
use covermap::coverage::params::CoverageParams;
use covermap::coverage::profile::Profile;
use covermap::coverage::sites::prepare_site;
use covermap::coverage::sweep::{rasterize, sweep, Scratch};
use covermap::coverage::synthetic::{empty_dataset, hilly_dem, three_sector_site};
fn main() {
    let mode = std::env::args().nth(1).unwrap_or("both".into());
    let n = 1400;
    let ds = empty_dataset(hilly_dem(n, n, 30.0, 11, 800.0));
    let params = CoverageParams::default();
    let (x, y) = ds.dem.cell_center(n / 2, n / 2);
    let site = three_sector_site(1, "bench", x, y, 30.0, 1800.0);
    let p = prepare_site(&ds, 0, &site, &params).unwrap();
    let tx = &p.txs[0];
    let prof = Profile::new(&ds.dem, tx, &params);
    let plan = plan_for(&prof, &ds.dem, &params);
    let grid = BestServerGrid::new(ds.dem.len());
    let mut sc = Scratch::default();
    let t = std::time::Instant::now();
    let mut cells = 0;
    let it: u32 = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(5);
    for _ in 0..it {
        sweep(&prof, &plan, &mut sc);
        if mode == "both" { cells += rasterize(tx, &plan, &sc, &ds.dem, -140.0, |i, v| grid.update(i, v, 0)); }
    }
    eprintln!("{:?} per iter, cells {}", t.elapsed() / it, cells / it as u64);
}
