//! GDAL's own OGC API – Features client (the OAPIF driver, which QGIS uses too) copies every
//! collection of the demo store from the running server into a GeoPackage with the store's feature
//! count; and no stored feature is too large for it (≤ 20,000 vertices).

use super::server_common as common;

use std::process::Command;
use std::time::Duration;

use crate::common::{serve_command, wait_until, KillOnDrop};
use common::*;
use covermap::store::{GeomKind, Store};
use geo::{CoordsIter, Geometry};

/// The port to serve on: `$COVERMAP_TEST_PORT` when set (a shared machine hands out port ranges),
/// else a free one.
fn port() -> u16 {
    match std::env::var("COVERMAP_TEST_PORT") {
        Ok(p) => p.parse().expect("COVERMAP_TEST_PORT is a port number"),
        Err(_) => std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(),
    }
}

/// Collections above this many features are read by GDAL in pages of 1,000.
const LARGE: usize = 5_000;

/// Vertices of a geometry as GeoJSON writes them (closing points included).
fn vertices(g: &Geometry<f64>) -> usize {
    g.coords_count()
}

#[test]
fn ogr2ogr_copies_every_collection_with_the_store_count() {
    let dir = demo_store();
    let store = Store::open(&dir).unwrap();
    let port = port();
    let server = KillOnDrop(serve_command(&dir, port).spawn().unwrap());
    // Ready for every collection once `/health` lists no layer still loading (the heavy ones,
    // risk_zones and coverage_h3, are read after the server starts answering).
    wait_until(Duration::from_secs(120), Duration::from_millis(200), || match http_get(port, "/health") {
        Some(r) if r.starts_with("HTTP/1.1 200") && r.contains("\"loading\":[]") => Ok(()),
        _ => Err("server did not come up".into()),
    });
    // One page of as many zones as allowed stays below 10 MB and links on to the rest.
    let page = http_get(port, "/collections/risk_zones/items?limit=10000").unwrap();
    let body = &page[page.find("\r\n\r\n").unwrap() + 4..];
    assert!(body.len() < 10_000_000, "{} bytes", body.len());
    let j: serde_json::Value = serde_json::from_str(body).unwrap();
    let zones = store.layer("risk_zones").unwrap().features.len() as u64;
    let returned = j["numberReturned"].as_u64().unwrap();
    assert_eq!(j["numberMatched"].as_u64(), Some(zones));
    assert!(returned < zones && returned as usize == j["features"].as_array().unwrap().len());
    let next = j["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").expect("a next link");
    assert!(next["href"].as_str().unwrap().contains(&format!("offset={returned}")), "{next}");

    let out = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for layer in &store.layers {
        let gpkg = out.path().join(format!("{}.gpkg", layer.name));
        let mut cmd = Command::new("ogr2ogr");
        cmd.args(["-f", "GPKG"]).arg(&gpkg).arg(format!("OAPIF:http://127.0.0.1:{port}")).arg(&layer.name);
        // GDAL 3.6 pages by 10 features: the 60,000 zones would take 6,000 requests (minutes). Pages
        // of 1,000 zones of up to 20,000 vertices also run into the server's 8 MiB page cap, so
        // GDAL has to follow `next` links from short pages.
        if layer.features.len() > LARGE {
            cmd.args(["-oo", "PAGE_SIZE=1000"]);
        }
        let r = cmd.output().expect("ogr2ogr is installed");
        assert!(r.status.success(), "ogr2ogr {}: {}", layer.name, String::from_utf8_lossy(&r.stderr));
        let ds = gdal::Dataset::open(&gpkg).unwrap();
        use gdal::vector::LayerAccess;
        let l = ds.layer_by_name(&layer.name).unwrap();
        assert_eq!(l.feature_count() as usize, layer.features.len(), "collection `{}`", layer.name);
        checked += 1;
    }
    assert!(checked >= 20 && store.layer("risk_zones").is_some(), "{checked} collections");
    drop(server);
}

#[test]
fn no_stored_feature_exceeds_20000_vertices() {
    let store = Store::open(&demo_store()).unwrap();
    for layer in store.layers.iter().filter(|l| l.kind != GeomKind::None) {
        let worst = layer.features.iter().filter_map(|f| f.geometry.as_ref().map(|g| (vertices(g), f.id))).max();
        if let Some((n, id)) = worst {
            assert!(n <= 20_000, "layer `{}` feature {id} has {n} vertices", layer.name);
        }
    }
    // Zones name the commune they lie in (zones beyond the province, where the DEM's rectangle
    // reaches past its communes, have none).
    let communes: std::collections::HashSet<String> = store
        .layer("communes")
        .unwrap()
        .features
        .iter()
        .filter_map(|f| f.values[0].as_str().map(str::to_string))
        .collect();
    let zones = store.layer("risk_zones").unwrap();
    let k = zones.fields.iter().position(|f| f.name == "commune_code").expect("risk_zones has commune_code");
    let mut named = 0;
    for f in &zones.features {
        if let covermap::store::Value::Text(c) = &f.values[k] {
            assert!(communes.contains(c), "zone {} names unknown commune `{c}`", f.id);
            named += 1;
        }
    }
    assert!(named * 3 >= zones.features.len(), "{named} of {} zones have a commune code", zones.features.len());
}
