//! No decision-relevant point is hidden from the map: in the demo store every point layer (all have
//! fewer than 50,000 features) has every one of its points in the tiles of every zoom 6–10 — in
//! particular every uncovered hamlet of `hamlet_coverage` at z8, the zoom the map opens at.

use super::server_common as common;

use std::collections::BTreeSet;

use common::*;
use covermap::store::{GeomKind, Store};
use covermap::tiles::mvt::{decode_geometry, decode_tile};
use covermap::tiles::tile_id::tiles_covering;
use covermap::tiles::Catalog;
use geozero::mvt::tile;

#[test]
fn every_point_is_in_the_tiles_of_zooms_6_to_10() {
    let store = Store::open(&demo_store()).unwrap();
    let points: Vec<_> = store.layers.iter().filter(|l| matches!(l.kind, GeomKind::Point) && !l.features.is_empty()).cloned().collect();
    assert!(points.iter().any(|l| l.name == "hamlet_coverage"), "the demo store has hamlet_coverage");
    let names: Vec<(String, usize)> = points.iter().map(|l| (l.name.clone(), l.features.iter().filter(|f| f.geometry.is_some()).count())).collect();
    let uncovered: BTreeSet<u64> = {
        let hc = store.layer("hamlet_coverage").unwrap();
        let k = hc.field_index("covered").unwrap();
        hc.features.iter().filter(|f| f.values[k].as_f64() == Some(0.0)).map(|f| f.id as u64).collect()
    };
    assert!(!uncovered.is_empty());
    let cat = Catalog::build(points, &[], std::path::Path::new("results.gpkg"));
    for (name, n) in &names {
        let src = cat.vector(name).unwrap();
        let r = cat.resolve(name).unwrap();
        for z in 6..=10u8 {
            let mut seen = BTreeSet::new();
            for t in tiles_covering(src.bounds.as_ref().unwrap(), z) {
                let Some(bytes) = Catalog::render(&r, t).unwrap() else { continue };
                for l in decode_tile(&bytes).unwrap().layers {
                    for f in &l.features {
                        // Only points inside the tile proper (not its buffer) count, once each.
                        let g = decode_geometry(tile::GeomType::Point, &f.geometry).unwrap();
                        let covermap::tiles::mvt::TileGeom::Points(p) = g else { panic!() };
                        if p.iter().any(|q| (0..4096).contains(&q[0]) && (0..4096).contains(&q[1])) {
                            seen.insert(f.id.unwrap());
                        }
                    }
                }
            }
            assert_eq!(seen.len(), *n, "layer `{name}` at z{z}: {} of {n} points in the tiles", seen.len());
            if name == "hamlet_coverage" && z == 8 {
                assert!(uncovered.is_subset(&seen), "every uncovered hamlet at z8");
            }
        }
    }
}
