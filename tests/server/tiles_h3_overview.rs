//! The H3 hexagons are on the map from z7 (issue 17): in the demo store's `coverage_h3` tiles at
//! z7–z10 every hexagon of the layer is present (one overview feature per hexagon, with every
//! operator's shares), none left out by the byte budget nor stripped of its values; from z11 the
//! tiles carry the full rows. Prints the largest tile and its features per zoom 6–11 (z6, the whole
//! province in one tile, is reported, not required).

use super::server_common as common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use covermap::store::{Store, Value};
use covermap::tiles::mvt::{decode_tile, feature_attributes};
use covermap::tiles::overview::OVERVIEW_BELOW_ZOOM;
use covermap::tiles::tile_id::tiles_covering;
use covermap::tiles::vector_tile::TILE_BYTE_BUDGET;
use covermap::tiles::Catalog;

#[test]
fn every_hexagon_is_in_the_tiles_from_zoom_7() {
    let store = Store::open(&demo_store()).unwrap();
    let layer = store.layer("coverage_h3").expect("the demo store has coverage_h3").clone();
    let hi = layer.field_index("h3_index").unwrap();
    let oi = layer.field_index("operator").unwrap();
    // Each hexagon's rows: the first row's id names it in the overview.
    let mut first: BTreeMap<String, i64> = BTreeMap::new();
    for f in &layer.features {
        let h = f.values[hi].as_str().unwrap().to_string();
        let e = first.entry(h).or_insert(f.id);
        *e = (*e).min(f.id);
    }
    let hexes: BTreeSet<u64> = first.values().map(|id| *id as u64).collect();
    let operators: BTreeSet<String> = layer.features.iter().map(|f| f.values[oi].as_str().unwrap().to_lowercase()).collect();
    assert!(operators.contains("any"));
    let rows = layer.features.len();
    let cat = Catalog::build(vec![layer], &[], std::path::Path::new("results.gpkg"));
    let src = cat.vector("coverage_h3").unwrap();
    let r = cat.resolve("coverage_h3").unwrap();
    for z in 6..=11u8 {
        let (mut seen, mut biggest, mut most, mut tiles, mut stripped) = (BTreeSet::new(), 0usize, 0usize, 0usize, 0usize);
        for t in tiles_covering(src.bounds.as_ref().unwrap(), z) {
            let Some(bytes) = Catalog::render(&r, t).unwrap() else { continue };
            assert!(bytes.len() <= TILE_BYTE_BUDGET, "z{z}: {} bytes", bytes.len());
            tiles += 1;
            biggest = biggest.max(bytes.len());
            for l in decode_tile(&bytes).unwrap().layers {
                most = most.max(l.features.len());
                for f in &l.features {
                    let attrs = feature_attributes(&l, f).unwrap();
                    if (7..OVERVIEW_BELOW_ZOOM).contains(&z) {
                        // Every operator's 90 % share is there (a hexagon always has DEM cells).
                        for op in &operators {
                            let k = format!("area_share_p90_{op}");
                            let v = attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
                            assert!(matches!(v, Some(Value::Real(_) | Value::Int(_))), "z{z} feature {:?}: {k} = {v:?}", f.id);
                        }
                    } else if z >= OVERVIEW_BELOW_ZOOM {
                        // Full rows, not trimmed to the essential fields (`operator` is never null).
                        assert!(attrs.iter().any(|(n, _)| *n == "operator"), "z{z} feature {:?}: full rows", f.id);
                    }
                    // z6 (the whole province in one tile) is reported, not required: the map starts at z7.
                    stripped += attrs.is_empty() as usize;
                    seen.insert(f.id.unwrap());
                }
            }
        }
        eprintln!(
            "coverage_h3 z{z}: {tiles} tiles, the largest {:.0} KiB, at most {most} features in a tile, {} distinct ids, {stripped} without attributes",
            biggest as f64 / 1024.0,
            seen.len()
        );
        if (7..OVERVIEW_BELOW_ZOOM).contains(&z) {
            assert_eq!(seen, hexes, "z{z}: every one of the {} hexagons, once, by its first row's id", hexes.len());
        }
        if z >= OVERVIEW_BELOW_ZOOM {
            assert_eq!(seen.len(), rows, "z{z}: every row of every hexagon");
        }
    }
}
