//! The demo orchards and UAV flights end to end: synthesis is deterministic and realistic, and
//! ingesting the two flights flags exactly the parcels the synthesis made stressed in flight 2.

mod uav_support;
#[path = "server_common/mod.rs"]
mod server_common;

use std::collections::BTreeSet;

use covermap::dataset::demo::orchards::generate_orchards;
use covermap::dataset::demo::uav_flights::{generate_flights, plan_flights};
use covermap::dataset::Crop;
use covermap::store::Store;
use covermap::uav::ingest_flight;
use geo::Area;
use uav_support::*;

const SEED: u64 = 20_190_401;

#[test]
fn demo_orchards_flights_and_stress_detection() {
    let (dem, communes, hamlets) = world();
    let orchards = generate_orchards(SEED, &dem, &communes, &hamlets, CRS);

    // Parcels: a few hundred, 0.3–5 ha, both crops, in the growing districts, ids 1…n.
    assert!(orchards.len() >= 200, "{} parcels", orchards.len());
    for (i, o) in orchards.iter().enumerate() {
        assert_eq!(o.id, i as i64 + 1);
        let a = o.geom.unsigned_area();
        assert!((3_000.0..=50_000.0).contains(&a), "parcel {} has {a} m²", o.id);
        assert!(communes.iter().any(|c| c.code == o.commune_code));
    }
    let mango = orchards.iter().filter(|o| o.crop == Crop::Mango).count();
    assert!(mango > 40 && mango < orchards.len() - 40, "{mango} mango of {}", orchards.len());
    // Same seed, same parcels; another seed, other parcels.
    let again = generate_orchards(SEED, &dem, &communes, &hamlets, CRS);
    assert!(again.iter().zip(&orchards).all(|(a, b)| a.geom == b.geom && a.crop == b.crop));
    let other = generate_orchards(SEED + 1, &dem, &communes, &hamlets, CRS);
    assert!(other.iter().zip(&orchards).any(|(a, b)| a.geom != b.geom));

    // Flights: two files, deterministic bytes, a reasonable size.
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (tmp.path().join("a"), tmp.path().join("b"));
    let flights = generate_flights(SEED, &orchards, &dem, &d1, CRS).unwrap();
    let flights_b = generate_flights(SEED, &orchards, &dem, &d2, CRS).unwrap();
    assert_eq!(flights.len(), 2);
    assert_eq!((flights[0].date.as_str(), flights[1].date.as_str()), ("2026-03-10", "2026-04-07"));
    for (a, b) in flights.iter().zip(&flights_b) {
        let (x, y) = (std::fs::read(&a.images[0]).unwrap(), std::fs::read(&b.images[0]).unwrap());
        assert!(x == y, "{} differs between two runs with the same seed", a.images[0].display());
        assert!(x.len() < 30 << 20, "{} is {} bytes", a.images[0].display(), x.len());
    }
    assert_eq!(std::fs::read(d1.join("uav_truth.json")).unwrap(), std::fs::read(d2.join("uav_truth.json")).unwrap());
    // gdalinfo (independent reader) sees 5 UInt16 bands with nodata 0 and the reflectance scale.
    let info = std::process::Command::new("gdalinfo").arg(&flights[0].images[0]).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout);
    assert_eq!(text.matches("Type=UInt16").count(), 5, "{text}");
    assert!(text.contains("NoData Value=0") && text.contains("Offset: 0,   Scale:3.0517578125e-05"), "{text}");

    let plan = plan_flights(SEED, &orchards).unwrap();
    assert!(!plan.stressed.is_empty() && plan.stressed.len() < plan.candidates.len());

    // Ingest both flights into a store holding the orchards.
    let store = tmp.path().join("out/demo");
    make_store(&store, &orchards);
    let noop = |_: &str, _: u64, _: u64| {};
    let r1 = ingest_flight(&store, &flights[0].images, "2026-03-10", "p4m", None, &noop).unwrap();
    assert!(r1.parcels >= plan.candidates.len(), "{} parcels covered", r1.parcels);
    assert!(r1.declined.is_empty() && r1.change_vs.is_none());
    let r2 = ingest_flight(&store, &flights[1].images, "2026-04-07", "p4m", None, &noop).unwrap();
    assert_eq!(r2.change_vs.as_deref(), Some("2026-03-10"));
    let flagged: BTreeSet<i64> = r2.declined.iter().map(|d| d.orchard_id).collect();
    let truth: BTreeSet<i64> = plan.stressed.iter().copied().collect();
    assert_eq!(flagged, truth, "declined parcels vs the synthesis' stressed parcels");
    // Worst first: classes never improve along the list, and every stressed parcel lost NDVI.
    for d in &r2.declined {
        assert!(d.ndvi_change.unwrap() < -0.03, "{d:?}");
        assert!(d.to == "stressed" || d.to == "severe", "{d:?}");
    }

    // The store: layers, rasters, API bodies.
    let s = Store::open(&store).unwrap();
    let health = s.layer("orchard_health").unwrap();
    assert_eq!(health.features.len(), r1.parcels + r2.parcels);
    for name in ["orchard_id", "flight_id", "ndvi_mean", "ndvi_p10", "ndvi_p50", "ndvi_p90", "stressed_share", "health_class", "ndvi_change"] {
        assert!(health.field_index(name).is_some(), "field {name}");
    }
    for f in ["2026-03-10", "2026-04-07"] {
        for i in ["ndvi", "ndre", "gndvi", "savi"] {
            assert!(s.raster_path(&format!("uav/{f}/{i}")).is_some(), "uav/{f}/{i}");
        }
    }
    let change = s.raster_path("uav/2026-04-07/ndvi_change").expect("change raster");
    let info = std::process::Command::new("gdalinfo").arg(change).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("LAYOUT=COG") && text.contains("Type=Float32") && text.contains("Overviews"), "{text}");

    // The UAV API as the server answers it from this store.
    let app = server_common::app_for(&store);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let get = |uri: &str| {
        let r = rt.block_on(server_common::get(&app, uri));
        assert_eq!(r.status, 200, "{uri}: {}", r.text());
        r.json()
    };
    let fj = get("/api/uav/flights");
    let fl = fj["flights"].as_array().unwrap();
    assert_eq!(fl.len(), 2);
    assert_eq!((fl[0]["flight_id"].as_str(), fl[1]["flight_id"].as_str()), (Some("2026-03-10"), Some("2026-04-07")));
    assert_eq!(fl[1]["declined"].as_u64(), Some(truth.len() as u64), "{}", fl[1]);
    assert_eq!(fl[1]["change_vs"], "2026-03-10");
    let indices: BTreeSet<&str> = fl[1]["rasters"].as_array().unwrap().iter().filter_map(|r| r["index"].as_str()).collect();
    assert!(["ndvi", "ndre", "gndvi", "savi", "ndvi_change"].iter().all(|i| indices.contains(i)), "{indices:?}");
    let mut declined_api = BTreeSet::new();
    for id in &plan.candidates {
        let h = get(&format!("/api/uav/parcels/{id}"));
        let hist = h["history"].as_array().unwrap();
        if hist.iter().any(|r| r["flight_id"] == "2026-04-07" && r["health_fell"] == 1) {
            declined_api.insert(*id);
        }
    }
    assert_eq!(declined_api, truth);
    let worst = plan.stressed[0];
    let h = get(&format!("/api/uav/parcels/{worst}"));
    let hist = h["history"].as_array().unwrap();
    assert_eq!(hist.len(), 2);
    assert!(hist[1]["ndvi_change"].as_f64().unwrap() < 0.0);
    assert_eq!(hist[1]["health_fell"], 1);
    // A healthy parcel inside both flights keeps a healthy class.
    let healthy = plan.candidates.iter().find(|id| !truth.contains(id)).unwrap();
    let h = get(&format!("/api/uav/parcels/{healthy}"));
    assert_eq!(h["history"][1]["health_class"], "healthy", "{h}");
}
