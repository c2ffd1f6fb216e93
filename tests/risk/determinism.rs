//! Determinism of every sped-up step against today's output (issue 15): the hydrology and terrain
//! steps run on the benches' synthetic DEM (`risk::synthetic`, the issue's 3000² size, and a
//! 1000² one with nodata holes) and each output grid is hashed (SHA-256 of its little-endian
//! bytes). The golden hashes were computed with the code of `main` at db1f9cc, before any speed-up:
//! a faster fill, D8 + flats, accumulation or slope must give the same bits.

use sha2::{Digest, Sha256};

use covermap::grid::Grid;
use covermap::risk::synthetic::{bench_dem, bench_dem_with_holes};
use covermap::risk::{accumulation, fill, flowdir, slope};

fn hash<T: Copy>(g: &Grid<T>, bytes: impl Fn(T) -> Vec<u8>) -> String {
    let mut h = Sha256::new();
    h.update((g.width as u64).to_le_bytes());
    h.update((g.height as u64).to_le_bytes());
    for v in &g.data {
        h.update(bytes(*v));
    }
    hex::encode(h.finalize())
}

fn f32_hash(g: &Grid<f32>) -> String {
    hash(g, |v| v.to_le_bytes().to_vec())
}

/// (filled, D8 + flats, accumulation, slope, aspect) hashes of `dem`.
fn hashes(dem: &Grid<f32>) -> [String; 5] {
    let filled = fill::fill_depressions(dem).unwrap();
    let dirs = flowdir::d8_flow_directions(&filled).unwrap();
    let acc = accumulation::flow_accumulation(&dirs).unwrap();
    [
        f32_hash(&filled),
        hash(&dirs, |v| vec![v]),
        hash(&acc, |v| v.to_le_bytes().to_vec()),
        f32_hash(&slope::slope_degrees(dem)),
        f32_hash(&slope::aspect_degrees(dem)),
    ]
}

fn check(name: &str, got: [String; 5], want: [&str; 5]) {
    let steps = ["depression filling", "D8 + flats", "flow accumulation", "slope", "aspect"];
    let bad: Vec<String> = steps.iter().zip(got.iter().zip(want)).filter(|(_, (g, w))| g != w).map(|(s, (g, _))| format!("{s}: {g}")).collect();
    assert!(bad.is_empty(), "{name}: output differs from the golden one for {bad:?}");
}

#[test]
fn hydrology_and_slope_bit_identical_on_the_issue_size() {
    check(
        "bench_dem(3000)",
        hashes(&bench_dem(3000)),
        [
            "efce587dee85f286d1585eb2b44e4614d3d6c523d1e71a59eae85c014cb45128",
            "d2544ca7e5de3312cf19b99d0989b818d099bacfa4acc34758b04639f03949a7",
            "bda6983462d76cd712d715143ee25a5c64cd14e43be890f2050a4a864004bb6f",
            "05b1a2715fcbd2e24e16e97fad758ed60ab0cac950ac9e3ca39266400e33a832",
            "0b15bd26fc09464091a4e5e46259fbd25c159fabcee31033abe95b911b55d907",
        ],
    );
}

#[test]
fn hydrology_and_slope_bit_identical_with_nodata_holes() {
    check(
        "bench_dem_with_holes(1000)",
        hashes(&bench_dem_with_holes(1000)),
        [
            "969ad46307a83e9910d3a1858a752cba1a469ce111634a1eea3f72ff0d728b0c",
            "b5fc8f4e09ec0e053097e9e4ef020dd719508b801bb91ab4c6c2c59310688df2",
            "b84575d54cd0bbb4ed86e0a392418e45e866b020caf85735977321771c2897e8",
            "87e56c80983e999f04a1148cd2ca1c86773e213ec6e14b1cf81db9af518e7e0e",
            "6f1103401bf806bf7b99867f92b3f6850990a4bcd26fcb6ff2dcd12eb9198b5e",
        ],
    );
}

#[test]
#[ignore = "needs the generated demo DEM (`make data`); `make test` runs it with --include-ignored"]
fn parallel_fill_equals_the_sequential_flood_on_the_demo_dem() {
    // The province's DEM (38 M cells, nodata outside the DEM's footprint): the fill the build runs
    // (tiles in parallel) against the one-sequence Priority-Flood, bit for bit.
    let dem = super::support::generated_dem().1;
    assert!(dem.len() >= fill::PARALLEL_MIN_CELLS);
    assert_eq!(f32_hash(&fill::fill_depressions(&dem).unwrap()), f32_hash(&fill::fill_depressions_sequential(&dem).unwrap()));
}
