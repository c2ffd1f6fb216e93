//! The OpenAPI document and the router come from one route table (`covermap::server::routes`): every
//! operation `/api` documents reaches a handler (not the fallback's "no resource" 404, not a 405),
//! and every route the table serves is documented under a path it answers. A route added to the
//! router without its documentation, or documented under a path no route matches, fails here.

use super::server_common as common;

use axum::body::Body;
use common::*;
use covermap::server::routes::{serves, table};

/// `path` with every `{parameter}` replaced by a value the fixture store has.
fn concrete(path: &str, doc: &serde_json::Value) -> String {
    let collection = doc["components"]["parameters"]["collectionId"]["schema"]["enum"][0].as_str().unwrap().to_string();
    let values = [
        ("{collectionId}", collection.as_str()),
        ("{featureId}", "1"),
        ("{layers}", "communes"),
        ("{z}", "0"),
        ("{x}", "0"),
        ("{y}", "0"),
        ("{id}", "1"),
        ("{path}", "index.js"),
        ("{fontstack}", "Noto Sans Regular"),
        ("{range}", "0-255"),
    ];
    let mut p = path.to_string();
    for (k, v) in values {
        p = p.replace(k, &v.replace(' ', "%20"));
    }
    assert!(!p.contains('{'), "no sample value for a parameter of {path}");
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served_and_every_route_documented() {
    let app = app_for(&fixture_store());
    let doc = get(&app, "/api").await.json();
    let paths = doc["paths"].as_object().unwrap();

    let mut checked = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let uri = concrete(path, &doc);
            let r = request(&app, &method.to_ascii_uppercase(), &uri, &[], Body::empty()).await;
            let fallback = r.status == 404 && r.text().contains("no resource at");
            assert!(!fallback && r.status != 405, "{method} {path} is documented but not served ({uri}: {} {})", r.status, r.text());
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} operations");

    // Vice versa: each method of each route is documented under a path the route answers.
    for route in table(1 << 20) {
        for op in &route.ops {
            let method = op.method.as_str().to_ascii_lowercase();
            let documented = paths.iter().any(|(p, item)| serves(route.path, p) && item.get(&method).is_some());
            assert!(documented, "{} {} is served but not in /api", op.method, route.path);
        }
    }
}
