//! HTTP behaviour of the server on a synthetic store: every error case answers a JSON 4xx naming the
//! problem (never a 500), encoding negotiation, ETag/304, Cache-Control, CORS, 204 for empty tiles,
//! HEAD, metrics.

use super::server_common as common;

use std::io::Read;

use axum::body::Body;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tile_errors_are_json_4xx() {
    let app = app();
    let cases: &[(&str, u16, &str)] = &[
        ("/tiles/communes/25/0/0.mvt", 400, "`z`"),
        ("/tiles/communes/3/8/0.mvt", 400, "`x`"),
        ("/tiles/communes/3/0/8.mvt", 400, "`y`"),
        ("/tiles/communes/-1/0/0.mvt", 400, "`z`"),
        ("/tiles/communes/a/0/0.mvt", 400, "`z`"),
        ("/tiles/communes/3/0/1.5.mvt", 400, "`y`"),
        ("/tiles/communes/99999999999999999999/0/0.mvt", 400, "`z`"),
        ("/tiles/nope/3/0/0.mvt", 404, "unknown layer `nope`"),
        ("/tiles/communes,nope/3/0/0.mvt", 404, "unknown layer `nope`"),
        ("/tiles/communes,,hamlets/3/0/0.mvt", 400, "empty layer name"),
        ("/tiles/communes,communes/3/0/0.mvt", 400, "twice"),
        ("/tiles/communes,dem/3/0/0.mvt", 400, "vector layers only"),
        ("/tiles/province_indicators/3/0/0.mvt", 400, "no geometry"),
        ("/tiles/communes/3/0/0.png", 400, ".mvt"),
        ("/tiles/dem/3/0/0.mvt", 400, ".png"),
        ("/tiles/communes/3/0/0.jpg", 404, ".jpg"),
        ("/tiles/communes/3/0/0", 404, "tile format"),
        ("/tiles/nope.json", 404, "unknown layer"),
        ("/tiles/communes", 404, "TileJSON"),
        ("/tiles/nope/legend.json", 404, "unknown layer"),
        ("/tiles/communes/other.json", 404, "legend"),
        ("/tiles/communes/%FF/0/0.mvt", 400, "invalid"),
    ];
    for (uri, status, needle) in cases {
        let r = get(&app, uri).await;
        assert_error(&r, *status, needle);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_errors_are_json() {
    let app = app();
    assert_error(&get(&app, "/no/such/thing").await, 404, "/no/such/thing");
    let r = request(&app, "DELETE", "/collections", &[], Body::empty()).await;
    assert_error(&r, 405, "DELETE");
    let r = request(&app, "PUT", "/tiles/communes/1/0/0.mvt", &[], Body::empty()).await;
    assert_error(&r, 405, "PUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoding_is_negotiated_and_never_forced() {
    let app = app();
    let (z, x, y) = tile_at(X0 + 10_000.0, Y0 + 10_000.0, 11);
    let uri = format!("/tiles/communes,hamlets/{z}/{x}/{y}.mvt");
    let plain = get(&app, &uri).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-type"), Some("application/vnd.mapbox-vector-tile"));
    assert!(plain.header("content-encoding").is_none(), "no Accept-Encoding: identity");
    assert_eq!(plain.header("vary"), Some("accept-encoding"));
    // The raw bytes are a tile (protobuf field 3 = layers).
    let t = covermap::tiles::mvt::decode_tile(&plain.body).unwrap();
    assert_eq!(t.layers.len(), 2);

    let gz = get_with(&app, &uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..]).read_to_end(&mut out).unwrap();
    assert_eq!(out, plain.body);

    let br = get_with(&app, &uri, &[("accept-encoding", "gzip, deflate, br, zstd")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &br.body[..], &mut out).unwrap();
    assert_eq!(out, plain.body);

    let zs = get_with(&app, &uri, &[("accept-encoding", "zstd;q=1, gzip;q=0.5")]).await;
    assert_eq!(zs.header("content-encoding"), Some("zstd"));
    assert_eq!(zstd::decode_all(&zs.body[..]).unwrap(), plain.body.to_vec());

    let none = get_with(&app, &uri, &[("accept-encoding", "identity")]).await;
    assert!(none.header("content-encoding").is_none());
    // Each coding has its own ETag.
    assert_ne!(gz.header("etag"), plain.header("etag"));

    // JSON resources are compressed by the compression layer only when asked.
    let c = get_with(&app, "/collections", &[("accept-encoding", "gzip")]).await;
    assert_eq!(c.header("content-encoding"), Some("gzip"));
    let c = get(&app, "/collections").await;
    assert!(c.header("content-encoding").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etag_304_cache_control_cors_head_204() {
    let app = app();
    let (z, x, y) = tile_at(X0 + 5_000.0, Y0 + 5_000.0, 12);
    let uri = format!("/tiles/communes/{z}/{x}/{y}.mvt");
    let a = get_with(&app, &uri, &[("accept-encoding", "gzip"), ("origin", "http://example.org")]).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    let tag = a.header("etag").unwrap().to_string();
    let b = get_with(&app, &uri, &[("accept-encoding", "gzip"), ("if-none-match", &tag)]).await;
    assert_eq!(b.status, 304);
    assert!(b.body.is_empty());
    assert_eq!(b.header("etag"), Some(tag.as_str()));
    // Another coding does not match the gzip tag.
    let c = get_with(&app, &uri, &[("if-none-match", &tag)]).await;
    assert_eq!(c.status, 200);

    // CORS preflight.
    let pre = request(
        &app,
        "OPTIONS",
        &uri,
        &[("origin", "http://example.org"), ("access-control-request-method", "GET")],
        Body::empty(),
    )
    .await;
    assert!(pre.status.is_success());
    assert!(pre.header("access-control-allow-methods").unwrap_or("").contains("GET"));

    // HEAD answers the headers only.
    let h = request(&app, "HEAD", &uri, &[], Body::empty()).await;
    assert_eq!(h.status, 200);
    assert!(h.body.is_empty());

    // A tile far from the data: 204, no body.
    let e = get(&app, "/tiles/communes/10/0/0.mvt").await;
    assert_eq!(e.status, 204);
    assert!(e.body.is_empty());
    let e = get(&app, "/tiles/dem/10/0/0.png").await;
    assert_eq!(e.status, 204);

    // JSON documents carry weak ETags and revalidate.
    let j = get(&app, "/tiles/communes.json").await;
    let tag = j.header("etag").unwrap().to_string();
    assert!(tag.starts_with("W/"));
    let j2 = get_with(&app, "/tiles/communes.json", &[("if-none-match", &tag)]).await;
    assert_eq!(j2.status, 304);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_cache_counters() {
    let app = app();
    let j = get(&app, "/health").await.ok_json();
    assert_eq!(j["status"], "ok");
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
    let (z, x, y) = tile_at(X0 + 15_000.0, Y0 + 15_000.0, 13);
    let uri = format!("/tiles/hamlets/{z}/{x}/{y}.mvt");
    get(&app, &uri).await;
    get(&app, &uri).await;
    let m = get(&app, "/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = m.text();
    assert!(text.contains("covermap_http_requests_total{route=\"/tiles/{layers}/{z}/{x}/{y}\",method=\"GET\",status=\"200\"} 2"), "{text}");
    assert!(text.contains("covermap_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 1"));
    let hits: u64 = text.lines().find(|l| l.starts_with("covermap_tile_cache_hits_total ")).unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    assert!(hits >= 1, "the second request is a cache hit");
    assert!(text.contains("covermap_tile_cache_bytes "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_conformance_api() {
    let app = app();
    let j = get(&app, "/").await.ok_json();
    let rels: Vec<&str> = j["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
    for r in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&r), "{rels:?}");
    }
    assert!(j["links"][0]["href"].as_str().unwrap().starts_with("http://test.local:8080/"));
    let c = get(&app, "/conformance").await.json();
    let conf: Vec<&str> = c["conformsTo"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(conf.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
    assert!(conf.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));
    assert!(conf.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"));
    let a = get(&app, "/api").await;
    assert_eq!(a.header("content-type"), Some("application/vnd.oai.openapi+json;version=3.0"));
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.0.3");
    for p in ["/collections/{collectionId}/items", "/tiles/{layers}/{z}/{x}/{y}.mvt", "/api/indicators", "/api/uav/flights"] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
    let ids = doc["components"]["parameters"]["collectionId"]["schema"]["enum"].as_array().unwrap();
    assert!(ids.iter().any(|v| v == "hamlets"));
    assert_error(&get(&app, "/?f=xml").await, 400, "`f`");
    assert_error(&get(&app, "/conformance?foo=1").await, 400, "`foo`");
    // The web map's language switch in the URL (`/?lang=en`) is accepted, and checked.
    assert_eq!(get(&app, "/?lang=en").await.status, 200);
    let page = get_with(&app, "/?lang=vi", &[("accept", "text/html")]).await;
    assert_eq!(page.status, 200, "the map (or the landing page when no viewer is embedded)");
    assert_error(&get(&app, "/?lang=fr").await, 400, "`lang`");
}

/// Snapshots (tests/snapshots/*.snap) of what clients depend on: a TileJSON document, the OpenAPI
/// document and a decoded vector tile of the fixture store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_of_tilejson_openapi_and_a_tile() {
    let app = app();
    let pretty = |r: Resp| serde_json::to_string_pretty(&r.ok_json()).unwrap() + "\n";
    assert_snapshot("tilejson_communes_hamlets", &pretty(get(&app, "/tiles/communes,hamlets.json").await));
    assert_snapshot("openapi", &pretty(get(&app, "/api").await));
    let (z, x, y) = tile_at(X0 + 10_000.0, Y0 + 10_000.0, 12);
    let r = get(&app, &format!("/tiles/communes,hamlets/{z}/{x}/{y}.mvt")).await;
    assert_eq!(r.status, 200);
    assert_snapshot("tile_communes_hamlets_z12", &format!("tile {z}/{x}/{y}\n{}", describe_tile(&r.body)));
}
