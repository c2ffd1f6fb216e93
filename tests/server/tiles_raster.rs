//! Raster tiles against an independent reference: `gdalwarp` into the same WebMercator tile gives the
//! same class per pixel (nearest) and nearly the same continuous values (bilinear); nodata is
//! transparent; colours follow the layer's colour map; TileJSON and legends are served.

use super::server_common as common;

use std::path::Path;
use std::process::Command;

use common::*;
use covermap::tiles::raster_source::RasterSource;
use covermap::tiles::{Catalog, Source, TileId};

fn gdalwarp_tile(src: &Path, t: TileId, alg: &str) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w.tif");
    let b = t.bounds();
    let st = Command::new("gdalwarp")
        .args(["-q", "-t_srs", "EPSG:3857", "-te"])
        .args([b.min_x, b.min_y, b.max_x, b.max_y].map(|v| format!("{v:.6}")))
        .args(["-ts", "256", "256", "-r", alg, "-ot", "Float32", "-dstnodata", "-9999"])
        .arg(src)
        .arg(&out)
        .status()
        .expect("gdalwarp is installed");
    assert!(st.success());
    let ds = gdal::Dataset::open(&out).unwrap();
    let buf = ds.rasterband(1).unwrap().read_as::<f32>((0, 0), (256, 256), (256, 256), None).unwrap();
    buf.data().iter().map(|v| if *v == -9999.0 { f32::NAN } else { *v }).collect()
}

fn raster(cat: &Catalog, id: &str) -> std::sync::Arc<RasterSource> {
    match cat.get(id) {
        Some(Source::Raster(r)) => r.clone(),
        _ => panic!("no raster {id}"),
    }
}

/// [`common::tile_at`] as a `TileId`.
fn tile_id_at(x: f64, y: f64, z: u8) -> TileId {
    let (z, x, y) = common::tile_at(x, y, z);
    TileId::new(z as u64, x as u64, y as u64).unwrap()
}

#[test]
fn classes_match_gdalwarp_nearest() {
    let cat = Catalog::from_store(covermap::store::Store::open(&fixture_store()).unwrap());
    let r = raster(&cat, "landslide_susceptibility");
    for t in [tile_id_at(X0 + 8_000.0, Y0 + 8_000.0, 13), tile_id_at(X0 + 10_000.0, Y0 + 10_000.0, 11)] {
        let ours = r.sample(t, 256, 0, true).unwrap().unwrap();
        let refv = gdalwarp_tile(&r.path, t, "near");
        let (mut same, mut both) = (0, 0);
        for (a, b) in ours.iter().zip(&refv) {
            if a.is_nan() || b.is_nan() {
                continue;
            }
            both += 1;
            if a == b {
                same += 1;
            }
        }
        assert!(both > 10_000, "{both}");
        // Only pixels whose centre falls within a hair of a class boundary may differ.
        assert!(same as f64 / both as f64 > 0.99, "{same}/{both} at {t}");
        // Nodata agrees too: both see the raster's edge at the same pixels, give or take a pixel row.
        let nan_ours = ours.iter().filter(|v| v.is_nan()).count() as i64;
        let nan_ref = refv.iter().filter(|v| v.is_nan()).count() as i64;
        assert!((nan_ours - nan_ref).abs() <= 2 * 256, "{nan_ours} vs {nan_ref}");
    }
}

#[test]
fn continuous_values_match_gdalwarp_bilinear() {
    let cat = Catalog::from_store(covermap::store::Store::open(&fixture_store()).unwrap());
    let r = raster(&cat, "dem");
    // Zoom 14 (~9 m pixels over a 100 m grid): both upsample bilinearly.
    let t = tile_id_at(X0 + 4_000.0, Y0 + 15_000.0, 14);
    let ours = r.sample(t, 256, 0, false).unwrap().unwrap();
    let refv = gdalwarp_tile(&r.path, t, "bilinear");
    let mut diffs: Vec<f32> = ours.iter().zip(&refv).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (a - b).abs()).collect();
    assert!(diffs.len() > 60_000);
    diffs.sort_by(|a, b| a.total_cmp(b));
    let p99 = diffs[diffs.len() * 99 / 100];
    // The DEM changes by up to ~13 m per 100 m cell; 0.5 m is well under a tenth of a pixel's change.
    assert!(p99 < 0.5, "p99 difference {p99} m");
}

