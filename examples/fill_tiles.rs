//! How the parallel depression fill's tile size was chosen (issue 15): the province's DEM filled by
//! the one-sequence Priority-Flood and by `risk::tiled::fill::fill_in_tiles` with 4 to 4,096 tiles,
//! each result checked equal to the sequential one bit for bit, with wall and CPU seconds
//! (`getrusage`, so the figures mean something on a shared machine).
//!
//! `cargo run --release --example fill_tiles [-- DEM]` (default `data/sonla/generated/dem.tif`).

use covermap::risk::{fill, tiled};

/// User + system CPU seconds of this process so far.
fn cpu() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given; RUSAGE_SELF is always valid.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(u.ru_utime) + s(u.ru_stime)
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "data/sonla/generated/dem.tif".into());
    let dem = covermap::grid::io::read_raster_f32(std::path::Path::new(&path), 1)?.0;
    println!("{path}: {} × {} cells, {} threads", dem.width, dem.height, rayon::current_num_threads());
    let (t, c) = (std::time::Instant::now(), cpu());
    let want = fill::fill_depressions_sequential(&dem)?;
    println!("sequential      {:6.2} s wall {:6.2} s CPU", t.elapsed().as_secs_f64(), cpu() - c);
    for n in [4usize, 16, 64, 256, 576, 1024, 4096] {
        let layout = tiled::TileLayout::for_count(dem.width, dem.height, n)?;
        let (t, c) = (std::time::Instant::now(), cpu());
        let got = tiled::fill::fill_in_tiles(&dem, &layout)?;
        let same = got.data.iter().zip(&want.data).all(|(a, b)| a.to_bits() == b.to_bits());
        println!(
            "{:5} tiles ({} × {}) {:6.2} s wall {:6.2} s CPU, {}",
            layout.count(),
            layout.tile_w,
            layout.tile_h,
            t.elapsed().as_secs_f64(),
            cpu() - c,
            if same { "equal" } else { "DIFFERENT" }
        );
    }
    let (t, c) = (std::time::Instant::now(), cpu());
    let got = fill::fill_depressions(&dem)?;
    println!("fill_depressions {:5.2} s wall {:6.2} s CPU, {}", t.elapsed().as_secs_f64(), cpu() - c, if got.data.iter().zip(&want.data).all(|(a, b)| a.to_bits() == b.to_bits()) { "equal" } else { "DIFFERENT" });
    Ok(())
}
