//! Bad input to `uav ingest`: each case is one clear error naming the file or parameter, and the
//! store — including the earlier flight's results — is left byte for byte as it was.

use super::common::{assert_unchanged, snapshot, Snapshot};
use super::uav_support;

use covermap::dataset::{Crop, Orchard};
use covermap::store::Store;
use covermap::uav::{ingest_flight, ingest_request, IngestRequest};
use uav_support::*;

const X0: f64 = 500_000.0;
const Y0: f64 = 2_350_000.0;

fn orchards() -> Vec<Orchard> {
    vec![
        Orchard { id: 1, crop: Crop::Mango, commune_code: "04125".into(), geom: square(X0 + 20.0, Y0 - 80.0, 50.0) },
        Orchard { id: 2, crop: Crop::Longan, commune_code: "04125".into(), geom: square(X0 + 100.0, Y0 - 120.0, 60.0) },
    ]
}

fn noop(_: &str, _: u64, _: u64) {}

fn assert_untouched(store: &std::path::Path, before: &Snapshot, what: &str) {
    assert_unchanged(store, before, what);
    // No staging directory left beside the store (the writers' lock file `.<store>.lock` stays).
    let parent = store.parent().unwrap();
    let extra: Vec<_> = std::fs::read_dir(parent).unwrap().map(|e| e.unwrap().file_name()).filter(|n| !n.to_string_lossy().ends_with(".lock")).collect();
    assert_eq!(extra.len(), 1, "{what}: left {extra:?}");
    // And it is still a working store with the first flight's results.
    let s = Store::open(store).unwrap();
    assert_eq!(s.layer("orchard_health").unwrap().features.len(), 2);
    assert!(s.raster_path("uav/2026-03-10/ndvi").is_some());
}

#[test]
fn bad_inputs_give_clear_errors_and_leave_the_store_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("out/t");
    make_store(&store, &orchards());
    // 200 m × 150 m at 0.5 m over both parcels.
    let good = uniform_image(&tmp.path().join("good.tif"), X0, Y0, 400, 300, 5);
    let r = ingest_flight(&store, std::slice::from_ref(&good), "2026-03-10", "p4m", None, &noop).unwrap();
    assert_eq!(r.parcels, 2);
    let before = snapshot(&store);

    let err = |images: Vec<std::path::PathBuf>, camera: &str, bands: Option<&str>| {
        let req = IngestRequest {
            images,
            date: "2026-04-07".into(),
            camera: camera.into(),
            bands: bands.map(str::to_string),
            scale: None,
            id: None,
        };
        ingest_request(&store, &req, &noop).unwrap_err().to_string()
    };

    // A GeoTIFF with too few bands for the camera.
    let three = uniform_image(&tmp.path().join("three.tif"), X0, Y0, 400, 300, 3);
    let e = err(vec![three], "p4m", None);
    assert!(e.contains("three.tif") && e.contains("3 band") && e.contains("rededge"), "{e}");
    assert_untouched(&store, &before, "too few bands");

    // A band mapping naming a band the file does not have.
    let e = err(vec![good.clone()], "rededge", Some("nir=7"));
    assert!(e.contains("good.tif") && e.contains("band 7") && e.contains("nir"), "{e}");
    assert_untouched(&store, &before, "missing band");

    // A generic camera without a mapping; an unknown camera; a malformed date.
    assert!(err(vec![good.clone()], "generic", None).contains("--bands"));
    assert!(err(vec![good.clone()], "hasselblad", None).contains("unknown camera"));
    let e = ingest_flight(&store, std::slice::from_ref(&good), "2026-13-01", "p4m", None, &noop).unwrap_err().to_string();
    assert!(e.contains("date") && e.contains("2026-13-01"), "{e}");
    assert_untouched(&store, &before, "bad parameters");

    // A flight that covers no parcel (5 km east).
    let far = uniform_image(&tmp.path().join("far.tif"), X0 + 5000.0, Y0, 400, 300, 5);
    let e = err(vec![far], "p4m", None);
    assert!(e.contains("far.tif") && e.contains("covers no orchard parcel"), "{e}");
    assert_untouched(&store, &before, "no parcel");

    // A truncated file: the first half of a valid GeoTIFF.
    let bytes = std::fs::read(&good).unwrap();
    let cut = tmp.path().join("truncated.tif");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = err(vec![cut], "p4m", None);
    assert!(e.contains("truncated.tif"), "{e}");
    assert_untouched(&store, &before, "truncated");

    // Not a raster at all, and a file that does not exist.
    let junk = tmp.path().join("junk.tif");
    std::fs::write(&junk, b"this is not a tiff").unwrap();
    assert!(err(vec![junk], "p4m", None).contains("junk.tif"));
    assert!(err(vec![tmp.path().join("missing.tif")], "p4m", None).contains("file not found"));
    assert_untouched(&store, &before, "junk");

    // After all that, a good second flight still goes in and links to the first.
    let r = ingest_flight(&store, &[good], "2026-04-07", "p4m", None, &noop).unwrap();
    assert_eq!(r.change_vs.as_deref(), Some("2026-03-10"));
    assert!(r.declined.is_empty());
    let s = Store::open(&store).unwrap();
    assert_eq!(s.layer("orchard_health").unwrap().features.len(), 4);
    assert_eq!(s.layer("uav_flights").unwrap().features.len(), 2);
}

#[test]
fn ingest_needs_a_built_store() {
    let tmp = tempfile::tempdir().unwrap();
    let img = uniform_image(&tmp.path().join("a.tif"), X0, Y0, 10, 10, 5);
    let e = ingest_flight(&tmp.path().join("nowhere"), &[img], "2026-03-10", "p4m", None, &noop).unwrap_err().to_string();
    assert!(e.contains("covermap build"), "{e}");
}