#[test]
fn nodata_is_transparent_and_colours_follow_the_map() {
    let cat = Catalog::from_store(covermap::store::Store::open(&fixture_store()).unwrap());
    let dem = raster(&cat, "dem");
    // The nodata hole: cells 90..110 → UTM x 9,000–11,000, y 9,000–11,000.
    let t = tile_id_at(X0 + 10_000.0, Y0 + 10_000.0, 15);
    let rgba = dem.render_rgba(t).unwrap();
    assert!(rgba.is_none(), "a tile inside the hole is empty (204)");
    let t = tile_id_at(X0 + 10_000.0, Y0 + 10_000.0, 13);
    let rgba = dem.render_rgba(t).unwrap().unwrap();
    let transparent = rgba.chunks(4).filter(|p| p[3] == 0).count();
    assert!(transparent > 100, "the hole shows through");
    let vals = dem.sample(t, 256, 0, false).unwrap().unwrap();
    for (k, v) in vals.iter().enumerate().step_by(97) {
        let px = &rgba[k * 4..k * 4 + 4];
        if v.is_nan() {
            assert_eq!(px[3], 0);
        } else {
            // Rendered through a 4,096-entry table of the ramp: within 2 levels of the exact colour.
            let want = dem.colormap.color(*v as f64);
            assert!(px.iter().zip(&want).all(|(a, b)| (*a as i32 - *b as i32).abs() <= 2), "{px:?} vs {want:?}");
        }
    }
    // The PNG decodes to those pixels.
    let png_bytes = dem.render_png(t).unwrap().unwrap();
    let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (256, 256));
    assert_eq!(&buf[..info.buffer_size()], &rgba[..]);
    // Hillshade of the DEM: opaque grey where there is relief.
    let hs = raster(&cat, "hillshade");
    let px = hs.render_rgba(tile_id_at(X0 + 4_000.0, Y0 + 4_000.0, 12)).unwrap().unwrap();
    assert!(px.chunks(4).any(|p| p[3] == 255 && p[0] == p[1] && p[1] == p[2]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raster_tilejson_and_legends() {
    let app = app_for(&fixture_store());
    let tj = get(&app, "/tiles/rsrp_any.json").await.json();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["tiles"][0], "http://test.local:8080/tiles/rsrp_any/{z}/{x}/{y}.png");
    assert!(tj.get("vector_layers").is_none());
    // 100 m cells at 21° N: zoom 11 pixels are 71 m, so full detail is reached at zoom 11.
    assert_eq!(tj["maxzoom"], 11);
    let l = get(&app, "/tiles/landslide_susceptibility/legend.json").await.json();
    assert_eq!(l["type"], "classes");
    assert_eq!(l["entries"].as_array().unwrap().len(), 5);
    assert_eq!(l["entries"][4]["label"], "5 very high");
    let l = get(&app, "/tiles/rsrp_any/legend.json").await.json();
    assert_eq!(l["unit"], "dBm");
    let l = get(&app, "/tiles/uav_f1_ndvi/legend.json").await.json();
    assert_eq!(l["scheme"], "RdYlGn");
    let l = get(&app, "/tiles/hamlets/legend.json").await.json();
    assert_eq!(l["kind"], "vector");
    let t = tile_id_at(X0 + 2_100.0, Y0 + 2_100.0, 18);
    let r = get(&app, &format!("/tiles/uav_f1_ndvi/{}/{}/{}.png", t.z, t.x, t.y)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert!(r.header("content-encoding").is_none(), "PNG is never re-compressed");
}
