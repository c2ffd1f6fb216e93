//! Land cover and terminal clutter on the synthetic province (issue 17 item 4): without a land-cover
//! layer — or with one whose every class costs 0 dB — every raster and layer is bit-identical; a
//! receiver in a forest cell loses exactly the class loss against the same cell in the open, for
//! every sector of every site (the table applied once per receiver), in the rasters, at the hamlets
//! and in the hamlet-only evaluation; in an open cell nothing changes, SINR included; in forest SINR
//! only loses what the noise term takes.

use std::sync::Arc;

use super::support::{self, run_keeping_rasters};

use covermap::coverage::best::RSRP_NODATA;
use covermap::coverage::clutter::ClutterParams;
use covermap::coverage::stage::hamlet_signal_table;
use covermap::store::MemorySink;
use covermap::coverage::synthetic::mini_province;
use covermap::coverage::CoverageParams;
use covermap::dataset::landcover::NO_CLASS;
use covermap::dataset::Dataset;
use covermap::grid::Grid;
use covermap::store::Layer;

fn params() -> CoverageParams {
    support::params(1)
}

/// Tree cover in the western half (columns < 200) and on every tenth row, grassland elsewhere, no
/// class in the first column.
fn landcover(ds: &Dataset) -> Grid<u8> {
    let mut g = Grid::new(ds.dem.width, ds.dem.height, ds.dem.transform, 30u8, Some(NO_CLASS));
    for r in 0..g.height {
        for c in 0..g.width {
            let v = if c == 0 {
                NO_CLASS
            } else if c < 200 || r % 10 == 0 {
                10
            } else {
                30
            };
            g.set(c, r, v);
        }
    }
    g
}

fn layer_values(l: &Layer) -> Vec<String> {
    l.features.iter().map(|f| format!("{:?} {:?}", f.values, f.geometry)).collect()
}

fn same_bits(a: &MemorySink, b: &MemorySink) {
    assert_eq!(a.raster_names, b.raster_names);
    for ((n, x), (_, y)) in a.f32_rasters.iter().zip(&b.f32_rasters) {
        assert!(x.data.iter().zip(&y.data).all(|(p, q)| p.to_bits() == q.to_bits()), "{n} differs");
    }
    for ((n, x), (_, y)) in a.u8_rasters.iter().zip(&b.u8_rasters) {
        assert!(x.data == y.data, "{n} differs");
    }
    for ((n, x), (_, y)) in a.i32_rasters.iter().zip(&b.i32_rasters) {
        assert!(x.data == y.data, "{n} differs");
    }
    for (x, y) in a.layers.iter().zip(&b.layers) {
        assert_eq!(layer_values(x), layer_values(y), "layer {}", x.name);
    }
}

#[test]
fn zero_loss_land_cover_changes_nothing_bit_for_bit() {
    let ds = mini_province(5);
    let p = params();
    let (none, _) = run_keeping_rasters(&ds, &p);
    let mut with = mini_province(5);
    with.landcover = Some(Arc::new(landcover(&with)));
    let zero: ClutterParams = toml::from_str("tree_cover = 0\nbuilt_up = 0\nshrubland = 0\ncropland = 0\nmangroves = 0\nherbaceous_wetland = 0").unwrap();
    let (zeroed, _) = run_keeping_rasters(&with, &CoverageParams { clutter: zero, ..p.clone() });
    same_bits(&none, &zeroed);
    // And the default losses do change the forest.
    let (lossy, _) = run_keeping_rasters(&with, &p);
    assert_ne!(none.f32_raster("rsrp_any").unwrap().data, lossy.f32_raster("rsrp_any").unwrap().data);
}

