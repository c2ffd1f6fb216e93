//! Tile archives: `covermap export` writes PMTiles v3 (checked by the `pmtiles` crate's reader and the
//! spec's header layout) and MBTiles (checked by GDAL's MBTiles driver), and `serve --archive` serves
//! them tile for tile as the store would.

use super::server_common as common;

use std::path::{Path, PathBuf};

use common::*;
use covermap::tiles::export::{run_export, ExportOptions, ExportSummary};
use covermap::server::{router, AppState, ServerConfig};
use covermap::tiles::archive::{ArchiveKind, ArchiveSource};
use covermap::tiles::{Catalog, TileId};

fn export(kind: ArchiveKind, out: &Path, layers: &[&str], minzoom: u8, maxzoom: u8) -> ExportSummary {
    run_export(&ExportOptions {
        store: fixture_store(),
        format: kind.into(),
        layers: layers.iter().map(|s| s.to_string()).collect(),
        minzoom,
        maxzoom,
        out: Some(out.to_path_buf()),
    })
    .unwrap()
}

fn catalog() -> Catalog {
    Catalog::from_store(covermap::store::Store::open(&fixture_store()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pmtiles_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sonla.pmtiles");
    let s = export(ArchiveKind::Pmtiles, &out, &["communes", "hamlets"], 8, 13);
    assert!(s.tiles_written > 20 && s.tiles_written <= s.tiles_considered);
    assert!(!dir.path().join("sonla.pmtiles.partial").exists());
    // PMTiles v3 header (spec §3): magic "PMTiles", version byte 3, 127 bytes.
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[0..7], b"PMTiles");
    assert_eq!(bytes[7], 3);
    // The pmtiles crate reads it back.
    let r = pmtiles::AsyncPmTilesReader::new_with_path(&out).await.unwrap();
    let h = r.get_header();
    assert_eq!((h.min_zoom, h.max_zoom), (8, 13));
    assert_eq!(h.tile_type, pmtiles::TileType::Mvt);
    assert_eq!(h.tile_compression, pmtiles::Compression::Gzip);
    let md: serde_json::Value = serde_json::from_str(&r.get_metadata().await.unwrap()).unwrap();
    let ids: Vec<&str> = md["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["communes", "hamlets"]);
    // Every tile the store renders is in the archive, byte for byte.
    let cat = catalog();
    let res = cat.resolve("communes,hamlets").unwrap();
    let (lon, lat) = lonlat(X0 + 10_000.0, Y0 + 10_000.0);
    for z in 8..=13u8 {
        let (z, x, y) = tile_of(lon, lat, z);
        let t = TileId::new(z as u64, x as u64, y as u64).unwrap();
        let want = Catalog::render(&res, t).unwrap().unwrap();
        let got = r.get_tile_decompressed(pmtiles::TileCoord::new(z, x, y).unwrap()).await.unwrap().unwrap();
        assert_eq!(got.to_vec(), want, "tile {t}");
    }
    // Outside the exported zooms: absent.
    let (z, x, y) = tile_of(lon, lat, 14);
    assert!(r.get_tile(pmtiles::TileCoord::new(z, x, y).unwrap()).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbtiles_opened_by_gdal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hamlets.mbtiles");
    export(ArchiveKind::Mbtiles, &out, &["hamlets", "roads"], 10, 12);
    let o = std::process::Command::new("ogrinfo")
        .args(["-ro", "-so", "-oo", "ZOOM_LEVEL=12"])
        .arg(&out)
        .arg("hamlets")
        .output()
        .expect("ogrinfo is installed");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // GDAL types an MVT point layer from the tilestats as Multi Point (it cannot know there are no multipoints).
    assert!(text.contains("Geometry: Multi Point"), "the tilestats type the layer: {text}");
    // At zoom 12 nothing is thinned: GDAL reads every hamlet, with its id and attributes.
    let o = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-q", "-oo", "ZOOM_LEVEL=12"])
        .arg(&out)
        .arg("hamlets")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    // Each feature: its id, then its attributes; the population read back is the stored one. (GDAL 3.6
    // types TileJSON "Number" fields as Real; later versions use the tilestats' integer range.)
    let mut ids: Vec<i64> = Vec::new();
    let mut current = 0i64;
    for l in text.lines().map(str::trim) {
        if let Some(v) = l.strip_prefix("mvt_id (Integer64) = ") {
            current = v.parse().unwrap();
            ids.push(current);
        } else if let Some((_, v)) = l.strip_prefix("population (").and_then(|r| r.split_once(") = ")) {
            assert_eq!(v.parse::<f64>().unwrap(), hamlet_population(current - 1) as f64, "hamlet {current}");
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids, (1..=HAMLETS).collect::<Vec<_>>());
    let o = std::process::Command::new("ogrinfo").args(["-ro", "-q"]).arg(&out).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("hamlets") && text.contains("roads"), "{text}");
}

#[test]
fn raster_export_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cls.pmtiles");
    let s = export(ArchiveKind::Pmtiles, &out, &["landslide_susceptibility"], 10, 12);
    assert!(s.tiles_written > 0);
    let bad = |layers: &[&str], minz: u8, maxz: u8| {
        run_export(&ExportOptions {
            store: fixture_store(),
            format: ArchiveKind::Pmtiles.into(),
            layers: layers.iter().map(|s| s.to_string()).collect(),
            minzoom: minz,
            maxzoom: maxz,
            out: Some(dir.path().join("bad.pmtiles")),
        })
        .unwrap_err()
        .to_string()
    };
    assert!(bad(&["nope"], 0, 3).contains("unknown layer `nope`"));
    assert!(bad(&["communes", "dem"], 0, 3).contains("vector layers only"));
    assert!(bad(&["communes"], 5, 3).contains("--minzoom"));
    assert!(bad(&["communes"], 0, 22).contains("--maxzoom"));
    assert!(!dir.path().join("bad.pmtiles").exists());
}

async fn serve_archive(path: PathBuf) -> axum::Router {
    let mut cat = Catalog::empty();
    cat.add_archive(ArchiveSource::open(&path).await.unwrap());
    router(AppState::new(cat, ServerConfig { store_dir: None, archives: vec![path], ..ServerConfig::default() }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let cat = catalog();
    let res = cat.resolve("communes,hamlets").unwrap();
    let (lon, lat) = lonlat(X0 + 10_000.0, Y0 + 10_000.0);
    for (kind, name) in [(ArchiveKind::Pmtiles, "a.pmtiles"), (ArchiveKind::Mbtiles, "b.mbtiles")] {
        let out = dir.path().join(name);
        export(kind, &out, &["communes", "hamlets"], 9, 12);
        let app = serve_archive(out).await;
        let id = &name[..1];
        let tj = get(&app, &format!("/tiles/{id}.json")).await.json();
        assert_eq!(tj["minzoom"], 9);
        assert_eq!(tj["maxzoom"], 12);
        assert_eq!(tj["vector_layers"].as_array().unwrap().len(), 2);
        let (z, x, y) = tile_of(lon, lat, 11);
        let r = get(&app, &format!("/tiles/{id}/{z}/{x}/{y}.mvt")).await;
        assert_eq!(r.status, 200);
        let want = Catalog::render(&res, TileId::new(z as u64, x as u64, y as u64).unwrap()).unwrap().unwrap();
        assert_eq!(r.body.to_vec(), want);
        let gz = get_with(&app, &format!("/tiles/{id}/{z}/{x}/{y}.mvt"), &[("accept-encoding", "gzip")]).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"));
        assert_eq!(get(&app, &format!("/tiles/{id}/3/0/0.mvt")).await.status, 204);
        assert_error(&get(&app, &format!("/tiles/{id}/3/0/0.png")).await, 400, ".mvt");
        let c = get(&app, "/catalog").await.json();
        assert_eq!(c["tiles"][id]["kind"], "vector");
    }
}
