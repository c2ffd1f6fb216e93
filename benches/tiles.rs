//! Tile rendering benchmarks on the demo store (`out/sonla`, built by `make store`): vector tiles of
//! one layer and of the basemap composite at several zooms, raster tiles (hillshade computed from the
//! DEM, a colour-mapped DEM), and a cached tile through the whole HTTP router. Without a demo store the
//! vector benchmarks run on a synthetic province-sized layer set and the raster ones are skipped.
//! The load test over loopback (requests/s, p99) is `scripts/loadtest.sh`.

use std::path::Path;

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use covermap::server::{router, AppState, ServerConfig};
use covermap::store::{FieldType, GeomKind, Layer, Value};
use covermap::tiles::{Catalog, TileId};
use tower::ServiceExt;

fn tile_of(lon: f64, lat: f64, z: u8) -> TileId {
    let n = (1u64 << z) as f64;
    let x = ((lon + 180.0) / 360.0 * n).floor() as u64;
    let lr = lat.to_radians();
    let y = ((1.0 - (lr.tan() + 1.0 / lr.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u64;
    TileId::new(z as u64, x, y).unwrap()
}

/// A synthetic stand-in: 3,000 points and 200 irregular polygons over the province, in UTM 48N.
fn synthetic() -> Catalog {
    let mut hamlets = Layer::new("hamlets", GeomKind::Point, "EPSG:32648", &[("name", FieldType::Text), ("population", FieldType::Integer)]);
    for i in 0..3000i64 {
        let (x, y) = (300_000.0 + (i * 7919 % 180_000) as f64, 2_280_000.0 + (i * 104_729 % 150_000) as f64);
        hamlets.push(i, Some(geo::Point::new(x, y).into()), vec![format!("Bản {i}").into(), Value::Int(50 + i % 900)]);
    }
    let mut communes = Layer::new("communes", GeomKind::Polygon, "EPSG:32648", &[("name", FieldType::Text)]);
    for k in 0..200i64 {
        let (cx, cy) = (310_000.0 + (k % 20) as f64 * 9_000.0, 2_290_000.0 + (k / 20) as f64 * 14_000.0);
        let ring: Vec<(f64, f64)> = (0..400)
            .map(|j| {
                let a = j as f64 / 400.0 * std::f64::consts::TAU;
                let r = 5_000.0 + 800.0 * (7.0 * a + k as f64).sin();
                (cx + r * a.cos(), cy + r * a.sin())
            })
            .collect();
        communes.push(k, Some(geo::Polygon::new(ring.into(), vec![]).into()), vec![format!("Xã {k}").into()]);
    }
    let mut districts = communes.clone();
    districts.name = "districts".into();
    let mut roads = Layer::new::<&str>("roads", GeomKind::LineString, "EPSG:32648", &[]);
    for k in 0..300i64 {
        let pts: Vec<(f64, f64)> = (0..200).map(|j| (300_000.0 + j as f64 * 900.0, 2_280_000.0 + k as f64 * 500.0 + 300.0 * (j as f64 * 0.3).sin())).collect();
        roads.push(k, Some(geo::LineString::from(pts).into()), vec![]);
    }
    let mut rivers = roads.clone();
    rivers.name = "rivers".into();
    Catalog::build(vec![hamlets, communes, districts, roads, rivers], &[], Path::new("synthetic"))
}

fn catalog() -> (Catalog, bool) {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("out/sonla");
    match covermap::store::Store::open(&store) {
        Ok(s) => (Catalog::from_store(s), true),
        Err(_) => {
            eprintln!("no demo store at {} (run `make store`): synthetic vectors, no raster benchmarks", store.display());
            (synthetic(), false)
        }
    }
}

fn benches(c: &mut Criterion) {
    let (cat, real) = catalog();
    // Sơn La city.
    let (lon, lat) = (103.91, 21.33);
    let mut g = c.benchmark_group("mvt");
    g.throughput(Throughput::Elements(1));
    for (layers, z) in [("communes", 8u8), ("communes", 12), ("hamlets", 9), ("hamlets", 13), ("districts,communes,roads,rivers,hamlets", 10), ("districts,communes,roads,rivers,hamlets", 14)] {
        let r = cat.resolve(layers).unwrap();
        let t = tile_of(lon, lat, z);
        // Generalized levels are built on first use and kept: measure the steady state.
        let bytes = Catalog::render(&r, t).unwrap().map_or(0, |b| b.len());
        g.bench_function(format!("{layers} z{z} ({bytes} B)"), |b| b.iter(|| Catalog::render(&r, t).unwrap()));
    }
    g.finish();

    if real {
        let mut g = c.benchmark_group("png");
        g.throughput(Throughput::Elements(1));
        for (layer, z) in [("hillshade", 9u8), ("hillshade", 12), ("dem", 10), ("dem", 13)] {
            let r = cat.resolve(layer).unwrap();
            let t = tile_of(lon, lat, z);
            g.bench_function(format!("{layer} z{z}"), |b| b.iter(|| Catalog::render(&r, t).unwrap()));
        }
        g.finish();
    }

    // The whole HTTP path for a cached, gzip-encoded tile.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let app = router(AppState::new(cat, ServerConfig::default()));
    let t = tile_of(lon, lat, 10);
    let uri = format!("/tiles/communes,roads,hamlets/{}/{}/{}.mvt", t.z, t.x, t.y);
    let call = |uri: String| {
        let app = app.clone();
        async move {
            let req = Request::builder().uri(uri).header("accept-encoding", "gzip").body(Body::empty()).unwrap();
            app.oneshot(req).await.unwrap()
        }
    };
    rt.block_on(call(uri.clone()));
    let mut g = c.benchmark_group("http");
    g.throughput(Throughput::Elements(1));
    g.bench_function("cached composite tile (router, gzip)", |b| b.iter(|| rt.block_on(call(uri.clone()))));
    g.finish();
}

criterion_group! {
    name = tiles;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(tiles);