#[test]
fn a_forest_receiver_loses_exactly_the_class_loss_once() {
    let open = mini_province(7);
    // No frequency scaling: every carrier (900 and 1800 MHz) pays the table's 12 dB. Every cell
    // evaluated (no per-cell reach rule, `coverage::cut`, which would leave weak forest cells out).
    let p = CoverageParams { clutter: ClutterParams { frequency_scaling: false, ..Default::default() }, reach_per_cell: false, ..params() };
    let (a, out_a) = run_keeping_rasters(&open, &p);
    let mut ds = mini_province(7);
    let lc = landcover(&ds);
    ds.landcover = Some(Arc::new(lc.clone()));
    let (b, out_b) = run_keeping_rasters(&ds, &p);
    let floor = p.min_rsrp_dbm as f32;
    let (mut forest, mut grass) = (0, 0);
    for name in ["rsrp_any", "rsrp_alpha", "rsrp_beta"] {
        let (x, y) = (a.f32_raster(name).unwrap(), b.f32_raster(name).unwrap());
        for i in 0..x.len() {
            let (v0, v1) = (x.data[i], y.data[i]);
            match lc.data[i] {
                10 => {
                    if v0 == RSRP_NODATA || v0 - 12.0 < floor + 0.01 {
                        continue;
                    }
                    assert!((v0 - 12.0 - v1).abs() < 2e-3, "{name} cell {i}: {v0} → {v1}");
                    forest += 1;
                }
                _ => {
                    assert_eq!(v0.to_bits(), v1.to_bits(), "{name} open cell {i}");
                    grass += 1;
                }
            }
        }
    }
    assert!(forest > 100_000 && grass > 50_000, "{forest} forest, {grass} open cells");
    // SINR: unchanged in the open; in forest never higher, and lower only by what the noise takes.
    for op in ["alpha", "beta"] {
        let (x, y) = (a.f32_raster(&format!("sinr_{op}")).unwrap(), b.f32_raster(&format!("sinr_{op}")).unwrap());
        let mut lowered = 0;
        for i in 0..x.len() {
            if lc.data[i] != 10 {
                assert_eq!(x.data[i].to_bits(), y.data[i].to_bits(), "sinr_{op} open cell {i}");
            } else if y.data[i] != RSRP_NODATA && x.data[i] != RSRP_NODATA {
                // The same clutter on signal and interference: only the noise term can lower it,
                // by at most the class loss.
                assert!(y.data[i] <= x.data[i] + 0.011 && y.data[i] >= x.data[i] - 12.011, "sinr_{op} cell {i}: {} → {}", x.data[i], y.data[i]);
                lowered += (y.data[i] < x.data[i] - 0.5) as usize;
            }
        }
        assert!(lowered > 1000, "{op}: {lowered} forest cells with noise-limited SINR lowered");
    }
    // Hamlets: the value at the hamlet's cell, with its class's loss; the hamlet-only evaluation
    // (risk's "without these sites") agrees with the raster.
    let table = hamlet_signal_table(&ds, &p).unwrap().rsrp_without(&[]);
    let mut checked = 0;
    for (h, (s0, s1)) in out_a.hamlets.iter().zip(&out_b.hamlets).enumerate() {
        let (c, r) = ds.dem.cell_of(ds.hamlets[h].pos.x(), ds.hamlets[h].pos.y()).unwrap();
        let class = lc.get(c, r);
        if s1.rsrp_dbm.is_finite() {
            assert_eq!(s1.rsrp_dbm.to_bits(), b.f32_raster("rsrp_any").unwrap().get(c, r).to_bits(), "hamlet {h}");
            assert_eq!(table[h].to_bits(), s1.rsrp_dbm.to_bits(), "hamlet {h}: table vs stage");
        }
        if s0.rsrp_dbm.is_finite() && s1.rsrp_dbm.is_finite() {
            let loss = if class == 10 { 12.0 } else { 0.0 };
            assert!((s0.rsrp_dbm - loss - s1.rsrp_dbm).abs() < 2e-3, "hamlet {h} ({class}): {} → {}", s0.rsrp_dbm, s1.rsrp_dbm);
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}
