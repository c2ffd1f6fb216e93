//! The router on the demo store (the Sơn La dataset as `covermap build` writes it): every layer's
//! TileJSON, tiles at several zooms for every layer, composites, items paging and bbox filtering on the
//! real layers, and the catalog.

use super::server_common as common;

use common::*;
use covermap::tiles::mvt::decode_tile;
use serde_json::Value;

async fn first_position(app: &axum::Router, id: &str) -> Option<(f64, f64)> {
    let j = get(app, &format!("/collections/{id}/items?limit=1")).await.json();
    let g = &j["features"][0]["geometry"];
    let mut c = &g["coordinates"];
    while c[0].is_array() {
        c = &c[0];
    }
    Some((c[0].as_f64()?, c[1].as_f64()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_layer_has_tilejson_and_tiles() {
    let store = demo_store();
    let app = app_for(&store);
    let cat = get(&app, "/catalog").await.json();
    let tiles = cat["tiles"].as_object().unwrap();
    for id in ["districts", "communes", "hamlets", "cell_sites", "sectors", "roads", "fiber_routes", "fiber_access_points", "rivers", "dem", "hillshade"] {
        assert!(tiles.contains_key(id), "{id} missing from the catalog: {:?}", tiles.keys().collect::<Vec<_>>());
    }
    assert_eq!(cat["problems"].as_array().unwrap().len(), 0, "{}", cat["problems"]);
    let mut checked = 0;
    for (id, entry) in tiles {
        let tj = get(&app, &format!("/tiles/{id}.json")).await;
        assert_eq!(tj.status, 200, "{id}");
        let tj = tj.json();
        assert_eq!(tj["tilejson"], "3.0.0");
        let url = tj["tiles"][0].as_str().unwrap();
        assert!(url.starts_with("http://test.local:8080/tiles/"), "{url}");
        let b: Vec<f64> = tj["bounds"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let (minz, maxz) = (tj["minzoom"].as_u64().unwrap() as u8, tj["maxzoom"].as_u64().unwrap() as u8);
        let vector = entry["kind"] == "vector";
        if vector {
            assert_eq!(tj["vector_layers"][0]["id"], id.as_str());
            assert!(tj["vector_layers"][0]["fields"].is_object());
        }
        if entry["feature_count"] == 0 {
            continue;
        }
        // The tile holding a feature (vector) or the layer's centre (raster), at several zooms.
        let (lon, lat) = if vector {
            first_position(&app, id).await.unwrap()
        } else {
            ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)
        };
        let zooms: Vec<u8> = [minz.max(5), 8, 11, 14, maxz].into_iter().filter(|z| *z >= minz && *z <= maxz).collect();
        let mut full = 0;
        for z in zooms {
            let (z, x, y) = tile_of(lon, lat, z);
            let ext = if vector { "mvt" } else { "png" };
            let r = get(&app, &format!("/tiles/{id}/{z}/{x}/{y}.{ext}")).await;
            // A polygon smaller than a display pixel is dropped at low zoom: the tile may be empty there.
            assert!(r.status == 200 || (r.status == 204 && z < 12), "{id} {z}/{x}/{y}: {} {}", r.status, r.text());
            if r.status == 204 {
                continue;
            }
            full += 1;
            if vector {
                let t = decode_tile(&r.body).unwrap();
                assert_eq!(t.layers[0].name, id.as_str());
                assert!(!t.layers[0].features.is_empty());
                assert!(r.body.len() <= covermap::tiles::vector_tile::TILE_BYTE_BUDGET);
            } else {
                assert_eq!(&r.body[1..4], b"PNG");
            }
            checked += 1;
        }
        assert!(full > 0, "{id}: no tile with data");
    }
    assert!(checked >= 40, "{checked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_basemap_tiles_fit_the_budget() {
    let app = app_for(&demo_store());
    // Sơn La city, the densest part of the province.
    for z in [6u8, 8, 10, 12, 14] {
        let (z, x, y) = tile_of(103.91, 21.33, z);
        let r = get(&app, &format!("/tiles/districts,communes,roads,rivers,hamlets/{z}/{x}/{y}.mvt")).await;
        assert_eq!(r.status, 200);
        assert!(r.body.len() <= covermap::tiles::vector_tile::TILE_BYTE_BUDGET, "{} bytes at z{z}", r.body.len());
        let t = decode_tile(&r.body).unwrap();
        assert!(t.layers.iter().any(|l| l.name == "communes"));
    }
    // At low zoom the hamlets are thinned (most populous kept); at zoom 12 all of a tile's hamlets are there.
    let count = |b: &[u8]| decode_tile(b).unwrap().layers.iter().find(|l| l.name == "hamlets").map_or(0, |l| l.features.len());
    let (z, x, y) = tile_of(103.91, 21.33, 7);
    let low = count(&get(&app, &format!("/tiles/hamlets/{z}/{x}/{y}.mvt")).await.body);
    let j = get(&app, "/collections/hamlets").await.json();
    let total = get(&app, "/collections/hamlets/items?limit=1").await.json()["numberMatched"].as_u64().unwrap() as usize;
    assert!(j["id"] == "hamlets" && low > 0 && low < total, "{low} of {total} at z7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_paging_and_bbox_on_the_demo() {
    let store = demo_store();
    let app = app_for(&store);
    let manifest: Value = serde_json::from_slice(&std::fs::read(store.join("manifest.json")).unwrap()).unwrap();
    for id in ["communes", "hamlets", "districts"] {
        let n = manifest["layers"][id].as_u64().unwrap();
        let j = get(&app, &format!("/collections/{id}/items?limit=1")).await.json();
        assert_eq!(j["numberMatched"].as_u64().unwrap(), n, "{id}");
    }
    // Walk communes 50 at a time.
    let mut seen = 0;
    let mut offset = 0;
    loop {
        let j = get(&app, &format!("/collections/communes/items?limit=50&offset={offset}")).await.json();
        let n = j["numberReturned"].as_u64().unwrap() as usize;
        seen += n;
        offset += 50;
        if j["links"].as_array().unwrap().iter().all(|l| l["rel"] != "next") {
            break;
        }
    }
    assert_eq!(seen, 204);
    // bbox around Sơn La city: every returned hamlet lies in it, and the count matches a full scan.
    let (w, s, e, n) = (103.85, 21.28, 103.98, 21.38);
    let j = get(&app, &format!("/collections/hamlets/items?bbox={w},{s},{e},{n}&limit=10000")).await.json();
    let all = get(&app, "/collections/hamlets/items?limit=10000").await.json();
    let inside = |f: &Value| {
        let c = &f["geometry"]["coordinates"];
        let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        x >= w && x <= e && y >= s && y <= n
    };
    let want = all["features"].as_array().unwrap().iter().filter(|f| inside(f)).count();
    assert!(want > 0);
    assert_eq!(j["numberMatched"].as_u64().unwrap() as usize, want);
    assert!(j["features"].as_array().unwrap().iter().all(inside));
    // Vietnamese names survive the whole path.
    let c = get(&app, "/collections/districts/items?limit=20").await.text();
    assert!(c.contains("Mường La") || c.contains("Sốp Cộp"), "{}", &c[..300.min(c.len())]);
}
