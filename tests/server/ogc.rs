//! OGC API – Features on a synthetic store: collections, items paging (numberMatched,
//! numberReturned, next/prev), bbox filtering checked against a brute-force filter, single items, CSV,
//! and the parameter errors.

use super::server_common as common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_describe_every_layer() {
    let app = app();
    let c = get(&app, "/collections").await.json();
    let ids: Vec<&str> = c["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in ["communes", "hamlets", "roads", "province_indicators", "coverage_gaps", "orchard_health"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let h = get(&app, "/collections/hamlets").await.json();
    assert_eq!(h["itemType"], "feature");
    let bbox = h["extent"]["spatial"]["bbox"][0].as_array().unwrap();
    // The extent is the hamlets' lon/lat envelope (UTM grid lines are not meridians: take the min).
    let pts: Vec<(f64, f64)> = (0..HAMLETS).map(|i| { let (x, y) = hamlet_xy(i); lonlat(x, y) }).collect();
    let w = pts.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    let s = pts.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    assert!((bbox[0].as_f64().unwrap() - w).abs() < 1e-5 && (bbox[1].as_f64().unwrap() - s).abs() < 1e-5, "{bbox:?} vs {w} {s}");
    let links = h["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["rel"] == "items" && l["type"] == "application/geo+json"));
    assert_error(&get(&app, "/collections/nope").await, 404, "`nope`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_walks_every_feature_once() {
    let app = app();
    let mut uri = "/collections/hamlets/items?limit=500".to_string();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = get(&app, &uri).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/geo+json"));
        let j = r.json();
        assert_eq!(j["numberMatched"], HAMLETS);
        let feats = j["features"].as_array().unwrap();
        assert_eq!(j["numberReturned"].as_u64().unwrap() as usize, feats.len());
        seen.extend(feats.iter().map(|f| f["id"].as_i64().unwrap()));
        pages += 1;
        let next = j["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").map(|l| l["href"].as_str().unwrap().to_string());
        if pages > 1 {
            assert!(j["links"].as_array().unwrap().iter().any(|l| l["rel"] == "prev"));
        }
        match next {
            Some(h) => uri = h.trim_start_matches("http://test.local:8080").to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, (1..=HAMLETS).collect::<Vec<_>>());
    // Beyond the end: an empty page, still counted.
    let j = get(&app, "/collections/hamlets/items?offset=5000").await.json();
    assert_eq!(j["numberReturned"], 0);
    assert_eq!(j["numberMatched"], HAMLETS);
    // Default limit 10.
    let j = get(&app, "/collections/hamlets/items").await.json();
    assert_eq!(j["numberReturned"], 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bbox_matches_brute_force() {
    let app = app();
    let (w, s) = lonlat(X0 + 3_100.0, Y0 + 4_100.0);
    let (e, n) = lonlat(X0 + 9_900.0, Y0 + 12_400.0);
    let uri = format!("/collections/hamlets/items?bbox={w},{s},{e},{n}&limit=10000");
    let j = get(&app, &uri).await.json();
    let got: Vec<i64> = j["features"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
    let want: Vec<i64> = (0..HAMLETS)
        .filter(|i| {
            let (x, y) = hamlet_xy(*i);
            let (lon, lat) = lonlat(x, y);
            lon >= w && lon <= e && lat >= s && lat <= n
        })
        .map(|i| i + 1)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert_eq!(j["numberMatched"].as_u64().unwrap() as usize, want.len());
    // Coordinates are CRS84 lon/lat of the stored point.
    let f = &j["features"][0];
    let (x, y) = hamlet_xy(f["id"].as_i64().unwrap() - 1);
    let (lon, lat) = lonlat(x, y);
    let c = f["geometry"]["coordinates"].as_array().unwrap();
    assert!((c[0].as_f64().unwrap() - lon).abs() < 1e-6 && (c[1].as_f64().unwrap() - lat).abs() < 1e-6);
    assert_eq!(f["properties"]["population"], hamlet_population(f["id"].as_i64().unwrap() - 1));
    // Polygons meeting the box (not only inside it) are returned.
    let j = get(&app, &format!("/collections/communes/items?bbox={w},{s},{e},{n}")).await.json();
    assert_eq!(j["numberMatched"], 2, "the box spans communes 1 and 3");
    // A box elsewhere: nothing.
    let j = get(&app, "/collections/hamlets/items?bbox=0,0,1,1").await.json();
    assert_eq!(j["numberMatched"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_items_csv_and_tables() {
    let app = app();
    let j = get(&app, "/collections/communes/items/4").await.ok_json();
    assert_eq!(j["type"], "Feature");
    assert_eq!(j["properties"]["name"], "Quỳnh Nhai");
    assert_eq!(j["geometry"]["type"], "MultiPolygon");
    assert_eq!(j["geometry"]["coordinates"][0].as_array().unwrap().len(), 2, "exterior and hole");
    assert_error(&get(&app, "/collections/communes/items/99").await, 404, "99");
    assert_error(&get(&app, "/collections/communes/items/abc").await, 404, "abc");

    let csv = get(&app, "/collections/communes/items?f=csv&limit=2").await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("id,code,name,population,share,lon,lat"));
    assert!(lines.next().unwrap().starts_with("1,03640,Chiềng Cơi,1000,0,"));
    assert_eq!(text.lines().count(), 3);

    let t = get(&app, "/collections/province_indicators/items").await.json();
    assert_eq!(t["features"][0]["geometry"], serde_json::Value::Null);
    assert_eq!(t["features"][0]["properties"]["hamlets_covered_share"], 0.87);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_parameter_errors() {
    let app = app();
    let cases: &[(&str, u16, &str)] = &[
        ("/collections/hamlets/items?limit=0", 400, "`limit`"),
        ("/collections/hamlets/items?limit=10001", 400, "`limit`"),
        ("/collections/hamlets/items?limit=ten", 400, "`limit`"),
        ("/collections/hamlets/items?offset=-1", 400, "`offset`"),
        ("/collections/hamlets/items?bbox=1,2,3", 400, "`bbox`"),
        ("/collections/hamlets/items?bbox=a,b,c,d", 400, "`bbox`"),
        ("/collections/hamlets/items?bbox=0,10,1,5", 400, "`bbox`"),
        ("/collections/hamlets/items?bbox=0,0,181,1", 400, "`bbox`"),
        ("/collections/hamlets/items?bbox=0,0,1,NaN", 400, "`bbox`"),
        ("/collections/hamlets/items?bbox-crs=EPSG:3857&bbox=0,0,1,1", 400, "`bbox-crs`"),
        ("/collections/hamlets/items?f=xml", 400, "`f`"),
        ("/collections/hamlets/items?color=red", 400, "`color`"),
        ("/collections/nope/items", 404, "`nope`"),
    ];
    for (uri, status, needle) in cases {
        assert_error(&get(&app, uri).await, *status, needle);
    }
    // Accepted forms.
    let ok = get(&app, "/collections/hamlets/items?bbox=103,20,0,105,22,100&crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84").await;
    assert_eq!(ok.status, 200);
}
